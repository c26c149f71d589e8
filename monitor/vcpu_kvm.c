/* vcpu_kvm.c: the kvm backend: /dev/kvm VM, memory slots, one vCPU, KVM_RUN exits. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vcpu.h"
#include "x86_arch.h"

/* Outside every memory slot (RAM is below 3 GiB or from 4 GiB): Intel needs 3 pages here. */
#define KVM_TSS_ADDR 0xfffbd000ull

/* The MSRs a forked child's new vCPU gets from the parent's (the rest are in sregs). */
static const uint32_t fork_msrs[] = {MSR_STAR,    MSR_LSTAR, MSR_CSTAR, MSR_FMASK,       MSR_KERNEL_GS_BASE,
                                     MSR_TSC,     MSR_PAT,   MSR_TSC_AUX, MSR_SYSENTER_CS, MSR_SYSENTER_ESP,
                                     MSR_SYSENTER_EIP};
#define FORK_MSRS (sizeof fork_msrs / sizeof fork_msrs[0])

/* The vCPU as the parent left it at the FORK hostcall, for the child's new VM. */
struct kvm_fork_state {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    struct kvm_vcpu_events events;
    struct kvm_debugregs dregs;
    struct {
        struct kvm_msrs h;
        struct kvm_msr_entry e[FORK_MSRS];
    } msrs;
};

struct vcpu_kvm {
    struct vcpu v;
    int kvm_fd, vm_fd, vcpu_fd;
    struct guestmem *gm;
    const struct cpuid_table *cpuid;
    int irq; /* a vector waiting for KVM_INTERRUPT, or -1 */
    struct kvm_run *run;
    size_t run_size;
    struct kvm_fork_state fork;
};

static int xioctl(int fd, unsigned long req, void *arg, const char *what, char *why, size_t n)
{
    int r = ioctl(fd, req, arg);
    if (r < 0)
        snprintf(why, n, "KVM: ioctl (%s) failed: %s", what, strerror(errno));
    return r;
}

static void seg_to_kvm(struct kvm_segment *k, const struct scpu_segment *s)
{
    memset(k, 0, sizeof *k);
    k->base = s->base, k->limit = s->limit, k->selector = s->selector;
    k->type = s->type, k->present = s->present, k->dpl = s->dpl, k->db = s->db;
    k->s = s->s, k->l = s->l, k->g = s->g, k->avl = s->avl, k->unusable = s->unusable;
}

static int kvm_set_state(struct vcpu *v, const struct vcpu_boot_state *st)
{
    struct vcpu_kvm *k = (struct vcpu_kvm *)v;
    struct kvm_sregs sr;
    if (ioctl(k->vcpu_fd, KVM_GET_SREGS, &sr) < 0)
        return -errno;
    const struct scpu_sregs *s = &st->sregs;
    seg_to_kvm(&sr.cs, &s->cs), seg_to_kvm(&sr.ds, &s->ds), seg_to_kvm(&sr.es, &s->es);
    seg_to_kvm(&sr.fs, &s->fs), seg_to_kvm(&sr.gs, &s->gs), seg_to_kvm(&sr.ss, &s->ss);
    seg_to_kvm(&sr.tr, &s->tr), seg_to_kvm(&sr.ldt, &s->ldt);
    sr.gdt.base = s->gdt.base, sr.gdt.limit = s->gdt.limit;
    sr.idt.base = s->idt.base, sr.idt.limit = s->idt.limit;
    sr.cr0 = s->cr0, sr.cr2 = s->cr2, sr.cr3 = s->cr3, sr.cr4 = s->cr4, sr.cr8 = s->cr8;
    sr.efer = s->efer;
    if (ioctl(k->vcpu_fd, KVM_SET_SREGS, &sr) < 0)
        return -errno;
    struct kvm_regs r;
    memcpy(&r, &st->regs, sizeof r); /* same field order as kvm_regs */
    if (ioctl(k->vcpu_fd, KVM_SET_REGS, &r) < 0)
        return -errno;
    struct kvm_fpu f;
    memset(&f, 0, sizeof f);
    f.fcw = 0x37f;     /* x87 as after FNINIT, as KVM gives */
    f.mxcsr = 0x1f80;
    if (ioctl(k->vcpu_fd, KVM_SET_FPU, &f) < 0)
        return -errno;
    return 0;
}

