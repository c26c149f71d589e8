// clean_new_forms.cc: every form of operators new and delete, each block released by its own
// family: plain, nothrow, over-aligned (align_val_t), sized and nothrow deletes, new(0), delete of
// NULL and a nothrow new that fails; the aligned blocks honour their alignment: no report
// expect: clean
#include <cstdint>
#include <cstdio>
#include <new>

struct counted { // a destructor: delete[] is sized (operator delete[](void*, size_t))
    long v = 7;
    ~counted() { v = 0; }
};

struct alignas(64) line {
    char bytes[64];
};

struct alignas(128) big_line { // a destructor: the sized aligned delete[] form
    char bytes[128];
    ~big_line() { bytes[0] = 0; }
};

static void *opaque(void *p)
{
    __asm__ volatile("" : "+r"(p) : : "memory");
    return p;
}

static int misaligned;

static void aligned(const void *p, std::size_t a)
{
    if ((std::uintptr_t)p % a)
        misaligned++;
}

int main()
{
    long sum = 0;
    int *i = new int(1);                           // operator new(size_t)
    sum += *i;
    delete i;                                      // operator delete(void*, size_t)
    int *arr = new int[5]();                       // operator new[](size_t)
    sum += arr[4];
    delete[] arr;                                  // operator delete[](void*)
    counted *c = new counted[3];
    sum += c[2].v;
    delete[] c;                                    // operator delete[](void*, size_t)
    void *raw = ::operator new(24);
    ::operator delete(raw);                        // operator delete(void*)
    raw = ::operator new[](24);
    ::operator delete[](raw, 24);                  // operator delete[](void*, size_t)

    int *n = new (std::nothrow) int(2);            // operator new(size_t, nothrow_t const&)
    sum += n ? *n : -100;
    ::operator delete(n, std::nothrow);            // operator delete(void*, nothrow_t const&)
    int *na = new (std::nothrow) int[8]();         // operator new[](size_t, nothrow_t const&)
    sum += na ? na[7] : -100;
    ::operator delete[](na, std::nothrow);         // operator delete[](void*, nothrow_t const&)

    line *l = new line;                            // operator new(size_t, align_val_t)
    aligned(l, 64);
    delete l;                                      // operator delete(void*, size_t, align_val_t)
    line *la = new line[3];                        // operator new[](size_t, align_val_t)
    aligned(la, 64);
    delete[] la;                                   // operator delete[](void*, align_val_t)
    big_line *b = new big_line[2];
    aligned(b, 128);                               // (the array after its 8-byte count: 128 - 8 + 8)
    delete[] b;                                    // operator delete[](void*, size_t, align_val_t)
    void *a = ::operator new(100, std::align_val_t(256));
    aligned(a, 256);
    ::operator delete(a, std::align_val_t(256));   // operator delete(void*, align_val_t)
    a = ::operator new(40, std::align_val_t(4096), std::nothrow);
    aligned(a, 4096);
    ::operator delete(a, std::align_val_t(4096), std::nothrow);
    a = ::operator new[](40, std::align_val_t(32), std::nothrow);
    aligned(a, 32);
    ::operator delete[](a, std::align_val_t(32), std::nothrow);
    a = ::operator new[](72, std::align_val_t(512));
    aligned(a, 512);
    ::operator delete[](a, 72, std::align_val_t(512));
    a = ::operator new(16, std::align_val_t(64));
    ::operator delete(a, 16, std::align_val_t(64));

    void *z1 = opaque(::operator new(0)), *z2 = opaque(::operator new(0)); // unique pointers
    char *z3 = new char[0];
    int zero_ok = z1 && z2 && z1 != z2 && z3 && z3 != z1 && z3 != z2;
    ::operator delete(z1);
    ::operator delete(z2);
    delete[] z3;
    ::operator delete(opaque(nullptr));            // nothing happens
    ::operator delete[](opaque(nullptr));
    delete (line *)opaque(nullptr);

    volatile std::size_t huge = std::size_t(1) << 62;
    char *none = new (std::nothrow) char[huge];    // fails: NULL, no exception, no report
    void *none2 = ::operator new(huge, std::align_val_t(64), std::nothrow);

    std::printf("sum %ld, misaligned %d, new(0) unique %d, failed nothrow new NULL %d\n", sum, misaligned, zero_ok,
                !none && !none2);
    return 0;
}
