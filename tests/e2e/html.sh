#!/usr/bin/env bash
# The HTML report of the fixtures: self-contained (nothing a browser would
# fetch), one chart bar and one table row per country of every impact store
# (the same stores and countries as the JSON report), no unredacted fixture
# value, byte-stable, and a page that a real browser renders: headless
# Chromium takes a screenshot (kept as tests/artifacts/html-report.png) that
# must not be blank, and its DOM must still hold the bars and rows.
. "$(dirname "$0")/lib.sh"

tree="$TMP/tree"
fixture_copy "$tree"
html="$TMP/report.html"

# --- the checker: one python3 script, several modes ---------------------------
cat > "$TMP/check.py" <<'PY'
import html as htmllib, json, os, struct, sys, zlib
from html.parser import HTMLParser

# Attributes that make a browser fetch or navigate; only in-page "#..." is allowed.
URL_ATTRS = {"src", "href", "xlink:href", "action", "formaction", "poster", "background",
             "data", "srcset", "ping", "manifest", "codebase", "cite", "longdesc"}
FETCH_TAGS = {"script", "link", "img", "iframe", "frame", "object", "embed", "audio",
              "video", "source", "track", "base", "form", "image", "use", "picture"}

class Page(HTMLParser):
    """The impact stores (bars and table rows per store) and anything external."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stores, self.external = [], []
        self.in_impact = self.in_tbody = self.in_style = False
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag in FETCH_TAGS:
            self.external.append("<%s>" % tag)
        for k, v in attrs:
            if k in URL_ATTRS and v is not None and not v.startswith("#"):
                self.external.append("%s=%r on <%s>" % (k, v, tag))
            if k == "style" and v and ("url(" in v or "@import" in v):
                self.external.append("style attribute with url()/@import")
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.external.append("meta refresh")
        if tag == "style":
            self.in_style = True
        if tag == "div" and "store" in classes:
            self.stores.append({"path": a.get("data-path"), "bars": [], "rows": []})
        elif tag == "g" and "bar" in classes and self.stores:
            self.stores[-1]["bars"].append(a.get("data-country"))
        elif tag == "table" and "impact" in classes:
            self.in_impact = True
        elif tag == "tbody" and self.in_impact:
            self.in_tbody = True
        elif tag == "td" and self.in_tbody and self.cell is None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        elif tag == "td" and isinstance(self.cell, str):
            self.stores[-1]["rows"].append(self.cell)
            self.cell = False  # only the first cell of a row: the country
        elif tag == "tr" and self.in_tbody:
            self.cell = None
        elif tag == "tbody":
            self.in_tbody = False
        elif tag == "table":
            self.in_impact = False

    def handle_data(self, data):
        if self.in_style and ("url(" in data or "@import" in data):
            self.external.append("url()/@import in <style>")
        if isinstance(self.cell, str):
            self.cell += data

def parse(path):
    p = Page()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    return p

def say(ok, msg):
    print(("ok: " if ok else "FAIL: ") + msg)

def impact_against_json(page, report_json, what):
    """Same stores, same countries in the same order, as bars and as table rows."""
    with open(report_json, encoding="utf-8") as f:
        stores = json.load(f).get("impact", [])
    say(len(page.stores) == len(stores),
        "%s: %d impact stores (JSON has %d)" % (what, len(page.stores), len(stores)))
    by_path = {s["path"]: s for s in page.stores}
    for s in stores:
        want = [c["country"] for c in s["by_country"]]
        got = by_path.get(s["path"])
        if got is None:
            say(False, "%s: store %s missing" % (what, s["path"]))
            continue
        say(got["bars"] == want, "%s: %s has %d chart bars for %d countries"
            % (what, s["path"], len(got["bars"]), len(want)))
        say(got["rows"] == want, "%s: %s has %d table rows for %d countries"
            % (what, s["path"], len(got["rows"]), len(want)))
    big = max([len(s["bars"]) for s in page.stores] or [0])
    say(big >= 10, "%s: the largest store has %d country bars (at least 10 expected)" % (what, big))

def mode_structure(report_html, report_json):
    page = parse(report_html)
    say(not page.external, "no external reference" +
        (": " + "; ".join(page.external[:5]) if page.external else ""))
    impact_against_json(page, report_json, "report")

def mode_dom(dom_html, report_json):
    impact_against_json(parse(dom_html), report_json, "chromium DOM")

def unfilter(line, prev, f, bpp):
    """Undo one PNG scanline filter (RFC 2083 section 6)."""
    if f == 1:
        for i in range(bpp, len(line)):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        for i in range(len(line)):
            line[i] = (line[i] + prev[i]) & 255
    elif f == 3:
        for i in range(len(line)):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
    elif f == 4:
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255

def mode_png(path, want_w, want_h):
    """Size from IHDR, then distinct colours of a pixel sample (every 8th row, 4th pixel)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        say(False, "screenshot is not a PNG")
        return
    pos, idat, ihdr = 8, [], None
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", data[pos + 8:pos + 21])
        elif kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + n])
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    say((w, h) == (int(want_w), int(want_h)), "screenshot is %dx%d" % (w, h))
    if depth != 8 or ctype not in (2, 6) or interlace:
        say(False, "unexpected PNG layout %r" % (ihdr,))
        return
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(b"".join(idat)), w * bpp
    prev, colours = bytearray(stride), set()
    for y in range(h):
        off = y * (stride + 1)
        line = bytearray(raw[off + 1:off + 1 + stride])
        unfilter(line, prev, raw[off], bpp)
        if y % 8 == 0:
            colours.update(bytes(line[x:x + 3]) for x in range(0, stride, bpp * 4))
        prev = line
    say(len(colours) > 10, "screenshot has %d distinct colours (more than 10 expected)" % len(colours))

