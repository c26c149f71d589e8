/* traps.c: instructions whose native outcome is a signal or a segment load, run one per
 * invocation (argv[1] names it); the test compares the output and the way it ends with a
 * native run. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct farptr {
    uint32_t off;
    uint16_t sel;
} __attribute__((packed));

static void lfs(uint16_t sel)
{
    struct farptr p = {0x12345678, sel};
    uint32_t r = 0;
    uint16_t fs = 0xffff;
    __asm__ volatile("lfs %2, %0\n\tmov %%fs, %1" : "=r"(r), "=r"(fs) : "m"(p));
    printf("lfs: offset %#x, fs %#x\n", r, fs);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    printf("%s\n", what);
    fflush(stdout);
    if (!strcmp(what, "int1"))
        __asm__ volatile(".byte 0xf1");
    else if (!strcmp(what, "int3"))
        __asm__ volatile("int3");
    else if (!strcmp(what, "ud2"))
        __asm__ volatile("ud2");
    else if (!strcmp(what, "x87-reserved")) /* DD /5 with a memory operand */
        __asm__ volatile(".byte 0xdd, 0x28" ::"a"(&what) : "memory");
    else if (!strcmp(what, "lfs-data"))
        lfs(0x2b); /* the user data selector: FS base 0, so TLS (printf) faults after it */
    else if (!strcmp(what, "lfs-ldt"))
        lfs(0x7); /* LDT selector: no LDT, #GP: SIGSEGV */
    printf("after\n");
    return 0;
}
