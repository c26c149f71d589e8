/* filewin.h: the file window: host file pages mapped into guest-physical space (MAP_SHARED). */
#ifndef BVM_FILEWIN_H
#define BVM_FILEWIN_H

#include "guestmem.h"
#include "hostcall.h"

/*
 * The window is the guest-physical range BVM_FILEWIN_GPA.. (gm->win), backed by a host range
 * reserved PROT_NONE. The kernel asks for file pages there (FMAP); the monitor maps the host
 * file MAP_SHARED over the window's host pages, so guest, monitor and every other process see
 * one page cache. KVM follows the host mapping through its MMU notifiers; the soft CPU reads
 * through the same host addresses and drops the code it decoded from replaced pages
 * (gm_written).
 */

/* Maps len bytes of host fd at file offset off over window [gpa, gpa+len), replacing what was
 * there; writable adds PROT_WRITE. Everything page aligned, the range inside the window, off+len
 * representable. 0 or -errno (-EINVAL for a bad range, else the host's mmap errno); a failure
 * changes nothing. */
int fw_map(struct guestmem *gm, gpa_t gpa, uint64_t len, int fd, uint64_t off, int writable);
/* Window [gpa, gpa+len) back to reserved and unbacked. 0 or -EINVAL. */
int fw_unmap(struct guestmem *gm, gpa_t gpa, uint64_t len);
/* msync(MS_SYNC) of window [gpa, gpa+len), which must be backed. 0 or -errno. */
int fw_sync(struct guestmem *gm, gpa_t gpa, uint64_t len);

/* The guest wrote [off, off+len) of host fd's file through write(2) or pwrite(2) (off < 0: the len
 * bytes just before the fd's offset): window pages mapping that range announce the write
 * (gm_written: the soft CPU drops code decoded there, as a store to the mapping would). Free when
 * nothing is mapped in the window. */
void fw_file_written(struct guestmem *gm, int fd, int64_t off, uint64_t len);

/* For a SIGBUS handler (async-signal-safe): if addr is a backed window page, its file page is
 * gone (the file was truncated under the mapping); a zero page takes its place so the access
 * can complete, and 0 is returned. -1 when addr is not a backed window page. */
int fw_detach(struct guestmem *gm, const void *addr);

/* The hostcalls FMAP (answers the window address), FUNMAP and FMSYNC are declared in hostcall.h. */

#endif
