/* kernel_load.h: loading the shim kernel ELF into guest memory, with the ABI version check. */
#ifndef BVM_KERNEL_LOAD_H
#define BVM_KERNEL_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "guestmem.h"

/* Check the ELF (bvm_elf.h's rules, ET_EXEC, segments at or above BVM_KERNEL_GPA inside RAM,
 * a ".bvm_abi" section with BVM_BOOT_MAGIC and BVM_ABI_VERSION), copy its PT_LOAD
 * segments to their physical addresses, zero .bss. On success *entry is the virtual
 * entry point and *end the first free page after the image. 0, or -1 with why set. */
int kl_load(struct guestmem *gm, const uint8_t *elf, size_t len, uint64_t *entry, gpa_t *end, char *why,
            size_t whylen);

#endif
