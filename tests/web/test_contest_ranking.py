"""Team ranking, awards and finalists: the tie rule, award cut-offs with ties, finalist rules
(pure functions), and a site's standings from real graded submissions of a team."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from support.contest import as_csv, teams
from web.services.contest import awards, entrants, finalists, setup, sheet, standings
from web.services.contest.awards import AwardRule, BadRule
from web.services.contest.finalists import FinalistRule
from web.services.contest.ranking import TeamScore, by_division, rank, team_theory
from web.storage.db import db
from web.storage.models import Competition, Division, Exam, TheoryScore

from .conftest import SHAPES_PATH, grade_by_hand, submission_id

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)


def row(team_id, final, practical=50.0, minutes=0, division=Division.STUDENT, site="A", site_rank=0):
    return TeamScore(team_id, team_id, "aff", division, site, {}, practical, practical, 80.0, final,
                     T0 + timedelta(minutes=minutes) if minutes is not None else None,
                     extra={"site_rank": site_rank})


def ranks(rows):
    return [(r.team_id, r.rank) for r in rank(rows)]


def test_final_then_practical_then_earlier_last_submission():
    rows = [row("a", 80, 70, 30), row("b", 80, 75, 50), row("c", 80, 75, 40), row("d", 90, 10, 0),
            row("e", None, 99, 0)]
    assert ranks(rows) == [("d", 1), ("c", 2), ("b", 3), ("a", 4), ("e", 5)]


def test_teams_equal_on_all_three_share_a_rank():
    rows = [row("x", 70, 60, 5), row("y", 70, 60, 5), row("z", 60, 60, 5)]
    assert ranks(rows) == [("x", 1), ("y", 1), ("z", 3)]


def test_a_team_without_a_submission_comes_after_an_equal_team_with_one():
    assert ranks([row("late", 0, 0, None), row("early", 0, 0, 1)]) == [("early", 1), ("late", 2)]


def test_team_theory_rules():
    assert team_theory([60, 90, None]) == 75.0
    assert team_theory([60, 90], "max") == 90 and team_theory([None, None]) is None


def test_divisions_rank_apart():
    rows = [row("s1", 50), row("e1", 40, division=Division.EMPLOYEE), row("s2", 60)]
    got = by_division(rows)
    assert [r.team_id for r in got[Division.STUDENT]] == ["s2", "s1"]
    assert [(r.team_id, r.rank) for r in got[Division.EMPLOYEE]] == [("e1", 1)]


def tiers(rows, rule):
    return [(r.team_id, r.award) for r in awards.assign(rank(rows), rule)]


def test_awards_by_ratio_of_ten_teams():
    rows = [row(f"t{i}", 100 - i) for i in range(10)]
    got = tiers(rows, AwardRule("ratio", (10, 20, 30)))
    assert [a for _, a in got] == [1, 2, 2, 3, 3, 3, None, None, None, None]


def test_a_tie_at_the_cut_off_takes_the_higher_prize_and_shrinks_the_next():
    rows = [row("a", 95), row("b", 90), row("c", 90), row("d", 80), row("e", 70)] + \
           [row(f"z{i}", 10 - i) for i in range(5)]
    got = dict(tiers(rows, AwardRule("ratio", (10, 20, 30))))
    # cuts 1, 3, 6: a first; b and c (tied, rank 2) second; d, e, z0 third
    assert (got["a"], got["b"], got["c"], got["d"], got["e"], got["z0"], got["z1"]) == (1, 2, 2, 3, 3, 3, None)
    rows = [row("a", 95), row("b", 95)] + [row(f"z{i}", 10 - i) for i in range(8)]
    got = dict(tiers(rows, AwardRule("ratio", (10, 20, 30))))
    assert got["a"] == got["b"] == 1 and got["z0"] == 2 and got["z1"] == 3   # rank 3 <= cut 3: second


def test_a_tie_across_the_last_cut_awards_both():
    rows = [row("a", 90), row("b", 80), row("c", 80), row("d", 70)]
    got = dict(tiers(rows, AwardRule("count", (1, 1))))
    assert got == {"a": 1, "b": 2, "c": 2, "d": None}


def test_teams_without_a_final_score_win_nothing_and_do_not_count():
    rows = [row("a", 90), row("b", None), row("c", None), row("d", None)] + [row(f"z{i}", 50 - i) for i in range(9)]
    got = dict(tiers(rows, AwardRule("ratio", (10,))))
    assert got["a"] == 1 and got["b"] is None and sum(1 for v in got.values() if v) == 1


def test_bad_award_rules_are_refused():
    for data in ({"mode": "share", "tiers": [1]}, {"mode": "ratio", "tiers": [60, 50]},
                 {"mode": "count", "tiers": [1.5]}, {"mode": "ratio", "tiers": []}):
        with pytest.raises(BadRule):
            AwardRule.from_json(data)


def test_finalists_top_n_includes_a_tie_at_the_cut():
    rows = rank([row("a", 90), row("b", 80), row("c", 80), row("d", 70)])
    got = {r.team_id: r.finalist for r in finalists.select(rows, FinalistRule("top", 2))}
    assert got == {"a": "top", "b": "top", "c": "top", "d": None}


def test_finalists_by_site_quota_then_national_top():
    rows = rank([row("a1", 95, site="A", site_rank=1), row("a2", 94, site="A", site_rank=2),
                 row("a3", 93, site="A", site_rank=3), row("b1", 50, site="B", site_rank=1),
                 row("b2", 40, site="B", site_rank=2)])
    got = {r.team_id: r.finalist for r in finalists.select(rows, FinalistRule("quota", top=1, quota=1))}
    assert got == {"a1": "quota", "b1": "quota", "a2": "top", "a3": None, "b2": None}


# ------------------------------------------------------------------ a site's standings, real submissions

def test_a_sites_standings_count_the_teams_newest_graded_submission(app, exam, make_browser):
    with app.app_context():
        comp = setup.create("c", exam=db.session.get(Exam, exam), site="A", theory_weight=30)
        comp_id = comp.id
        rows, _ = sheet.parse(as_csv(teams("K", 2)))
        done, problems = entrants.import_teams(comp, rows)
        assert problems == []
        codes = {c.number: (c.code, c.user_id) for c in done.codes}
        db.session.add_all([TheoryScore(exam_id=exam, candidate_id=codes["K0011"][1], score=80),
                            TheoryScore(exam_id=exam, candidate_id=codes["K0012"][1], score=60)])
        db.session.commit()
    first, second, other = make_browser(), make_browser(), make_browser()
    first.login_candidate("K0011", codes["K0011"][0])
    second.login_candidate("K0012", codes["K0012"][0])
    other.login_candidate("K0021", codes["K0021"][0])
    grade_by_hand(app, submission_id(first.upload("shapes", SHAPES_PATH)), 5.0)
    grade_by_hand(app, submission_id(second.upload("shapes", SHAPES_PATH)), 2.0)   # newer: it counts
    grade_by_hand(app, submission_id(other.upload("shapes", SHAPES_PATH)), 4.0)
    with app.app_context():
        comp = db.session.get(Competition, comp_id)
        from web.services import exams
        pmax = exams.package(comp.exam).max_score
        board = standings.divisions(comp, pmax)[Division.STUDENT]
        k1, k2 = board
        assert (k1.team_id, k1.rank, k2.team_id, k2.rank) == ("K-T001", 1, "K-T002", 2)
        assert k1.tasks == {"shapes": 2.0} and k1.theory == 70.0          # the newer, lower result counts
        assert k1.final == round(100 * 2 / pmax * 0.7 + 70 * 0.3, 2)
        assert k2.tasks == {"shapes": 4.0} and k2.theory is None and k2.final is None   # no theory: after
        assert len(k1.counted) == 1 and len(k1.counted[0].sha256) == 64
