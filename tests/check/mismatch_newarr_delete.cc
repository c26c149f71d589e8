// mismatch_newarr_delete.cc: an array from new[] released with (scalar) delete
// expect: mismatch at 0 inside 40 alloc'd
#include <cstdio>

int main()
{
    std::fputs("deleting a new[]'d array with delete\n", stdout);
    std::fflush(stdout);
    int *a = new int[10]; /*@alloc*/
    __asm__ volatile("" : "+r"(a) : : "memory");
    for (int i = 0; i < 10; i++)
        a[i] = i;
    delete a; /*@access*/
    return 0;
}
