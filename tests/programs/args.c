/* args.c: print argc, argv and the environment as the program received them. */
#include <stdio.h>

int main(int argc, char **argv, char **envp)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=[%s]\n", i, argv[i]);
    for (char **e = envp; *e; e++)
        printf("env [%s]\n", *e);
    return argc;
}
