#!/usr/bin/env bash
# docs/tutorial.md stays true: every ```console block is run, in order, in one
# bash session, and each command's output (stdout and stderr merged) must be
# exactly the output written under it.  A mismatch prints a unified diff.
#
# The session is a sandbox: HOME is "$TMP/home", `plainsight` on PATH is a
# link to the binary under test, the working directory holds a copy of
# fixtures/vtech, and the tutorial's own directory /tmp/vtech-tutorial is
# moved under $TMP (in the commands, and back in their output), so the test
# never writes outside $TMP.  The only other normalisation is the place of
# the rule pack that `rules explain` prints (it depends on where plainsight
# is installed, and line numbers move when rules are added).
#
# To refresh the tutorial after a deliberate change of output:
#   TUTORIAL_ACTUAL=/tmp/tutorial.md make check TESTS=tests/e2e/tutorial.sh
# writes the tutorial with the outputs this run saw; review it, then copy it.
#
# The full fixtures are protected once here (about 11k argon2id hashes): this
# test takes minutes.
. "$(dirname "$0")/lib.sh"
skip_if_slow

tutorial="$top_srcdir/docs/tutorial.md"
[ -f "$tutorial" ] || { fail "no $tutorial"; finish; }

# What the tutorial's commands use besides plainsight.
for tool in sqlite3 awk cmp cut dd diff grep od sed stat; do
  command -v "$tool" >/dev/null || fail "$tool is missing: the tutorial uses it (sqlite3: apt-get install sqlite3)"
done
[ "$failures" -eq 0 ] || finish

case $PLAINSIGHT in
  /*) bin=$PLAINSIGHT ;;
  *) bin=$PWD/$PLAINSIGHT ;;
esac

mkdir -p "$TMP/work" "$TMP/home" "$TMP/bin" "$TMP/out"
fixture_copy "$TMP/work/fixtures/vtech"
ln -s "$bin" "$TMP/bin/plainsight"

cat > "$TMP/tutorial.py" <<'PY'
"""Extract, run and check the console blocks of a Markdown tutorial."""
import difflib, os, re, subprocess, sys

tutorial, tmp, actual_path = sys.argv[1], sys.argv[2], sys.argv[3]
DOC_DIR = "/tmp/vtech-tutorial"
sandbox_dir = os.path.join(tmp, "vtech-tutorial")
out_dir = os.path.join(tmp, "out")

if not re.fullmatch(r"[A-Za-z0-9_./-]+", sandbox_dir):
    print("FAIL: the sandbox path %r needs quoting; set TMPDIR to a plain path" % sandbox_dir)
    sys.exit(1)

with open(tutorial, encoding="utf-8") as f:
    lines = f.read().split("\n")

# steps: [command, [expected output lines], first line (1-based), index of
# the first output line in `lines`, number of output lines]
steps, in_console, in_other, cur = [], False, False, None
for i, line in enumerate(lines):
    fence = re.match(r"^```(.*)$", line)
    if fence and not (in_console or in_other):
        in_console = fence.group(1).strip() == "console"
        in_other = not in_console
        continue
    if fence:
        in_console = in_other = False
        cur = None
        continue
    if not in_console:
        continue
    if cur is not None and cur["open"]:
        # a continuation line of the command above
        cur["cmd"] += "\n" + line
        cur["open"] = line.endswith("\\")
        cur["out_at"] = i + 1
        continue
    if line.startswith("$ "):
        cur = {"cmd": line[2:], "open": line.endswith("\\"), "line": i + 1,
               "out_at": i + 1, "out": []}
        steps.append(cur)
    elif cur is None:
        print("FAIL: %s:%d: console block does not start with a `$ ` command" % (tutorial, i + 1))
        sys.exit(1)
    else:
        cur["out"].append(line)

if in_console or in_other:
    print("FAIL: %s: a fenced block is not closed" % tutorial)
    sys.exit(1)

# The steps the tutorial promises; a rewrite must not lose one silently.
needed = ["plainsight scan", "plainsight rules explain", "plainsight keygen",
          "plainsight protect", "plainsight verify", "plainsight unprotect"]
every = "\n".join(s["cmd"] for s in steps)
missing = [n for n in needed if n not in every]
if missing:
    print("FAIL: the tutorial no longer runs: " + ", ".join(missing))
    sys.exit(1)

# One bash script, so cd and variables carry from one command to the next.
script = ["cd " + os.path.join(tmp, "work")]
for n, s in enumerate(steps):
    cmd = s["cmd"].replace(DOC_DIR, sandbox_dir)
    if "/tmp/" in cmd.replace(tmp, ""):
        print("FAIL: %s:%d: a command uses /tmp outside %s: %s"
              % (tutorial, s["line"], DOC_DIR, s["cmd"]))
        sys.exit(1)
    script.append("{ %s\n} >%s/%d 2>&1 </dev/null" % (cmd, out_dir, n))
env = {
    "HOME": os.path.join(tmp, "home"),
    "PATH": os.path.join(tmp, "bin") + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
    "LC_ALL": "C",
    "NO_COLOR": "1",
    "TERM": "dumb",
    "TMPDIR": tmp,
}
with open(os.path.join(tmp, "session.sh"), "w") as f:
    f.write("umask 022\n" + "\n".join(script) + "\n")
subprocess.run(["bash", "--noprofile", "--norc", os.path.join(tmp, "session.sh")], env=env)

# What may vary between machines, made equal on both sides.
PACK = re.compile(r"(pack: \S+ \()[^()]*/([^/()]+\.ya?ml):\d+\)")

def norm(text):
    return [PACK.sub(r"\1RULES/\2:LINE)", l) for l in text]

failures = 0
for n, s in enumerate(steps):
    try:
        with open(os.path.join(out_dir, str(n)), encoding="utf-8", errors="replace") as f:
            got = f.read()
    except OSError:
        got = "(the session stopped before this command)\n"
    got = got.replace(sandbox_dir, DOC_DIR).replace(tmp, "$TMPDIR")
    got_lines = got[:-1].split("\n") if got.endswith("\n") else got.split("\n")
    if got == "":
        got_lines = []
    s["got"] = got_lines
    if norm(got_lines) != norm(s["out"]):
        failures += 1
        print("FAIL: %s:%d: $ %s" % (os.path.basename(tutorial), s["line"], s["cmd"]))
        sys.stdout.writelines(difflib.unified_diff(
            [l + "\n" for l in s["out"]], [l + "\n" for l in got_lines],
            "documented", "actual"))
    else:
        print("ok: %s:%d: $ %s" % (os.path.basename(tutorial), s["line"], s["cmd"].split("\n")[0]))

if actual_path:
    # The tutorial with the outputs seen, for review: documented text is kept
    # where it only differs by what norm() ignores.
    new = list(lines)
    for s in reversed(steps):
        keep = norm(s["got"]) == norm(s["out"])
        new[s["out_at"]:s["out_at"] + len(s["out"])] = s["out"] if keep else s["got"]
    with open(actual_path, "w", encoding="utf-8") as f:
        f.write("\n".join(new))
    print("wrote the tutorial with this run's outputs to " + actual_path)

print("%d commands, %d mismatches" % (len(steps), failures))
sys.exit(1 if failures else 0)
PY

if "$PYTHON" "$TMP/tutorial.py" "$tutorial" "$TMP" "${TUTORIAL_ACTUAL:-}"; then
  pass "docs/tutorial.md: every command gives the output it shows"
else
  fail "docs/tutorial.md does not run as written (see above)"
fi
finish
