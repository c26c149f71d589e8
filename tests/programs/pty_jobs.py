#!/usr/bin/python3
# pty_jobs.py: interactive bash on a pseudo-terminal, driven as a user would: job control (a
# background job, Ctrl-Z, bg, fg, Ctrl-C to the foreground job only, a background read stopped by
# SIGTTIN), then exit. Prints one "ok"/"FAIL" line per step and bash's exit status.
# Usage: pty_jobs.py [CMD...]  (default: bash; CMD runs bash, e.g. "buffervm --backend soft bash")
import os
import pty
import re
import select
import sys
import time

TIMEOUT = 30  # seconds per step: the nested VM is slow


class Term:
    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.update(PS1="$ ", TERM="dumb", HISTFILE="/dev/null")
            os.execvp(argv[0], argv + ["--norc", "--noprofile", "-i"])
        self.buf = b""

    def expect(self, pattern):
        end = time.time() + TIMEOUT
        while True:
            m = re.search(pattern.encode(), self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return True
            left = end - time.time()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return False
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            self.buf += data

    def step(self, name, send, pattern, delay=0.0):
        if delay:
            time.sleep(delay)  # let the job get going (the check does not depend on it)
        os.write(self.fd, send.encode())
        ok = self.expect(pattern)
        print(("ok " if ok else "FAIL ") + name + ("" if ok else ": " + repr(self.buf[-300:])), flush=True)


JOB = "sh -c 'echo re\"\"ady; exec sleep 30'"
# Sleeps until the stopped jobs are (?*: some, '': none), 20 s at most.
POLL = "for i in $(seq 100); do case $(jobs -s) in %s) break;; esac; sleep 0.2; done; "


def main():
    t = Term(sys.argv[1:] or ["bash"])
    t.step("prompt", "echo st''art\n", r"start\r?\n")
    # Jobs announce that they run a program of their own: until then the forked shell may still
    # ignore SIGTERM and SIGTSTP as an interactive bash does (natively too, for a shorter while).
    # (the job may print before bash announces it: Linux lets either run first after fork)
    t.step("background job", JOB + " &\n", r"\[1\] \d+[\s\S]*ready|ready[\s\S]*\[1\] \d+")
    t.step("jobs lists it", "jobs\n", r"\[1\]\+ +Running +sh -c")
    # The job's end is reported by "Terminated" at wait or before the next prompt, depending on
    # whether bash's SIGCHLD handler or wait reaped it first. (A bare "wait" marks jobs already
    # reaped as reported and prints nothing: natively too, when the job dies before wait starts.)
    t.step("kill %1", "kill %1; wait %1; echo st=$?\necho no''te\n",
           r"(Terminated[\s\S]*st=143|st=143[\s\S]*Terminated)[\s\S]*note")
    t.step("a foreground job", JOB + "\n", r"ready")
    t.step("Ctrl-Z stops it", "\x1a", r"Stopped +sh -c")
    t.step("bg resumes it", "bg\n", r"\[1\]\+ sh -c .*&")
    t.step("fg brings it back", "fg\n", r"sh -c .*\r?\n")
    t.step("Ctrl-C ends the foreground job", "\x03", r"\$ ", delay=0.5)
    t.step("the shell lives on", "echo al''ive\n", r"alive")
    t.step("a background read from the terminal", "cat &\n", r"\[1\] \d+")
    # Waits poll (at most 20 s), never a fixed sleep: on a loaded machine the job may take its
    # time to reach its read, or to die.
    t.step("... is stopped by SIGTTIN", POLL % "?*" + "jobs\n", r"Stopped")
    t.step("kill -9 %1", "kill -9 %1\n", r"\$ ")
    t.step("... reported killed", POLL % "''" + "jobs\n", r"Killed")
    os.write(t.fd, b"exit 3\n")
    _, status = os.waitpid(t.pid, 0)
    print("bash exit status", os.waitstatus_to_exitcode(status))


main()
