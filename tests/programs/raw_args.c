/* raw_args.c: freestanding C, no libc: print argv and the first env entries with raw syscalls. */
typedef unsigned long u64;

static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static u64 len(const char *s)
{
    u64 n = 0;
    while (s[n])
        n++;
    return n;
}

static void put(const char *s) { sys3(1, 1, (long)s, (long)len(s)); }

void cstart(u64 *sp)
{
    long argc = (long)sp[0];
    char **argv = (char **)(sp + 1);
    for (long i = 0; i < argc; i++) {
        put(argv[i]);
        put("\n");
    }
    char **envp = argv + argc + 1;
    u64 *auxv;
    for (auxv = (u64 *)envp; *auxv; auxv++)
        ;
    int seen = 0;
    for (auxv++; auxv[0]; auxv += 2)
        if (auxv[0] == 6 && auxv[1] == 4096) /* AT_PAGESZ */
            seen = 1;
    put(seen ? "pagesz ok\n" : "pagesz missing\n");
    put(((u64)sp & 15) == 0 ? "stack aligned\n" : "stack misaligned\n");
    sys3(231, (long)argc, 0, 0);
}

__asm__(".globl _start\n_start:\n mov %rsp, %rdi\n call cstart\n ud2\n");
