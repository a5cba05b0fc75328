"""A generated test set for the similarity report: independent solutions of the demo exam's
`shapes` task (hand-written, each its own approach: support/similarity_honest/) and copies
of them disguised the way a copier does: identifiers renamed, top-level functions
reordered, comments and docstrings removed or rewritten, indentation and spacing changed,
a few lines of padding added. Seeded: the same seed gives the same set.

The tests (tests/test_similarity.py) and the bench (bench/similarity.py) both use it."""
from __future__ import annotations

import ast
import builtins
import io
import keyword
import random
import tokenize
from dataclasses import dataclass
from pathlib import Path

HONEST = Path(__file__).resolve().parent / "similarity_honest"
STARTER = '''"""Task 3: classify a white shape on black as circle, square or triangle."""
import cv2


def classify(img):
    # TODO: return "circle", "square" or "triangle"
    raise NotImplementedError
'''
KEEP = {"classify"}          # what the task asks for by name: a copier must keep it
_WORDS = ("data", "thing", "val", "res", "tmp", "arr", "obj", "item", "info", "part", "node", "blob", "pic",
          "out", "elem", "buf", "stuff", "q", "w", "z", "num", "acc", "cur", "sel", "src")
_COMMENTS = ("# compute it", "# step", "# helper", "# main logic", "# check the value", "# my approach",
             "# 计算", "# 处理图像", "# TODO tidy up", "# works on the samples")


def honest_solutions() -> dict[str, str]:
    """{name: code} of the hand-written independent solutions."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(HONEST.glob("*.py"))}


# ------------------------------------------------------------------ disguises

def rename(code: str, rng: random.Random) -> str:
    """Every name the file binds itself (functions, classes, parameters, variables, its own
    attributes) renamed consistently; library names, keywords and builtins kept."""
    toks = list(tokenize.generate_tokens(io.StringIO(code).readline))
    imported = _imported_names(code)
    mapping: dict[str, str] = {}
    out = []
    for i, t in enumerate(toks):
        s = t.string
        prev = toks[i - 1].string if i else ""
        renamable = (t.type == tokenize.NAME and not keyword.iskeyword(s) and s not in imported
                     and s not in dir(builtins) and not s.startswith("__") and s not in KEEP
                     and (prev != "." or toks[i - 2].string == "self"))
        if renamable and _is_keyword_argument(toks, i):
            renamable = False
        if renamable:
            if s not in mapping:
                mapping[s] = f"{rng.choice(_WORDS)}_{len(mapping)}"
            s = mapping[s]
        out.append((t.type, s))
    return tokenize.untokenize(out)          # without positions: the spacing changes too


def _is_keyword_argument(toks, i) -> bool:
    """`f(binaryImage=True)`: the keyword of a library call is not ours to rename."""
    nxt = toks[i + 1].string if i + 1 < len(toks) else ""
    before = [t for t in toks[:i] if t.type not in (tokenize.NL, tokenize.COMMENT)]
    prev = before[-1].string if before else ""
    return nxt == "=" and prev in ("(", ",") and _in_call(toks, i)


def _in_call(toks, i) -> bool:
    depth = 0
    for j in range(i - 1, -1, -1):
        s = toks[j].string
        if s in ")]}":
            depth += 1
        elif s in "([{":
            if depth == 0:
                return s == "(" and j > 0 and toks[j - 1].type == tokenize.NAME and toks[j - 2].string != "def"
            depth -= 1
    return False


def _imported_names(code: str) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            out |= {(a.asname or a.name).split(".")[0] for a in node.names} | {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            out |= {a.asname or a.name for a in node.names}
    return out          # attributes of library objects (cv2.threshold) are kept by the `.` rule


def reorder(code: str, rng: random.Random) -> str:
    """The top-level functions and classes in another order (the rest stays before them)."""
    tree = ast.parse(code)
    lines = code.splitlines()
    blocks, head_end = [], None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            blocks.append("\n".join(lines[start:node.end_lineno]))
            head_end = start if head_end is None else head_end
    if len(blocks) < 2:
        return code
    rest = [n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    tail = "\n".join("\n".join(lines[n.lineno - 1:n.end_lineno]) for n in rest if n.lineno - 1 >= head_end)
    head = "\n".join(lines[:head_end])
    order = blocks[:]
    while order == blocks:
        rng.shuffle(order)
    return head + "\n" + "\n\n\n".join(order) + "\n\n" + tail + "\n"


def recomment(code: str, rng: random.Random) -> str:
    """Comments and docstrings dropped; other comments put on some lines."""
    toks = [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(code).readline)
            if t.type != tokenize.COMMENT]
    text = tokenize.untokenize(toks)
    tree = ast.parse(text)
    doc_lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) \
                and isinstance(node.body[0].value.value, str) and len(node.body) > 1:
            doc_lines |= set(range(node.body[0].lineno, node.body[0].end_lineno + 1))
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if n in doc_lines:
            continue
        if line.strip() and rng.random() < 0.25 and not line.rstrip().endswith(("(", ",", "\\")):
            indent = line[:len(line) - len(line.lstrip())]
            out.append(indent + rng.choice(_COMMENTS))
        out.append(line)
    return "\n".join(out) + "\n"


def respace(code: str, rng: random.Random) -> str:
    """Another indentation unit (four spaces become two, two become three), blank lines
    added, trailing spaces."""
    lines = code.splitlines()
    indents = [len(ln) - len(ln.lstrip(" ")) for ln in lines if ln.strip()]
    unit = min((n for n in indents if n), default=4)
    new_unit = {4: 2, 2: 3}.get(unit, 4)
    out = []
    for line in lines:
        stripped = line.lstrip(" ")
        depth, rest = divmod(len(line) - len(stripped), unit)
        line = " " * (depth * new_unit + rest) + stripped
        if rng.random() < 0.2:
            line += "   "
        out.append(line)
        if stripped and rng.random() < 0.15 and not stripped.rstrip().endswith(("(", ",", "\\", ":")):
            out.append("")
    return "\n".join(out) + "\n"


def pad(code: str, rng: random.Random) -> str:
    """A few lines of the copier's own at the end."""
    extra = rng.choice([
        'if __name__ == "__main__":\n    import sys\n    print(classify(cv2.imread(sys.argv[1], 0)))\n',
        "DEBUG = False\n\n\ndef log(*args):\n    if DEBUG:\n        print(*args)\n",
    ])
    return code.rstrip("\n") + "\n\n\n" + extra


