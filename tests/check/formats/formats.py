#!/usr/bin/python3
"""formats.py: buffervm check's machine-readable reports of one run, read by real parsers and held
against each other and against valgrind's XML of the same program:

  formats.py --prog EXE --xml X [--valgrind VG.xml] [--json J --schema S] [--sarif F --sarif-schema S]
             [--log LOG --stderr ERR]

- XML (xml.etree): valgrind's protocol 4 layout (protocolversion, protocoltool, pid, ppid, tool, args
  with the program's argv, a RUNNING and a FINISHED status, errors, errorcounts, suppcounts); with
  --valgrind, error for error against memcheck's: kind, what, auxwhat (addresses aside), and the frames
  in the program's own file (fn, dir, file, line; the allocator's own frames differ by design: valgrind
  replaces it with its own); the errorcounts; for each definitely lost record of memcheck's, one of ours
  with the same blocks and program frames (memcheck folds indirect bytes into it, we list them apart).
- JSON (json + jsonschema): valid against the repo's schema, and the same errors and leaks as the XML.
- SARIF (jsonschema against the official SARIF 2.1.0 schema): a result per error and leak, its rule
  the error's kind, located at the first frame with a source line outside the allocator.
- --log-file's text: the same lines as the plain run's stderr (pids aside), and nothing on its stderr.
Prints "ok: ..." or the differences; exit status 1 on a difference.
"""
import argparse
import json
import re
import sys
import xml.etree.ElementTree as ET

ADDR = re.compile(r"0x[0-9a-fA-F]+")
ALLOCATOR = re.compile(r"^(malloc|free|calloc|realloc|reallocarray|memalign|posix_memalign|aligned_alloc|"
                       r"valloc|pvalloc|operator new.*|operator delete.*)$")
problems = []


def fail(msg):
    problems.append(msg)


def frames(stack, prog):
    """The frames of an XML <stack> in the program's own file: (fn, dir, file, line)."""
    out = []
    for f in stack.findall("frame"):
        if f.findtext("obj") == prog:
            out.append((f.findtext("fn"), f.findtext("dir"), f.findtext("file"), f.findtext("line")))
    return out


def xml_errors(root, prog):
    errs = []
    for e in root.findall("error"):
        kind = e.findtext("kind")
        stacks = e.findall("stack")
        errs.append({
            "unique": int(e.findtext("unique"), 16), "kind": kind, "tid": e.findtext("tid"),
            "what": e.findtext("what") if e.find("what") is not None else e.findtext("xwhat/text"),
            "aux": [a.text for a in e.findall("auxwhat")],
            "stacks": [frames(s, prog) for s in stacks],
            "blocks": e.findtext("xwhat/leakedblocks"), "bytes": e.findtext("xwhat/leakedbytes"),
        })
    return errs


def check_layout(root, prog, args):
    if root.tag != "valgrindoutput":
        fail(f"root element {root.tag}")
    for tag, want in (("protocolversion", "4"), ("protocoltool", "memcheck"), ("tool", "memcheck")):
        if root.findtext(tag) != want:
            fail(f"<{tag}> is {root.findtext(tag)!r}, not {want!r}")
    for tag in ("pid", "ppid"):
        if not (root.findtext(tag) or "").isdigit():
            fail(f"<{tag}> missing")
    if root.findtext("args/argv/exe") != prog:
        fail(f"<args><argv><exe> is {root.findtext('args/argv/exe')!r}")
    states = [s.findtext("state") for s in root.findall("status")]
    if states != ["RUNNING", "FINISHED"]:
        fail(f"status states {states}")
    for tag in ("errorcounts", "suppcounts"):
        if root.find(tag) is None:
            fail(f"no <{tag}>")
    # the order memcheck writes: FINISHED before the loss records, the counts last
    order = [c.tag for c in root]
    fin = [i for i, c in enumerate(root) if c.tag == "status"][-1:]
    leaks = [i for i, c in enumerate(root) if c.tag == "error" and c.findtext("kind").startswith("Leak_")]
    if fin and leaks and min(leaks) < fin[0]:
        fail("a loss record before the FINISHED status")
    if order[-2:] != ["errorcounts", "suppcounts"]:
        fail(f"the document ends with {order[-2:]}")
    counts = {int(p.findtext("unique"), 16): int(p.findtext("count")) for p in root.findall("errorcounts/pair")}
    return counts


