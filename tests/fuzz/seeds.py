#!/usr/bin/env python3
"""seeds.py: writes the seed corpora of the libFuzzer targets into tests/fuzz/corpus/<target>/
(committed; rerun after a change to the request layout or the targets' input formats). Each seed
is built here from the formats' definitions (bvm_abi.h, the ELF spec, x86 encodings), so the
corpora start where the checks are, not in random bytes."""
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ABI = os.path.join(HERE, "..", "..", "include", "bvm_abi.h")
DATA_GPA = 0x10000  # fuzz_hostcall.c: where the bytes after the request land


def write(target, name, blob):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def hostcall_numbers():
    text = open(ABI).read()
    return [int(n) for n in re.findall(r"X\((\d+), [A-Z0-9_]+, [a-z0-9_]+, [a-z0-9_]+\)", text)]


def hostcalls():
    """Per hostcall: the union zeroed, filled with DATA_GPA (pointer fields land on the data),
    and filled with small numbers (fds, lengths, counts); the data: a path, then bytes."""
    data = b"./seed\0" + b"\0" * 9 + bytes(range(256)) * 2
    fills = {"zero": b"\0" * 176, "gpa": struct.pack("<Q", DATA_GPA) * 22,
             "small": struct.pack("<II", 1, 16) * 22}
    for nr in hostcall_numbers():
        for kind, union in fills.items():
            req = struct.pack("<IIq", nr, 0, 0) + union
            assert len(req) == 192
            write("fuzz_hostcall", "hc%02d_%s" % (nr, kind), req + data)


def elf(etype=2, phdrs=(), cls=2, machine=62, extra=b""):
    phoff = 64
    eh = b"\x7fELF" + bytes([cls, 1, 1]) + b"\0" * 9
    eh += struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, 0x401000, phoff, 0, 0, 64, 56, len(phdrs), 64, 0, 0)
    ph = b"".join(struct.pack("<IIQQQQQQ", *p) for p in phdrs)
    return eh + ph + extra


def images():
    load = (1, 5, 0, 0x400000, 0x400000, 0x2000, 0x2000, 0x1000)
    data = (1, 6, 0x2000, 0x402000, 0x402000, 0x100, 0x3000, 0x1000)
    stack = (0x6474e551, 6, 0, 0, 0, 0, 0, 16)
    interp_path = b"/lib64/ld-linux-x86-64.so.2\0"
    interp = (3, 4, 0x200, 0x200, 0x200, len(interp_path), len(interp_path), 1)
    pie_load = (1, 5, 0, 0, 0, 0x3000, 0x3000, 0x1000)
    pad = lambda b, n: b + b"\0" * (n - len(b))
    seeds = {
        "static_exec": pad(elf(2, [load, data, stack]), 0x2100),
        "pie_interp": pad(pad(elf(3, [interp, pie_load, stack]), 0x200) + interp_path, 0x3000),
        "static_pie": pad(elf(3, [pie_load]), 0x3000),
        "elf32": pad(elf(2, [load], cls=1), 0x200),
        "aarch64": pad(elf(2, [load], machine=183), 0x200),
        "truncated": elf(2, [load, data])[:80],
        "script": b"#!/bin/sh -e\necho hi\n",
        "script_env": b"#! /usr/bin/env python3\n",
        "script_long": b"#!" + b"/a" * 200 + b"\n",
    }
    for name, blob in seeds.items():
        write("fuzz_kernel_exec", name, blob)
        write("fuzz_prog", name, blob + struct.pack("<Q", len(blob)))


def code():
    snippets = {
        "add": "4801c8", "mov_mem": "488b07488906", "push_pop": "5058", "call_ret": "e800000000c3",
        "loop": "b905000000e2fe", "rep_movsb": "fcf3a4", "rep_stosq": "f348ab", "sse_add": "660fd4c1",
        "movdqu": "f30f6f06f30f7f07", "x87": "d9e8d9eedec1", "div": "48f7f1", "cmov": "480f44c1",
        "bsf": "480fbcc1", "shld": "480fa4c805", "lock_xadd": "f0480fc107", "syscall": "0f05",
        "cpuid": "0fa2", "rdtsc": "0f31", "jcc": "7402ebfe90", "ud2": "0f0b",
    }
    for name, hexs in snippets.items():
        insn = bytes.fromhex(hexs)
        write("fuzz_softcpu", name, bytes([len(insn)]) + insn)


if __name__ == "__main__":
    hostcalls()
    images()
    code()
    sys.exit(0)
