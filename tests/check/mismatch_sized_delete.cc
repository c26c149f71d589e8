// mismatch_sized_delete.cc: a derived object deleted through a base class without a virtual
// destructor: the sized delete is told the base's size (8), not the block's (24)
// expect: sizemismatch 8 at 0 inside 24 alloc'd
// valgrind-since: 3.22 (memcheck reports sized-delete mismatches from 3.22 on)
#include <cstdio>

struct base {
    long a;
};
struct derived : base {
    long b, c;
};

int main()
{
    std::fputs("deleting a derived object through its base\n", stdout);
    std::fflush(stdout);
    base *p = new derived(); /*@alloc*/
    __asm__ volatile("" : "+r"(p) : : "memory");
    delete p; /*@access*/
    return 0;
}
