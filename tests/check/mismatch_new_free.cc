// mismatch_new_free.cc: an object from operator new handed to free()
// expect: mismatch at 0 inside 16 alloc'd
#include <cstdio>
#include <cstdlib>

struct point {
    int x, y, z, w;
};

int main()
{
    std::fputs("freeing a new'd object with free()\n", stdout);
    std::fflush(stdout);
    point *p = new point{1, 2, 3, 4}; /*@alloc*/
    __asm__ volatile("" : "+r"(p) : : "memory");
    std::free(p); /*@access*/
    return 0;
}