static void kvm_fill_io(struct vcpu_kvm *k, struct vcpu_exit *e)
{
    struct kvm_run *run = k->run;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    e->reason = VCPU_EXIT_IO;
    e->io.is_out = run->io.direction == KVM_EXIT_IO_OUT;
    e->io.port = run->io.port;
    e->io.size = run->io.size;
    e->io.value = 0;
    if (e->io.is_out)
        memcpy(&e->io.value, data, run->io.size <= 4 ? run->io.size : 4);
}

/* Complete a pending IN: KVM reads the value from the run area on the next KVM_RUN. */
static void kvm_complete_in(struct vcpu_kvm *k, const struct vcpu_exit *last)
{
    struct kvm_run *run = k->run;
    if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_IN && last->reason == VCPU_EXIT_IO)
        memcpy((uint8_t *)run + run->io.data_offset, &last->io.value, run->io.size <= 4 ? run->io.size : 4);
}

/* An internal error names where the guest was: RIP, CR0/CR3/CR4/EFER and the first data words. */
static void kvm_describe_internal(struct vcpu_kvm *k, struct vcpu_exit *e)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    memset(&r, 0, sizeof r), memset(&s, 0, sizeof s);
    ioctl(k->vcpu_fd, KVM_GET_REGS, &r);
    ioctl(k->vcpu_fd, KVM_GET_SREGS, &s);
    e->rip = r.rip;
    snprintf(e->why, sizeof e->why,
             "KVM: internal error, suberror %u at rip 0x%llx (cs 0x%x cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx; "
             "data 0x%llx 0x%llx)",
             k->run->internal.suberror, (unsigned long long)r.rip, s.cs.selector, (unsigned long long)s.cr0,
             (unsigned long long)s.cr3, (unsigned long long)s.cr4, (unsigned long long)s.efer,
             (unsigned long long)(k->run->internal.ndata > 0 ? k->run->internal.data[0] : 0),
             (unsigned long long)(k->run->internal.ndata > 1 ? k->run->internal.data[1] : 0));
}

/* Without an in-kernel interrupt controller, KVM takes an interrupt only when the guest can accept
 * it; otherwise it is asked for an exit as soon as it can (an interrupt window). */
static void kvm_inject(struct vcpu_kvm *k)
{
    struct kvm_run *run = k->run;
    if (k->irq < 0)
        return;
    if (run->ready_for_interrupt_injection && run->if_flag) {
        struct kvm_interrupt irq = {.irq = (uint32_t)k->irq};
        if (ioctl(k->vcpu_fd, KVM_INTERRUPT, &irq) == 0)
            k->irq = -1;
    }
    run->request_interrupt_window = k->irq >= 0;
}

static void kvm_interrupt(struct vcpu *v, uint8_t vector)
{
    ((struct vcpu_kvm *)v)->irq = vector;
}

