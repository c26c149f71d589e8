/* boot_tables.c: boot page tables (identity, physmap, kernel map) and the boot GDT. */
#include "boot_tables.h"

#include <string.h>

#include "bvm_abi.h"

#define PAGE 4096ull
#define GIB (1ull << 30)
#define MIB2 (2ull << 20)

struct ptbuild {
    uint8_t *buf;
    size_t cap, used;
    gpa_t gpa;
};

/* Allocate one zeroed table page; returns its guest-physical address, 0 if out of room. */
static gpa_t pt_alloc(struct ptbuild *b)
{
    if (b->used + PAGE > b->cap)
        return 0;
    memset(b->buf + b->used, 0, PAGE);
    gpa_t g = b->gpa + b->used;
    b->used += PAGE;
    return g;
}

static uint64_t *pt_at(struct ptbuild *b, gpa_t g) { return (uint64_t *)(b->buf + (g - b->gpa)); }

/* Map [base, base+size) 1:1 into the PDPT at pdpt with 2 MiB pages, creating PDs. */
static int map_region(struct ptbuild *b, gpa_t pdpt, gpa_t base, uint64_t size)
{
    for (gpa_t a = base; a < base + size; a += MIB2) {
        uint64_t *pdpte = &pt_at(b, pdpt)[(a / GIB) & 511];
        if (!(*pdpte & PTE_P)) {
            gpa_t pd = pt_alloc(b);
            if (!pd)
                return -1;
            *pdpte = pd | PTE_P | PTE_W;
        }
        uint64_t *pd = pt_at(b, *pdpte & PTE_ADDR);
        pd[(a / MIB2) & 511] = a | PTE_P | PTE_W | PTE_PS;
    }
    return 0;
}

long bt_build_page_tables(uint8_t *buf, size_t cap, gpa_t pt_gpa, const struct gm_region *r, int nr)
{
    struct ptbuild b = {buf, cap, 0, pt_gpa};
    gpa_t pml4 = pt_alloc(&b), low = pt_alloc(&b), kern = pt_alloc(&b), kpd = pt_alloc(&b);
    if (!pml4 || !low || !kern || !kpd)
        return -1;
    for (int i = 0; i < nr; i++)
        if (map_region(&b, low, r[i].gpa, r[i].size) < 0)
            return -1;
    uint64_t *top = pt_at(&b, pml4);
    top[0] = low | PTE_P | PTE_W;                                     /* identity, bootstrap only */
    top[(BVM_PHYSMAP_BASE >> 39) & 511] = low | PTE_P | PTE_W;        /* physmap */
    top[(BVM_KERNEL_VBASE >> 39) & 511] = kern | PTE_P | PTE_W;       /* kernel */
    pt_at(&b, kern)[(BVM_KERNEL_VBASE >> 30) & 511] = kpd | PTE_P | PTE_W;
    uint64_t *pd = pt_at(&b, kpd);
    for (gpa_t a = 0; a < GIB; a += MIB2)
        if (a < r[0].gpa + r[0].size)
            pd[a / MIB2] = a | PTE_P | PTE_W | PTE_PS;
    return (long)b.used;
}

uint64_t bt_seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

/* access bytes: P=0x80, DPL<<5, S=0x10, type (accessed bit set so the CPU never writes the GDT) */
#define ACC_CODE(dpl) (0x80 | (dpl) << 5 | 0x10 | 0xb)
#define ACC_DATA(dpl) (0x80 | (dpl) << 5 | 0x10 | 0x3)
#define FL_G 0x8
#define FL_DB 0x4
#define FL_L 0x2

void bt_build_gdt(uint64_t gdt[], uint64_t tss_base, uint32_t tss_limit)
{
    for (int i = 0; i < BVM_GDT_ENTRIES; i++)
        gdt[i] = 0;
    gdt[BVM_SEL_CODE32 >> 3] = bt_seg_desc(0, 0xfffff, ACC_CODE(0), FL_G | FL_DB);
    gdt[BVM_SEL_KCODE >> 3] = bt_seg_desc(0, 0xfffff, ACC_CODE(0), FL_G | FL_L);
    gdt[BVM_SEL_KDATA >> 3] = bt_seg_desc(0, 0xfffff, ACC_DATA(0), FL_G | FL_DB);
    gdt[BVM_SEL_UCODE32 >> 3] = bt_seg_desc(0, 0xfffff, ACC_CODE(3), FL_G | FL_DB);
    gdt[BVM_SEL_UDATA >> 3] = bt_seg_desc(0, 0xfffff, ACC_DATA(3), FL_G | FL_DB);
    gdt[BVM_SEL_UCODE >> 3] = bt_seg_desc(0, 0xfffff, ACC_CODE(3), FL_G | FL_L);
    gdt[BVM_SEL_CPUNODE >> 3] = bt_seg_desc(0, 0, 0xf5 /* P, DPL 3, read-only data */, FL_DB);
    /* 64-bit TSS: type 0xb (busy), P; upper 8 bytes hold base[63:32] */
    gdt[BVM_SEL_TSS >> 3] = bt_seg_desc((uint32_t)tss_base, tss_limit, 0x80 | 0xb, 0);
    gdt[(BVM_SEL_TSS >> 3) + 1] = tss_base >> 32;
}
