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


def symbol_image(syms, table=2, etype=3, cut=None):
    """An ELF with one R+X PT_LOAD over the whole file, .text of 0x80 bytes at 0x100, and a symbol
    table (SHT_SYMTAB 2 or SHT_DYNSYM 11) of (name, value, size, info) with its string table."""
    text_off, text = 0x100, b"\xc3" * 0x80
    strtab, names = b"\0", []
    for name, *_ in syms:
        names.append(len(strtab))
        strtab += name.encode() + b"\0"
    symtab = b"\0" * 24 + b"".join(struct.pack("<IBBHQQ", names[i], info, 0, 1, value, size)
                                    for i, (_, value, size, info) in enumerate(syms))
    shstr = b"\0.text\0.symtab\0.strtab\0.shstrtab\0"
    sym_off = text_off + len(text)
    str_off = sym_off + len(symtab)
    shstr_off = str_off + len(strtab)
    sh_off = (shstr_off + len(shstr) + 7) & ~7
    sh = b"\0" * 64
    sh += struct.pack("<IIQQQQIIQQ", 1, 1, 6, text_off, text_off, len(text), 0, 0, 16, 0)
    sh += struct.pack("<IIQQQQIIQQ", 7, table, 0, 0, sym_off, len(symtab), 3, 1, 8, 24)
    sh += struct.pack("<IIQQQQIIQQ", 15, 3, 0, 0, str_off, len(strtab), 0, 0, 1, 0)
    sh += struct.pack("<IIQQQQIIQQ", 23, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)
    size = sh_off + len(sh)
    load = (1, 5, 0, 0, 0, size, size, 0x1000)
    eh = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
    eh += struct.pack("<HHIQQQIHHHHHH", etype, 62, 1, text_off, 64, sh_off, 0, 64, 56, 1, 64, 5, 4)
    ph = struct.pack("<IIQQQQQQ", *load)
    blob = eh + ph
    blob += b"\0" * (text_off - len(blob)) + text + symtab + strtab + shstr
    blob += b"\0" * (sh_off - len(blob)) + sh
    return blob[:cut] if cut else blob


def symbol_tables():
    glob, weak, local = 0x12, 0x22, 0x02  # STT_FUNC with STB_GLOBAL, STB_WEAK, STB_LOCAL
    glibc_like = [("malloc", 0x100, 16, glob), ("__libc_malloc", 0x100, 16, glob), ("free", 0x110, 16, glob),
                  ("__libc_free", 0x110, 16, glob), ("calloc", 0x120, 16, weak), ("memalign", 0x130, 16, weak),
                  ("aligned_alloc", 0x130, 16, weak), ("malloc_usable_size", 0x140, 16, weak)]
    musl_like = [("malloc", 0x100, 5, weak), ("__libc_malloc", 0x108, 5, glob), ("free", 0x110, 5, glob),
                 ("__libc_free", 0x118, 16, glob), ("calloc", 0x130, 16, glob), ("__libc_calloc", 0x140, 16, glob),
                 ("realloc", 0x150, 5, glob), ("tiny", 0x160, 1, glob), ("static_malloc", 0x170, 8, local)]
    seeds = {
        "symtab_glibc": symbol_image(glibc_like),
        "dynsym_musl": symbol_image(musl_like, table=11),
        "exec_symtab": symbol_image(musl_like, etype=2),
        "conflict": symbol_image([("malloc", 0x100, 16, glob), ("free", 0x100, 16, glob)]),
        "truncated": symbol_image(glibc_like, cut=0x1c0),
    }
    for name, blob in seeds.items():
        write("fuzz_check_syms", name, blob)


def packet(payload):
    """One remote-protocol packet as gdb frames it: $payload#checksum."""
    return b"$" + payload + b"#%02x" % (sum(payload) & 0xff)


def gdb_sessions():
    """What gdb sends to a stub: its opening (with acks), then register, memory, breakpoint,
    watchpoint, thread and transfer requests, resumes, and an ending; the target's stand-in
    kernel answers (fuzz_gdb_stub.c)."""
    opening = [b"qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;xmlRegisters=i386",
               b"QStartNoAckMode"]
    requests = [b"?", b"qXfer:features:read:target.xml:0,ffb", b"qXfer:auxv:read::0,1000",
                b"qXfer:exec-file:read:64:0,ffb", b"qXfer:threads:read::0,ffb", b"qXfer:siginfo:read::0,ffb",
                b"qfThreadInfo", b"qsThreadInfo", b"qC", b"qAttached", b"Hg0", b"g", b"p10", b"p18", b"p22", b"P10=00104000000000",
                b"m401000,40", b"M601000,4:01020304", b"X601000,2:ab", b"Z0,401000,1", b"z0,401000,1",
                b"Z2,601000,4", b"Z4,601008,10", b"z2,601000,4", b"Z3,601000,4", b"Z1,401000,1",
                b"QPassSignals:e;14;17", b"vCont?", b"vCont;s:64", b"vCont;c", b"vCont;C0b:64;c", b"s", b"c",
                b"G" + b"00" * 560, b"T65", b"qSymbol::", b"Hgp1.1", b"Hgp-1.-1", b"z0,401000,1", b"vKill;1",
                b"D;1", b"Hg0", b"Tp64.64"]
    session = b"+" + packet(opening[0]) + b"+" + packet(opening[1])
    for r in requests:
        session += packet(r)
    write("fuzz_gdb_stub", "session", session + packet(b"D"))
    write("fuzz_gdb_stub", "kill", b"+" + packet(b"?") + b"+" + packet(b"g") + b"+" + packet(b"k"))
    write("fuzz_gdb_stub", "interrupts", b"\x03+" + packet(b"?") + b"\x03+-" + packet(b"c") + b"\x03")
    write("fuzz_gdb_stub", "escapes", packet(b"QStartNoAckMode") + b"$X601000,3:}\x03}\x04}]#00" + packet(b"D"))


if __name__ == "__main__":
    hostcalls()
    images()
    code()
    symbol_tables()
    gdb_sessions()
    sys.exit(0)
