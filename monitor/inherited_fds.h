/* inherited_fds.h: the descriptors past stdio buffervm was started with, which the program inherits
 * under the same numbers, as it would run natively (`prog 3<file`, a make jobserver's pipe). */
#ifndef BVM_INHERITED_FDS_H
#define BVM_INHERITED_FDS_H

#include <stdint.h>

#include "bvm_abi.h"

/* First thing in main, before the monitor opens anything of its own: notes which are open. */
void inherited_fds_scan(void);
/* Up to max of them into out (their numbers and status flags): how many. */
int inherited_fds_list(struct bvm_inherited_fd *out, int max);

#endif
