#!/usr/bin/env python3
"""elf_fuzz.py: mutated ELF executables against buffervm: whatever the file, buffervm ends with
a clean refusal (status 125-127 and one line naming the problem), the guest's own result (an
exit status, or a signal it describes under --verbose), and within the time limit unless the
mutant also runs that long natively. Never a monitor crash, a guest kernel panic or a hang.

elf_fuzz.py BUFFERVM SEED COUNT BASE... (run it as an unprivileged user in a scratch directory:
the mutants run natively too). Prints one PASS/FAIL line; a failing mutant is kept as
elf-fuzz-fail-N for a rerun.
"""
import concurrent.futures
import os
import random
import struct
import subprocess
import sys

LIMIT = 10  # seconds for one run
INTERESTING = [0, 1, 2, 3, 0x40, 0xfff, 0x1000, 0x1001, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
               0x7ffffffff000, 0x7fffffffffff, 0x800000000000, 0xffff800000000000, 0x7fffffffffffffff,
               0xffffffffffffffff, 0xfffffffffffff000]


def phdr_field(r, d):
    """Set one program header field to an interesting or nearby value."""
    if len(d) < 64:
        return
    phoff, phnum = struct.unpack_from("<Q", d, 32)[0], struct.unpack_from("<H", d, 56)[0]
    if phnum == 0 or phoff + 56 * phnum > len(d):
        return
    at = phoff + 56 * r.randrange(phnum)
    field = r.choice([(0, "<I"), (4, "<I"), (8, "<Q"), (16, "<Q"), (32, "<Q"), (40, "<Q"), (48, "<Q")])
    old = struct.unpack_from(field[1], d, at + field[0])[0]
    bits = 32 if field[1] == "<I" else 64
    new = r.choice(INTERESTING + [old + r.randrange(-0x2000, 0x2000), old ^ (1 << r.randrange(bits))])
    struct.pack_into(field[1], d, at + field[0], new & ((1 << bits) - 1))


def header_field(r, d):
    if len(d) < 64:
        return
    field = r.choice([(16, "<H"), (18, "<H"), (24, "<Q"), (32, "<Q"), (54, "<H"), (56, "<H"), (4, "<B"), (5, "<B")])
    bits = {"<B": 8, "<H": 16, "<Q": 64}[field[1]]
    struct.pack_into(field[1], d, field[0], r.choice(INTERESTING) & ((1 << bits) - 1))


def flip_bytes(r, d):
    if not d:
        return
    for _ in range(r.randrange(1, 8)):
        at = r.randrange(min(len(d), 0x400)) if r.random() < 0.8 else r.randrange(len(d))
        d[at] = r.randrange(256)


def truncate(r, d):
    if not d:
        return
    del d[r.randrange(len(d)):]


def mutate(r, base):
    d = bytearray(base)
    for _ in range(r.randrange(1, 4)):
        r.choice([phdr_field, phdr_field, header_field, flip_bytes, truncate])(r, d)
    return d


def run(argv):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=LIMIT)
        return p.returncode, p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return "timeout", ""
    except OSError as e:
        return "oserror", str(e)


def judge(bvm, path):
    """None when buffervm's outcome is acceptable, else why not."""
    st, err = run([bvm, "--verbose", path])
    lines = [l for l in err.splitlines() if l.startswith("buffervm: ") and "backend soft:" not in l]
    if st == "timeout":
        return None if run([path])[0] == "timeout" else "hang (native ends within the limit)"
    if "kernel panic" in err:
        return "guest kernel panic: " + lines[-1] if lines else "guest kernel panic"
    if isinstance(st, int) and st < 0:  # died by a signal: the guest's, described in one line
        if not lines or not (" at address " in lines[-1] or "program killed by signal" in lines[-1]):
            return "buffervm died by signal %d without describing a guest fault: %r" % (-st, err[-300:])
        return None
    if st == "oserror":
        return "could not run buffervm: " + err
    if st == 125 and not lines:  # buffervm's own failure names itself (126/127 may be the guest's)
        return "status 125 without a message"
    return None


def main():
    bvm, seed, count, bases = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    images = [open(b, "rb").read() for b in bases]
    r = random.Random(seed)
    jobs = []
    for k in range(count):
        path = os.path.abspath("mutant-%d" % k)
        with open(path, "wb") as f:
            f.write(mutate(r, r.choice(images)))
        os.chmod(path, 0o755)
        jobs.append(path)
    fails = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for path, why in zip(jobs, pool.map(lambda p: judge(bvm, p), jobs)):
            if why:
                fails.append((path, why))
                os.rename(path, "elf-fuzz-fail-" + path.rsplit("-", 1)[1])
            else:
                os.unlink(path)
    if fails:
        print("FAIL elf-mutants-seed-%d: %d of %d mutants: %s" % (seed, len(fails), count,
              "; ".join("%s: %s" % f for f in fails[:5])))
    else:
        print("PASS elf-mutants-seed-%d (%d mutants of %d executables)" % (seed, count, len(images)))


if __name__ == "__main__":
    main()
