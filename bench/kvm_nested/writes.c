/* writes.c: hostcall-heavy benchmark: N one-byte write(2) calls, each one hostcall under buffervm. */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000ul;
    for (unsigned long i = 0; i < n; i++)
        if (write(1, "x", 1) != 1)
            return 1;
    return 0;
}
