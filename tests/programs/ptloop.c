/* ptloop.c: maps and unmaps memory far apart (each region needs page tables of its own at every
 * level), touching one page of each, for several rounds; prints sysinfo's freeram after each
 * round. The errors tier checks that every round ends with the same free memory, i.e. munmap
 * frees the page tables it emptied. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>

#define REGIONS 64
#define STRIDE (1ull << 39) /* one PML4 slot apart: fresh PDPT, PD and PT for each */

int main(void)
{
    printf("%d regions a round\n", REGIONS); /* stdout's buffer exists before the first count */
    for (int round = 0; round < 8; round++) {
        for (int k = 1; k <= REGIONS; k++) {
            void *want = (void *)(uintptr_t)((uint64_t)k * STRIDE / 2 + 0x200000ull * round);
            char *p = mmap(want, 1 << 16, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
            if (p == MAP_FAILED)
                continue; /* taken by something else: skip it, the same in every round */
            p[0] = (char)k;
            p[4096 * 3] = (char)round;
            munmap(p, 1 << 16);
        }
        struct sysinfo si;
        sysinfo(&si);
        printf("round %d: freeram %lu\n", round, si.freeram);
    }
    return 0;
}
