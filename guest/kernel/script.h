/* script.h: "#!" scripts (Linux's binfmt_script). */
#ifndef SCRIPT_H
#define SCRIPT_H

#include "kernel.h"

struct binprm;

/* Parses the "#!" line at the start of buf (len bytes, zero padded as read) by Linux's rules: 0
 * with *name and *arg (NULL when there is none) NUL-terminated inside buf, or -ENOEXEC. */
int script_parse(char *buf, size_t len, char **name, char **arg);
/* When b->buf is a script: argv[0] replaced by [interpreter, argument?, b->interp] and b->interp
 * set to the interpreter, which the caller then opens. -ENOEXEC when it is no script, -ENOENT
 * when the script's path will not exist for the interpreter, -E2BIG, -ENOMEM. */
int script_load(struct binprm *b);

#endif
