"""The examiners' similarity report on the board: the planted copies of a generated set,
uploaded by candidates through the board and graded, are ranked above every honest pair;
a pair opens side by side with the shared fragments marked and the code escaped; the CSV;
only counted submissions are compared; reference sets; the report changes no score."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from support.similarity_set import make_set
from tests.conftest import edit
from web.services import exams
from web.storage.db import db, utcnow
from web.storage.models import AuditLog, Result

from .conftest import add_candidates, grade_by_hand, submission_id

HOSTILE = '# </pre><script>alert("x")</script><img src=x onerror=alert(1)>\n'


def _hand_in(app, make_browser, exam: int, entries, *, prefix: str = "2026") -> dict[str, int]:
    """Each entry's code uploaded as shapes.py by its own candidate and graded: {owner: submission id}."""
    numbers = {e.owner: f"{prefix}{i:03d}" for i, e in enumerate(entries, 1)}
    codes = add_candidates(app, exam, *numbers.values())
    out = {}
    for e in entries:
        b = make_browser()
        assert b.login_candidate(numbers[e.owner], codes[numbers[e.owner]]).status_code == 302
        sid = submission_id(b.upload("shapes", name="shapes.py", data=e.code.encode("utf-8")))
        grade_by_hand(app, sid, 3.0)
        out[e.owner] = sid
    return out


@pytest.fixture
def planted(app, exam, make_browser):
    entries = make_set()
    entries = [e if e.owner != "c11" else type(e)(e.owner, HOSTILE + e.code, e.source, e.disguised) for e in entries]
    sids = _hand_in(app, make_browser, exam, entries)
    return entries, sids


def _rows(html: str, task: str) -> list[str]:
    section = html.split(f'id="task-{task}"', 1)[1].split("</section>", 1)[0]
    return section.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr")[1:]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_ranks_every_planted_copy_above_every_honest_pair(app, exam, planted, signed_in, lang):
    entries, sids = planted
    b = signed_in("examiner")
    b.set_lang(lang)
    r = b.get(f"/staff/examiner/exams/{exam}/similarity")
    assert r.status_code == 200
    assert "script-src" in r.headers["Content-Security-Policy"] or "default-src" in r.headers["Content-Security-Policy"]
    html = r.get_data(as_text=True)
    assert ' style="' not in html and "<script>" not in html
    assert ("代码相似度报告" if lang == "zh" else "Similarity report") in html
    assert ("不会改变任何成绩" if lang == "zh" else "It changes no score") in html
    rows = _rows(html, "shapes")
    suspects = [row for row in rows if 'class="suspect"' in row]
    copies = len([e for e in entries if e.disguised]) + 1        # the ring of three is three pairs
    assert len(suspects) == copies
    assert all('class="suspect"' in row for row in rows[:copies])
    source = {str(sid): next(e.source for e in entries if e.owner == owner) for owner, sid in sids.items()}
    for row in rows[:copies]:                                      # each a copy and its source
        a = row.split("a=", 1)[1].split("&", 1)[0]
        bb = row.split("b=", 1)[1].split("&", 1)[0]
        assert source[a] == source[bb]
    assert '<svg class="chart"' in html and "chart-mark" in html   # histogram with the threshold
    assert 'class="clusters"' in html


def test_a_pair_side_by_side_with_shared_fragments_marked_and_the_code_escaped(app, exam, planted, signed_in):
    _, sids = planted
    b = signed_in("examiner")
    a_sid, b_sid = sorted((sids["c11"], sids["cand-h01_polygon"]))
    r = b.get(f"/staff/examiner/exams/{exam}/similarity/pair?task=shapes&a={a_sid}&b={b_sid}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<script>alert' not in html and "<img src=x" not in html
    assert "&lt;/pre&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert html.count('id="code-a"') == 1 and html.count('id="code-b"') == 1
    code_a = html.split('id="code-a"', 1)[1].split("</pre>", 1)[0]
    code_b = html.split('id="code-b"', 1)[1].split("</pre>", 1)[0]
    assert 'class="frag frag-0"' in code_a and 'class="frag frag-0"' in code_b
    assert "approxPolyDP" in code_a.split('class="frag frag-0"', 1)[1]
    with app.app_context():
        assert db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc())) == "similarity_pair"
    assert b.get(f"/staff/examiner/exams/{exam}/similarity/pair?task=shapes&a={a_sid}&b=999999").status_code == 404
    assert b.get(f"/staff/examiner/exams/{exam}/similarity/pair?task=nope&a={a_sid}&b={b_sid}").status_code == 404


def test_csv_export_and_a_higher_threshold(app, exam, planted, signed_in):
    b = signed_in("examiner")
    r = b.get(f"/staff/examiner/exams/{exam}/similarity.csv?threshold=0.95")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["task"] for row in rows} == {"shapes"}
    flagged = [row for row in rows if row["suspect"] == "yes"]
    assert flagged and all(float(row["similarity"]) >= 0.95 for row in flagged)
    assert len(flagged) < 7                                        # 0.95 keeps only the closest copies
    with app.app_context():
        assert db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc())) == "export_similarity"


