#!/bin/bash
# inputs.sh DIR: generate the program tests' input files (deterministic, no randomness from the host).
set -e
D=$1
mkdir -p "$D"
python3 - "$D" <<'PY'
import sys, random, os
d = sys.argv[1]
r = random.Random(20261124)
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
         "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon"]
with open(os.path.join(d, "words.txt"), "w") as f:
    for i in range(2000):
        f.write(" ".join(r.choice(words) for _ in range(r.randint(1, 8))) + "\n")
with open(os.path.join(d, "numbers.txt"), "w") as f:
    for i in range(500):
        f.write("%d %.6f %s %d\n" % (r.randint(-10**6, 10**6), r.uniform(-1e4, 1e4), r.choice(words), i))
with open(os.path.join(d, "table.csv"), "w") as f:
    for i in range(300):
        f.write("%d,%s,%.3f,%s\n" % (i, r.choice(words), r.random() * 100, r.choice(words).upper()))
with open(os.path.join(d, "data.bin"), "wb") as f:
    f.write(bytes(r.getrandbits(8) for _ in range(100000)))
with open(os.path.join(d, "big.txt"), "w") as f:
    for i in range(20000):
        f.write("line %06d %s %x\n" % (i, r.choice(words) * r.randint(1, 4), r.getrandbits(32)))
import gzip, bz2
with open(os.path.join(d, "sorted.txt"), "w") as f:
    f.write("".join(sorted(open(os.path.join(d, "words.txt")).readlines())))
big = open(os.path.join(d, "big.txt"), "rb").read()
with open(os.path.join(d, "big.gz"), "wb") as f:
    f.write(gzip.compress(big, 6, mtime=0))
with open(os.path.join(d, "big.bz2"), "wb") as f:
    f.write(bz2.compress(big, 9))
# a directory tree for cp -r, find, du, tar, grep -r, rm -r (mtimes fixed in the past)
tree = os.path.join(d, "tree")
for sub in ["", "sub", "sub/deep", "empty", "other"]:
    os.makedirs(os.path.join(tree, sub), exist_ok=True)
for i, name in enumerate(["a.txt", "b.log", "sub/c.txt", "sub/deep/d.txt", "other/e.dat", "sub/deep/big.bin"]):
    with open(os.path.join(tree, name), "wb") as f:
        n = 50000 if name.endswith(".bin") else 100 * (i + 1)
        f.write(bytes(r.getrandbits(8) for _ in range(n)) if name.endswith(".bin")
                else ("".join("%s %d\n" % (r.choice(words), j) for j in range(n // 10))).encode())
if not os.path.lexists(os.path.join(tree, "link")):
    os.symlink("sub/c.txt", os.path.join(tree, "link"))
for root, dirs, files in os.walk(tree, topdown=False):  # directories after what they hold
    for n in files:
        os.utime(os.path.join(root, n), (1600000000, 1600000000))
    os.utime(root, (1600000000, 1600000000))
import tarfile, io
with tarfile.open(os.path.join(d, "tree.tar"), "w", format=tarfile.GNU_FORMAT) as t:
    for name in ["x", "x/one.txt", "x/y", "x/y/two.txt"]:
        ti = tarfile.TarInfo(name)
        ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = 1500000000, 0, 0, "root", "root"
        if name.endswith(".txt"):
            data = ("content of %s\n" % name).encode() * 20
            ti.size, ti.mode = len(data), 0o644
            t.addfile(ti, io.BytesIO(data))
        else:
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            t.addfile(ti)
with open(os.path.join(d, "calc.bc"), "w") as f:
    f.write("scale=20\n4*a(1)\nsqrt(2)\n2^100\n(3^40)%1000007\ne(1)\nl(10)\ns(1)+c(1)\n")
with open(os.path.join(d, "calc.dc"), "w") as f:
    f.write("2 100 ^ p\n20 k 2 v p\n17 3 % p\n1 2 3 4 5 + + + + p\n")
with open(os.path.join(d, "stats.awk"), "w") as f:
    f.write('{ s += $2; if ($2 > m || NR == 1) m = $2; c[$3]++ }\n'
            'END { printf "sum %.4f max %.4f mean %.6f\\n", s, m, s / NR;\n'
            '      printf "%.10g %.3e %g %d\\n", s * 3.14159, s / 7, s / 3, s * 1000;\n'
            '      for (k in c) n++; print n, int(s), s % 7 }\n')
PY
# an ET_EXEC program at a fixed address, named as the interpreter of interp_exec.elf (mkelf.py)
python3 "$(dirname "$0")/mkelf.py" exec_interp "$D/exec_interp.elf"
chmod 755 "$D/exec_interp.elf"
