// uaf_cxx_array.cc: the last element of a delete[]d int array read
// expect: read 4 at 36 inside 40 free'd
#include <cstdio>

int main()
{
    std::fputs("reading a deleted array\n", stdout);
    std::fflush(stdout);
    int *a = new int[10]; /*@alloc*/
    __asm__ volatile("" : "+r"(a) : : "memory");
    for (int i = 0; i < 10; i++)
        a[i] = i;
    delete[] a; /*@free*/
    volatile int v = ((volatile int *)a)[9]; /*@access*/
    (void)v;
    return 0;
}
