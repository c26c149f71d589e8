#include <stdlib.h>
void *volatile keep;
int main(void)
{
    keep = malloc(32);
    keep = 0; /* the only pointer gone: definitely lost */
    return 0;
}
