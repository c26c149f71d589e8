/* syscall_filter.h: the monitor's own host syscalls, confined to what it needs once set up. */
#ifndef BVM_SYSCALL_FILTER_H
#define BVM_SYSCALL_FILTER_H

/* Install the filter (inet: whether inet and netlink sockets are allowed; verbose: say so when
 * the host cannot have it). BUFFERVM_DEBUG_HOST_SYSCALL=NAME then makes syscall NAME (a test). */
void syscall_filter_install(int inet, int verbose);

#endif
