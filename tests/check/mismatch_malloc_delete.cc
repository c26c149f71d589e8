// mismatch_malloc_delete.cc: a malloc'd buffer released with delete
// expect: mismatch at 0 inside 40 alloc'd
// build: o2
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main()
{
    std::fputs("deleting a malloc'd buffer\n", stdout);
    std::fflush(stdout);
    char *s = (char *)std::malloc(40); /*@alloc*/
    __asm__ volatile("" : "+r"(s) : : "memory");
    std::memset(s, 'm', 40);
    __asm__ volatile("" : "+r"(s) : : "memory");
    delete s; /*@access*/
    return 0;
}
