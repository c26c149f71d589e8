// uaf_cxx.cc: a member of a deleted object read (use after delete)
// expect: read 4 at 8 inside 16 free'd
#include <cstdio>

struct point {
    int x, y, z, w;
};

int main()
{
    std::fputs("reading a deleted object\n", stdout);
    std::fflush(stdout);
    point *p = new point{1, 2, 3, 4}; /*@alloc*/
    __asm__ volatile("" : "+r"(p) : : "memory");
    delete p; /*@free*/
    volatile int z = ((volatile point *)p)->z; /*@access*/
    (void)z;
    return 0;
}
