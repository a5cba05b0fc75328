"""Certification actions ask first (issue 12: confirmation before every destructive or
exam-wide action): publishing a pass list, changing its rule, an exception, revoking a
certificate and showing a whole ID number. Posted without confirm=yes, each gets the server's
question and does nothing; the form's data-confirm carries the same words for confirm.js."""
from __future__ import annotations

from sqlalchemy import select

from web.storage.db import db
from web.storage.models import AuditLog, Certificate, Person, Sitting, SittingStatus

from .certhelp import ids, new_sitting, practical, register, theory
from .test_confirm import ask_then_confirm

PEOPLE = ids(2, start=40)


def sitting_with_results(app) -> tuple[int, dict[str, int]]:
    with app.app_context():
        sid = new_sitting(name="确认测试批次")
        who = register(sid, [("甲", PEOPLE[0]), ("乙", PEOPLE[1])])
        exam_id = db.session.get(Sitting, sid).exam_id
        for name, (th, pr) in {"甲": (80, 90), "乙": (50, 70)}.items():
            theory(exam_id, who[name], th)
            practical(exam_id, who[name], pr)
        return sid, who


def test_certification_actions_ask_first_and_do_nothing_until_confirmed(app, signed_in):
    sid, _ = sitting_with_results(app)
    examiner = signed_in("examiner")
    examiner.set_lang("en")
    page = examiner.get(f"/staff/cert/{sid}").get_data(as_text=True)
    for words in ("Publish the pass list of “2026 first sitting, intermediate”?", "Change the pass rule of “2026 first sitting, intermediate”?",
                  "Save this exception in “2026 first sitting, intermediate”?"):
        assert f'data-confirm="{words}' in page, words

    with app.app_context():
        reg = db.session.scalar(select(Sitting).where(Sitting.id == sid))
        from web.services import sittings
        reg_id = sittings.registrations(reg)[1].id
    exception = {"registration": str(reg_id), "outcome": "passed", "reason": "复核 review"}
    done = ask_then_confirm(examiner, f"/staff/cert/{sid}/exception", exception, expect="Save this exception")
    assert done.status_code == 303

    rule = {"theory_min": "60", "practical_min": "60", "theory_weight": "30"}
    assert ask_then_confirm(examiner, f"/staff/cert/{sid}/rule", rule, expect="Change the pass rule").status_code == 303

    examiner.post(f"/staff/cert/{sid}/publish", confirm=False)
    with app.app_context():
        assert db.session.get(Sitting, sid).status is not SittingStatus.PUBLISHED     # asked, nothing done
    assert ask_then_confirm(examiner, f"/staff/cert/{sid}/publish", expect="cannot change afterwards").status_code == 303
    with app.app_context():
        number = db.session.scalar(select(Certificate.number).where(Certificate.sitting_id == sid)
                                   .order_by(Certificate.number))
    page = examiner.get(f"/staff/cert/{sid}").get_data(as_text=True)
    assert f'data-confirm="Revoke certificate {number}?' in page
    examiner.post(f"/staff/cert/certificate/{number}/revoke", {"reason": "撤回"}, confirm=False)
    with app.app_context():
        assert db.session.scalar(select(Certificate.revoked_at).where(Certificate.number == number)) is None
    done = ask_then_confirm(examiner, f"/staff/cert/certificate/{number}/revoke", {"reason": "撤回"},
                            expect=f"Revoke certificate {number}?")
    assert done.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Certificate.revoked_at).where(Certificate.number == number)) is not None


def test_showing_a_whole_id_number_asks_first(app, signed_in):
    sitting_with_results(app)
    with app.app_context():
        pid = db.session.scalar(select(Person.id).where(Person.name == "甲"))
    admin = signed_in("admin")
    admin.set_lang("en")
    assert 'data-confirm="Show the whole ID number of 甲?' in admin.get(f"/staff/cert/people/{pid}").get_data(as_text=True)
    asked = admin.post(f"/staff/cert/people/{pid}/reveal", confirm=False).get_data(as_text=True)
    assert PEOPLE[0] not in asked and "recorded in the audit log" in asked
    with app.app_context():
        assert not list(db.session.scalars(select(AuditLog).where(AuditLog.action == "id_number_view")))
    shown = ask_then_confirm(admin, f"/staff/cert/people/{pid}/reveal", expect="Show the whole ID number")
    assert PEOPLE[0] in shown.get_data(as_text=True)


def test_saving_exam_settings_asks_first(app, signed_in, exam):
    from web.storage.models import Exam
    examiner = signed_in("examiner")
    examiner.set_lang("en")
    assert 'data-confirm="Save the settings of “Demo exam: image processing basics”?' in \
        examiner.get(f"/staff/exams/{exam}").get_data(as_text=True)
    form = {"window_start": "", "window_end": "", "attempt_limit": "3", "min_interval_s": "0",
            "count_policy": "best", "count_deadline": "", "board_privacy": "masked"}
    examiner.post(f"/staff/exams/{exam}", form, confirm=False)
    with app.app_context():
        assert db.session.get(Exam, exam).attempt_limit is None                  # asked, nothing saved
    done = ask_then_confirm(examiner, f"/staff/exams/{exam}", form, expect="apply to every candidate at once")
    assert done.status_code == 303
    with app.app_context():
        row = db.session.get(Exam, exam)
        assert row.attempt_limit == 3 and row.count_policy == "best"


def test_registering_people_from_a_sheet_asks_first(app, signed_in):
    import io
    import re
    from web.services import sheets
    from web.storage.models import Registration
    from .certhelp import edge_exam
    with app.app_context():
        sid = new_sitting(name="报名确认批次")
        edge_exam()
    examiner = signed_in("examiner")
    examiner.set_lang("en")
    assert 'data-confirm="Register the people of this sheet for' in examiner.get(f"/staff/cert/{sid}").get_data(as_text=True)
    data = sheets.write_xlsx(["姓名", "身份证号"], [["丙", PEOPLE[0]], ["丁", PEOPLE[1]]])
    url = f"/staff/cert/{sid}/register"
    asked = examiner.post(url, {"sheet": (io.BytesIO(data), "名单.xlsx")}, confirm=False, content_type="multipart/form-data")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Register the people in 名单.xlsx for “2026 first sitting, intermediate”?" in page
    with app.app_context():
        assert db.session.query(Registration).filter_by(sitting_id=sid).count() == 0          # asked, nothing done
    staged = re.search(r'name="staged" value="([0-9a-f]{64})"', page).group(1)
    done = examiner.post(url, {"staged": staged, "filename": "名单.xlsx"}, confirm=True)
    assert done.status_code == 200
    with app.app_context():
        assert db.session.query(Registration).filter_by(sitting_id=sid).count() == 2
