/* symbolize.h: code addresses in ELF files named as memcheck names them (function, file:line). */
#ifndef BVM_SYMBOLIZE_H
#define BVM_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#define SYM_NAME_MAX 256
#define SYM_MAX_INLINE 8 /* frames one address can stand for: the function and what is inlined in it */

/* What is known of one frame; "" and 0 for what is not. */
struct sym_frame {
    char fn[SYM_NAME_MAX];   /* function: DWARF's name, else the .symtab/.dynsym one */
    char file[SYM_NAME_MAX]; /* source file, its last path component (memcheck's default) */
    char dir[2 * SYM_NAME_MAX]; /* the directory it is in, as DWARF names it ("" when not known) */
    int line;
};

/* The frames at file offset off of the ELF file at path (as the guest named it: relative to the
 * monitor's working directory, which is the guest's), innermost inlined call first, the function
 * that holds them last; at most max (>= 1). is_return: off is a return address, so off - 1 (the
 * call) is looked up. DWARF comes from the file itself or from /usr/lib/debug/.build-id/xx/yy.debug
 * (never from the network). A Dwfl is kept per path. Returns how many frames were filled (0: the
 * file is unreadable, not ELF, or off is in none of its PT_LOADs; then nothing is known). */
int sym_lookup(const char *path, uint64_t off, int is_return, struct sym_frame *out, int max);

/* The path shown as the frame's object: the file's real path when it resolves, else path. */
const char *sym_object_name(const char *path);

/* memcheck's text for a frame: "main (bug.c:12)", "malloc (in /usr/lib/.../libc.so.6)",
 * "??? (bug.c:3)", "??? (in /path)" when only the object is known, "???" when nothing is (f NULL or
 * empty and obj NULL). Always NUL-terminated. */
void sym_format(const struct sym_frame *f, const char *obj, char *buf, size_t len);

/* Tests: look for separate debug files under dir instead of /usr/lib/debug; forget every Dwfl. */
void sym_set_debug_root(const char *dir);
void sym_reset(void);

#endif