def against_valgrind(ours, ours_counts, vg_root, prog):
    vg = xml_errors(vg_root, prog)
    vg_counts = {int(p.findtext("unique"), 16): int(p.findtext("count")) for p in vg_root.findall("errorcounts/pair")}
    a = [e for e in ours if not e["kind"].startswith("Leak_")]
    b = [e for e in vg if not e["kind"].startswith("Leak_")]
    if len(a) != len(b):
        fail(f"{len(a)} error contexts, valgrind {len(b)}")
    for x, y in zip(a, b):
        if x["kind"] != y["kind"] or x["what"] != y["what"] or x["tid"] != y["tid"]:
            fail(f"error {x['kind']} {x['what']!r} in thread {x['tid']}, valgrind {y['kind']} {y['what']!r} in {y['tid']}")
        if [ADDR.sub("0x?", t) for t in x["aux"]] != [ADDR.sub("0x?", t) for t in y["aux"]]:
            fail(f"auxwhat {x['aux']}, valgrind {y['aux']}")
        if x["stacks"] != y["stacks"]:
            fail(f"{x['kind']}: the program's frames {x['stacks']}, valgrind {y['stacks']}")
        if ours_counts.get(x["unique"]) != vg_counts.get(y["unique"]):
            fail(f"{x['kind']}: count {ours_counts.get(x['unique'])}, valgrind {vg_counts.get(y['unique'])}")
    mine = [(e["blocks"], e["stacks"]) for e in ours if e["kind"] == "Leak_DefinitelyLost"]
    for e in vg:
        if e["kind"] == "Leak_DefinitelyLost" and (e["blocks"], e["stacks"]) not in mine:
            fail(f"valgrind's definitely lost record {e['what']!r} {e['stacks']} has no match in {mine}")
    return len(b)


def json_frames(stack, prog):
    return [(f.get("function"), f.get("dir"), f.get("file"), str(f["line"]) if "line" in f else None)
            for f in stack if f.get("object") == prog]


def check_json(path, schema_path, xml_errs, prog):
    import jsonschema
    doc = json.load(open(path))
    jsonschema.validate(doc, json.load(open(schema_path)))
    got = doc["errors"] + doc["leaks"]
    if len(got) != len(xml_errs):
        fail(f"JSON has {len(got)} errors and leaks, the XML {len(xml_errs)}")
    for j, x in zip(got, xml_errs):
        stacks = [json_frames(j["stack"], prog)] + [json_frames(a["stack"], prog) for a in j["aux"] if a["stack"]]
        if (j["unique"], str(j["thread"]), j["kind"], j["what"], [a["what"] for a in j["aux"]]) != \
                (x["unique"], x["tid"], x["kind"], x["what"], x["aux"]):
            fail(f"JSON error {j['unique']} {j['kind']} {j['what']!r} differs from the XML's {x['what']!r}")
        if stacks != x["stacks"]:
            fail(f"JSON stacks {stacks}, XML {x['stacks']}")
    counted = sum(j["count"] for j in doc["errors"])
    if doc["error_count"] < counted or doc["context_count"] < len(doc["errors"]) or \
            doc["error_count"] - counted != doc["context_count"] - len(doc["errors"]):
        fail(f"JSON counts {doc['error_count']} / {doc['context_count']}")


def check_sarif(path, schema_path, xml_root, prog):
    import jsonschema
    log = json.load(open(path))
    jsonschema.validate(log, json.load(open(schema_path)))
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    errs = xml_root.findall("error")
    results = run["results"]
    if len(results) != len(errs):
        fail(f"SARIF has {len(results)} results, the XML {len(errs)} errors")
    for r, e in zip(results, errs):
        if r["ruleId"] != e.findtext("kind") or rules[r["ruleIndex"]] != r["ruleId"]:
            fail(f"SARIF rule {r['ruleId']}, XML kind {e.findtext('kind')}")
        # where it is: the first frame with a source line that is not the allocator's
        want = None
        for f in e.find("stack").findall("frame"):
            if f.findtext("line") and not ALLOCATOR.match(f.findtext("fn") or ""):
                want = (f.findtext("file"), int(f.findtext("line")))
                break
        loc = r["locations"][0]["physicalLocation"] if r["locations"] else None
        got = (loc["artifactLocation"]["uri"].rsplit("/", 1)[-1], loc["region"]["startLine"]) if loc else None
        if got != want:
            fail(f"SARIF {r['ruleId']} located at {got}, the XML's first source frame {want}")


def check_log(log, err):
    strip = lambda text: [re.sub(r"^==\d+==", "==", l) for l in text.splitlines()]
    a, b = strip(open(log).read()), [l for l in strip(open(err).read()) if l.startswith("==")]
    if a != b:
        fail(f"--log-file has {len(a)} lines, stderr of a plain run {len(b)}: first differing "
             f"{next((x, y) for x, y in zip(a + [''], b + ['']) if x != y)}")


def main():
    p = argparse.ArgumentParser()
    for o in ("--prog", "--xml", "--valgrind", "--json", "--schema", "--sarif", "--sarif-schema", "--log", "--stderr", "--log-run-stderr"):
        p.add_argument(o)
    a = p.parse_args()
    root = ET.parse(a.xml).getroot()
    counts = check_layout(root, a.prog, a)
    errs = xml_errors(root, a.prog)
    n_vg = against_valgrind(errs, counts, ET.parse(a.valgrind).getroot(), a.prog) if a.valgrind else None
    if a.json:
        check_json(a.json, a.schema, errs, a.prog)
    if a.sarif:
        check_sarif(a.sarif, a.sarif_schema, root, a.prog)
    if a.log:
        check_log(a.log, a.stderr)
        if a.log_run_stderr and "==" in open(a.log_run_stderr).read():
            fail("the --log-file run still wrote its report on stderr")
    if problems:
        print("\n".join(problems))
        return 1
    leaks = sum(e["kind"].startswith("Leak_") for e in errs)
    print(f"ok: {len(errs) - leaks} errors, {leaks} leaks" + (f", as valgrind's {n_vg}" if n_vg is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
