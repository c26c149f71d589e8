/* kern_script.c: unit tests of "#!" line parsing and argv rewriting (guest/kernel/script.c). */
#include <string.h>

#include "binprm.h"
#include "bvm_linux.h"
#include "kern_test.h"
#include "script.h"

static char buf[BINPRM_BUF_SIZE];
static char *name, *arg;

/* Stand-ins for binprm.c: record the strings script_load adds, lowest (argv[0]) last. */
static char pushed[4][64];
static int npushed;
void binprm_remove_arg0(struct binprm *b)
{
    b->argc--;
}
int binprm_copy_kernel(struct binprm *b, const char *s)
{
    snprintf(pushed[npushed++], sizeof(pushed[0]), "%s", s);
    return 0;
}

static int parse(const char *text, size_t len)
{
    memset(buf, 0, sizeof(buf));
    memcpy(buf, text, len);
    return script_parse(buf, sizeof(buf), &name, &arg);
}
#define PARSE(text) parse(text, sizeof(text) - 1)

static int is(const char *got, const char *want)
{
    return want ? got && strcmp(got, want) == 0 : got == NULL;
}

static void line_tests(void)
{
    EXPECT("kern_script_plain", PARSE("#!/bin/sh\necho\n") == 0 && is(name, "/bin/sh") && is(arg, NULL), "%s",
           buf);
    EXPECT("kern_script_arg_trimmed",
           PARSE("#! \t/bin/sh   -e \t\nx") == 0 && is(name, "/bin/sh") && is(arg, "-e"),
           "name '%s' arg '%s'", name, arg);
    EXPECT("kern_script_one_arg_with_spaces",
           PARSE("#!/usr/bin/env -S a  b\n") == 0 && is(name, "/usr/bin/env") && is(arg, "-S a  b"),
           "arg '%s'", arg);
    EXPECT("kern_script_cr_kept", PARSE("#!/bin/sh\r\n") == 0 && is(name, "/bin/sh\r"), "name '%s'", name);
    EXPECT("kern_script_nul_ends_name",
           PARSE("#!/bin/sh\0 -e\n") == 0 && is(name, "/bin/sh") && is(arg, NULL), "arg '%s'", arg);
    EXPECT("kern_script_not_script",
           PARSE("echo hi\n") == -LINUX_ENOEXEC && PARSE("#/bin/sh\n") == -LINUX_ENOEXEC, "accepted");
    EXPECT("kern_script_empty", PARSE("#!\n") == -LINUX_ENOEXEC && PARSE("#!  \t \n") == -LINUX_ENOEXEC,
           "accepted");
}

/* No newline in the first 256 bytes: usable only when the name visibly ends inside them. */
static void long_line_tests(void)
{
    char text[300];
    memset(text, 'a', sizeof(text));
    memcpy(text, "#!/", 3);
    EXPECT("kern_script_name_cut", parse(text, sizeof(buf)) == -LINUX_ENOEXEC, "accepted a cut name");
    memcpy(text, "#!/bin/sh ", 10);
    int e = parse(text, sizeof(buf));
    EXPECT("kern_script_long_arg", e == 0 && is(name, "/bin/sh") && arg && strlen(arg) == sizeof(buf) - 11,
           "err %d arg length %zu", e, arg ? strlen(arg) : 0);
}

static void load_tests(void)
{
    static struct binprm b;
    b.argc = 3;
    strcpy(b.interp, "./s");
    memcpy(b.buf, "#!/bin/sh -e\n", 13);
    int e = script_load(&b);
    EXPECT("kern_script_argv",
           e == 0 && b.argc == 5 && npushed == 3 && !strcmp(pushed[0], "./s") && !strcmp(pushed[1], "-e") &&
               !strcmp(pushed[2], "/bin/sh") && is(b.interp, "/bin/sh"),
           "err %d argc %lu interp %s", e, (unsigned long)b.argc, b.interp);
    memcpy(b.buf, "#!/bin/sh\n", 11);
    b.path_inaccessible = true;
    EXPECT("kern_script_fd_path", script_load(&b) == -LINUX_ENOENT,
           "ran a script named by a close-on-exec fd");
    memcpy(b.buf, "\177ELF", 4);
    EXPECT("kern_script_elf", script_load(&b) == -LINUX_ENOEXEC, "took an ELF for a script");
}

int main(void)
{
    line_tests();
    long_line_tests();
    load_tests();
    return test_failed != 0;
}
