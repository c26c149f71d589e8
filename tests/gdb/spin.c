/* spin.c: computes until gdb sets stop_now (tests/gdb/stub_cases.sh: an interrupt in guest code). */
volatile unsigned long spins;
volatile int stop_now;

int main(void)
{
    while (!stop_now)
        spins++;
    return 0;
}
