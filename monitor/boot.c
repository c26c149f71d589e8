/* boot.c: build the guest the bootstrap and kernel expect (boot path step 1). */
#include "boot.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "boot_tables.h"
#include "bvm_abi.h"
#include "fail.h"
#include "kernel_load.h"
#include "x86_arch.h"

#define TSS_LIMIT 0x67

static void seg(struct scpu_segment *s, uint16_t sel, uint8_t type, int code64, int db)
{
    memset(s, 0, sizeof *s);
    s->selector = sel, s->base = 0, s->limit = 0xffffffff, s->type = type;
    s->present = 1, s->s = 1, s->dpl = 0, s->db = (uint8_t)db, s->l = (uint8_t)code64, s->g = 1;
}

void boot_initial_state(struct vcpu_boot_state *st)
{
    memset(st, 0, sizeof *st);
    struct scpu_sregs *s = &st->sregs;
    seg(&s->cs, BVM_SEL_CODE32, 0xb, 0, 1);
    seg(&s->ds, BVM_SEL_KDATA, 0x3, 0, 1);
    s->es = s->fs = s->gs = s->ss = s->ds;
    memset(&s->tr, 0, sizeof s->tr);
    s->tr.selector = BVM_SEL_TSS, s->tr.base = BVM_TSS_GPA, s->tr.limit = TSS_LIMIT;
    s->tr.type = 0xb, s->tr.present = 1; /* busy 64-bit TSS */
    memset(&s->ldt, 0, sizeof s->ldt);
    s->ldt.type = 2, s->ldt.present = 1, s->ldt.unusable = 1;
    s->gdt.base = BVM_GDT_GPA, s->gdt.limit = BVM_GDT_ENTRIES * 8 - 1;
    s->idt.base = 0, s->idt.limit = 0;
    /* CR0.PG is the bootstrap's to set */
    s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM;
    s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    s->efer = EFER_LME | EFER_NXE;
    s->cr3 = BVM_PT_GPA;
    /* BSP, enabled, default base: KVM without an in-kernel LAPIC keeps exactly this value
     * whatever SREGS says, and reports CPUID.1:EDX.APIC from its enable bit; the soft CPU
     * follows the same rule, so both backends show the guest the same CPUID. */
    s->apic_base = 0xfee00900;
    st->regs.rip = BVM_BOOTSTRAP_GPA;
    st->regs.rflags = 0x2;
}

/* Copy argv/envp strings and pointer arrays to the top of the args area, stack below. */
struct args_builder {
    struct guestmem *gm;
    gpa_t top; /* strings grow down from here */
    gpa_t floor;
};

static uint64_t put_string(struct args_builder *b, const char *s)
{
    size_t n = strlen(s) + 1;
    if (b->top - b->floor < n + 4096)
        return 0;
    b->top -= n;
    gm_write(b->gm, b->top, s, n);
    return BVM_PHYSMAP_BASE + b->top;
}

/* Returns the physmap address of the pointer array, 0 if out of room. */
static uint64_t put_vector(struct args_builder *b, char *const *v, int n)
{
    size_t bytes = sizeof(uint64_t) * (size_t)(n + 1);
    uint64_t *ptrs = malloc(bytes);
    if (!ptrs)
        return 0;
    uint64_t at = 0;
    for (int i = 0; i < n; i++)
        if (!(ptrs[i] = put_string(b, v[i])))
            goto out;
    ptrs[n] = 0;
    if (b->top - b->floor < bytes + 4096)
        goto out;
    b->top = (b->top - bytes) & ~15ull;
    gm_write(b->gm, b->top, ptrs, bytes);
    at = BVM_PHYSMAP_BASE + b->top;
out:
    free(ptrs);
    return at;
}

static int count(char *const *v)
{
    int n = 0;
    while (v[n])
        n++;
    return n;
}

static int put_args(struct guestmem *gm, const struct boot_args *a, struct bvm_bootinfo *bi)
{
    struct args_builder b = {gm, BVM_ARGS_END_GPA, BVM_ARGS_GPA};
    bi->exec_path = put_string(&b, a->exec_path);
    int envc = count(a->envp);
    bi->envp = put_vector(&b, a->envp, envc);
    bi->argv = put_vector(&b, a->argv, a->argc);
    if (!bi->exec_path || !bi->envp || !bi->argv)
        return -1;
    bi->argc = (uint64_t)a->argc;
    bi->stack_top = BVM_PHYSMAP_BASE + ((b.top - 64) & ~15ull);
    return 0;
}

