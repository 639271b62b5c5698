#!/usr/bin/env bash
# The tree shows the architecture (issue 13), and the pages agree with it:
#   - every folder of stack/ has a README.md;
#   - every stack/... path written in README.md, docs/ and the folders'
#     READMEs is in the tree, and every relative link there resolves;
#   - header names are unique across stack/ (the Makefile finds them by
#     name, one -I per folder);
#   - no file in stack/ip/ or stack/dev/ includes a header from stack/tcp/
#     or stack/udp/, and those two, side by side on IPv4, include nothing
#     from each other;
#   - the include graph between the folders of stack/ has no circle.
# It reads files and sends nothing, so it needs no network namespace.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1

$PY - <<'EOF'
import glob, os, re, sys

failed = False

def ok(what):
    print("ok - " + what)

def not_ok(what, details=()):
    global failed
    failed = True
    print("not ok - " + what)
    for d in details:
        print("#   " + d)

layers = sorted(d for d in os.listdir("stack") if os.path.isdir("stack/" + d))

# Every folder has its README.
for d in [""] + layers:
    readme = os.path.join("stack", d, "README.md")
    if os.path.isfile(readme):
        ok(readme + " exists")
    else:
        not_ok(readme + " is missing")

# Every stack/... path in the pages exists, and every relative link resolves.
pages = (["README.md"] + sorted(glob.glob("docs/*.md")) +
         ["stack/README.md"] + sorted(glob.glob("stack/*/README.md")))
path_re = re.compile(r"(?<![\w./-])(?:\.\./)*(stack/[\w./*-]*)")
link_re = re.compile(r"\]\(([^)\s]+)\)")
for page in filter(os.path.isfile, pages):
    text = open(page, encoding="utf-8").read()
    where = lambda m: "line %d" % (text.count("\n", 0, m.start()) + 1)
    missing, n = [], 0
    for m in path_re.finditer(text):
        path = m.group(1).split("#")[0].rstrip(".,:;")
        n += 1
        if not glob.glob(path):
            missing.append("%s (%s)" % (path, where(m)))
    for m in link_re.finditer(text):
        link = m.group(1)
        if re.match(r"[a-z]+:", link) or link.startswith("#"):
            continue
        target = os.path.join(os.path.dirname(page), link.split("#")[0])
        n += 1
        if not os.path.exists(os.path.normpath(target)):
            missing.append("link %s (%s)" % (link, where(m)))
    if missing:
        not_ok("%s: %d of its stack/ paths and links are not in the tree"
               % (page, len(missing)), sorted(set(missing)))
    else:
        ok("%s: its %d stack/ paths and links are in the tree" % (page, n))

# Which folder each header lives in; the names must be unique.
home, dups = {}, []
for h in sorted(glob.glob("stack/*/*.h")):
    name, layer = os.path.basename(h), h.split("/")[1]
    if name in home:
        dups.append("%s in stack/%s/ and stack/%s/" % (name, home[name], layer))
    home[name] = layer
if dups:
    not_ok("header names are unique across stack/", dups)
else:
    ok("header names are unique across stack/ (%d headers)" % len(home))

# The include graph between folders: layer -> layers it includes from.
edges = {l: {} for l in layers}	# layer -> {included layer: example}
inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
for f in sorted(glob.glob("stack/*/*.[ch]")):
    layer = f.split("/")[1]
    for name in inc_re.findall(open(f, encoding="utf-8").read()):
        to = home.get(os.path.basename(name))
        if to and to != layer:
            edges[layer].setdefault(to, "%s includes %s" % (f, name))

for low, highs in (("ip", ("tcp", "udp")), ("dev", ("tcp", "udp")),
                  ("tcp", ("udp",)), ("udp", ("tcp",))):
    for high in highs:
        bad = [v for to, v in edges.get(low, {}).items() if to == high]
        what = "no file in stack/%s/ includes a header from stack/%s/" % (low, high)
        if bad:
            not_ok(what, bad)
        else:
            ok(what)

# A circle is a path back to where it started; report the first found.
def find_circle():
    state = {}
    def visit(l, path):
        state[l] = "open"
        for to in sorted(edges[l]):
            if state.get(to) == "open":
                return path[path.index(to):] + [to]
            if to not in state:
                c = visit(to, path + [to])
                if c:
                    return c
        state[l] = "done"
        return None
    for l in layers:
        if l not in state:
            c = visit(l, [l])
            if c:
                return c
    return None

circle = find_circle()
if circle:
    not_ok("no include circle between the folders of stack/",
           [" -> ".join(circle)] +
           [edges[a][b] for a, b in zip(circle, circle[1:])])
else:
    order, seen = [], set()
    def place(l):
        if l in seen:
            return
        seen.add(l)
        for to in sorted(edges[l]):
            place(to)
        order.append(l)
    for l in layers:
        place(l)
    ok("no include circle between the folders of stack/ (lowest first: %s)"
       % " ".join(order))

sys.exit(1 if failed else 0)
EOF
