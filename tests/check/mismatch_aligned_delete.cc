// mismatch_aligned_delete.cc: a block of an over-aligned operator new (alignment 256) released by
// the operator delete that takes no alignment: C++ requires the delete to be told the new's
// alignment (libstdc++ happens to free both alike, another library need not)
// expect: alignmismatch new/delete 256 default-aligned at 0 inside 1024 alloc'd
// valgrind-since: 3.22 (memcheck reports alignment mismatches from 3.22 on)
#include <cstdio>
#include <new>

int main()
{
    std::fputs("releasing an aligned new's block with plain delete\n", stdout);
    std::fflush(stdout);
    void *p = ::operator new(1024, std::align_val_t(256)); /*@alloc*/
    __asm__ volatile("" : "+r"(p) : : "memory");
    ::operator delete(p); /*@access*/
    return 0;
}
