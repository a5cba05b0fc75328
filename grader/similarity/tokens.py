"""Python code as a sequence of normalised tokens, each with its place in the text.

What a disguise changes is normalised away, what it cannot change is kept:
identifiers bound in the file become `V` (renaming them changes nothing), numbers
`N` and strings `S`; comments, blank lines, docstrings and spacing are dropped.
Keywords, operators, builtins and the names a library defines (`cv2.threshold`,
`np.mean`: the attribute after an imported module) are kept, since a copier
cannot rename them and they are what tells two independent solutions apart.
Modules imported under any alias become `M`.

The standard library's `tokenize` does the lexing. Candidate code that it cannot
read to the end (an unclosed bracket, a bad indent) is lexed by a plain pattern
instead, so broken code is still compared (`Tokens.loose` says so)."""
from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize
from bisect import bisect_right
from dataclasses import dataclass

BUILTINS = frozenset(dir(builtins))
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER, tokenize.TYPE_COMMENT}
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)     # Python 3.12+: f-strings in pieces
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)
_LOOSE = re.compile(r"""#[^\n]*|[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*|\d[\w.]*|"(?:\\.|[^"\\\n])*"?"""
                    r"""|'(?:\\.|[^'\\\n])*'?|\n|[^\s\w]""")


@dataclass(frozen=True)
class Tokens:
    """Normalised tokens of one text: `kinds[i]` spans `text[starts[i]:ends[i]]`."""
    kinds: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    loose: bool = False          # lexed by the fallback pattern (the code does not tokenize)

    def __len__(self) -> int:
        return len(self.kinds)


@dataclass(frozen=True)
class _Raw:
    type: int
    string: str
    start: int
    end: int


def normalise(text: str) -> Tokens:
    """The normalised tokens of Python source `text`."""
    offsets = line_offsets(text)
    try:
        raw = [_Raw(t.type, t.string, offsets[t.start[0] - 1] + t.start[1], offsets[t.end[0] - 1] + t.end[1])
               for t in tokenize.generate_tokens(io.StringIO(text).readline)]
    except (tokenize.TokenError, SyntaxError):       # IndentationError is a SyntaxError
        return _loose(text)
    return _normalise(_drop_docstrings(_merge_fstrings(raw)))


def line_of(text: str, offset: int) -> int:
    """1-based line number of character `offset` in `text`."""
    return bisect_right(line_offsets(text), offset)


def line_offsets(text: str) -> list[int]:
    """Where each line of `text` starts (and one past the end)."""
    out = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            out.append(i + 1)
    out.append(len(text) + 1)           # tokenize's ENDMARKER sits on the line after the last
    return out


def _merge_fstrings(raw: list[_Raw]) -> list[_Raw]:
    """Python 3.12 lexes an f-string as start, pieces, end: one STRING, as before 3.12."""
    if _FSTRING_START is None:
        return raw
    out, depth, begin = [], 0, 0
    for t in raw:
        if t.type == _FSTRING_START:
            if depth == 0:
                begin = t.start
            depth += 1
        elif t.type == _FSTRING_END:
            depth -= 1
            if depth == 0:
                out.append(_Raw(tokenize.STRING, "f''", begin, t.end))
        elif depth == 0:
            out.append(t)
    return out


def _drop_docstrings(raw: list[_Raw]) -> list[_Raw]:
    """A string that is a statement by itself (a docstring, a commented-out block) is prose."""
    out: list[_Raw] = []
    significant = [t for t in raw if t.type not in _SKIP]
    i = 0
    while i < len(significant):
        t = significant[i]
        before = out[-1].type if out else tokenize.NEWLINE
        after = significant[i + 1].type if i + 1 < len(significant) else tokenize.NEWLINE
        if t.type == tokenize.STRING and before in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) \
                and after == tokenize.NEWLINE:
            i += 2                           # the string and its NEWLINE
            continue
        out.append(t)
        i += 1
    return out


