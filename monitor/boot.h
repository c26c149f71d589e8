/* boot.h: lay out a fresh guest: bootstrap, boot info, GDT, TSS, page tables, args, kernel. */
#ifndef BVM_BOOT_H
#define BVM_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "guestmem.h"
#include "vcpu.h"

struct boot_args {
    int argc;
    char *const *argv;
    char *const *envp;
    const char *exec_path; /* PROG as a shell would pass it to execve (after the PATH search) */
    uint32_t flags;        /* BVM_BOOT_* */
    const uint8_t *kernel; /* kernel ELF image */
    size_t kernel_len;
    const uint8_t *bootstrap;
    size_t bootstrap_len;
    uint32_t check_frames; /* BVM_BOOT_CHECK: frames per stack */
    uint32_t check_alias_mib; /* BVM_BOOT_CHECK: alias space (0: all; BVM_CHECK_ALIAS_MIB, for tests) */
};

/* Fill guest memory and the initial vCPU state (32-bit protected mode at RIP 0, paging
 * off, CR3/CR4.PAE/EFER.LME ready for the bootstrap). Returns 0; or -1 with why set and
 * *status the exit status to use (125 monitor/kernel problem, 126 too little memory or
 * arguments too long). */
int boot_prepare(struct guestmem *gm, const struct boot_args *a, struct vcpu_boot_state *st, int *status,
                 char *why, size_t whylen);

/* The initial register state the bootstrap expects (exposed for the unit test). */
void boot_initial_state(struct vcpu_boot_state *st);

#endif
