/* check_supp.h: valgrind's suppressions for buffervm check: files in memcheck's format
 * (--suppressions=FILE, repeatable) that hide matching errors and loss records, and the entries
 * --gen-suppressions prints for each error, ready to paste into such a file. */
#ifndef BVM_CHECK_SUPP_H
#define BVM_CHECK_SUPP_H

#include <stdint.h>

#include "check_error.h"

/* Reads one file: every entry, or buffervm fails with one line naming the file and line. Entries
 * for other tools (no "Memcheck" among the tools) are kept but never match. */
void supp_load(const char *path);

/* The suppression matching e (kind, leak kind, the frames' fun: and obj: patterns), counted, or
 * -1. */
int supp_match(const struct check_error *e);
/* Another error of a context suppression i hid: counted. */
void supp_count_again(int i);

/* Suppressions used so far: how many, and the i'th one's name and count (in first-use order). */
int supp_used(void);
const char *supp_used_name(int i);
uint64_t supp_used_count(int i);

/* A forked child counts its own. */
void supp_after_fork(void);

/* The entry --gen-suppressions prints for e (NUL-terminated text, lines ending in '\n'): the name
 * placeholder, "Memcheck:<kind>", for leaks "match-leak-kinds: <kind>", then a "fun:" line per
 * frame (obj: where the function is not known), up to main. */
void supp_entry(const struct check_error *e, char *buf, unsigned size);

#endif
