// delete_twice.cc: one object deleted twice
// expect: free at 0 inside 16 free'd
#include <cstdio>

struct point {
    int x, y, z, w;
};

int main()
{
    std::fputs("deleting an object twice\n", stdout);
    std::fflush(stdout);
    point *p = new point{1, 2, 3, 4}; /*@alloc*/
    __asm__ volatile("" : "+r"(p) : : "memory");
    delete p; /*@free*/
    __asm__ volatile("" : "+r"(p) : : "memory");
    delete p; /*@access*/
    return 0;
}
