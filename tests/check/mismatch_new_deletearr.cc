// mismatch_new_deletearr.cc: one object from (scalar) new released with delete[]
// expect: mismatch at 0 inside 8 alloc'd
#include <cstdio>

int main()
{
    std::fputs("deleting a new'd object with delete[]\n", stdout);
    std::fflush(stdout);
    long *v = new long(42); /*@alloc*/
    __asm__ volatile("" : "+r"(v) : : "memory");
    delete[] v; /*@access*/
    return 0;
}
