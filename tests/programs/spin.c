/* spin.c: loop forever (the SIGTERM test stops it from outside). */
int main(void)
{
    volatile unsigned long n = 0;
    for (;;)
        n++;
}
