#!/usr/bin/env python3
"""fuzz_rsp.py SOCKET SEED: random and malformed remote-protocol traffic at buffervm's gdb stub
(tests/gdb/stub_cases.sh). The program stands at its first stop throughout: nothing sent resumes,
kills or detaches it, and writes go only where the program has no memory, so when this script
closes the connection the program must run on to its normal end. A few answers are checked on the
way: the kernel's memory is never readable, registers come whole, the target description is there.
Exit status 0, or 1 with the reason on stdout."""
import random
import socket
import sys

# Packets that would change the program's run (resume, kill, detach) are never sent.
FORBIDDEN = set("cCsSkDRrvi")
BAD_ADDRS = [0, 8, 0xfff, 0x7ffffffff000, 0x800000000000, 0xffff800000000000, 0xffffffff80000000,
             0xfffffffffffffff0, 0xffffffffffffffff, 0x10000000000000000, 0x7fffffffffffffffff]


def checksum(data):
    return sum(data) & 0xff


def frame(payload, good=True):
    cs = checksum(payload) if good else (checksum(payload) + 1) & 0xff
    return b"$" + payload + b"#" + b"%02x" % cs


class Stub:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.s.settimeout(5)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def packet(self):
        """The next reply packet's payload (acks skipped), or None on a timeout."""
        while True:
            start = self.buf.find(b"$")
            if start >= 0:
                end = self.buf.find(b"#", start)
                if end >= 0 and len(self.buf) >= end + 3:
                    payload = self.buf[start + 1:end]
                    self.buf = self.buf[end + 3:]
                    self.send(b"+")
                    return payload
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                raise EOFError("the stub closed the connection")
            self.buf += chunk

    def ask(self, payload):
        self.send(frame(payload))
        return self.packet()


def random_payload(rng):
    kinds = [
        lambda: bytes(rng.randrange(256) for _ in range(rng.randrange(64))),
        lambda: b"m%x,%x" % (rng.choice(BAD_ADDRS + [rng.getrandbits(64)]), rng.choice([0, 1, 8, 4096, 1 << 31, (1 << 64) - 1])),
        lambda: b"M%x,%x:%s" % (rng.choice(BAD_ADDRS), rng.randrange(1 << 20), b"zz" * rng.randrange(40)),
        lambda: b"X%x,%x:" % (rng.choice(BAD_ADDRS), rng.randrange(5000)) + bytes(rng.randrange(256) for _ in range(rng.randrange(64))),
        lambda: b"Z0,%x,1" % rng.choice(BAD_ADDRS),
        lambda: b"z0,%x,1" % rng.getrandbits(64),
        lambda: b"Z%d,%x,%x" % (rng.randrange(1, 9), rng.getrandbits(48), rng.randrange(16)),
        lambda: b"p%x" % rng.choice([0, 57, 59, 60, 61, 1000, (1 << 64) - 1]),
        lambda: b"P%x=%s" % (rng.randrange(70), b"g" * rng.randrange(20)),
        lambda: b"G" + b"0" * rng.randrange(1100),
        lambda: b"H%s%x" % (rng.choice([b"g", b"c", b"x"]), rng.getrandbits(32)),
        lambda: b"qXfer:features:read:target.xml:%x,%x" % (rng.randrange(1 << 64), rng.randrange(1 << 64)),
        lambda: b"qXfer:auxv:read::%x,%x" % (rng.randrange(1 << 20), rng.randrange(1 << 20)),
        lambda: b"qXfer:siginfo:read::0,80",
        lambda: b"qXfer:exec-file:read:%x:%x,%x" % (rng.randrange(99), rng.randrange(5000), rng.randrange(5000)),
        lambda: b"QPassSignals:" + b";".join(b"%x" % rng.randrange(300) for _ in range(rng.randrange(20))),
        lambda: b"qSupported:" + bytes(rng.randrange(32, 127) for _ in range(rng.randrange(200))),
        lambda: b"T%x" % rng.getrandbits(32),
        lambda: b"?",
        lambda: b"g",
        lambda: b"qfThreadInfo",
    ]
    return rng.choice(kinds)()


def check(cond, why):
    if not cond:
        print("check failed:", why)
        sys.exit(1)


def main():
    path, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    stub = Stub(path)
    for _ in range(600):
        payload = random_payload(rng)
        if payload[:1] and chr(payload[0]) in FORBIDDEN:
            continue
        how = rng.randrange(10)
        if how == 0:
            stub.send(bytes(rng.randrange(256) for _ in range(rng.randrange(100))).replace(b"$", b"%"))
        elif how == 1:
            stub.send(frame(payload, good=False))
        elif how == 2:
            stub.send(b"$" + b"q" * rng.randrange(17000, 40000) + b"#00")
        elif how == 3:
            stub.send(b"\x03")
        else:
            stub.send(frame(payload))
        if rng.randrange(4) == 0:
            stub.packet()
    stub.buf = b""
    stub.s.settimeout(2)
    while stub.packet() is not None:  # what is still in flight
        pass
    stub.s.settimeout(10)
    check(stub.ask(b"Hg0") == b"OK", "Hg0")
    for addr in (0xffff800000000000, 0xffffffff80000000, 0, 0x7ffffffff000):
        r = stub.ask(b"m%x,10" % addr)
        check(r is not None and r.startswith(b"E"), "kernel or unmapped memory read at %#x: %r" % (addr, r))
    r = stub.ask(b"g")
    check(r is not None and len(r) == 1120, "g reply of %d hex digits" % (len(r) if r else -1))
    r = stub.ask(b"qXfer:features:read:target.xml:0,800")
    check(r is not None and r[:1] in (b"m", b"l") and b"<target" in r, "no target description")
    stub.s.close()


if __name__ == "__main__":
    main()
