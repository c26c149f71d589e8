// delete_interior.cc: delete[] of a pointer into a new[]'d array, not its start (the array stays
// allocated)
// expect: free at 8 inside 32 alloc'd
#include <cstdio>

long *volatile keep; // the array stays reachable (not leaked) after the bad delete[]

int main()
{
    std::fputs("deleting from the middle of an array\n", stdout);
    std::fflush(stdout);
    long *a = new long[4]; /*@alloc*/
    __asm__ volatile("" : "+r"(a) : : "memory");
    keep = a;
    long *mid = a + 1;
    __asm__ volatile("" : "+r"(mid) : : "memory");
    delete[] mid; /*@access*/
    return 0;
}
