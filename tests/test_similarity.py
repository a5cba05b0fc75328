"""The similarity report's engine (grader/similarity): a generated set of disguised copies
must be found and ranked above every honest pair, independent solutions stay under the
threshold, and the rules (starter code, common fragments, teams, references) hold."""
from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.similarity import Document, Settings, compare, repeats
from grader.similarity.export import to_csv, to_json
from grader.similarity.fragments import side_pieces
from grader.similarity.sources import collect, notebook_code
from grader.similarity.tokens import normalise
from support.similarity_set import STARTER, disguise, honest_solutions, make_set
from web.cli import main

REPO = Path(__file__).resolve().parents[1]


def _docs(entries) -> list[Document]:
    return [Document(e.owner, e.owner, e.owner, e.code) for e in entries]


@pytest.fixture(scope="module")
def planted():
    entries = make_set()
    return entries, compare("shapes", _docs(entries), boilerplate=[STARTER])


def _is_copy(entries, pair) -> bool:
    source = {e.owner: e.source for e in entries}
    return source[pair.a] == source[pair.b]


def test_every_planted_copy_is_found_and_ranked_above_every_honest_pair(planted):
    entries, report = planted
    copies = [p for p in report.pairs if _is_copy(entries, p)]
    honest = [p for p in report.pairs if not _is_copy(entries, p)]
    disguised = [e for e in entries if e.disguised]
    # each copier pairs with its source, the ring of three is three pairs
    assert len(copies) == len(disguised) + 1
    assert all(p.similarity >= report.settings.threshold for p in copies)
    assert min(p.similarity for p in copies) > max(p.similarity for p in honest)
    assert report.pairs[:len(copies)] == tuple(copies)


def test_independent_solutions_stay_under_the_threshold(planted):
    entries, report = planted
    honest = [p for p in report.pairs if not _is_copy(entries, p)]
    assert honest, "independent solutions share some idioms, so there are honest pairs with something in common"
    assert max(p.similarity for p in honest) < report.settings.threshold
    assert len(report.suspects) == len(report.pairs) - len(honest)


@pytest.mark.parametrize("steps", [("rename",), ("reorder",), ("recomment",), ("respace",), ("pad",),
                                   ("rename", "reorder", "recomment", "respace", "pad")])
def test_each_disguise_alone_is_seen_through(steps):
    honest = honest_solutions()
    rng = random.Random(7)
    docs = [Document(n, n, n, code) for n, code in honest.items()]
    for n, code in list(honest.items())[:5]:
        docs.append(Document(f"copy-{n}", f"copy-{n}", n, disguise(code, rng, steps)))
    report = compare("shapes", docs, boilerplate=[STARTER])
    found = {tuple(sorted((p.a, p.b))) for p in report.suspects}
    assert found == {tuple(sorted((n, f"copy-{n}"))) for n in list(honest)[:5]}


def test_the_ring_of_three_is_one_cluster(planted):
    entries, report = planted
    ring = {e.owner for e in entries if e.source == "h03_circularity"}
    assert len(ring) == 3
    assert set(report.clusters[0]) == ring
    assert all(len(c) == 2 for c in report.clusters[1:])


def test_the_longest_fragment_points_at_the_copied_lines(planted):
    entries, report = planted
    pair = next(p for p in report.pairs if {p.a, p.b} == {"cand-h01_polygon", "c11"})   # c11 renamed only
    f = pair.longest
    assert f.tokens >= 100
    text = report.documents["cand-h01_polygon"].text if pair.a == "cand-h01_polygon" else report.documents[pair.a].text
    lines = (f.a_lines if pair.a == "cand-h01_polygon" else f.b_lines)
    assert "approxPolyDP" in "\n".join(text.splitlines()[lines[0] - 1:lines[1]])
    # fragments never overlap on either side and are longest first
    lengths = [x.tokens for x in pair.fragments]
    assert lengths == sorted(lengths, reverse=True)


def test_pieces_rebuild_the_text_and_mark_the_shared_parts(planted):
    _, report = planted
    pair = report.suspects[0]
    for side, key in (("a", pair.a), ("b", pair.b)):
        text = report.documents[key].text
        pieces = side_pieces(text, pair.fragments, side)
        assert "".join(p.text for p in pieces) == text
        marked = sum(len(p.text) for p in pieces if p.fragment is not None)
        assert marked > len(text) / 3


