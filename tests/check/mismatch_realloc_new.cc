// mismatch_realloc_new.cc: realloc() of a new[]'d array (reported; the realloc goes on)
// expect: mismatch at 0 inside 24 alloc'd
#include <cstdio>
#include <cstdlib>

int main()
{
    std::fputs("reallocating a new[]'d array\n", stdout);
    std::fflush(stdout);
    int *a = new int[6]; /*@alloc*/
    __asm__ volatile("" : "+r"(a) : : "memory");
    int *b = (int *)std::realloc(a, 48); /*@access*/
    std::free(b);
    return 0;
}
