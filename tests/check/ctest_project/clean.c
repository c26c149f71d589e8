#include <stdlib.h>
#include <string.h>
int main(void)
{
    char *p = malloc(16);
    strcpy(p, "fine");
    free(p);
    return 0;
}