def test_starter_code_is_not_evidence():
    mine = "def helper(values):\n    return sorted(values)[len(values) // 2]\n"
    other = "def other(q):\n    total = 0\n    for v in q:\n        total += v * v\n    return total ** 0.5\n"
    starter = ("import cv2\nimport numpy as np\n\n\ndef classify(img):\n    _, bw = cv2.threshold(img, 127, 255, "
               "cv2.THRESH_BINARY)\n    contours, _ = cv2.findContours(bw, cv2.RETR_EXTERNAL, "
               "cv2.CHAIN_APPROX_SIMPLE)\n    areas = [cv2.contourArea(c) for c in contours]\n    return areas\n")
    docs = [Document("a", "a", "a", starter + mine), Document("b", "b", "b", starter + other)]
    settings = Settings(min_fingerprints=1)
    without = compare("t", docs, settings=settings)
    with_starter = compare("t", docs, boilerplate=[starter], settings=settings)
    assert without.pairs and without.pairs[0].similarity >= 0.5
    assert with_starter.boilerplate > 0
    assert not with_starter.suspects


def test_fragments_most_submissions_share_are_ignored():
    shared = (  # the statement's suggested check on the samples, typed in by everyone
        "import json\nfrom pathlib import Path\n\n\ndef load_all(folder):\n    out = {}\n"
        "    for path in sorted(Path(folder).glob('*.png')):\n"
        "        out[path.name] = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)\n    return out\n\n\n"
        "def evaluate(folder):\n    labels = json.loads((Path(folder) / 'labels.json').read_text())\n"
        "    pictures = load_all(folder)\n    right = sum(classify(img) == labels[name] for name, img in pictures.items())\n"
        "    wrong = [name for name, img in pictures.items() if classify(img) != labels[name]]\n"
        "    print(f'accuracy {right / len(pictures):.2%}', 'wrong:', ', '.join(wrong))\n"
        "    return right / len(pictures)\n\n\n")
    honest = honest_solutions()
    docs = [Document(n, n, n, "import cv2\n" + shared + code) for n, code in honest.items()]
    kept = compare("shapes", docs, boilerplate=[STARTER], settings=Settings(common_share=1.0))
    ignored = compare("shapes", docs, boilerplate=[STARTER])
    assert kept.suspects, "without the rule the shared loader makes honest pairs look alike"
    assert ignored.common > 0 and not ignored.suspects


def test_two_copiers_are_not_most_submissions():
    honest = honest_solutions()
    code = honest["h01_polygon"]
    docs = [Document("x", "x", "x", code), Document("y", "y", "y", disguise(code, random.Random(1)))]
    report = compare("shapes", docs, boilerplate=[STARTER])
    assert report.common == 0 and len(report.suspects) == 1


def test_members_of_one_team_are_never_paired_and_nobody_with_themself(planted):
    entries, report = planted
    teams = {"c11": "red", "cand-h01_polygon": "red"}
    teamed = compare("shapes", _docs(entries), boilerplate=[STARTER], teams=teams)
    pairs = {frozenset((p.a, p.b)) for p in teamed.pairs}
    assert frozenset(("c11", "cand-h01_polygon")) not in pairs
    assert teamed.compared == report.compared - 1
    twice = [Document("a1", "same", "a", honest_solutions()["h02_fill"]),
             Document("a2", "same", "a", honest_solutions()["h02_fill"])]
    assert compare("shapes", twice).compared == 0


def test_a_reference_set_is_compared_with_this_sitting_only():
    honest = honest_solutions()
    earlier = [Document(f"old/{n}", f"old/{n}", f"old {n}", code, reference=True) for n, code in honest.items()]
    now = [Document("new1", "new1", "new1", disguise(honest["h05_hull"], random.Random(3))),
           Document("new2", "new2", "new2", honest["h09_rows"] + "\n")]
    report = compare("shapes", earlier + now, boilerplate=[STARTER])
    assert report.compared == len(earlier) * 2 + 1         # no reference pair
    assert {frozenset((p.a, p.b)) for p in report.suspects} == {frozenset(("old/h05_hull", "new1")),
                                                                frozenset(("old/h09_rows", "new2"))}


def test_pairs_that_repeat_across_tasks():
    honest = list(honest_solutions().values())
    rng = random.Random(5)
    task1 = compare("one", [Document("p1", "p", "p", honest[0]), Document("q1", "q", "q", disguise(honest[0], rng)),
                            Document("r1", "r", "r", honest[1])])
    task2 = compare("two", [Document("p2", "p", "p", honest[2]), Document("q2", "q", "q", disguise(honest[2], rng)),
                            Document("r2", "r", "r", disguise(honest[3], rng))])
    found = repeats([task1, task2])
    assert [r.owners for r in found] == [("p", "q")]
    assert {t for t, _ in found[0].tasks} == {"one", "two"}


