/* ustack.c: the initial user stack of a new program, laid out byte for byte as Linux does. */
#include "binprm.h"
#include "bvm_linux.h"
#include "cpu.h"
#include "cred.h"
#include "elf.h"
#include "exec.h"
#include "mm.h"
#include "procfs.h"
#include "string.h"
#include "usercopy.h"

#define AUXV_MAX 24

struct stack_builder {
    uint64_t sp;  /* grows down */
    bool failed;  /* a write found no memory (guest RAM is full) */
};

/* Copies bytes just below sp. The stack VMA grows on demand, as it would for the program. */
static uint64_t push_bytes(struct stack_builder *b, const void *data, uint64_t len)
{
    b->sp -= len;
    if (copy_to_user(b->sp, data, len))
        b->failed = true;
    return b->sp;
}

static void put_word(struct stack_builder *b, uint64_t *at, uint64_t v)
{
    if (copy_to_user((uint64_t)(uintptr_t)at, &v, sizeof(v)))
        b->failed = true;
}

static uint32_t fill_auxv(uint64_t *a, const struct elf_info *info, uint64_t interp_base, uint64_t execfn,
                          uint64_t platform, uint64_t random)
{
    uint32_t r[4], n = 0;
    cpuid(1, 0, r);
#define AUX(type, val) (a[n++] = (type), a[n++] = (uint64_t)(val))
    AUX(LINUX_AT_HWCAP, r[3]);
    AUX(LINUX_AT_PAGESZ, PAGE_SIZE);
    AUX(LINUX_AT_CLKTCK, 100);
    AUX(LINUX_AT_PHDR, info->phdr_va);
    AUX(LINUX_AT_PHENT, sizeof(struct elf64_phdr));
    AUX(LINUX_AT_PHNUM, info->phnum);
    AUX(LINUX_AT_BASE, interp_base); /* 0 without an interpreter */
    AUX(LINUX_AT_FLAGS, 0);
    AUX(LINUX_AT_ENTRY, info->entry);
    AUX(LINUX_AT_UID, cred.uid);
    AUX(LINUX_AT_EUID, cred.euid);
    AUX(LINUX_AT_GID, cred.gid);
    AUX(LINUX_AT_EGID, cred.egid);
    AUX(LINUX_AT_SECURE, 0);
    AUX(LINUX_AT_RANDOM, random);
    AUX(LINUX_AT_EXECFN, execfn);
    AUX(LINUX_AT_PLATFORM, platform);
    AUX(LINUX_AT_NULL, 0);
#undef AUX
    return n;
}

/* Writes the pointers to n consecutive strings starting at window offset *off; w: the next word. */
static uint64_t *put_pointers(struct stack_builder *sb, uint64_t *w, const struct binprm *b, uint64_t *off,
                              uint64_t n, uint64_t strings)
{
    for (uint64_t i = 0; i < n; i++) {
        put_word(sb, w++, strings + (*off - b->p));
        *off += binprm_strlen(b, *off);
    }
    put_word(sb, w++, 0);
    return w;
}

uint64_t exec_build_stack(const struct binprm *b, uint64_t interp_base)
{
    static uint64_t auxv[AUXV_MAX * 2];
    /* The top word stays zero, as on Linux; below it the file name, envp and argv strings. */
    uint64_t strings = cur_as->stack_top - 8 - (ARGS_WINDOW - b->p), off = b->p;
    if (binprm_copy_out(b, strings))
        return 0;
    struct stack_builder sb = {strings & ~15ull, false};
    uint64_t platform = push_bytes(&sb, "x86_64", 7);
    uint64_t random = push_bytes(&sb, b->random, 16);
    uint32_t naux = fill_auxv(auxv, &b->prog.info, interp_base, strings + (b->exec - b->p), platform, random);
    uint64_t words = 1 + (b->argc + 1) + (b->envc + 1) + naux;
    sb.sp = (sb.sp - words * 8) & ~15ull;
    uint64_t *w = (uint64_t *)(uintptr_t)sb.sp;
    put_word(&sb, w++, b->argc);
    cur_as->arg_start = strings;
    w = put_pointers(&sb, w, b, &off, b->argc, strings);
    cur_as->arg_end = strings + (off - b->p);
    w = put_pointers(&sb, w, b, &off, b->envc, strings);
    procfs_set_environ(cur_as->arg_end, strings + (off - b->p));
    cur_as->auxv_start = (uint64_t)(uintptr_t)w;
    cur_as->auxv_len = naux * 8ull;
    for (uint32_t i = 0; i < naux; i++)
        put_word(&sb, w++, auxv[i]);
    return sb.failed ? 0 : sb.sp;
}
