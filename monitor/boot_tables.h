/* boot_tables.h: pure builders for the boot page tables and the boot GDT (unit-tested). */
#ifndef BVM_BOOT_TABLES_H
#define BVM_BOOT_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "guestmem.h"
#include "x86_arch.h"


/* Build the boot page tables in `buf` (cap bytes, standing for guest-physical pt_gpa..):
 *   PML4[0] and PML4[256]: all RAM regions 1:1 with 2 MiB pages (identity for the
 *   bootstrap, physmap at BVM_PHYSMAP_BASE for the kernel); PML4[511]/PDPT[510]:
 *   BVM_KERNEL_VBASE -> physical 0, the first GiB.
 * Region bases and sizes must be 2 MiB multiples. Returns bytes used, or -1 if cap is short. */
long bt_build_page_tables(uint8_t *buf, size_t cap, gpa_t pt_gpa, const struct gm_region *r, int nr);

/* Encode a code/data segment descriptor. access = P|DPL|S|type byte; flags = G|D/B|L|AVL nibble. */
uint64_t bt_seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);

/* The boot GDT (BVM_GDT_ENTRIES entries, Linux's layout): null, 32-bit code, 64-bit kernel code and
 * data, 32-bit user code, user data, 64-bit user code, the 16-byte TSS descriptor (busy, as TR holds
 * it) and the getcpu descriptor; the rest empty. */
void bt_build_gdt(uint64_t gdt[], uint64_t tss_base, uint32_t tss_limit);

#endif
