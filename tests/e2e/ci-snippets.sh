#!/usr/bin/env bash
# The CI snippets people copy must work: every ```yaml block of docs/ci.md
# and .pre-commit-hooks.yaml parses, the GitHub workflow, the GitLab job and
# the pre-commit hook have the shape their tools expect, and every
# `plainsight ...` command in them (and in the man page's examples) uses a
# subcommand and options that the built plainsight lists in its --help.
# So the docs cannot drift from the CLI.
. "$(dirname "$0")/lib.sh"

if ! "$PYTHON" -c 'import yaml' 2>/dev/null; then
  fail "PyYAML is missing: install python3-yaml (apt-get install python3-yaml) to run this test"
  finish
fi

cat > "$TMP/check.py" <<'PY'
import os, re, shlex, subprocess, sys
import yaml

top, plainsight = sys.argv[1], sys.argv[2]
failures = 0

def say(ok, msg):
    global failures
    print(("ok: " if ok else "FAIL: ") + msg)
    failures += 0 if ok else 1

def fences(path):
    """(language, text, first line) of every fenced block of a Markdown file."""
    blocks, lang, buf, start = [], None, [], 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = re.match(r"^```(.*)$", line.rstrip("\n"))
            if m and lang is None:
                lang, buf, start = m.group(1).strip(), [], n
                say(lang != "", "%s:%d: fenced block has a language tag" % (os.path.basename(path), n))
            elif m:
                blocks.append((lang, "".join(buf), start))
                lang = None
            elif lang is not None:
                buf.append(line)
    say(lang is None, "%s: every fenced block is closed" % os.path.basename(path))
    return blocks

