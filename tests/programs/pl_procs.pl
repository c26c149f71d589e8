#!/usr/bin/perl
# pl_procs.pl: perl's process calls: backticks, system (list and shell forms, statuses, signals),
# pipe opens both ways, fork/waitpid, exec in a child, and kill between processes.
use strict;
use warnings;
$| = 1;
my $x = `echo hello | tr a-z A-Z`;
print "backticks: $x";
print "system status: ", system("sh", "-c", "exit 3") >> 8, "\n";
system("echo from a shell");
print "killed by signal: ", system("sh", "-c", 'kill -9 $$') & 127, "\n";
open(my $in, "-|", "printf 'a\\nb\\nc\\n'") or die;
my @lines = <$in>;
close($in);
print "pipe from: ", scalar(@lines), " lines\n";
open(my $out, "|-", "wc -l") or die;
print $out "1\n2\n";
close($out);
my $pid = fork();
if ($pid == 0) { exit 7 }
waitpid($pid, 0);
print "fork: exit ", $? >> 8, "\n";
$pid = fork();
if ($pid == 0) { exec("sh", "-c", "exit 4") or exit 99 }
waitpid($pid, 0);
print "exec in the child: ", $? >> 8, "\n";
$pid = fork();
if ($pid == 0) { sleep 30; exit 0 }
kill 'TERM', $pid;
waitpid($pid, 0);
print "kill TERM: signal ", $? & 127, "\n";
