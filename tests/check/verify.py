#!/usr/bin/env python3
"""verify.py: judge one `buffervm check` run of a corpus program against its source's annotations.

Usage: verify.py SRC NATIVE_DIR RUN_DIR [--precise required|optional] [--expect clean|exit=N]
                 [--mutants]
  SRC         the program's source (tests/check/NAME.c or .cc), read for its annotations
  NATIVE_DIR  out, err, status of the program run natively
  RUN_DIR     out, err, status of the program run under the checker (or valgrind dressed as it)
  --precise   optional: a case marked "precise" (needs byte-precise bounds) may also pass with no
              report at all (the kvm backend); required (default): the report must be there
  --expect    an option's run overrides the annotation: clean (no report, the native status)
              or exit=N (the report, exit status N instead of 99)
  --mutants   self-test on a right report (valgrind's): the run must pass, and each copy of it
              with one detail wrong (MUTANTS below: every line number off by one, the access size,
              offset, block size...) must fail
Prints "ok[: note]" and exits 0, or prints the reasons it failed and exits 1.
The annotations are documented in tests/check/README.md."""
import os
import re
import sys

ERRORS_FOR_LEAKS = ("definite", "indirect")  # the leak kinds that count as errors


class Spec(Exception):
    """A malformed annotation: the test itself is wrong."""


def parse_source(path):
    text = open(path, encoding="utf-8").read().splitlines()
    ann = {"expect": None, "markers": {}, "leaks": []}
    for no, line in enumerate(text, 1):
        m = re.match(r"\s*// expect: (.*)$", line)
        if m:
            if ann["expect"] is not None:
                raise Spec("two '// expect:' lines")
            ann["expect"] = parse_expect(m.group(1).split())
        for mk in re.findall(r"/\*@(\w+)\*/", line):
            if mk not in ("access", "alloc", "free"):
                raise Spec(f"line {no}: unknown marker @{mk}")
            if mk in ann["markers"]:
                raise Spec(f"marker @{mk} twice (lines {ann['markers'][mk]} and {no})")
            ann["markers"][mk] = no
        m = re.search(r"// expect-leak: (.*)$", line)
        for rec in m.group(1).split(",") if m else ():
            r = re.fullmatch(r"\s*(definite|indirect|possible|reachable) (\d+) in (\d+)\s*", rec)
            if not r:
                raise Spec(f"line {no}: malformed expect-leak")
            ann["leaks"].append({"kind": r.group(1), "bytes": int(r.group(2)), "blocks": int(r.group(3)), "line": no})
        if not m and "expect-leak:" in line:
            raise Spec(f"line {no}: malformed expect-leak")
    e = ann["expect"]
    if e is None:
        raise Spec("no '// expect:' line")
    need = {"clean": (), "leak": ()}.get(e["kind"], ("access",))
    if e.get("relation") in ("after", "before", "inside"):
        need += ("alloc",)
    if e.get("state") == "free'd":
        need += ("free",)
    for mk in need:
        if mk not in ann["markers"]:
            raise Spec(f"the expectation needs a /*@{mk}*/ marker")
    for mk in ann["markers"]:
        if mk not in need:
            raise Spec(f"marker @{mk} that the expectation does not use")
    if e["kind"] == "leak" and not any(l["kind"] in ERRORS_FOR_LEAKS for l in ann["leaks"]):
        raise Spec("'expect: leak' without a definite or indirect expect-leak line")
    if e["kind"] == "clean" and ann["leaks"]:
        raise Spec("a clean program with expect-leak lines (they would never be checked)")
    if "errors" not in e:
        e["errors"] = (e["kind"] in ERROR_KINDS) + sum(
            1 for l in ann["leaks"] if l["kind"] in ERRORS_FOR_LEAKS)
    return ann


