/* filewin.h: the monitor's file window as the kernel uses it: host file pages at guest-physical
 * addresses, in 2 MiB chunks shared by every mapping of the same file range. */
#ifndef FILEWIN_H
#define FILEWIN_H

#include "kernel.h"

/*
 * A MAP_SHARED file mapping's pages are the host file's own pages, which the monitor maps into
 * the window (BVM_HC_FMAP): writes through the mapping, write() and other mappings of the file
 * all meet in the host's page cache. Window space goes in chunks of FW_CHUNK bytes of one file
 * (one FMAP each); a regular file's chunk is found again by (device, inode, offset), so two
 * mappings of the same range use the same guest-physical pages. A chunk lives while VMA pages
 * cover it: fw_acquire when a VMA comes, fw_release when it goes.
 */
#define FW_CHUNK (2ull << 20)

struct fw_file; /* a file with chunks in the window; holds a host fd open on it */

/* Reads the window's place from the boot info (none: every fw_open fails with -ENODEV). */
void fw_init(const struct bvm_bootinfo *bi);
/* The file behind guest fd for a shared mapping: one already in the window, or a new one
 * (writable: its fd is open for writing) that fw_acquire must give chunks next. -errno on
 * failure (-ENODEV without a window). */
int fw_open(int fd, bool writable, struct fw_file **out);
/* The regular file host fd names, when it has chunks in the window; else NULL. */
const struct fw_file *fw_find(int host);
/* Takes the pages of file offsets [off, off+len) (page aligned) for a VMA: maps the chunks not
 * yet in the window and, for a VMA that may be made writable (may_write), maps writable those
 * that are not. host is the host fd the new mapping comes through (open for writing when
 * may_write), or -1 for the file's own (mremap). 0 or -errno (nothing taken; a new file without
 * chunks is forgotten). */
int fw_acquire(struct fw_file *f, uint64_t off, uint64_t len, bool may_write, int host);
/* Gives back what fw_acquire took (any split of it); chunks left without pages are unmapped. */
void fw_release(struct fw_file *f, uint64_t off, uint64_t len);
/* The guest-physical page of file offset off (page aligned; its chunk acquired). */
uint64_t fw_page(const struct fw_file *f, uint64_t off);
/* The file's size for the end-of-file check, or -1 when pages past the end are not an error
 * (not a regular file: a device, /dev/zero). */
int64_t fw_size(const struct fw_file *f);
/* msync(MS_SYNC) of file offsets [off, off+len) (acquired). 0 or -errno. */
int fw_sync(const struct fw_file *f, uint64_t off, uint64_t len);
/* True for a guest-physical address in the window (a page no allocator owns). */
bool fw_owns(uint64_t pa);

#endif
