#!/bin/bash
# make_project.sh: a small multi-file C project built by `make -j2` driving gcc (cc1, as, collect2,
# ld: a dozen processes per file), then its product run, an object rebuilt after a header change,
# and a failing rule's status. Every file it leaves is compared with a native run's.
set -e
mkdir -p proj && cd proj
cat >calc.h <<'END'
int add(int a, int b);
int mul(int a, int b);
#define SCALE 3
END
printf '#include "calc.h"\nint add(int a, int b) { return a + b; }\n' >add.c
printf '#include "calc.h"\nint mul(int a, int b) { return a * b * SCALE / SCALE; }\n' >mul.c
cat >main.c <<'END'
#include <stdio.h>
#include "calc.h"
int main(void) { printf("add %d mul %d scale %d\n", add(2, 3), mul(4, 5), SCALE); return 0; }
END
cat >Makefile <<'END'
OBJS = main.o add.o mul.o
prog: $(OBJS)
	gcc -o $@ $(OBJS)
%.o: %.c calc.h
	gcc -O1 -c -o $@ $<
fail:
	sh -c 'exit 3'
END
make -s -j2
./prog
sed -i 's/SCALE 3/SCALE 7/' calc.h
make -s -j2
./prog
set +e
make -s fail 2>/dev/null
echo "failing rule: $?"