def parse_expect(w):
    """clean | leak | read|write SIZE at OFF REL BSIZE STATE [precise] | free at OFF inside BSIZE STATE
    | free nonheap | mismatch at OFF inside BSIZE alloc'd | sizemismatch SIZE at OFF inside BSIZE alloc'd
    (a sized delete told SIZE) | alignmismatch OPS ALLOC DEALLOC at OFF inside BSIZE alloc'd (OPS new/delete
    or new[]/delete[], each alignment a number or default-aligned); any of them may end with "errors N"."""
    e = {}
    if len(w) >= 2 and w[-2] == "errors":
        e["errors"] = int(w[-1])
        w = w[:-2]
    if w and w[-1] == "precise":
        e["precise"] = True
        w = w[:-1]
    try:
        if w in (["clean"], ["leak"]) or w == ["free", "nonheap"]:
            e["kind"] = w[0]
            if w[-1] == "nonheap":
                e["relation"] = "nonheap"
        elif w[0] in ("read", "write") and len(w) == 7 and w[2] == "at":
            e.update(kind=w[0], size=int(w[1]), offset=int(w[3]), relation=w[4], bsize=int(w[5]), state=w[6])
        elif w[0] in ("free", "mismatch") and len(w) == 6 and w[1] == "at" and w[3] == "inside":
            e.update(kind=w[0], offset=int(w[2]), relation="inside", bsize=int(w[4]), state=w[5])
            if w[0] == "mismatch" and w[5] != "alloc'd":  # a mismatched free is of a live block
                raise ValueError
        elif w[0] == "sizemismatch" and len(w) == 7 and w[2] == "at" and w[4] == "inside" and w[6] == "alloc'd":
            e.update(kind=w[0], size=int(w[1]), offset=int(w[3]), relation="inside", bsize=int(w[5]), state=w[6])
        elif w[0] == "alignmismatch" and len(w) == 9 and w[1] in ("new/delete", "new[]/delete[]") and \
                all(a == "default-aligned" or a.isdigit() for a in w[2:4]) and w[4] == "at" and w[6] == "inside" \
                and w[8] == "alloc'd":
            e.update(kind=w[0], what=f"Mismatched {w[1]} alignment alloc value: {w[2]} dealloc value: {w[3]}",
                     offset=int(w[5]), relation="inside", bsize=int(w[7]), state=w[8])
        else:
            raise ValueError
        if e.get("relation", "nonheap") not in ("after", "before", "inside", "nonheap") or \
                e.get("state", "alloc'd") not in ("alloc'd", "free'd"):
            raise ValueError
    except (ValueError, IndexError):
        raise Spec("malformed '// expect: " + " ".join(w) + "'")
    if e.get("precise") and e["kind"] not in ("read", "write"):
        raise Spec("'precise' is for reads and writes")
    return e


# --- the report ------------------------------------------------------------------------------

def num(s):
    return int(s.replace(",", ""))


FRAME = re.compile(r"^\s+(at|by) 0x[0-9A-Fa-f]+: (.*) \(([^()]*)\)$")
KIND = re.compile(r"^Invalid (read|write) of size (\d+)$|^Invalid (free)\(\) / delete / delete\[\] / realloc\(\)$"
                  r"|^(Mismatched) free\(\) / delete / delete \[\]$|^Mismatched new/delete size value: (\d+)$"
                  r"|^(Mismatched (?:new/delete|new\[\]/delete\[\]) alignment alloc value: \S+ dealloc value: \S+)$")
# each error kind's first line, as memcheck words it (the free and mismatch ones have no size)
ERROR_TITLE = {"free": "Invalid free() / delete / delete[] / realloc()",
               "mismatch": "Mismatched free() / delete / delete []"}
ERROR_KINDS = ("read", "write", "free", "mismatch", "sizemismatch", "alignmismatch")
CALL_KINDS = ("free", "mismatch", "sizemismatch", "alignmismatch")  # errors of a call (frame 0 is the allocator's)