static int kvm_run(struct vcpu *v, struct vcpu_exit *e)
{
    struct vcpu_kvm *k = (struct vcpu_kvm *)v;
    kvm_complete_in(k, e);
    kvm_inject(k);
    memset(e, 0, sizeof *e);
    if (ioctl(k->vcpu_fd, KVM_RUN, 0) < 0) {
        if (errno == EINTR || errno == EAGAIN) {
            k->run->immediate_exit = 0;
            e->reason = VCPU_EXIT_INTR;
            return 0;
        }
        /* KVM reports a guest touch of a memslot page whose host page cannot be had as EFAULT:
         * with file pages mapped in the window, that is a file truncated under a mapping. */
        if (errno == EFAULT && k->gm->win_backed) {
            e->reason = VCPU_EXIT_FILE_GONE;
            return 0;
        }
        return -errno;
    }
    struct kvm_run *run = k->run;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        kvm_fill_io(k, e);
        break;
    case KVM_EXIT_HLT:
        e->reason = VCPU_EXIT_HLT;
        break;
    case KVM_EXIT_SHUTDOWN:
        e->reason = VCPU_EXIT_SHUTDOWN;
        break;
    case KVM_EXIT_INTR:
    case KVM_EXIT_IRQ_WINDOW_OPEN: /* the next run injects the waiting interrupt */
        e->reason = VCPU_EXIT_INTR;
        break;
    case KVM_EXIT_FAIL_ENTRY:
        e->reason = VCPU_EXIT_FAIL;
        snprintf(e->why, sizeof e->why, "KVM: entry failed, hardware reason 0x%llx",
                 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        e->reason = VCPU_EXIT_FAIL;
        kvm_describe_internal(k, e);
        break;
    case KVM_EXIT_MMIO:
        e->reason = VCPU_EXIT_FAIL;
        snprintf(e->why, sizeof e->why, "guest accessed physical address 0x%llx outside RAM",
                 (unsigned long long)run->mmio.phys_addr);
        break;
    default:
        e->reason = VCPU_EXIT_FAIL;
        snprintf(e->why, sizeof e->why, "KVM: unexpected exit reason %u", run->exit_reason);
        break;
    }
    return 0;
}

static void kvm_request_stop(struct vcpu *v)
{
    struct vcpu_kvm *k = (struct vcpu_kvm *)v;
    k->run->immediate_exit = 1; /* a signal arriving inside KVM_RUN also interrupts it */
}

static void kvm_stats(struct vcpu *v, struct vcpu_stats *s)
{
    *s = (struct vcpu_stats){.exits = v->exits};
}

static void kvm_destroy(struct vcpu *v)
{
    struct vcpu_kvm *k = (struct vcpu_kvm *)v;
    if (k->run)
        munmap(k->run, k->run_size);
    if (k->vcpu_fd >= 0)
        close(k->vcpu_fd);
    if (k->vm_fd >= 0)
        close(k->vm_fd);
    if (k->kvm_fd >= 0)
        close(k->kvm_fd);
    free(k);
}


static int kvm_set_memory(struct vcpu_kvm *k, struct guestmem *gm, char *why, size_t n)
{
    for (int i = 0; i < gm->nr; i++) {
        struct kvm_userspace_memory_region mr = {
            .slot = (uint32_t)i,
            .guest_phys_addr = gm->r[i].gpa,
            .memory_size = gm->r[i].size,
            .userspace_addr = (uint64_t)(uintptr_t)gm->r[i].host,
        };
        if (xioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr, "SET_USER_MEMORY_REGION", why, n) < 0)
            return -1;
    }
    return 0;
}

/* KVM_SET_CPUID2 with our table AND-ed with what this host's KVM supports. */
static int kvm_set_cpuid(struct vcpu_kvm *k, const struct cpuid_table *t, char *why, size_t n)
{
    size_t max = 256;
    struct kvm_cpuid2 *sup = calloc(1, sizeof *sup + max * sizeof(struct kvm_cpuid_entry2));
    struct kvm_cpuid2 *set = calloc(1, sizeof *set + CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2));
    int rc = -1;
    if (!sup || !set)
        goto out;
    sup->nent = (uint32_t)max;
    if (xioctl(k->kvm_fd, KVM_GET_SUPPORTED_CPUID, sup, "GET_SUPPORTED_CPUID", why, n) < 0)
        goto out;
    struct cpuid_table mine = *t;
    struct scpu_cpuid_entry conv[256];
    for (uint32_t i = 0; i < sup->nent && i < max; i++) {
        conv[i].function = sup->entries[i].function, conv[i].index = sup->entries[i].index;
        conv[i].flags = 0, conv[i].eax = sup->entries[i].eax, conv[i].ebx = sup->entries[i].ebx;
        conv[i].ecx = sup->entries[i].ecx, conv[i].edx = sup->entries[i].edx;
    }
    cpuid_intersect(&mine, conv, sup->nent < max ? sup->nent : max);
    set->nent = (uint32_t)mine.n;
    for (size_t i = 0; i < mine.n; i++) {
        struct kvm_cpuid_entry2 *e = &set->entries[i];
        e->function = mine.e[i].function, e->index = mine.e[i].index;
        e->flags = (mine.e[i].flags & SCPU_CPUID_SIGNIFICANT_INDEX) ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
        e->eax = mine.e[i].eax, e->ebx = mine.e[i].ebx, e->ecx = mine.e[i].ecx, e->edx = mine.e[i].edx;
    }
    rc = xioctl(k->vcpu_fd, KVM_SET_CPUID2, set, "SET_CPUID2", why, n);
