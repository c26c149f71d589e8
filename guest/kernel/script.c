/* script.c: "#!" scripts, as Linux's binfmt_script: the first line names an interpreter and at most
 * one argument; argv becomes [interpreter, argument?, script, argv[1]...]. */
#include "script.h"

#include "binprm.h"
#include "bvm_linux.h"
#include "string.h"

static bool spacetab(char c)
{
    return c == ' ' || c == '\t';
}

static char *next_non_spacetab(char *first, const char *last)
{
    for (; first <= last; first++)
        if (!spacetab(*first))
            return first;
    return NULL;
}

static char *next_terminator(char *first, const char *last)
{
    for (; first <= last; first++)
        if (spacetab(*first) || !*first)
            return first;
    return NULL;
}

/* The end of the line to parse: the newline, or the end of the buffer when the interpreter's
 * name visibly ends inside it (else the name may have been cut: no script). */
static char *line_end(char *buf, size_t len)
{
    char *end = memchr(buf, '\n', len), *last = buf + len - 1;
    if (end)
        return end;
    end = next_non_spacetab(buf + 2, last);
    if (!end || !next_terminator(end, last))
        return NULL;
    return last;
}

int script_parse(char *buf, size_t len, char **name, char **arg)
{
    if (len < 3 || buf[0] != '#' || buf[1] != '!')
        return -LINUX_ENOEXEC;
    char *end = line_end(buf, len);
    if (!end)
        return -LINUX_ENOEXEC;
    while (spacetab(end[-1]))
        end--;
    *name = next_non_spacetab(buf + 2, end);
    if (!*name || *name == end)
        return -LINUX_ENOEXEC;
    char *sep = next_terminator(*name, end);
    *arg = sep && *sep ? next_non_spacetab(sep, end) : NULL;
    *end = 0;
    if (*arg)
        *sep = 0;
    return 0;
}

int script_load(struct binprm *b)
{
    char *name, *arg;
    int err = script_parse(b->buf, sizeof(b->buf), &name, &arg);
    if (err)
        return err;
    if (b->path_inaccessible)
        return -LINUX_ENOENT;
    binprm_remove_arg0(b);
    err = binprm_copy_kernel(b, b->interp);
    if (!err && arg && !(err = binprm_copy_kernel(b, arg)))
        b->argc++;
    if (!err)
        err = binprm_copy_kernel(b, name);
    if (err)
        return err;
    b->argc += 2;
    memmove(b->interp, name, strlen(name) + 1);
    return 0;
}
