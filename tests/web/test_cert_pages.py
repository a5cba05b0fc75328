"""The certification pages: create a sitting, register from a sheet (bad rows named), the pass
list with an exception, publish, download the PDF, zip and xlsx, revoke; the public
verification page and its JSON, rate-limited; ID numbers masked on every page but the audited view."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from web.services import sheets
from web.storage.db import db
from web.storage.models import AuditLog, Certificate, Person, Sitting

from .certhelp import edge_exam, ids, practical, theory

PEOPLE = ids(3)


@pytest.fixture
def sitting_id(app, signed_in):
    with app.app_context():
        exam_id = edge_exam()
    examiner = signed_in("examiner")
    r = examiner.post("/staff/cert/", {"name_zh": "2026年第一批（中级）", "name_en": "2026 first sitting", "level": "intermediate",
                                       "exam": exam_id, "site_code": "sz", "site_name": "深圳",
                                       "starts_on": "2026-11-20", "ends_on": "2026-11-21",
                                       "theory_min": "60", "practical_min": "60", "theory_weight": "30"})
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    return int(r.headers["Location"].rsplit("/", 1)[1])


def upload_sheet(b, sid, data, name="报名表.xlsx"):
    return b.post(f"/staff/cert/{sid}/register", {"sheet": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_a_sitting_refuses_a_package_of_another_level(app, signed_in):
    with app.app_context():
        exam_id = edge_exam()
    r = signed_in("examiner").post("/staff/cert/", {"name_zh": "高级", "level": "advanced", "exam": exam_id,
                                                   "site_code": "SZ", "starts_on": "2026-01-01", "ends_on": "2026-01-01",
                                                   "theory_min": "60"})
    assert r.status_code == 400 and "中级" in r.get_data(as_text=True)


def test_registration_names_every_bad_row_and_masks_ids(app, signed_in, sitting_id):
    examiner = signed_in("examiner")
    bad = PEOPLE[1][:-1] + ("1" if PEOPLE[1][-1] != "1" else "2")
    r = upload_sheet(examiner, sitting_id, sheets.write_xlsx(["姓名", "身份证号"], [["甲", PEOPLE[0]], ["乙", bad], ["", PEOPLE[2]]]))
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "第 3 行" in html and "第 4 行" in html and "校验位" in html
    assert bad not in html
    csv = ("姓名,性别,身份证号,单位,联系方式\n" + "\n".join(f"{n},,{i},深职大,138" for n, i in zip("甲乙丙", PEOPLE))).encode("gbk")
    r = upload_sheet(examiner, sitting_id, csv, "报名表.csv")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "新增 3 人" in html
    for page in (f"/staff/cert/{sitting_id}", f"/staff/cert/{sitting_id}/passlist.xlsx"):
        body = examiner.get(page).get_data()
        text = body.decode("utf-8", "replace") if page.endswith(str(sitting_id)) else _xlsx_text(body)
        assert all(i not in text for i in PEOPLE) and PEOPLE[0][:3] + "*" * 11 + PEOPLE[0][-4:] in text
    with app.app_context():
        pid = db.session.scalar(select(Person.id).where(Person.name == "甲"))
    assert PEOPLE[0] not in examiner.get(f"/staff/cert/people/{pid}").get_data(as_text=True)
    assert examiner.post(f"/staff/cert/people/{pid}/reveal").status_code == 403     # admins only
    admin = signed_in("admin")
    assert PEOPLE[0] not in admin.get(f"/staff/cert/people/{pid}").get_data(as_text=True)
    assert PEOPLE[0] in admin.post(f"/staff/cert/people/{pid}/reveal").get_data(as_text=True)
    with app.app_context():
        views = list(db.session.scalars(select(AuditLog).where(AuditLog.action == "id_number_view")))
        assert [(v.actor, v.target) for v in views] == [("admin1", f"person:{pid}")]
        assert all(PEOPLE[0] not in str(a.details) for a in db.session.scalars(select(AuditLog)))


def _xlsx_text(data: bytes) -> str:
    return " ".join(" ".join(cells) for _, cells in sheets.rows(data))


def _score(app, sid, scores):
    with app.app_context():
        s = db.session.get(Sitting, sid)
        from web.services import sittings
        for reg in sittings.registrations(s):
            th, pr = scores[reg.person.name]
            if th is not None:
                theory(s.exam_id, reg.candidate_id, th)
            if pr is not None:
                practical(s.exam_id, reg.candidate_id, pr)


def test_publish_issue_download_revoke_verify(app, signed_in, sitting_id, browser):
    examiner = signed_in("examiner")
    upload_sheet(examiner, sitting_id, sheets.write_xlsx(["姓名", "身份证号"], [[n, i] for n, i in zip("甲乙丙", PEOPLE)]))
    _score(app, sitting_id, {"甲": (60, 60), "乙": (59.5, 90), "丙": (None, 80)})
    page = examiner.get(f"/staff/cert/{sitting_id}").get_data(as_text=True)
    assert "理论 ≥ 60，且 实操 ≥ 60" in page and "缺考" in page and "未达标：理论" in page
    with app.app_context():
        from web.services import sittings
        regs = {r.person.name: r.id for r in sittings.registrations(db.session.get(Sitting, sitting_id))}
    assert examiner.post(f"/staff/cert/{sitting_id}/exception", {"registration": regs["乙"], "outcome": "passed",
                                                                  "reason": ""}).status_code == 400
    assert examiner.post(f"/staff/cert/{sitting_id}/exception", {"registration": regs["乙"], "outcome": "passed",
                                                                  "reason": "理论阅卷复核后为 60 分"}).status_code == 303
    r = examiner.post(f"/staff/cert/{sitting_id}/publish")
    assert r.status_code == 303
    page = examiner.get(r.headers["Location"]).get_data(as_text=True)
    assert "合格 2，不合格 0，缺考 1" in page and "2026-2-SZ-000001" in page and "理论阅卷复核后为 60 分" in page
    assert examiner.post(f"/staff/cert/{sitting_id}/publish").status_code == 409
    pdf = examiner.get("/staff/cert/certificate/2026-2-SZ-000001.pdf")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    download = examiner.get(f"/staff/cert/{sitting_id}/certificates.zip")
    z = zipfile.ZipFile(io.BytesIO(download.data))
    download.close()
    assert sorted(z.namelist()) == ["2026-2-SZ-000001.pdf", "2026-2-SZ-000002.pdf"]
    rows = _xlsx_text(examiner.get(f"/staff/cert/{sitting_id}/passlist.xlsx").data)
    assert "2026-2-SZ-000002" in rows and "合格" in rows
    with app.app_context():
        holders = dict(db.session.execute(select(Certificate.holder_name, Certificate.number)).all())
    # public verification: no sign-in, number + name
    answer = browser.get(f"/verify/{holders['甲']}?name=甲")
    assert answer.status_code == 200 and "证书有效" in answer.get_data(as_text=True)
    assert PEOPLE[0] not in answer.get_data(as_text=True)
    assert browser.get(f"/verify/{holders['甲']}?name=乙").status_code == 404
    assert browser.get("/verify/2026-2-SZ-000099.json?name=甲").json == {"found": False}
    assert browser.get(f"/verify/?number={holders['甲'].lower()}&name=甲").status_code == 303
    assert examiner.post(f"/staff/cert/certificate/{holders['乙']}/revoke", {"reason": ""}).status_code == 400
    assert examiner.post(f"/staff/cert/certificate/{holders['乙']}/revoke",
                         {"reason": "复核结论撤回 review withdrawn"}).status_code == 303
    j = browser.get(f"/verify/{holders['乙']}.json?name=乙").json
    assert j["status"] == "revoked" and j["revoked_reason"] == "复核结论撤回 review withdrawn"
    assert j["id_number"] == PEOPLE[1][:3] + "*" * 11 + PEOPLE[1][-4:] and j["level"] == "intermediate"
    browser.set_lang("en")
    assert "Revoked certificate" in browser.get(f"/verify/{holders['乙']}?name=乙").get_data(as_text=True)


def test_public_lookups_are_rate_limited_per_address(app, browser):
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    codes = [browser.get(f"/verify/2026-2-SZ-00000{i}.json?name=x").status_code for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    other = app.test_client()
    assert other.get("/verify/2026-2-SZ-000001.json?name=x", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 404
    assert "查询过于频繁" in browser.get("/verify/").get_data(as_text=True)


def _get_until_done(b, url: str, limit_s: float = 600.0):
    """Ask again as the status page does, until the answer is not 202 (a generous safety limit, not a timing)."""
    import time

    end = time.monotonic() + limit_s
    while True:
        r = b.get(url)
        if r.status_code != 202 or time.monotonic() > end:
            return r
        assert "正在后台生成证书" in r.get_data(as_text=True) and 'http-equiv="refresh"' in r.get_data(as_text=True)
        r.close()
        time.sleep(0.3)


def test_a_large_sittings_zip_is_built_in_the_background_with_its_progress(app, signed_in, sitting_id):
    from pathlib import Path

    app.config["CERT_ZIP_INLINE_MAX"] = 0                   # every sitting is "large" here
    examiner = signed_in("examiner")
    upload_sheet(examiner, sitting_id, sheets.write_xlsx(["姓名", "身份证号"], [[n, i] for n, i in zip("甲乙丙", PEOPLE)]))
    _score(app, sitting_id, {"甲": (70, 70), "乙": (80, 90), "丙": (65, 61)})
    assert examiner.post(f"/staff/cert/{sitting_id}/publish").status_code == 303
    folder = Path(app.config["WORK_DIR"]) / "certificates"
    url = f"/staff/cert/{sitting_id}/certificates.zip"

    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder")                        # a real failure: the zip cannot be written
    r = _get_until_done(examiner, url)
    assert r.status_code == 500 and "生成证书压缩包失败" in r.get_data(as_text=True) and "retry=1" in r.get_data(as_text=True)
    assert _get_until_done(examiner, url).status_code == 500  # shown until asked again, not retried in a loop
    folder.unlink()

    first = examiner.get(url + "?retry=1")
    assert first.status_code == 202 and "/ 3 份" in first.get_data(as_text=True)
    r = _get_until_done(examiner, url)
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert sorted(zipfile.ZipFile(io.BytesIO(r.data)).namelist()) == [f"2026-2-SZ-00000{i}.pdf" for i in (1, 2, 3)]
    r.close()
    built = sorted(folder.glob("*.zip"))
    assert len(built) == 1

    assert examiner.post("/staff/cert/certificate/2026-2-SZ-000002/revoke", {"reason": "撤销 test"}).status_code == 303
    assert examiner.get(url).status_code == 202               # a new state of the certificates: a new zip
    r = _get_until_done(examiner, url)
    assert r.status_code == 200
    r.close()
    assert [p.name for p in folder.glob("*.zip")] != [p.name for p in built] and len(list(folder.glob("*.zip"))) == 1
    with app.app_context():
        kinds = [a.action for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert kinds.count("certificates_zip_build") == 3 and "certificates_download" in kinds


def test_two_downloads_at_once_build_one_zip(app, signed_in, sitting_id):
    import threading

    examiner = signed_in("examiner")
    upload_sheet(examiner, sitting_id, sheets.write_xlsx(["姓名", "身份证号"], [[n, i] for n, i in zip("甲乙", PEOPLE)]))
    _score(app, sitting_id, {"甲": (70, 70), "乙": (80, 90)})
    assert examiner.post(f"/staff/cert/{sitting_id}/publish").status_code == 303
    answers = []
    start = threading.Barrier(2)

    def download(client):
        start.wait()
        r = client.get(f"/staff/cert/{sitting_id}/certificates.zip")        # small: built in the request
        answers.append((r.status_code, r.data[:2] == b"PK" and sorted(zipfile.ZipFile(io.BytesIO(r.data)).namelist())))
        r.close()

    # two examiners, each with their own browser (a test client is not shared between threads)
    threads = [threading.Thread(target=download, args=(c,)) for c in (examiner, signed_in("examiner"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    whole = (200, ["2026-2-SZ-000001.pdf", "2026-2-SZ-000002.pdf"])
    # each gets the whole zip, or (the other's build under way) the progress page, never a torn file
    assert whole in answers and all(a == whole or a == (202, False) for a in answers), answers
    r = _get_until_done(examiner, f"/staff/cert/{sitting_id}/certificates.zip")
    assert (r.status_code, sorted(zipfile.ZipFile(io.BytesIO(r.data)).namelist())) == whole
    r.close()
    from pathlib import Path
    made = [p.name for p in (Path(app.config["WORK_DIR"]) / "certificates").iterdir()]
    assert len(made) == 1 and made[0].endswith(".zip"), made