static void put_ranges(const struct guestmem *gm, gpa_t kernel_end, struct bvm_bootinfo *bi)
{
    struct bvm_mem_range *r = bi->ranges;
    int n = 0;
    r[n++] = (struct bvm_mem_range){0, BVM_ARGS_GPA, BVM_RANGE_RESERVED, 0};
    r[n++] = (struct bvm_mem_range){BVM_ARGS_GPA, BVM_ARGS_END_GPA - BVM_ARGS_GPA, BVM_RANGE_BOOTARGS, 0};
    r[n++] = (struct bvm_mem_range){BVM_KERNEL_GPA, kernel_end - BVM_KERNEL_GPA, BVM_RANGE_KERNEL, 0};
    r[n++] = (struct bvm_mem_range){kernel_end, gm->r[0].gpa + gm->r[0].size - kernel_end, BVM_RANGE_USABLE, 0};
    for (int i = 1; i < gm->nr_ram; i++)
        r[n++] = (struct bvm_mem_range){gm->r[i].gpa, gm->r[i].size, BVM_RANGE_USABLE, 0};
    if (gm->win)
        r[n++] = (struct bvm_mem_range){gm->win->gpa, gm->win->size, BVM_RANGE_FILEWIN, 0};
    bi->nr_ranges = (uint32_t)n;
}

static void put_identity(struct bvm_bootinfo *bi)
{
    bi->pid = getpid(), bi->ppid = getppid();
    bi->uid = (int32_t)getuid(), bi->euid = (int32_t)geteuid();
    bi->gid = (int32_t)getgid(), bi->egid = (int32_t)getegid();
    if (getrandom(bi->rand_seed, sizeof bi->rand_seed, 0) != sizeof bi->rand_seed)
        bi->rand_seed[0] = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull, bi->rand_seed[1] = ~bi->rand_seed[0];
}

/* The dispositions and mask buffervm was started with: before the monitor installs its own
 * handlers, these are what the program would have inherited from execve. */
static void put_signals(struct bvm_bootinfo *bi)
{
    sigset_t blocked;
    sigprocmask(SIG_BLOCK, NULL, &blocked);
    for (int sig = 1; sig <= 64 && sig <= SIGRTMAX; sig++) {
        struct sigaction old;
        if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            bi->sig_ignored |= 1ull << (sig - 1);
        if (sigismember(&blocked, sig) == 1)
            bi->sig_blocked |= 1ull << (sig - 1);
    }
}

#define ERR(st, ...) (*status = (st), snprintf(why, whylen, __VA_ARGS__), -1)

int boot_prepare(struct guestmem *gm, const struct boot_args *a, struct vcpu_boot_state *st, int *status,
                 char *why, size_t whylen)
{
    if (gm->r[0].size < BVM_MIN_RAM)
        return ERR(BVM_EXIT_CANNOT_RUN, "too little memory: at least %llu MiB needed",
                   (unsigned long long)(BVM_MIN_RAM >> 20));
    if (a->bootstrap_len > 4096 || gm_write(gm, BVM_BOOTSTRAP_GPA, a->bootstrap, a->bootstrap_len) < 0)
        return ERR(BVM_EXIT_INTERNAL, "bootstrap does not fit in its page");
    uint64_t gdt[BVM_GDT_ENTRIES];
    bt_build_gdt(gdt, BVM_TSS_GPA, TSS_LIMIT);
    gm_write(gm, BVM_GDT_GPA, gdt, sizeof gdt);
    long used = bt_build_page_tables(gm_ptr_w(gm, BVM_PT_GPA, BVM_PT_END_GPA - BVM_PT_GPA),
                                     BVM_PT_END_GPA - BVM_PT_GPA, BVM_PT_GPA, gm->r, gm->nr);
    if (used < 0)
        return ERR(BVM_EXIT_INTERNAL, "boot page tables do not fit");
    gm_written(gm, BVM_PT_GPA, (uint64_t)used);
    struct bvm_bootinfo bi;
    memset(&bi, 0, sizeof bi);
    bi.magic = BVM_BOOT_MAGIC, bi.abi_version = BVM_ABI_VERSION;
    gpa_t kend;
    if (kl_load(gm, a->kernel, a->kernel_len, &bi.kernel_entry, &kend, why, whylen) < 0)
        return *status = BVM_EXIT_INTERNAL, -1;
    if (put_args(gm, a, &bi) < 0)
        return ERR(BVM_EXIT_CANNOT_RUN, "argument list too long");
    bi.tss = BVM_PHYSMAP_BASE + BVM_TSS_GPA;
    bi.ram_size = gm->ram_size;
    bi.flags = a->flags;
    bi.check_frames = a->check_frames;
    bi.check_alias_mib = a->check_alias_mib;
    put_ranges(gm, kend, &bi);
    put_identity(&bi);
    put_signals(&bi);
    gm_write(gm, BVM_BOOTINFO_GPA, &bi, sizeof bi);
    boot_initial_state(st);
    return 0;
}