def strings(node):
    """Every string scalar in a parsed YAML document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)

# A plainsight command: the word plainsight not inside a path or URL, then a word.
CMD = re.compile(r"(?<![\w./-])plainsight[ \t]+([a-z][\w-]*)([^\n;&|)]*)")

def commands_in(text):
    text = re.sub(r"\\\n", " ", text)  # shell line continuations
    return [(m.group(1), m.group(2)) for m in CMD.finditer(text)]

docs = {}
ci_md = os.path.join(top, "docs", "ci.md")
hooks_path = os.path.join(top, ".pre-commit-hooks.yaml")
commands = []  # (where, subcommand, rest)

for lang, text, line in fences(ci_md):
    where = "docs/ci.md:%d" % line
    if lang in ("yaml", "yml"):
        try:
            doc = yaml.safe_load(text)
            say(doc is not None, "%s: YAML block parses" % where)
            docs[where] = doc
            for s in strings(doc):
                commands += [(where, c, r) for c, r in commands_in(s)]
        except yaml.YAMLError as e:
            say(False, "%s: YAML block does not parse: %s" % (where, str(e).replace("\n", " ")))
    else:
        commands += [(where, c, r) for c, r in commands_in(text)]

with open(hooks_path, encoding="utf-8") as f:
    try:
        hooks = yaml.safe_load(f)
    except yaml.YAMLError as e:
        hooks = None
        say(False, ".pre-commit-hooks.yaml does not parse: %s" % str(e).replace("\n", " "))

# --- shapes ------------------------------------------------------------------
def out_of(rest, fmt):
    """The -o/--output file of a command line that writes --format fmt, or None."""
    try:
        argv = shlex.split(rest)
    except ValueError:
        argv = rest.split()
    formats = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("--format", "-f")]
    outs = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("-o", "--output")]
    return outs[0] if fmt in formats and outs else None

workflows = {w: d for w, d in docs.items()
             if isinstance(d, dict) and isinstance(d.get("jobs"), dict)}
say(len(workflows) >= 1, "docs/ci.md has a GitHub Actions workflow")
for where, wf in workflows.items():
    # YAML 1.1 reads the key `on` as the boolean true.
    say("on" in wf or True in wf, "%s: workflow has triggers (on:)" % where)
    for name, job in wf["jobs"].items():
        steps = job.get("steps") if isinstance(job, dict) else None
        say(isinstance(steps, list) and len(steps) > 0, "%s: job %s has a list of steps" % (where, name))
        if not isinstance(steps, list):
            continue
        say("runs-on" in job, "%s: job %s has runs-on" % (where, name))
        say(all(isinstance(s, dict) and (("uses" in s) != ("run" in s)) for s in steps),
            "%s: job %s: every step has exactly one of uses / run" % (where, name))
        uses = [s.get("uses", "") for s in steps if isinstance(s, dict)]
        say(any(u.startswith("actions/checkout@") for u in uses), "%s: job %s checks out" % (where, name))
        sarif_outs = [out_of(r, "sarif") for s in steps if isinstance(s, dict)
                      for c, r in commands_in(str(s.get("run", ""))) if c == "scan"]
        sarif_outs = [o for o in sarif_outs if o]
        say(len(sarif_outs) == 1, "%s: job %s writes one SARIF report" % (where, name))
        up = [s for s in steps if isinstance(s, dict)
              and s.get("uses", "").startswith("github/codeql-action/upload-sarif@v3")]
        say(len(up) == 1, "%s: job %s uploads with upload-sarif@v3" % (where, name))
        if up:
            say(str(up[0].get("if", "")).replace(" ", "") == "always()",
                "%s: upload-sarif runs with if: always()" % where)
            say(sarif_outs[:1] == [(up[0].get("with") or {}).get("sarif_file")],
                "%s: upload-sarif uploads the file the scan wrote (%s)" % (where, sarif_outs[:1]))
    perms = wf.get("permissions") or {}
    say(perms.get("security-events") == "write", "%s: workflow may write security events" % where)

gitlab = {w: d for w, d in docs.items() if isinstance(d, dict) and "jobs" not in d
          and any(isinstance(j, dict) and "script" in j for j in d.values())}
say(len(gitlab) >= 1, "docs/ci.md has a GitLab CI job")
for where, doc in gitlab.items():
    for name, job in doc.items():
        if not (isinstance(job, dict) and "script" in job):
            continue
        say(isinstance(job["script"], list) and all(isinstance(s, str) for s in job["script"]),
            "%s: job %s: script is a list of commands" % (where, name))
        art = job.get("artifacts") or {}
        outs = [out_of(r, "json") for s in job.get("script", []) for c, r in commands_in(s) if c == "scan"]
        outs = [o for o in outs if o]
        say(len(outs) == 1 and outs[0] in (art.get("paths") or []),
            "%s: job %s keeps its JSON report %s as an artefact" % (where, name, outs))
        say(art.get("when") == "always", "%s: job %s keeps artefacts when it fails" % (where, name))

hook_ids = set()
if hooks is not None:
    say(isinstance(hooks, list) and len(hooks) > 0, ".pre-commit-hooks.yaml is a list of hooks")
    for h in hooks if isinstance(hooks, list) else []:
        hid = h.get("id", "?") if isinstance(h, dict) else "?"
        hook_ids.add(hid)
        say(isinstance(h, dict) and all(k in h for k in ("id", "name", "entry", "language")),
            "hook %s has id, name, entry and language" % hid)
        if not isinstance(h, dict):
            continue
        say(h.get("language") == "system", "hook %s: language system" % hid)
        say(h.get("pass_filenames") is True, "hook %s: pass_filenames true" % hid)
        args = h.get("args") or []
        say(isinstance(args, list) and all(isinstance(a, str) for a in args), "hook %s: args is a list" % hid)
        line = " ".join([str(h.get("entry", ""))] + [shlex.quote(str(a)) for a in args])
        found = commands_in(line)
        say(len(found) == 1, "hook %s runs plainsight" % hid)
        commands += [(".pre-commit-hooks.yaml:" + hid, c, r) for c, r in found]

for where, doc in docs.items():
    if isinstance(doc, dict) and isinstance(doc.get("repos"), list):
        used = {h.get("id") for r in doc["repos"] for h in (r.get("hooks") or [])}
        say(bool(used) and used <= hook_ids,
            "%s: pre-commit config uses hooks that exist (%s)" % (where, ", ".join(sorted(map(str, used)))))

# The man page's examples are commands people copy too.
man = os.path.join(top, "docs", "plainsight.1")
if os.path.exists(man):
    with open(man, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if re.match(r"^(\.Dl )?\$ plainsight ", line):
                commands += [("docs/plainsight.1:%d" % n, c, r) for c, r in commands_in(line)]

# --- commands against the real CLI --------------------------------------------
def help_of(*args):
    p = subprocess.run([plainsight, *args, "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    return p.returncode, p.stdout

say(len(commands) >= 5, "found %d plainsight commands in the snippets" % len(commands))
rc, main_help = help_of()
say(rc == 0, "plainsight --help exits 0")
cache = {}
for where, sub, rest in commands:
    if not re.search(r"(?m)^\s+%s\b" % re.escape(sub), main_help):
        say(False, "%s: 'plainsight %s' is not a command in plainsight --help" % (where, sub))
        continue
    if sub not in cache:
        cache[sub] = help_of(sub)
    rc, text = cache[sub]
    if rc != 0:
        say(False, "%s: plainsight %s --help exits %d" % (where, sub, rc))
        continue
    try:
        argv = shlex.split(rest)
    except ValueError:
        argv = rest.split()
    # Commands with their own verbs (rules list / explain / test): the verb must be listed.
    verbs = set(re.findall(r"plainsight %s ([a-z]+)" % re.escape(sub), text))
    if verbs and argv and not argv[0].startswith("-"):
        say(argv[0] in verbs, "%s: plainsight %s %s is listed in its --help" % (where, sub, argv[0]))
    missing = [a.split("=", 1)[0] for a in argv
               if re.match(r"^--?[A-Za-z]", a)
               and not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(a.split("=", 1)[0]), text)]
    say(not missing, "%s: plainsight %s%s" % (where, sub,
        " uses options missing from its --help: " + " ".join(missing) if missing
        else ": every option is in its --help"))

sys.exit(1 if failures else 0)
PY

if "$PYTHON" "$TMP/check.py" "$top_srcdir" "$PLAINSIGHT"; then
  pass "CI snippets, hook and examples match the CLI"
else
  fail "CI snippets, hook or examples are out of date (see above)"
fi
finish