if __name__ == "__main__":
    {"structure": mode_structure, "dom": mode_dom,
     "png": mode_png}[sys.argv[1]](*sys.argv[2:])
PY

# Run a check mode; its "ok:" and "FAIL:" lines become pass and fail.
pycheck() {
  local out line
  if ! out=$("$PYTHON" "$TMP/check.py" "$@" 2>&1); then
    fail "check $1 crashed: $(printf '%s\n' "$out" | tail -n 3)"
    return 0
  fi
  while IFS= read -r line; do
    case "$line" in
      "FAIL: "*) fail "${line#FAIL: }" ;;
      "ok: "*) pass "${line#ok: }" ;;
    esac
  done <<<"$out"
}

# --- the report --------------------------------------------------------------
run_ps 1 scan --format html -o "$html" -j 2 "$tree" && pass "html scan exits 1 (findings)" || true
run_ps 1 scan --format json -o "$TMP/report.json" "$tree" || true
[ -s "$html" ] || { fail "no HTML report written"; finish; }

head -c 15 "$html" | grep -q '^<!DOCTYPE html>' && pass "starts with <!DOCTYPE html>" || fail "no doctype"
tail -n 1 "$html" | grep -qx '</html>' && pass "ends with </html>" || fail "page not closed"
if grep -Eiq '(src|href|action|poster|srcset)[[:space:]]*=[[:space:]]*["'\'']?[[:space:]]*(https?:)?//' "$html"; then
  fail "a src/href points at another origin: $(grep -Eio '(src|href)=["'\'']?(https?:)?//[^ >]*' "$html" | head -3 | tr '\n' ' ')"
else
  pass "no src/href to http://, https:// or //"
fi
pycheck structure "$html" "$TMP/report.json"

# Same scan, other thread count: the same bytes.
run_ps 1 scan --format html -o "$TMP/report-j1.html" -j 1 "$tree" || true
cmp -s "$html" "$TMP/report-j1.html" && pass "byte-stable across -j1/-j2" || fail "HTML differs between -j1 and -j2"

# --- redaction ---------------------------------------------------------------
fixture_values "$tree" > "$TMP/values"
nvals=$(wc -l < "$TMP/values")
[ "$nvals" -gt 1000 ] && pass "collected $nvals fixture values" || fail "only $nvals fixture values collected"
n=$(leaks "$html")
[ "$n" -eq 0 ] && pass "HTML report has no fixture value" \
  || fail "HTML report leaks $n values, e.g.: $(grep -F -o -f "$TMP/values" "$html" | head -3 | tr '\n' '|')"
grep -q 'contains raw values' "$html" && fail "show-values banner without --show-values" || pass "no show-values banner by default"
# The search bites: with --show-values the values and the banner are there.
run_ps 1 scan --format html --show-values -o "$TMP/shown.html" "$tree" || true
n=$(leaks "$TMP/shown.html")
[ "$n" -gt 10 ] && pass "--show-values shows values ($n found)" || fail "--show-values showed only $n values"
grep -q 'role="alert"' "$TMP/shown.html" && pass "--show-values banner" || fail "no banner with --show-values"

# --- a real browser ----------------------------------------------------------
CHROMIUM=/usr/bin/chromium
if [ ! -x "$CHROMIUM" ]; then
  echo "SKIP: chromium not installed"
  [ "$failures" -gt 0 ] && finish
  exit 77
fi
url=$("$PYTHON" -c 'import pathlib, sys; print(pathlib.Path(sys.argv[1]).resolve().as_uri())' "$html")
chrome() {  # chrome ARGS... : headless, no network, no profile outside $TMP
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$TMP/chrome" "$@"
}
if chrome --screenshot="$TMP/report.png" --window-size=1280,2400 "$url" >"$TMP/chrome.log" 2>&1 \
   && [ -s "$TMP/report.png" ]; then
  pass "chromium took a screenshot"
  if [ -n "${top_builddir:-}" ]; then
    mkdir -p "$top_builddir/tests/artifacts"
    cp "$TMP/report.png" "$top_builddir/tests/artifacts/html-report.png"
    pass "screenshot kept as tests/artifacts/html-report.png"
  fi
  pycheck png "$TMP/report.png" 1280 2400
else
  fail "chromium screenshot failed: $(tail -n 3 "$TMP/chrome.log")"
fi
if chrome --dump-dom "$url" >"$TMP/dom.html" 2>"$TMP/chrome-dom.log" && [ -s "$TMP/dom.html" ]; then
  pycheck dom "$TMP/dom.html" "$TMP/report.json"
else
  fail "chromium --dump-dom failed: $(tail -n 3 "$TMP/chrome-dom.log")"
fi
finish
