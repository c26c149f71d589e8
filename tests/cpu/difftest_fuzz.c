/* difftest_fuzz.c: random instruction bytes, executed once at ring 3 on the host CPU and on the
 * soft CPU from the same state. Zydis (an independent decoder) says how long the first
 * instruction is and what it is; only that instruction runs, followed by INT3. Whatever the
 * bytes are, the soft CPU must raise the exception the hardware raises (#UD for undefined
 * encodings, #GP for privileged ones...) or produce its result; it must never stop on an
 * instruction it cannot execute. */
#include <Zydis/Zydis.h>
#include <stdio.h>
#include <string.h>

#include "difftest.h"

/* Extensions the soft CPU offers (monitor/cpuid.c: FPU, MMX, SSE, SSE2, CMOV, CX8, CX16,
 * FXSR, CLFLUSH, LAHF in 64-bit mode, long mode). Others: the host may run them, the soft CPU
 * must answer #UD or the same result. */
static bool offered(ZydisISAExt e)
{
    switch (e) {
    case ZYDIS_ISA_EXT_BASE: case ZYDIS_ISA_EXT_X87: case ZYDIS_ISA_EXT_MMX: case ZYDIS_ISA_EXT_SSE:
    case ZYDIS_ISA_EXT_SSE2: case ZYDIS_ISA_EXT_LONGMODE: case ZYDIS_ISA_EXT_CLFSH: case ZYDIS_ISA_EXT_PAUSE:
        return true;
    default:
        return false;
    }
}

/* MOV or POP into a segment register, or LSS/LFS/LGS. */
static bool loads_segment(const ZydisDecodedInstruction *in)
{
    if (in->mnemonic == ZYDIS_MNEMONIC_LSS || in->mnemonic == ZYDIS_MNEMONIC_LFS || in->mnemonic == ZYDIS_MNEMONIC_LGS)
        return true;
    if (in->mnemonic != ZYDIS_MNEMONIC_MOV && in->mnemonic != ZYDIS_MNEMONIC_POP)
        return false;
    return in->opcode == 0x8e || /* (POP DS/ES/SS do not decode in 64-bit mode) */
           (in->opcode_map == ZYDIS_OPCODE_MAP_0F && (in->opcode == 0xa1 || in->opcode == 0xa9));
}

/* Instructions whose outcome is not a function of the state both sides start from: they reach
 * the host kernel (system calls), read host-specific state (time stamps, random numbers, CPUID,
 * descriptor tables, FS/GS bases), depend on the host kernel's IDT gates or GDT (far
 * transfers, AMD also reading a far return's whole frame before it checks the selector; loads of
 * a segment register, which a kernel with another GDT layout refuses with #GP), or hit
 * a quirk of the host CPU model (this AMD EPYC's LOOPE/LOOPNE with an F2 prefix test the
 * opposite condition). */
static bool host_specific(const ZydisDecodedInstruction *in)
{
    if (in->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR || in->mnemonic == ZYDIS_MNEMONIC_IRET ||
        in->mnemonic == ZYDIS_MNEMONIC_IRETD || in->mnemonic == ZYDIS_MNEMONIC_IRETQ)
        return true;
    if (loads_segment(in))
        return true;
    /* A bit test on memory with a register offset reaches up to 256 MiB away: into the code page's
     * host-only register loader, whose bytes (host addresses) change with every build. */
    bool bt = in->mnemonic == ZYDIS_MNEMONIC_BT || in->mnemonic == ZYDIS_MNEMONIC_BTS ||
              in->mnemonic == ZYDIS_MNEMONIC_BTR || in->mnemonic == ZYDIS_MNEMONIC_BTC;
    if (bt && in->opcode != 0xba && in->raw.modrm.mod != 3)
        return true;
    /* 16-bit SHLD/SHRD by more than 16: result and flags undefined, and Intel and AMD differ. */
    if ((in->mnemonic == ZYDIS_MNEMONIC_SHLD || in->mnemonic == ZYDIS_MNEMONIC_SHRD) && in->operand_width == 16)
        return true;
    if (in->mnemonic == ZYDIS_MNEMONIC_LOOPE || in->mnemonic == ZYDIS_MNEMONIC_LOOPNE)
        for (unsigned k = 0; k < in->raw.prefix_count; k++)
            if (in->raw.prefixes[k].value == 0xf2 || in->raw.prefixes[k].value == 0xf3)
                return true;
    switch (in->mnemonic) {
    case ZYDIS_MNEMONIC_SYSCALL: case ZYDIS_MNEMONIC_SYSENTER: case ZYDIS_MNEMONIC_INT:
    case ZYDIS_MNEMONIC_INTO: case ZYDIS_MNEMONIC_INT1: case ZYDIS_MNEMONIC_CPUID:
    case ZYDIS_MNEMONIC_RDTSC: case ZYDIS_MNEMONIC_RDTSCP: case ZYDIS_MNEMONIC_RDPMC:
    case ZYDIS_MNEMONIC_RDRAND: case ZYDIS_MNEMONIC_RDSEED: case ZYDIS_MNEMONIC_RDPID:
    case ZYDIS_MNEMONIC_XGETBV: case ZYDIS_MNEMONIC_RDPKRU: case ZYDIS_MNEMONIC_SLDT:
    case ZYDIS_MNEMONIC_SGDT: case ZYDIS_MNEMONIC_SIDT: case ZYDIS_MNEMONIC_SMSW: case ZYDIS_MNEMONIC_STR:
    case ZYDIS_MNEMONIC_LAR: case ZYDIS_MNEMONIC_LSL: case ZYDIS_MNEMONIC_VERR: case ZYDIS_MNEMONIC_VERW:
    case ZYDIS_MNEMONIC_RDPRU: case ZYDIS_MNEMONIC_MONITORX: case ZYDIS_MNEMONIC_MWAITX:
    case ZYDIS_MNEMONIC_SYSEXIT: /* at CPL 3 in long mode: #GP on Intel hosts, #UD on AMD ones */
        return true;
    default:
        return (in->attributes & (ZYDIS_ATTRIB_HAS_SEGMENT_FS | ZYDIS_ATTRIB_HAS_SEGMENT_GS)) != 0;
    }
}