out:
    free(sup);
    free(set);
    return rc;
}

static int kvm_open(struct vcpu_kvm *k, char *why, size_t n)
{
    k->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (k->kvm_fd < 0) {
        snprintf(why, n, "/dev/kvm: %s", strerror(errno));
        return -1;
    }
    int api = ioctl(k->kvm_fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION) {
        snprintf(why, n, "KVM: API version %d, need %d", api, KVM_API_VERSION);
        return -1;
    }
    return 0;
}

static int kvm_open_vcpu(struct vcpu_kvm *k, char *why, size_t n)
{
    k->vcpu_fd = xioctl(k->vm_fd, KVM_CREATE_VCPU, 0, "CREATE_VCPU", why, n);
    if (k->vcpu_fd < 0)
        return -1;
    int sz = ioctl(k->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz <= 0) {
        snprintf(why, n, "KVM: ioctl (GET_VCPU_MMAP_SIZE) failed");
        return -1;
    }
    k->run_size = (size_t)sz;
    k->run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, k->vcpu_fd, 0);
    if (k->run == MAP_FAILED) {
        k->run = NULL;
        snprintf(why, n, "KVM: mmap of the vCPU run area failed: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* A VM with the guest's memory and one vCPU with our CPUID. */
static int kvm_create_vm(struct vcpu_kvm *k, char *why, size_t n)
{
    k->vm_fd = xioctl(k->kvm_fd, KVM_CREATE_VM, 0, "CREATE_VM", why, n);
    if (k->vm_fd < 0)
        return -1;
    if (xioctl(k->vm_fd, KVM_SET_TSS_ADDR, (void *)(uintptr_t)KVM_TSS_ADDR, "SET_TSS_ADDR", why, n) < 0)
        return -1;
    return kvm_set_memory(k, k->gm, why, n) < 0 || kvm_open_vcpu(k, why, n) < 0 || kvm_set_cpuid(k, k->cpuid, why, n) < 0
               ? -1
               : 0;
}

static int kvm_fork_prepare(struct vcpu *v, char *why, size_t n)
{
    struct vcpu_kvm *k = (struct vcpu_kvm *)v;
    struct kvm_fork_state *f = &k->fork;
    /* The FORK hostcall's OUT is complete (RIP past it) only once KVM_RUN is entered again: enter
     * with immediate_exit, as the KVM API says, so the state read below is the finished one. */
    k->run->immediate_exit = 1;
    int rc = ioctl(k->vcpu_fd, KVM_RUN, 0);
    k->run->immediate_exit = 0;
    if (rc == 0 || errno != EINTR) {
        snprintf(why, n, "KVM: completing the hostcall before the fork: %s", rc ? strerror(errno) : "an exit");
        return -1;
    }
    memset(f, 0, sizeof *f);
    f->msrs.h.nmsrs = FORK_MSRS;
    for (size_t i = 0; i < FORK_MSRS; i++)
        f->msrs.e[i].index = fork_msrs[i];
    int got = ioctl(k->vcpu_fd, KVM_GET_MSRS, &f->msrs);
    if (got < 0 || xioctl(k->vcpu_fd, KVM_GET_REGS, &f->regs, "GET_REGS", why, n) < 0 ||
        xioctl(k->vcpu_fd, KVM_GET_SREGS, &f->sregs, "GET_SREGS", why, n) < 0 ||
        xioctl(k->vcpu_fd, KVM_GET_FPU, &f->fpu, "GET_FPU", why, n) < 0 ||
        xioctl(k->vcpu_fd, KVM_GET_VCPU_EVENTS, &f->events, "GET_VCPU_EVENTS", why, n) < 0 ||
        xioctl(k->vcpu_fd, KVM_GET_DEBUGREGS, &f->dregs, "GET_DEBUGREGS", why, n) < 0)
        return got < 0 ? (snprintf(why, n, "KVM: ioctl (GET_MSRS) failed: %s", strerror(errno)), -1) : -1;
    f->msrs.h.nmsrs = (uint32_t)got; /* the ones this KVM has, in order */
    return 0;
}

/* In the forked child: the parent's KVM descriptors belong to the parent's VM (and its run area is
 * shared memory with it), so the child makes a VM of its own over the guest RAM it inherited
 * (copy-on-write) and gives its vCPU the state the parent's had at the fork. */
static int kvm_fork_child(struct vcpu *v, char *why, size_t n)
{
    struct vcpu_kvm *k = (struct vcpu_kvm *)v;
    struct kvm_fork_state *f = &k->fork;
    munmap(k->run, k->run_size);
    k->run = NULL;
    close(k->vcpu_fd);
    close(k->vm_fd);
    k->vcpu_fd = k->vm_fd = -1;
    if (kvm_create_vm(k, why, n) < 0)
        return -1;
    f->events.flags = KVM_VCPUEVENT_VALID_SHADOW;
    if (xioctl(k->vcpu_fd, KVM_SET_SREGS, &f->sregs, "SET_SREGS", why, n) < 0 ||
        xioctl(k->vcpu_fd, KVM_SET_MSRS, &f->msrs, "SET_MSRS", why, n) < 0 ||
        xioctl(k->vcpu_fd, KVM_SET_REGS, &f->regs, "SET_REGS", why, n) < 0 ||
        xioctl(k->vcpu_fd, KVM_SET_FPU, &f->fpu, "SET_FPU", why, n) < 0 ||
        xioctl(k->vcpu_fd, KVM_SET_VCPU_EVENTS, &f->events, "SET_VCPU_EVENTS", why, n) < 0 ||
        xioctl(k->vcpu_fd, KVM_SET_DEBUGREGS, &f->dregs, "SET_DEBUGREGS", why, n) < 0)
        return -1;
    return 0;
}

static const struct vcpu_ops kvm_ops = {
    .name = "kvm",
    .set_state = kvm_set_state,
    .run = kvm_run,
    .request_stop = kvm_request_stop,
    .interrupt = kvm_interrupt,
    .fork_prepare = kvm_fork_prepare,
    .fork_child = kvm_fork_child,
    .stats = kvm_stats,
    .destroy = kvm_destroy,
};

/* kvm_pvm registers /dev/kvm without hardware virtualization. */
static int kvm_is_pvm(char *why, size_t n)
{
    if (access("/sys/module/kvm_pvm", F_OK) != 0)
        return 0;
    snprintf(why, n, "/dev/kvm is the PVM backend (kvm_pvm), too slow for a ring-0 guest kernel");
    return 1;
}

struct vcpu *vcpu_kvm_create(struct guestmem *gm, const struct cpuid_table *cpuid, int refuse_pvm, char *why,
                             size_t n)
{
    struct vcpu_kvm *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(why, n, "out of memory");
        return NULL;
    }
    k->v.ops = &kvm_ops;
    k->kvm_fd = k->vm_fd = k->vcpu_fd = -1;
    k->irq = -1;
    k->gm = gm;
    k->cpuid = cpuid;
    if (kvm_open(k, why, n) < 0 || (refuse_pvm && kvm_is_pvm(why, n)) || kvm_create_vm(k, why, n) < 0) {
        kvm_destroy(&k->v);
        return NULL;
    }
    return &k->v;
}
