/* systest.c: system-level tests of the soft CPU with SDM-derived expectations (paging, IDT, rings, exits). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cpu.h" /* opcode table, to skip tests whose instructions are not implemented yet */
#include "systest.h"

uint8_t *ram;
struct scpu *cpu;
struct scpu_exit ex;
struct scpu_regs R;
struct scpu_sregs S;
const char *bootstrap_path;

void put64(uint64_t gpa, uint64_t v) { memcpy(ram + gpa, &v, 8); }
uint64_t get64(uint64_t gpa)
{
    uint64_t v;
    memcpy(&v, ram + gpa, 8);
    return v;
}
uint64_t *pte(uint64_t va) { return (uint64_t *)(ram + PT + (va >> 12) * 8); }

void set_gate(int v, uint64_t target, unsigned dpl, unsigned ist, bool present)
{
    uint64_t lo = (target & 0xffff) | ((uint64_t)SEL_KCODE << 16) | ((uint64_t)ist << 32) |
                  (0xeull << 40) | ((uint64_t)dpl << 45) | ((uint64_t)present << 47) |
                  ((target >> 16 & 0xffff) << 48);
    put64(IDT + v * 16, lo);
    put64(IDT + v * 16 + 8, target >> 32);
}

void build_tables(void)
{
    memset(ram, 0, RAM_SIZE);
    put64(PML4, PDPT | 7);
    put64(PDPT, PD | 7);
    put64(PDPT + 8, 0x0 | 0x80 | 7); /* 1 GiB page at VA 1 GiB -> PA 0 */
    for (int k = 0; k < 8; k++)
        put64(PD + 8 * k, (PT + 0x1000 * k) | 7);
    put64(PD + 8 * 8, 0x1000000 | 0x80 | 7); /* 2 MiB page at VA 16 MiB -> PA 16 MiB */
    for (uint64_t a = 0; a < (16ull << 20); a += 4096)
        *pte(a) = a | 3; /* supervisor RW */
    for (uint64_t a = UCODE; a < UCODE + 0x2000; a += 4096)
        *pte(a) = a | 7;
    *pte(UDATA) = UDATA | 7;
    *pte(RO) = RO | 5;
    *pte(NXPAGE) = NXPAGE | 7 | (1ull << 63);
    *pte(NOTP) = 0;
    *pte(RSVD) = RSVD | 3 | (1ull << 51);
    *pte(USTACK - 4096) = (USTACK - 4096) | 7;
    static const uint64_t gdt[] = {0, 0x00cf9a000000ffffull, 0x00af9a000000ffffull, 0x00cf92000000ffffull,
                                   0x00cff2000000ffffull, 0x00affa000000ffffull};
    memcpy(ram + GDT, gdt, sizeof gdt);
    put64(GDT + 0x30, 0x67 | ((TSS & 0xffffff) << 16) | (0x89ull << 40));
    put64(GDT + 0x38, 0);
    put64(TSS + 4, KSTACK);
    put64(TSS + 0x24, IST1);
    ram[TSS + 0x66] = 0x68; /* I/O bitmap base beyond the limit: no port allowed above IOPL */
    for (int v = 0; v < 256; v++) {
        static const uint8_t stub[] = {0xf4, 0xeb, 0xfd}; /* hlt; jmp hlt */
        memcpy(ram + STUBS + v * 16, stub, sizeof stub);
        set_gate(v, STUBS + v * 16, 0, 0, true);
    }
}

struct scpu_segment seg(uint16_t sel, uint8_t type, uint8_t dpl, bool l, bool db)
{
    return (struct scpu_segment){.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
                                 .present = 1, .dpl = dpl, .db = db, .s = 1, .l = l, .g = 1};
}