def title(ev):
    """An error's first line, as memcheck words it."""
    if ev["kind"] == "sizemismatch":
        return f"Mismatched new/delete size value: {ev['size']}"
    if ev["kind"] == "alignmismatch":
        return ev["what"]
    return ERROR_TITLE.get(ev["kind"]) or f"Invalid {ev['kind']} of size {ev['size']}"
ADDR = re.compile(r"^\s*Address 0x[0-9A-Fa-f]+ (.*)$")
BLOCK = re.compile(r"^is ([\d,]+) bytes (after|before|inside) a block of size ([\d,]+) (alloc'd|free'd)$")
NONHEAP = re.compile(r"^is not stack'd, malloc'd or \(recently\) free'd$|^is on thread \d+'s stack$"
                     r"|^is [\d,]+ bytes inside data symbol \".*\"$")
LEAK = re.compile(r"^([\d,]+) (?:\(([\d,]+) direct, ([\d,]+) indirect\) )?bytes in ([\d,]+) blocks are "
                  r"(definitely|indirectly|possibly) lost in loss record [\d,]+ of [\d,]+$")
SUMMARY = re.compile(r"^\s*(definitely lost|indirectly lost|possibly lost|still reachable): "
                     r"([\d,]+) bytes in ([\d,]+) blocks$")
ERRSUM = re.compile(r"^ERROR SUMMARY: ([\d,]+) errors from ([\d,]+) contexts")
LEAKWORD = {"definitely": "definite", "indirectly": "indirect", "possibly": "possible"}
ADVERB = {v: k for k, v in LEAKWORD.items()}


def parse_report(err):
    """The "==PID== " lines of stderr, read into errors, leak records and the two summaries."""
    lines, pids = [], set()
    for l in err.splitlines():
        m = re.match(r"^==(\d+)== ?(.*)$", l)
        if m:
            pids.add(m.group(1))
            lines.append(m.group(2))
    rep = {"lines": lines, "pids": pids, "errors": [], "leaks": [], "summary": None, "errsum": None}
    i = 0

    def stack(i):
        frames = []
        while i < len(lines):
            m = FRAME.match(lines[i])
            if m:
                frames.append({"fn": m.group(2), "loc": m.group(3)})
            elif not re.match(r"^\s+in frame #", lines[i]):  # valgrind's note under a stack address
                break
            i += 1
        return frames, i

    while i < len(lines):
        l = lines[i]
        m = KIND.match(l)
        if m:
            ev = {"kind": m.group(1) or m.group(3) or ("mismatch" if m.group(4) else "sizemismatch" if m.group(5)
                                                       else "alignmismatch"),
                  "size": int(m.group(2) or m.group(5)) if m.group(2) or m.group(5) else None, "what": m.group(6)}
            ev["stack"], i = stack(i + 1)
            if i < len(lines) and ADDR.match(lines[i]):
                ev["address"] = ADDR.match(lines[i]).group(1)
                ev["stack2"], i = stack(i + 1)
                if i < len(lines) and re.match(r"^\s*Block was alloc'd at$", lines[i]):
                    ev["stack3"], i = stack(i + 1)
            rep["errors"].append(ev)
            continue
        m = LEAK.match(l)
        if m:
            lk = {"kind": LEAKWORD[m.group(5)], "bytes": num(m.group(2) or m.group(1)), "blocks": num(m.group(4))}
            lk["stack"], i = stack(i + 1)
            rep["leaks"].append(lk)
            continue
        if re.match(r"^\s*LEAK SUMMARY:$", l):
            rep["summary"] = {}
            i += 1
            while i < len(lines) and SUMMARY.match(lines[i]):
                m = SUMMARY.match(lines[i])
                rep["summary"][m.group(1).split()[0 if m.group(1) != "still reachable" else 1]] = \
                    (num(m.group(2)), num(m.group(3)))
                i += 1
            continue
        m = ERRSUM.match(l)
        if m:
            rep["errsum"] = (num(m.group(1)), num(m.group(2)))
        i += 1
    return rep


