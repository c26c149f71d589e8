/* badinsn.c: instructions a ring-3 program may not or cannot execute, each in a child of its
 * own: prints the signal that ended it (SIGILL for an undefined encoding, SIGSEGV for a
 * privileged one or a far call to a TSS). Compared with a native run: the soft CPU must raise
 * the exception the hardware raises, never end the VM. Only encodings every x86 (and QEMU's
 * emulated one, the nested kvm job's "native") treats alike: not SYSENTER (#UD on AMD, #GP on
 * Intel) nor SYSEXIT (#GP on AMD hardware, #UD under QEMU); the CPU tier's fuzzer covers them. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
    const char *what;
    unsigned char bytes[12];
    unsigned len;
} cases[] = {
    {"jmp far through a register (ff /5, mod 3)", {0xff, 0xe8}, 2},
    {"lea with a register operand (8d c4)", {0x8d, 0xc4}, 2},
    {"mov from a debug register (0f 21 c0)", {0x0f, 0x21, 0xc0}, 3},
    {"mov to a debug register (0f 23 c0)", {0x0f, 0x23, 0xc0}, 3},
    {"mov from cr5 (0f 20 e8)", {0x0f, 0x20, 0xe8}, 3},
    {"mov to cr0 (0f 22 c0)", {0x0f, 0x22, 0xc0}, 3},
    {"vmwrite (0f 79 c0)", {0x0f, 0x79, 0xc0}, 3},
    {"femms (0f 0e)", {0x0f, 0x0e}, 2},
    {"punpcklqdq without 66 (0f 6c c0)", {0x0f, 0x6c, 0xc0}, 3},
    {"punpckhqdq without 66 (0f 6d c0)", {0x0f, 0x6d, 0xc0}, 3},
    {"movq without 66 (0f d6 c0)", {0x0f, 0xd6, 0xc0}, 3},
    {"0f 7c without a prefix", {0x0f, 0x7c, 0xc0}, 3},
    {"0f 7d without a prefix", {0x0f, 0x7d, 0xc0}, 3},
    {"hlt", {0xf4}, 1},
    {"in from port 0x80", {0xe4, 0x80}, 2},
    {"ud2", {0x0f, 0x0b}, 2},
    {"lock on a register operand", {0xf0, 0x01, 0xc0}, 3},
    /* call far [rip+2] with the pointer 0:0x40 (Linux's TSS selector) right after it */
    {"call far through the TSS selector", {0xff, 0x1d, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x40, 0x00}, 12},
};

int main(void)
{
    unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return perror("mmap"), 1;
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memset(page, 0xcc, 4096);
        memcpy(page, cases[k].bytes, cases[k].len);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            ((void (*)(void))page)();
            _exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st))
            printf("%-45s %s\n", cases[k].what, strsignal(WTERMSIG(st)));
        else
            printf("%-45s exit %d\n", cases[k].what, WEXITSTATUS(st));
    }
    return 0;
}
