/* spin.c: computes until gdb sets stop_now (tests/gdb/stub_cases.sh: an interrupt in guest code). */
#include <unistd.h>

volatile unsigned long spins;
volatile int stop_now;

int main(void)
{
    write(2, "spinning\n", 9); /* (the test interrupts once it sees this) */
    while (!stop_now)
        spins++;
    return 0;
}