def src_line(frames, base):
    """The line of the first frame in the test's own source (basename BASE), or None."""
    for f in frames or ():
        m = re.match(r"^(?:.*/)?" + re.escape(base) + r":(\d+)$", f["loc"])
        if m:
            return int(m.group(1))
    return None


def loc(line, base):
    return f"{base}:{line}" if line is not None else f"not in {base}"


def show(frames):
    return " / ".join(f"{f['fn']} ({f['loc']})" for f in (frames or [])[:4]) or "no frames"


# --- the judgement ---------------------------------------------------------------------------

def check_error(e, ann, ev, base, bad):
    mk = ann["markers"]
    want_kind, got_kind = title(e), title(ev)
    if got_kind != want_kind:
        bad.append(f"first error is '{got_kind}', expected '{want_kind}'")
    # a read or write faults in the test's own code: frame 0 itself (a free's frame 0 is free, or
    # delete, or realloc)
    call = ev["kind"] in CALL_KINDS
    where = src_line(ev["stack"] if call else ev["stack"][:1], base)
    if where != mk["access"]:
        bad.append(f"error stack's {'first frame in the source' if call else 'frame 0'} is "
                   f"{loc(where, base)}, expected {base}:{mk['access']} (@access) [{show(ev['stack'])}]")
    addr = ev.get("address")
    if addr is None:
        bad.append("no ' Address 0x...' line after the error's stack")
        return
    if e["relation"] == "nonheap":
        if not NONHEAP.match(addr):
            bad.append(f"address '{addr}', expected one that is not in a heap block")
        return
    m = BLOCK.match(addr)
    if not m:
        bad.append(f"address '{addr}', expected 'is {e['offset']} bytes {e['relation']} a block of size "
                   f"{e['bsize']} {e['state']}'")
        return
    got = (num(m.group(1)), m.group(2), num(m.group(3)), m.group(4))
    want = (e["offset"], e["relation"], e["bsize"], e["state"])
    if got != want:
        bad.append("address is '%d bytes %s a block of size %d %s', expected '%d bytes %s a block of size %d %s'"
                   % (got + want))
    if e["state"] == "free'd":
        fl = src_line(ev.get("stack2"), base)
        if fl != mk["free"]:
            bad.append(f"free stack's first frame in the source is {loc(fl, base)}, expected {base}:{mk['free']} "
                       f"(@free) [{show(ev.get('stack2'))}]")
        if "stack3" not in ev:
            bad.append("no \" Block was alloc'd at\" stack after the free stack")
        alloc = ev.get("stack3")
    else:
        alloc = ev.get("stack2")
    al = src_line(alloc, base)
    if al != mk["alloc"]:
        bad.append(f"alloc stack's first frame in the source is {loc(al, base)}, expected {base}:{mk['alloc']} "
                   f"(@alloc) [{show(alloc)}]")


def check_leaks(ann, rep, base, bad):
    want = [l for l in ann["leaks"] if l["kind"] != "reachable"]
    got = list(rep["leaks"])
    for w in want:
        hit = [g for g in got if (g["kind"], g["bytes"], g["blocks"]) == (w["kind"], w["bytes"], w["blocks"])]
        at = [g for g in hit if src_line(g["stack"], base) == w["line"]]
        if at:
            got.remove(at[0])
        elif hit:
            bad.append(f"leak record '{w['bytes']} bytes in {w['blocks']} blocks {w['kind']}': its first frame in "
                       f"the source is {loc(src_line(hit[0]['stack'], base), base)}, expected {base}:{w['line']} "
                       f"[{show(hit[0]['stack'])}]")
            got.remove(hit[0])
        else:
            bad.append(f"no leak record '{w['bytes']} bytes in {w['blocks']} blocks are {ADVERB[w['kind']]} lost' "
                       f"({base}:{w['line']})")
    for g in got:
        bad.append(f"unexpected leak record: {g['bytes']} bytes in {g['blocks']} blocks {g['kind']} "
                   f"[{show(g['stack'])}]")
    s = rep["summary"]
    sums = {k: (sum(l["bytes"] for l in ann["leaks"] if l["kind"] == k),
                sum(l["blocks"] for l in ann["leaks"] if l["kind"] == k))
            for k in ("definite", "indirect", "possible", "reachable")}
    if s is None:
        if any(sums[k] != (0, 0) for k in ("definite", "indirect", "possible")):
            bad.append("no LEAK SUMMARY")
        return
    for k, label in (("definite", "definitely"), ("indirect", "indirectly"), ("possible", "possibly")):
        if s.get(label) != sums[k]:
            bad.append(f"LEAK SUMMARY {label} lost: {s.get(label)}, expected {sums[k]} (bytes, blocks)")
    r = s.get("reachable")
    # libc's own blocks (stdio buffers) may be reachable too: at least the program's
    if r is None or r[0] < sums["reachable"][0] or r[1] < sums["reachable"][1]:
        bad.append(f"LEAK SUMMARY still reachable: {r}, expected at least {sums['reachable']}")


