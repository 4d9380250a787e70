"""Check one bad-input case's run against its `expect` file.

usage: python3 check.py EXPECT WORKDIR EXIT_CODE

WORKDIR holds what the runner captured: report.json (the JSON report, when
the scan got that far), report.<fmt> for every extra format the case asks
for, stderr, and time.txt (GNU time -v output) when the case bounds memory.
Prints one line per broken expectation and exits 1 if there is any, 0 if
the run is as expected.  The expect syntax is described in README.md here.
"""
import json, os, re, sys

SENTINEL = ("vtech.pii.email", "ok/app.log")


def parse(path):
    """The expect file as a dict of directive -> list of argument strings."""
    d = {}
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.startswith("known-failure:"):
                d.setdefault("known-failure", []).append(line.split(":", 1)[1].strip())
                continue
            key, _, rest = line.partition(" ")
            d.setdefault(key, []).append(rest.strip())
    return d


def split_pair(arg):
    """'PATH_RE :: MESSAGE_RE' -> (path_re, message_re)."""
    if " :: " not in arg:
        return arg, ".*"
    p, m = arg.split(" :: ", 1)
    return p.strip(), m.strip()


def unescape(s):
    return s.encode("ascii").decode("unicode_escape") if "\\" in s else s


def control_chars(data, allowed):
    return sorted({b for b in data if (b < 0x20 or b == 0x7f) and b not in allowed})


def check_format(fmt, path, problems):
    """Every output format must stay well-formed whatever the file names were."""
    data = open(path, "rb").read()
    if fmt in ("json", "sarif"):
        try:
            doc = json.loads(data)  # bytes: must also be valid UTF-8
        except ValueError as e:
            problems.append("%s report is not valid JSON: %s" % (fmt, e))
            return
        if fmt == "sarif" and (doc.get("version") != "2.1.0" or not doc.get("runs")):
            problems.append("sarif report lacks version 2.1.0 or runs")
    elif fmt == "ndjson":
        for i, line in enumerate(data.split(b"\n"), 1):
            if line.strip():
                try:
                    json.loads(line)
                except ValueError as e:
                    problems.append("ndjson line %d is not JSON: %s" % (i, e))
                    return
    elif fmt == "html":
        bad = control_chars(data, {0x09, 0x0a, 0x0d})
        if bad:
            problems.append("html report has raw control bytes %s" % bad)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append("html report is not UTF-8: %s" % e)
        if b"<script>alert(1)" in data:
            problems.append("html report has a file name's markup unescaped")
    elif fmt == "text":
        bad = control_chars(data, {0x09, 0x0a})
        if bad:
            problems.append("text report has raw control bytes %s" % bad)
    if b"\n" in data and fmt == "text":
        # A newline in a file name must not start a line of its own.
        for line in data.split(b"\n"):
            if line.startswith(b"INJECTED"):
                problems.append("text report: a file name broke a line (INJECTED at line start)")
                break


def main():
    expect, work, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
    d = parse(expect)
    problems = []

    want = d.get("exit", ["0 1 3"])[-1].split()
    if str(rc) not in want:
        problems.append("exit code %d, expected %s" % (rc, " or ".join(want)))

    err = open(os.path.join(work, "stderr"), "rb").read().decode("utf-8", "replace")
    # Sanitizer builds exit 1 on a report, which many cases allow: look.
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "WARNING: ThreadSanitizer"):
        if marker in err:
            problems.append("sanitizer report on stderr: %s" % marker)
    for rx in d.get("stderr", []):
        if not re.search(rx, err):
            problems.append("stderr does not match /%s/: %r" % (rx, err[:300]))

    rpath = os.path.join(work, "report.json")
    report = None
    if rc in (0, 1, 3):
        try:
            with open(rpath, "rb") as f:
                report = json.loads(f.read())
        except (OSError, ValueError) as e:
            problems.append("no valid JSON report: %s" % e)

    if report is not None:
        errors = report.get("errors", [])
        findings = report.get("findings", [])
        # Fail closed: errors and the exit code agree.
        if errors and rc == 0:
            problems.append("errors reported but exit 0")
        if errors and report.get("summary", {}).get("complete", True):
            problems.append("errors reported but summary.complete is true")
        required = [split_pair(a) for a in d.get("error", [])]
        optional = [split_pair(a) for a in d.get("error?", [])]
        for p, m in required:
            if not any(re.fullmatch(p, e.get("path", "")) and re.search(m, e.get("message", ""))
                       for e in errors):
                problems.append("no error entry matches path /%s/ message /%s/; errors: %s"
                                % (p, m, json.dumps(errors)[:400]))
        have = {(f.get("rule_id"), f.get("path")) for f in findings}
        # Paths may spell awkward bytes as \n, \t or \xNN (expect files are ASCII).
        tree = os.path.join(work, "tree")
        musts = [(r, unescape(p).replace("@TREE@", tree))
                 for r, p in (a.split(None, 1) for a in d.get("finding", []))]
        if "no-sentinel" not in d:
            where = d.get("sentinel", [SENTINEL[1]])[-1].replace("@TREE@", tree)
            musts.append((SENTINEL[0], where))
        for rule, path in musts:
            if (rule, path) not in have:
                problems.append("finding %s at %s missing (nothing lost)" % (rule, path))
        # Racy or undecided cases: reported, or named in errors; never silent.
        for a in d.get("finding-or-error", []):
            rule, path = a.split(None, 1)
            if (rule, path) not in have and not any(e.get("path") == path for e in errors):
                problems.append("%s at %s neither reported nor in errors" % (rule, path))
            optional.append((re.escape(path), ".*"))
        if "any-errors" not in d:
            for e in errors:
                if not any(re.fullmatch(p, e.get("path", "")) and re.search(m, e.get("message", ""))
                           for p, m in required + optional):
                    problems.append("unexpected error entry: %s" % json.dumps(e)[:300])
        for a in d.get("no-finding", []):
            rrx, prx = a.split(None, 1)
            hits = [f for f in findings if re.fullmatch(rrx, f.get("rule_id", ""))
                    and re.fullmatch(prx, f.get("path", ""))]
            if hits:
                problems.append("finding %s at %s must not be reported"
                                % (hits[0].get("rule_id"), hits[0].get("path")))
        for a in d.get("summary", []):
            key, op, val = a.split()
            got = report.get("summary", {}).get(key)
            ok = {"=": got == int(val), ">=": got is not None and got >= int(val),
                  "<=": got is not None and got <= int(val)}[op]
            if not ok:
                problems.append("summary.%s is %r, expected %s %s" % (key, got, op, val))

    for fmts in d.get("formats", []):
        for fmt in fmts.split():
            p = os.path.join(work, "report." + fmt)
            if not os.path.exists(p):
                problems.append("no %s report" % fmt)
            else:
                check_format(fmt, p, problems)

    # Sanitizer builds carry shadow memory: BAD_INPUTS_RSS_SCALE widens the bound.
    rss_scale = int(os.environ.get("BAD_INPUTS_RSS_SCALE", "1") or "1")
    for a in d.get("max-rss-kb", []) if os.access("/usr/bin/time", os.X_OK) else []:
        tpath = os.path.join(work, "time.txt")
        m = None
        if os.path.exists(tpath):
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(tpath).read())
        if m is None:
            problems.append("no peak RSS measured")
        elif int(m.group(1)) > int(a) * rss_scale:
            problems.append("peak RSS %s kB above %s kB" % (m.group(1), int(a) * rss_scale))

    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
