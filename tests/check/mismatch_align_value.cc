// mismatch_align_value.cc: an array of an aligned operator new[] (alignment 64) released by a
// sized aligned delete[] told another alignment (128) than it was made with
// expect: alignmismatch new[]/delete[] 64 128 at 0 inside 32 alloc'd
// valgrind-since: 3.22 (memcheck reports alignment mismatches from 3.22 on)
#include <cstdio>
#include <new>

int main()
{
    std::fputs("releasing an aligned new[]'s block told another alignment\n", stdout);
    std::fflush(stdout);
    void *p = ::operator new[](32, std::align_val_t(64)); /*@alloc*/
    __asm__ volatile("" : "+r"(p) : : "memory");
    ::operator delete[](p, 32, std::align_val_t(128)); /*@access*/
    return 0;
}