/* Fresh machine in 64-bit mode at ring 0 (user = false) or ring 3, RIP = rip. */
void machine(uint64_t rip, bool user)
{
    build_tables();
    scpu_invalidate(cpu, 0, RAM_SIZE);
    memset(&S, 0, sizeof S);
    S.cs = user ? seg(SEL_UCODE, 0xb, 3, true, false) : seg(SEL_KCODE, 0xb, 0, true, false);
    S.ss = user ? seg(SEL_UDATA, 0x3, 3, false, true) : seg(SEL_KDATA, 0x3, 0, false, true);
    S.ds = S.es = S.fs = S.gs = S.ss;
    S.tr = (struct scpu_segment){.base = TSS, .limit = 0x67, .selector = SEL_TSS, .type = 0xb, .present = 1};
    S.ldt = (struct scpu_segment){.unusable = 1};
    S.gdt = (struct scpu_dtable){GDT, 0x3f, {0}};
    S.idt = (struct scpu_dtable){IDT, 0xfff, {0}};
    S.cr0 = 0x80050033; /* PG WP NE ET MP PE */
    S.cr3 = PML4;
    S.cr4 = 0x220;      /* PAE OSFXSR */
    S.efer = 0xd01;     /* NXE LMA LME SCE */
    if (scpu_set_sregs(cpu, &S))
        abort();
    memset(&R, 0, sizeof R);
    R.rip = rip;
    R.rsp = user ? USTACK : KSTACK - 0x100;
    R.rflags = 0x202;
    scpu_set_regs(cpu, &R);
}

static void on_alarm(int sig) { scpu_request_stop(cpu); }

/* Run to the next exit (a watchdog turns a hang into an INTR exit). */
unsigned run(void)
{
    struct itimerval t = {{0, 0}, {2, 0}};
    setitimer(ITIMER_REAL, &t, NULL);
    scpu_run(cpu, &ex);
    t.it_value.tv_sec = 0;
    setitimer(ITIMER_REAL, &t, NULL);
    scpu_get_regs(cpu, &R);
    scpu_get_sregs(cpu, &S);
    return ex.reason;
}

char vector_why[256];
/* Expect a HLT in the stub of vector v; the frame starts at RSP (error code first if any). */
bool at_vector(int v)
{
    if (ex.reason != SCPU_EXIT_HLT) {
        snprintf(vector_why, sizeof vector_why, "exit %u, expected HLT in vector %d stub (rip %#lx)",
                 ex.reason, v, (unsigned long)R.rip);
        return false;
    }
    if (R.rip != STUBS + v * 16 + 1) {
        snprintf(vector_why, sizeof vector_why, "stopped at rip %#lx, expected vector %d stub",
                 (unsigned long)R.rip, v);
        return false;
    }
    return true;
}
uint64_t frame(int k) { return get64(R.rsp + 8 * k); }

unsigned run_jit(uint64_t *jit)
{
    struct scpu_stats a, b;
    scpu_get_stats(cpu, &a);
    unsigned r = run();
    scpu_get_stats(cpu, &b);
    *jit = b.insns_jit - a.insns_jit;
    return r;
}

bool have_opcode(unsigned map, unsigned op, unsigned reg)
{
    for (unsigned k = 0; k < scpu_optable_len; k++) {
        const struct opdesc *e = &scpu_optable[k];
        if (e->map == map && e->opcode == op && (e->regsel == SEL_ANY || e->regsel == reg))
            return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    bootstrap_path = argc > 1 ? argv[1] : NULL;
    ram = aligned_alloc(4096, RAM_SIZE);
    cpu = scpu_create();
    if (!ram || !cpu) {
        fprintf(stderr, "systest: out of memory\n");
        return 2;
    }
    static const struct scpu_cpuid_entry id[] = {{0x80000008, 0, 0, 0x3030, 0, 0, 0}};
    if (scpu_set_memory_region(cpu, 0, 0, RAM_SIZE, ram) || scpu_set_cpuid(cpu, id, 1)) {
        fprintf(stderr, "systest: setup failed\n");
        return 2;
    }
    signal(SIGALRM, on_alarm);
    for (unsigned k = 0; k < systest_ncases; k++)
        test_run(systest_cases[k].name, systest_cases[k].fn);
    for (unsigned k = 0; k < jit_ncases; k++)
        test_run(jit_cases[k].name, jit_cases[k].fn);
    for (unsigned k = 0; k < bounds_ncases; k++)
        test_run(bounds_cases[k].name, bounds_cases[k].fn);
    scpu_destroy(cpu);
    return 0;
}
