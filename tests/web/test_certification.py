"""Certification: pass rules at their boundaries, exceptions, publishing, numbering, revocation,
verification, masking. Real SQLite, the real edge-AI package, real PDFs."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from web.services import passlist, passrule, sittings, verify
from web.services.certificates import CertificateRefused, by_number, revoke
from web.services.passrule import Rule
from web.services.sittings import SittingRefused
from web.storage.db import db
from web.storage.models import Certificate, Outcome, Sitting

from .certhelp import RULE_60_60, edge_exam, ids, new_sitting, practical, register, theory


@pytest.mark.parametrize("th, pr, outcome", [
    (60, 60, Outcome.PASSED), (59.5, 60, Outcome.FAILED), (60, 59.5, Outcome.FAILED),
    (59.999, 60, Outcome.FAILED), (100, 0, Outcome.FAILED), (None, 80, Outcome.ABSENT), (80, None, Outcome.ABSENT),
])
def test_per_part_minimums_at_their_boundary(th, pr, outcome):
    assert passrule.decide(RULE_60_60, th, pr).outcome is outcome


def test_weighted_total_cut_off_is_exact_at_two_decimals():
    rule = Rule(2, None, None, 30, 60.0)
    assert passrule.decide(rule, 60, 60).total == 60.0                     # 0.3*60 + 0.7*60 is 60.000000000000004
    assert passrule.decide(rule, 60, 60).outcome is Outcome.PASSED
    low = passrule.decide(rule, 58.5, 60)                                   # 17.55 + 42 = 59.55
    assert (low.total, low.outcome, low.short) == (59.55, Outcome.FAILED, ("total",))
    assert passrule.decide(rule, 0, 86).outcome is Outcome.PASSED           # no minimum on the parts
    assert passrule.decide(Rule(3, 50, None, 30, 60), 40, 100).short == ("theory",)


def test_a_rule_needs_a_criterion_and_sane_numbers():
    for bad, reason in ((Rule(1, None, None, 30, None), "empty"), (Rule(1, 101, None, 30, None), "range"),
                        (Rule(1, 60, None, 130, None), "weight")):
        with pytest.raises(passrule.BadRule) as e:
            bad.check()
        assert e.value.reason == reason
    assert "理论 ≥ 60" in RULE_60_60.describe("zh") and "theory ≥ 60" in RULE_60_60.describe("en")


def test_a_sitting_must_match_the_level_its_package_examines(ctx):
    exam_id = edge_exam()
    form = sittings.SittingForm("高级", "", "advanced", exam_id, "SZ", "", *[__import__("datetime").date(2026, 1, 1)] * 2)
    with pytest.raises(SittingRefused) as e:
        sittings.create(form, RULE_60_60, "examiner")
    assert e.value.reason == "level_mismatch" and e.value.params["declared"] == "intermediate"


def _scored(sitting_id, people):
    """Register (name, theory, practical) people and record their scores; {name: candidate id}."""
    names = register(sitting_id, [(n, i) for (n, _, _), i in zip(people, ids(len(people)))])
    exam_id = db.session.get(Sitting, sitting_id).exam_id
    for name, th, pr in people:
        if th is not None:
            theory(exam_id, names[name], th)
        if pr is not None:
            practical(exam_id, names[name], pr)
    return names


def test_pass_list_shows_both_scores_the_rule_and_exceptions(ctx):
    sid = new_sitting()
    _scored(sid, [("甲", 60, 60), ("乙", 59.5, 90), ("丙", None, 75), ("丁", 70, None), ("戊", 90, 55)])
    sitting = db.session.get(Sitting, sid)
    by_name = {r.name: r for r in passlist.live(sitting)}
    assert {n: r.outcome for n, r in by_name.items()} == {
        "甲": Outcome.PASSED, "乙": Outcome.FAILED, "丙": Outcome.ABSENT, "丁": Outcome.ABSENT, "戊": Outcome.FAILED}
    assert (by_name["乙"].theory, by_name["乙"].practical, by_name["乙"].short) == (59.5, 90.0, ("theory",))
    # an exception needs a written reason, then overrides the rule (and says so)
    with pytest.raises(SittingRefused):
        passlist.record_exception(sitting, by_name["戊"].registration_id, "passed", "  ", "examiner")
    passlist.record_exception(sitting, by_name["戊"].registration_id, "passed",
                              "复核：第 3 题评分脚本误判，人工复评 62 分", "examiner")
    row = {r.name: r for r in passlist.live(sitting)}["戊"]
    assert (row.rule_outcome, row.outcome, row.exception_reason) == (
        Outcome.FAILED, Outcome.PASSED, "复核：第 3 题评分脚本误判，人工复评 62 分")
    assert all(r.masked_id.count("*") == 11 for r in passlist.live(sitting))


def test_publish_freezes_the_list_and_issues_numbered_certificates(ctx):
    sid = new_sitting()
    names = _scored(sid, [("甲", 60, 60), ("乙", 80, 90), ("丙", 50, 90)])
    done = passlist.publish(sid, "examiner")
    assert (done.passed, done.failed, done.absent) == (2, 1, 0)
    assert sorted(done.certificates) == ["2026-2-SZ-000001", "2026-2-SZ-000002"]
    sitting = db.session.get(Sitting, sid)
    assert sitting.rule_version == 1 and len(sitting.package_sha256) == 64
    # later grading or a theory change does not move the published list
    practical(sitting.exam_id, names["丙"], 100, task="gui")
    frozen = {r.name: r for r in passlist.rows(sitting)}
    assert frozen["丙"].outcome is Outcome.FAILED and frozen["丙"].practical == 90.0
    assert frozen["甲"].certificate in done.certificates and frozen["丙"].certificate is None
    with pytest.raises(SittingRefused) as e:
        passlist.publish(sid, "examiner")
    assert e.value.reason == "published"
    with pytest.raises(SittingRefused):
        sittings.change_rule(sitting, Rule(0, 50, 50, 30, None), "examiner")
    tokens = set(db.session.scalars(select(Certificate.token)))
    assert len(tokens) == 2 and all(len(t) >= 32 for t in tokens)


def test_numbers_continue_across_sittings_and_are_never_reused(ctx):
    first, second, other_site = new_sitting(), new_sitting(name="第二批"), new_sitting(site="GZ", name="广州")
    _scored(first, [("甲", 80, 80)])
    register(second, [("乙", ids(1, start=50)[0])])
    exam_id = db.session.get(Sitting, second).exam_id
    reg = sittings.registrations(db.session.get(Sitting, second))[0]
    theory(exam_id, reg.candidate_id, 90)
    register(other_site, [("丙", ids(1, start=60)[0])])
    reg3 = sittings.registrations(db.session.get(Sitting, other_site))[0]
    theory(exam_id, reg3.candidate_id, 90)
    one = passlist.publish(first, "examiner").certificates
    revoke(by_number(one[0]), "证书信息有误 wrong details", "admin")
    # 乙 has the same practical result as 甲? no: 乙 has none, so absent; give one
    practical(exam_id, reg.candidate_id, 70)
    practical(exam_id, reg3.candidate_id, 70)
    two = passlist.publish(second, "examiner").certificates
    three = passlist.publish(other_site, "examiner").certificates
    assert (one, two, three) == (["2026-2-SZ-000001"], ["2026-2-SZ-000002"], ["2026-2-GZ-000001"])


def test_revocation_keeps_the_record_and_verification_says_so(ctx):
    sid = new_sitting()
    _scored(sid, [("王 伟", 80, 80)])
    number = passlist.publish(sid, "examiner").certificates[0]
    cert = by_number(number)
    assert verify.lookup(number, name="王伟").status == "valid"            # spaces as typed do not matter
    assert verify.lookup(number, token=cert.token).holder_name == "王 伟"
    assert verify.lookup(number, name="王五") is None                        # wrong name: same as unknown
    assert verify.lookup("2026-2-SZ-999999", name="王伟") is None
    assert verify.lookup(number) is None and verify.lookup(number, token="x" * 32) is None
    with pytest.raises(CertificateRefused):
        revoke(cert, " ", "admin")
    revoke(cert, "以不正当手段取得 obtained by fraud", "admin")
    answer = verify.as_json(verify.lookup(number.lower(), name="王伟"))
    assert answer["status"] == "revoked" and answer["revoked_reason"].startswith("以不正当手段")
    assert answer["revoked_on"] and answer["id_number"].count("*") == 11
    assert db.session.scalar(select(Certificate).where(Certificate.number == number)) is not None
    with pytest.raises(CertificateRefused):
        revoke(cert, "again", "admin")
