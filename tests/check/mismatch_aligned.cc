// mismatch_aligned.cc: an over-aligned array (operator new[](size_t, align_val_t)) released with
// scalar delete (operator delete(void*, size_t, align_val_t))
// expect: mismatch at 0 inside 128 alloc'd
#include <cstdio>

struct alignas(64) line {
    char bytes[64];
};

int main()
{
    std::fputs("deleting an aligned new[]'d array with delete\n", stdout);
    std::fflush(stdout);
    line *l = new line[2]; /*@alloc*/
    __asm__ volatile("" : "+r"(l) : : "memory");
    l[1].bytes[63] = 1;
    delete l; /*@access*/
    return 0;
}