def test_nothing_changes_a_score(app, exam, planted, signed_in):
    with app.app_context():
        before = sorted(db.session.execute(select(Result.submission_id, Result.score)).all())
    b = signed_in("examiner")
    b.get(f"/staff/examiner/exams/{exam}/similarity")
    b.get(f"/staff/examiner/exams/{exam}/similarity.csv")
    with app.app_context():
        assert sorted(db.session.execute(select(Result.submission_id, Result.score)).all()) == before


def test_only_counted_submissions_are_compared(app, exam, make_browser, signed_in):
    entries = {e.owner: e for e in make_set()}
    sids = _hand_in(app, make_browser, exam, [entries[o] for o in ("cand-h01_polygon", "cand-h02_fill")])
    codes = add_candidates(app, exam, "2027001")
    b = make_browser()
    assert b.login_candidate("2027001", codes["2027001"]).status_code == 302
    first = submission_id(b.upload("shapes", name="shapes.py", data=entries["c11"].code.encode()))   # a copy of h01
    grade_by_hand(app, first, 3.0)
    examiner = signed_in("examiner")
    html = examiner.get(f"/staff/examiner/exams/{exam}/similarity").get_data(as_text=True)
    assert len([row for row in _rows(html, "shapes") if 'class="suspect"' in row]) == 1
    # then the candidate hands in work of their own: the last graded hand-in counts
    second = submission_id(b.upload("shapes", name="shapes.py", data=entries["cand-h09_rows"].code.encode()))
    grade_by_hand(app, second, 3.0)
    html = examiner.get(f"/staff/examiner/exams/{exam}/similarity").get_data(as_text=True)
    assert 'class="suspect"' not in html
    assert f"a={first}&" not in html and f"b={first}&" not in html and f"={second}&" in html
    assert sids


def test_an_earlier_sitting_as_a_reference_set(app, exam, make_browser, signed_in, pkg):
    entries = {e.owner: e for e in make_set()}
    edit(pkg / "exam.toml", 'id = "demo"', 'id = "demo-2025"')
    now = utcnow()
    with app.app_context():
        earlier = exams.register_exam(pkg, window_start=now - timedelta(hours=1), window_end=now + timedelta(hours=1)).id
    _hand_in(app, make_browser, earlier, [entries["cand-h07_hu"], entries["cand-h10_minrect"]], prefix="2025")
    _hand_in(app, make_browser, exam, [entries["c15"], entries["cand-h02_fill"]])      # c15 copies h07
    b = signed_in("examiner")
    alone = b.get(f"/staff/examiner/exams/{exam}/similarity").get_data(as_text=True)
    assert 'class="suspect"' not in alone
    html = b.get(f"/staff/examiner/exams/{exam}/similarity?ref={earlier}").get_data(as_text=True)
    rows = [row for row in _rows(html, "shapes") if 'class="suspect"' in row]
    assert len(rows) == 1 and "demo-2025/2025001" in rows[0]


def test_only_examiners_open_the_report(app, exam, planted, signed_in, make_browser):
    for role in ("proctor",):
        who = signed_in(role)
        for url in (f"/staff/examiner/exams/{exam}/similarity", f"/staff/examiner/exams/{exam}/similarity.csv"):
            assert who.get(url).status_code == 403
    anonymous = make_browser()
    assert anonymous.get(f"/staff/examiner/exams/{exam}/similarity").status_code == 302
    assert signed_in("admin").get(f"/staff/examiner/exams/{exam}/similarity").status_code == 200


def test_members_of_one_team_are_never_paired(app, exam, make_browser, signed_in):
    from web.storage.models import (Affiliation, AffiliationKind, Competition, Division, Person, Team, TeamMember,
                                    User)

    entries = {e.owner: e for e in make_set()}
    sids = _hand_in(app, make_browser, exam, [entries["cand-h04_enclosing"], entries["c14"], entries["cand-h06_radial"]])
    examiner = signed_in("examiner")
    html = examiner.get(f"/staff/examiner/exams/{exam}/similarity").get_data(as_text=True)
    assert len([row for row in _rows(html, "shapes") if 'class="suspect"' in row]) == 1
    with app.app_context():                    # the copier and its source enter as one team
        comp = Competition(key="cup", exam_id=exam)
        school = Affiliation(name="一中", kind=AffiliationKind.SCHOOL)
        db.session.add_all([comp, school])
        db.session.flush()
        team = Team(competition_id=comp.id, external_id="T1", name="队一", affiliation_id=school.id,
                    division=Division.STUDENT)
        db.session.add(team)
        db.session.flush()
        for i, owner in enumerate(("cand-h04_enclosing", "c14")):
            from web.storage.models import Submission
            user_id = db.session.scalar(select(Submission.candidate_id).where(Submission.id == sids[owner]))
            person = Person(name=f"p{i}")
            db.session.add(person)
            db.session.flush()
            db.session.add(TeamMember(team_id=team.id, competition_id=comp.id, person_id=person.id, user_id=user_id))
        db.session.commit()
        assert db.session.scalar(select(User.id).limit(1)) is not None
    html = examiner.get(f"/staff/examiner/exams/{exam}/similarity").get_data(as_text=True)
    assert 'class="suspect"' not in html
    assert ("1 teams: members of one team are never paired" in html) or ("1 个参赛队" in html)
