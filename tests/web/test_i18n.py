"""Every page in Chinese and English: a complete catalogue, and no key a page asks for is missing."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from grader.models import TestStatus, Verdict
from web.services.clock import WindowState
from web.pages.i18n import CATALOGUE, STATUSES
from web.storage.models import Gender, Level, Outcome, Role, SittingStatus, SubmissionStatus

from .conftest import SHAPES_PATH, submission_id

# every reason web.services.sittings / passlist / certificates refuse with (pages show cert.err.<reason>)
SITTING_REFUSALS = ("no_exam", "bad_level", "level_mismatch", "bad_site", "bad_form", "bad_number", "rule_empty",
                    "rule_range", "rule_weight", "published", "no_registration", "exception_reason", "nobody",
                    "no_sitting", "no_reason", "already_revoked")
WEB = Path(__file__).resolve().parents[2] / "web"


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_entry_has_both_languages_with_the_same_fields():
    for key, entry in CATALOGUE.items():
        assert entry.get("zh") and entry.get("en"), key
        assert fields(entry["zh"]) == fields(entry["en"]), key


def test_every_key_used_exists():
    used = set()
    for path in list((WEB / "pages" / "templates").rglob("*.html")) + list(WEB.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\s*['\"]([a-z_]+\.[a-z_.]+)['\"]", text))
        used |= set(re.findall(r"UploadRefused\(\s*\"([a-z_.]+)\"", text))
        used |= set(re.findall(r"RosterProblem\([^)]*\"(roster\.[a-z_]+)\"", text))
    dynamic = ({f"status.{s.value}" for s in SubmissionStatus} | {f"verdict.{v.value}" for v in Verdict}
               | {f"test.{s.value}" for s in TestStatus} | {f"role.{r.value}" for r in Role}
               | {f"window.{w.value}" for w in WindowState}
               | {f"level.{v.value}" for v in Level} | {f"outcome.{o.value}" for o in Outcome}
               | {f"sitting_status.{s.value}" for s in SittingStatus} | {f"gender.{x.value}" for x in Gender}
               | {f"cert.err.{r}" for r in SITTING_REFUSALS})
    missing = sorted((used | dynamic) - set(CATALOGUE))
    assert not missing
    assert set(STATUSES) == {s.value for s in SubmissionStatus}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_in_both_languages(lang, app, make_browser, codes, staff, exam):
    cand = make_browser()
    cand.set_lang(lang)
    cand.login_candidate("2024001", codes["2024001"])
    sid = submission_id(cand.upload("shapes", SHAPES_PATH))
    cand.upload("shapes", name="x.txt", data=b"no")
    for url in ("/exam", "/submissions", f"/submissions/{sid}", f"/submissions/{sid}?new=1", "/nope"):
        r = cand.get(url)
        assert r.status_code in (200, 404), url
        html = r.get_data(as_text=True)
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
    admin = make_browser()
    admin.set_lang(lang)
    admin.login_staff(staff["admin"])
    for url in ("/staff/", f"/staff/?exam={exam}", "/staff/roster", "/staff/exams", f"/staff/exams/{exam}",
                "/staff/audit"):
        assert admin.get(url).status_code == 200, url
    anon = make_browser()
    anon.set_lang(lang)
    for url in ("/login", "/login/staff"):
        assert anon.get(url).status_code == 200
    english = "Candidate sign-in" in anon.get("/login").get_data(as_text=True)
    assert english == (lang == "en")
