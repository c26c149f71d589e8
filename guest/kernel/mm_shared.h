/* mm_shared.h: write-back of writable MAP_SHARED file mappings. */
#ifndef MM_SHARED_H
#define MM_SHARED_H

#include "kernel.h"
#include "mm.h"

/* Records [start, end) as a shared mapping of the file behind host_fd at pgoff (reopened for
 * writing). 0, or -errno with a trace line: the mapping must then fail, never turn private. */
int mm_shared_add(int host_fd, uint64_t start, uint64_t end, uint64_t pgoff);
/* Writes the mapped pages of [start, end) back to their files (msync). 0 or -errno. */
int mm_shared_sync(uint64_t start, uint64_t end);
/* Before munmap of [start, end): writes back and forgets mappings wholly inside. */
void mm_shared_unmapped(uint64_t start, uint64_t end);
/* At exit: every shared page back to its file. */
void mm_shared_sync_all(void);

#endif