def judge(ann, native, run, precise, override, base):
    e = ann["expect"]
    bad = []
    if run["out"] != native["out"]:
        bad.append(f"stdout differs from the native run's ({len(run['out'])} vs {len(native['out'])} bytes)")
    clean = e["kind"] == "clean" or override == "clean"
    rep = parse_report(run["err"])
    note = ""
    if not clean and e.get("precise") and precise == "optional" and not rep["errors"] and e["errors"] == 1:
        clean, note = True, "no report (allowed on this backend: the bug stays inside its block's page)"
    if clean:
        if run["err"] != native["err"]:
            added = [l for l in run["err"].splitlines() if l not in native["err"].splitlines()]
            bad.append(f"stderr differs from the native run's; added: {' | '.join(added[:4])[:300]}")
        if run["status"] != native["status"]:
            bad.append(f"exit status {run['status']}, the native run's {native['status']}")
        return bad, note
    want_status = int(override[5:]) if override and override.startswith("exit=") else 99
    # a program that dies of a signal after losing blocks dies so under the checker too (its leaks
    # reported first): the status stays the signal's
    if not override and e["kind"] == "leak" and int(native["status"]) > 128:
        want_status = int(native["status"])
    if run["status"] != str(want_status):
        bad.append(f"exit status {run['status']}, expected {want_status}")
    if len(rep["pids"]) > 1:
        bad.append(f"report lines from several pids {sorted(rep['pids'])}")
    if e["kind"] in ERROR_KINDS:
        if not rep["errors"]:
            bad.append(f"no error reported (expected '{title(e)}')")
        else:
            if e.get("precise") and precise == "optional":
                note = "reported (byte-precise case)"
            check_error(e, ann, rep["errors"][0], base, bad)
    elif rep["errors"]:
        ev = rep["errors"][0]
        bad.append(f"unexpected error '{title(ev)}' [{show(ev['stack'])}]")
    check_leaks(ann, rep, base, bad)
    if rep["errsum"] is None:
        bad.append("no ERROR SUMMARY line")
    elif rep["errsum"] != (e["errors"], e["errors"]):
        bad.append(f"ERROR SUMMARY: {rep['errsum'][0]} errors from {rep['errsum'][1]} contexts, expected "
                   f"{e['errors']} from {e['errors']}")
    return bad, note


def bump(m, g=1):
    """The match M with its group G's number plus one."""
    s = m.group(0)
    a, b = m.start(g) - m.start(0), m.end(g) - m.start(0)
    return s[:a] + str(num(m.group(g)) + 1) + s[b:]