DISGUISES = {"rename": rename, "reorder": reorder, "recomment": recomment, "respace": respace, "pad": pad}


def disguise(code: str, rng: random.Random, steps=("rename", "reorder", "recomment", "respace")) -> str:
    for step in steps:
        code = DISGUISES[step](code, rng)
    compile(code, "<disguised>", "exec")         # a disguise must still be valid Python
    return code


# ------------------------------------------------------------------ the set

@dataclass(frozen=True)
class Entry:
    owner: str
    code: str
    source: str            # the honest solution it is, or copies
    disguised: bool


def make_set(seed: int = 16) -> list[Entry]:
    """Each honest solution handed in by its author; five copiers, each a different disguise of
    another's solution; and one ring of three (c12 copies h03, c13 copies c12's copy)."""
    rng = random.Random(seed)
    honest = honest_solutions()
    entries = [Entry(f"cand-{name}", code, name, False) for name, code in honest.items()]
    names = list(honest)
    plans = [
        ("c11", names[0], ("rename",)),
        ("c12", names[2], ("rename", "reorder", "recomment", "respace")),
        ("c14", names[3], ("reorder", "recomment")),
        ("c15", names[6], ("rename", "respace", "pad")),
        ("c16", names[7], ("rename", "reorder", "recomment", "respace", "pad")),
    ]
    for owner, source, steps in plans:
        entries.append(Entry(owner, disguise(honest[source], rng, steps), source, True))
    c12 = next(e for e in entries if e.owner == "c12")
    entries.append(Entry("c13", disguise(c12.code, rng, ("rename", "respace")), c12.source, True))
    return entries



