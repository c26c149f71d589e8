/* hello.c: start-up: the smallest static program's run is almost all start-up and exit. */
#include <unistd.h>

int main(void)
{
    return write(1, "hello\n", 6) == 6 ? 0 : 1;
}