# name -> (field, pattern, replacement, count): one detail of a right report made wrong
MUTANTS = {
    "lines off by one": ("err", r"(?<![\w.])(SRC):(\d+)\)", lambda m: f"{m.group(1)}:{int(m.group(2)) + 1})", 0),
    "access size": ("err", r"Invalid (?:read|write) of size (\d+)|Mismatched new/delete size value: (\d+)",
                    lambda m: bump(m, 1 if m.group(1) else 2), 1),
    "free kind": ("err", r"^(==\d+== )(Invalid free\(\) / delete / delete\[\] / realloc\(\)|Mismatched free\(\) / "
                  r"delete / delete \[\])$", lambda m: m.group(1) + (ERROR_TITLE["free"] if m.group(2).startswith("M")
                                                               else ERROR_TITLE["mismatch"]), 1),
    "offset": ("err", r"Address 0x[0-9A-Fa-f]+ is ([\d,]+) bytes (?:after|before|inside) a block", bump, 1),
    "block size": ("err", r"a block of size ([\d,]+)", bump, 1),
    "block state": ("err", r"(?<=of size )([\d,]+) (alloc'd|free'd)",
                    lambda m: m.group(1) + (" free'd" if m.group(2) == "alloc'd" else " alloc'd"), 1),
    "address kind": ("err", r"is not stack'd, malloc'd or \(recently\) free'd|is on thread \d+'s stack|"
                     r"is [\d,]+ bytes inside data symbol \".*\"", lambda m: "is 0 bytes inside a block of size 8 free'd", 1),
    "leak bytes": ("err", r"^(==\d+== )([\d,]+)( (?:\(.*\) )?bytes in)", lambda m: m.group(1) + str(num(m.group(2)) + 1) + m.group(3), 1),
    "leak kind": ("err", r"are (definitely|indirectly|possibly) lost",
                  lambda m: "are " + {"definitely": "possibly", "indirectly": "definitely", "possibly": "indirectly"}[m.group(1)] + " lost", 1),
    "definitely lost total": ("err", r"definitely lost: ([\d,]+) bytes", bump, 1),
    "error count": ("err", r"ERROR SUMMARY: ([\d,]+) errors", bump, 1),
    "exit status": ("status", r"^(\d+)$", lambda m: "0" if m.group(1) != "0" else "1", 1),
    "stdout": ("out", r"\A", lambda m: "extra line\n", 1),
    "stderr line": ("err", r"\A", lambda m: "==1== Invalid read of size 1\n", 1),
}


def mutants(ann, native, run, precise, override, base):
    """The names of the mutants of RUN that the judgement accepts (none, for a sharp test)."""
    accepted = []
    for name, (field, pat, repl, count) in MUTANTS.items():
        pat = pat.replace("SRC", re.escape(base))
        text = re.sub(pat, repl, run[field], count=count, flags=re.M)
        if text == run[field]:
            continue  # does not apply to this report
        bad, _ = judge(ann, native, dict(run, **{field: text}), precise, override, base)
        if not bad:
            accepted.append(name)
    return accepted


def read_run(d):
    def rd(f):
        try:
            return open(os.path.join(d, f), encoding="utf-8", errors="replace").read()
        except FileNotFoundError:
            return ""
    return {"out": rd("out"), "err": rd("err"), "status": rd("status").strip()}


def main(argv):
    args, precise, override, selftest = [], "required", None, False
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--precise":
            precise, i = argv[i + 1], i + 2
        elif a == "--expect":
            override, i = argv[i + 1], i + 2
        elif a == "--mutants":
            selftest, i = True, i + 1
        else:
            args.append(a)
            i += 1
    if len(args) != 3 or precise not in ("required", "optional"):
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    src, native_dir, run_dir = args
    base = os.path.basename(src)
    try:
        ann = parse_source(src)
    except Spec as x:
        print(f"bad annotation in {base}: {x}")
        return 1
    native, run = read_run(native_dir), read_run(run_dir)
    bad, note = judge(ann, native, run, precise, override, base)
    if bad:
        print("; ".join(bad))
        return 1
    if selftest:
        acc = mutants(ann, native, run, precise, override, base)
        if acc:
            print("a copy of the report with one detail wrong was accepted: " + ", ".join(acc))
            return 1
    print("ok" + (": " + note if note else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