def test_tokens_normalise_names_and_literals_and_drop_comments():
    a = normalise("import numpy as np\n\ndef area(w, h):\n    '''doc'''\n    return np.abs(w * h)  # why\n")
    b = normalise("import numpy as xx\n# note\n\ndef size(p,q):\n  return xx.abs(p*q)\n")
    assert a.kinds == b.kinds
    assert "abs" in a.kinds and "V" in a.kinds and "#" not in "".join(a.kinds)
    assert normalise("x = 'a'\ny = 3.5\n").kinds == normalise("k = \"other\"\nz = 1\n").kinds
    assert normalise("np.mean(x)").kinds != normalise("np.median(x)").kinds     # library names kept


def test_code_that_does_not_tokenize_is_still_compared():
    broken = "def f(x:\n    return [x,\n" + honest_solutions()["h02_fill"]
    tokens = normalise(broken)
    assert tokens.loose and len(tokens) > 50
    report = compare("shapes", [Document("a", "a", "a", broken), Document("b", "b", "b", broken)],
                     settings=Settings(min_fingerprints=1))
    assert report.suspects


def test_too_little_code_is_listed_not_compared():
    report = compare("shapes", [Document("a", "a", "a", STARTER), Document("b", "b", "b", STARTER)],
                     boilerplate=[STARTER])
    assert {s.key for s in report.skipped} == {"a", "b"} and report.compared == 0


def test_notebook_code_cells_only_with_magics_commented_out():
    nb = {"cells": [{"cell_type": "markdown", "source": "# title"},
                    {"cell_type": "code", "source": ["!pip install x\n", "y = 1\n"]},
                    {"cell_type": "code", "source": "%matplotlib inline\nprint(y)"}], "nbformat": 4}
    code = notebook_code(json.dumps(nb))
    assert "title" not in code and "# !pip install x" in code and "# %matplotlib inline" in code
    assert "# [cell 2]" in code and "print(y)" in code
    assert normalise(code).kinds == ("V", "=", "N", ";", "print", "(", "V", ")", ";")


def test_csv_and_json_exports(planted):
    _, report = planted
    text = to_csv([report])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(report.pairs)
    assert rows[0]["suspect"] == "yes" and float(rows[0]["similarity"]) >= 0.9 and rows[0]["cluster"]
    evil = compare("t", [Document("1", "=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0", STARTER * 3 + "x = 1\n" * 30),
                         Document("2", "b", "b", STARTER * 3 + "x = 1\n" * 30)], settings=Settings(min_fingerprints=1))
    assert "'=cmd" in to_csv([evil])
    data = to_json([report], repeats([report]))
    assert data["tasks"][0]["pairs"][0]["fragments"][0]["tokens"] > 0


def _write_hand_ins(folder: Path) -> None:
    for e in make_set():
        (folder / e.owner).mkdir(parents=True)
        (folder / e.owner / "shapes.py").write_text(e.code, encoding="utf-8")
    nb = json.loads((REPO / "reference_solutions" / "demo" / "blur_no_blur.ipynb").read_text(encoding="utf-8"))
    with zipfile.ZipFile(folder / "zz-whole.zip", "w") as zf:       # a whole-exam zip, one candidate
        zf.writestr("zz/blur.ipynb", json.dumps(nb))
        zf.writestr("zz/shapes.py", honest_solutions()["h02_fill"])
    (folder / "c11" / "notes.txt").write_text("not a hand-in", encoding="utf-8")


def test_collect_reads_a_folder_of_hand_ins(tmp_path, demo_exam):
    _write_hand_ins(tmp_path / "in")
    found = collect(tmp_path / "in", demo_exam)
    assert len(found.documents["shapes"]) == len(make_set()) + 1
    assert [d.owner for d in found.documents["blur"]] == ["zz-whole"]
    assert [(r.owner, r.code) for r in found.refused] == [("c11", "wrong_type")]


def test_cli_lists_the_copies_and_writes_csv(tmp_path):
    _write_hand_ins(tmp_path / "in")
    out = tmp_path / "pairs.csv"
    result = CliRunner().invoke(main, ["similarity", str(REPO / "exams" / "demo"), str(tmp_path / "in"),
                                       "--task", "shapes", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    # 5 copiers, the ring's two other pairs, and zz's whole-exam zip holding h02's solution
    assert "8 at or above 0.50" in result.output
    assert "cluster 1:" in result.output and "changes no score" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert sum(r["suspect"] == "yes" for r in rows) == 8
    bad = CliRunner().invoke(main, ["similarity", str(REPO / "exams" / "demo"), str(tmp_path / "in"),
                                    "--task", "nope"])
    assert bad.exit_code == 2 and "no task nope" in bad.output