def _normalise(raw: list[_Raw]) -> Tokens:
    modules = _imported(raw)
    defined = _defined_attributes(raw)
    kinds, starts, ends = [], [], []
    after_module = False
    in_import = False
    for i, t in enumerate(raw):
        if t.type == tokenize.NEWLINE:
            kind, in_import = ";", False
        elif t.type == tokenize.INDENT:
            kind = "{"
        elif t.type == tokenize.DEDENT:
            kind = "}"
        elif t.type == tokenize.NUMBER:
            kind = "N"
        elif t.type == tokenize.STRING:
            kind = "S"
        elif t.type == tokenize.NAME:
            if t.string in ("import", "from") and (i == 0 or raw[i - 1].type in (tokenize.NEWLINE, tokenize.INDENT,
                                                                                  tokenize.DEDENT)):
                in_import = True
            kind = _name(t.string, raw, i, modules, defined, after_module, in_import)
        else:
            kind = t.string
        # a chain `M.a.b` keeps going through dots and the names after them
        after_module = kind == "M" or (after_module and (kind == "." or raw[i - 1].string == "."))
        kinds.append(kind)
        starts.append(t.start)
        ends.append(t.end)
    return Tokens(tuple(kinds), tuple(starts), tuple(ends))


def _name(word: str, raw: list[_Raw], i: int, modules: set[str], defined: set[str], after_module: bool,
          in_import: bool) -> str:
    if keyword.iskeyword(word):
        return word
    if in_import:                        # `import numpy as np`: the module's own path is kept, aliases are M
        return "M" if word in modules else word
    attribute = i > 0 and raw[i - 1].string == "."
    if attribute:
        if after_module:
            return word                  # cv2.threshold, np.linalg.norm: a library's name
        return "V" if word in defined else word
    if word in modules:
        return "M"
    if word in BUILTINS:
        return word
    return "V"


def _imported(raw: list[_Raw]) -> set[str]:
    """Names an import statement binds (`import a.b` binds a; `as x` binds x; `from m import y` binds y)."""
    out: set[str] = set()
    i = 0
    while i < len(raw):
        t = raw[i]
        starts_line = i == 0 or raw[i - 1].type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
        if t.type == tokenize.NAME and t.string in ("import", "from") and starts_line:
            j = i
            line = []
            while j < len(raw) and raw[j].type != tokenize.NEWLINE:
                line.append(raw[j].string)
                j += 1
            out |= _bound_by_import(line)
            i = j
        i += 1
    return out


def _bound_by_import(words: list[str]) -> set[str]:
    words = [w for w in words if w not in ("(", ")")]
    if words and words[0] == "from":
        words = words[words.index("import") + 1:] if "import" in words else []
    else:
        words = words[1:]
    out = set()
    for part in " ".join(words).split(","):
        names = part.split()
        if not names:
            continue
        if "as" in names and names.index("as") + 1 < len(names):
            out.add(names[names.index("as") + 1])
        else:
            out.add(names[0].split(".")[0])
    out.discard("*")
    return {n.strip() for n in out if n.strip().isidentifier()}


def _defined_attributes(raw: list[_Raw]) -> set[str]:
    """Attribute names the file itself defines: methods (`def x`) and assigned attributes (`.x =`)."""
    out = set()
    for i, t in enumerate(raw):
        if t.type != tokenize.NAME:
            continue
        if i > 0 and raw[i - 1].string in ("def", "class"):
            out.add(t.string)
        elif i > 0 and raw[i - 1].string == "." and i + 1 < len(raw) and raw[i + 1].string in ("=", "+=", "-=",
                                                                                                 ":"):
            out.add(t.string)
    return out


def _loose(text: str) -> Tokens:
    """Code `tokenize` cannot read: words, numbers, strings and symbols by a pattern."""
    kinds, starts, ends = [], [], []
    for m in _LOOSE.finditer(text):
        word = m.group()
        if word.startswith("#"):
            continue
        if word == "\n":
            if kinds and kinds[-1] != ";":
                kinds.append(";")
                starts.append(m.start())
                ends.append(m.end())
            continue
        if word[0] in "\"'":
            kind = "S"
        elif word[0].isdigit():
            kind = "N"
        elif word[0].isalpha() or word[0] == "_" or ord(word[0]) > 127:
            kind = word if keyword.iskeyword(word) or word in BUILTINS else "V"
        else:
            kind = word
        kinds.append(kind)
        starts.append(m.start())
        ends.append(m.end())
    return Tokens(tuple(kinds), tuple(starts), tuple(ends), loose=True)