/* Random bytes, biased towards the interesting: the 0F maps, prefixes, ModRM register forms. */
static void random_bytes(struct rng *r, uint8_t *b, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        b[k] = (uint8_t)rng_next(r);
    unsigned at = 0;
    if (rng_below(r, 3) == 0) {
        static const uint8_t pfx[] = {0x66, 0xf2, 0xf3, 0x48, 0x41, 0x4c, 0xf0};
        b[at++] = pfx[rng_below(r, sizeof pfx)];
    }
    if (rng_below(r, 2) == 0) {
        b[at++] = 0x0f;
        if (rng_below(r, 4) == 0)
            b[at++] = rng_below(r, 2) ? 0x38 : 0x3a;
    }
    if (rng_below(r, 2) == 0)
        b[at + 1] |= 0xc0; /* register operand */
}

enum verdict { SAME, FAIL, SKIPPED };

static bool segv(int vector) { return vector == EXC_GP || vector == EXC_PF || vector == EXC_SS; }

static enum verdict judge(const ZydisDecodedInstruction *in, bool valid, struct dt_case *tc,
                          const struct dt_result *h, const struct dt_result *s, char *why, size_t wl)
{
    if (h->out.vector == DT_HOST_TIMEOUT)
        return snprintf(why, wl, "the host looped"), SKIPPED;
    if (s->out.vector < 0)
        return snprintf(why, wl, "soft: %s", s->why), FAIL;
    if (h->out.vector == EXC_UD)
        return s->out.vector == EXC_UD ? SAME : (snprintf(why, wl, "host #UD, soft vector %d", s->out.vector), FAIL);
    if (!valid)
        return snprintf(why, wl, "the host ran bytes Zydis cannot decode"), SKIPPED;
    if (!offered((ZydisISAExt)in->meta.isa_ext) && s->out.vector == EXC_UD)
        return SAME; /* not offered by CPUID: #UD is the soft CPU's answer */
    /* A CMPS whose two operands both fault: which fault the hardware reports varies with the
     * host (an AMD EPYC host reads the source first even for a lone CMPS, others the
     * destination, as the soft CPU does) and with the addresses; the program sees SIGSEGV
     * either way. */
    bool cmps = in->mnemonic == ZYDIS_MNEMONIC_CMPSB || in->mnemonic == ZYDIS_MNEMONIC_CMPSW ||
                in->mnemonic == ZYDIS_MNEMONIC_CMPSD || in->mnemonic == ZYDIS_MNEMONIC_CMPSQ;
    if (cmps && segv(h->out.vector) && segv(s->out.vector))
        return SAME;
    return dt_compare(tc, h, s, why, wl) ? FAIL : SAME;
}

unsigned long dt_fuzz(uint64_t seed, unsigned long n, int verbose)
{
    static struct dt_case tc;
    static struct dt_result hr, sr;
    struct rng r = {seed * 0x9e3779b97f4a7c15ull + 7};
    ZydisDecoder dec;
    ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    ZydisDecoderEnableMode(&dec, ZYDIS_DECODER_MODE_AMD_BRANCHES, ZYAN_TRUE); /* the soft CPU is an AMD */
    unsigned long fails = 0, skipped = 0, ud = 0, printed = 0;
    for (unsigned long k = 0; k < n; k++) {
        uint8_t bytes[15];
        random_bytes(&r, bytes, sizeof bytes);
        ZydisDecodedInstruction in;
        bool valid = ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, NULL, bytes, sizeof bytes, &in));
        if (valid && host_specific(&in)) {
            skipped++;
            continue;
        }
        gen_state(&r, &tc);
        tc.len = valid ? in.length : sizeof bytes;
        memcpy(tc.code, bytes, tc.len);
        tc.code[tc.len] = 0xcc;
        tc.undef = valid ? (uint32_t)in.cpu_flags->undefined : 0;
        tc.cmp_x87 = 0;
        tc.seq = 0;
        host_run(&tc, &hr);
        soft_run(&tc, &sr);
        char why[256] = "";
        enum verdict v = judge(&in, valid, &tc, &hr, &sr, why, sizeof why);
        ud += hr.out.vector == EXC_UD;
        skipped += v == SKIPPED;
        if (v != FAIL)
            continue;
        fails++;
        if (printed++ < 20 || verbose) {
            ZydisDisassembledInstruction text;
            bool ok = ZYAN_SUCCESS(ZydisDisassembleIntel(ZYDIS_MACHINE_MODE_LONG_64, DT_INSN, bytes, sizeof bytes, &text));
            printf("  fuzz case %lu: %s\n", k, ok ? text.text : "(Zydis: invalid)");
            dt_report("difftest-fuzz", &tc, &hr, &sr, why);
        }
    }
    if (fails)
        printf("FAIL difftest-fuzz: seed %llu: %lu of %lu byte strings differ\n", (unsigned long long)seed,
               fails, n);
    else
        printf("PASS difftest-fuzz: seed %llu: %lu byte strings, %lu #UD on the host, %lu skipped (host-specific)\n",
               (unsigned long long)seed, n, ud, skipped);
    return fails;
}
