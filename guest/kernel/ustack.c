/* ustack.c: the initial user stack of a new program, laid out byte for byte as Linux does. */
#include "bvm_linux.h"
#include "cpu.h"
#include "elf.h"
#include "exec.h"
#include "mm.h"
#include "string.h"
#include "usercopy.h"

#define AUXV_MAX 24

struct stack_builder {
    uint64_t sp; /* grows down */
};

/* Copies bytes just below sp. The stack VMA grows on demand, as it would for the program. */
static uint64_t push_bytes(struct stack_builder *b, const void *data, uint64_t len)
{
    b->sp -= len;
    if (copy_to_user(b->sp, data, len))
        panic("exec: cannot write %lu bytes of initial stack at %#lx", (unsigned long)len,
              (unsigned long)b->sp);
    return b->sp;
}

static void put_word(uint64_t *at, uint64_t v)
{
    if (copy_to_user((uint64_t)(uintptr_t)at, &v, sizeof(v)))
        panic("exec: cannot write the initial stack at %p", (void *)at);
}

static uint64_t count_vec(uint64_t vec)
{
    const uint64_t *v = (const uint64_t *)(uintptr_t)vec;
    uint64_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* argv then envp strings, ascending, as one block ending just below end; fills the pointers. */
static void push_strings(struct stack_builder *b, const uint64_t *vec, uint64_t n, uint64_t *ptrs)
{
    uint64_t total = 0;
    for (uint64_t i = 0; i < n; i++)
        total += strlen((const char *)(uintptr_t)vec[i]) + 1;
    uint64_t at = b->sp - total;
    for (uint64_t i = 0; i < n; i++) {
        const char *s = (const char *)(uintptr_t)vec[i];
        uint64_t len = strlen(s) + 1;
        ptrs[i] = at;
        if (copy_to_user(at, s, len))
            panic("exec: cannot copy argument strings");
        at += len;
    }
    b->sp -= total;
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
    AUX(LINUX_AT_UID, (uint32_t)boot->uid);
    AUX(LINUX_AT_EUID, (uint32_t)boot->euid);
    AUX(LINUX_AT_GID, (uint32_t)boot->gid);
    AUX(LINUX_AT_EGID, (uint32_t)boot->egid);
    AUX(LINUX_AT_SECURE, 0);
    AUX(LINUX_AT_RANDOM, random);
    AUX(LINUX_AT_EXECFN, execfn);
    AUX(LINUX_AT_PLATFORM, platform);
    AUX(LINUX_AT_NULL, 0);
#undef AUX
    return n;
}

uint64_t exec_build_stack(const struct elf_info *info, uint64_t interp_base, const char *execfn)
{
    static uint64_t strptr[2][4096];
    static uint64_t auxv[AUXV_MAX * 2];
    struct stack_builder b = {cur_as->stack_top - 8}; /* the top word stays zero, as on Linux */
    uint64_t argc = count_vec(boot->argv), envc = count_vec(boot->envp);
    if (argc > ARRAY_SIZE(strptr[0]) || envc > ARRAY_SIZE(strptr[1]))
        panic("exec: too many arguments (%lu) or environment strings (%lu)", (unsigned long)argc,
              (unsigned long)envc);
    uint64_t fn = push_bytes(&b, execfn, strlen(execfn) + 1);
    push_strings(&b, (const uint64_t *)(uintptr_t)boot->envp, envc, strptr[1]);
    push_strings(&b, (const uint64_t *)(uintptr_t)boot->argv, argc, strptr[0]);
    b.sp &= ~15ull;
    uint64_t platform = push_bytes(&b, "x86_64", 7);
    uint64_t random = push_bytes(&b, boot->rand_seed, 16);
    uint32_t naux = fill_auxv(auxv, info, interp_base, fn, platform, random);
    uint64_t words = 1 + (argc + 1) + (envc + 1) + naux;
    b.sp = (b.sp - words * 8) & ~15ull;
    uint64_t *w = (uint64_t *)(uintptr_t)b.sp;
    put_word(w++, argc);
    for (uint64_t i = 0; i < argc; i++)
        put_word(w++, strptr[0][i]);
    put_word(w++, 0);
    for (uint64_t i = 0; i < envc; i++)
        put_word(w++, strptr[1][i]);
    put_word(w++, 0);
    for (uint32_t i = 0; i < naux; i++)
        put_word(w++, auxv[i]);
    return b.sp;
}
