"""`practicum sitting list|zip`: a published sitting's certificates built from the shell."""
from __future__ import annotations

import zipfile

from click.testing import CliRunner

from web.cli import main
from web.services import passlist

from .certhelp import ids, pdf_text_and_qr, scored_sitting


def test_list_and_zip_a_published_sitting(app, tmp_path):
    with app.app_context():
        sid = scored_sitting([("甲 一", ids(1)[0]), ("乙 二", ids(1, start=3)[0])], 80, 70)
    board = ["--instance", app.instance_path, "--database", app.config["SQLALCHEMY_DATABASE_URI"]]
    out = tmp_path / "all.zip"
    early = CliRunner().invoke(main, ["sitting", "zip", str(sid), "-o", str(out), "--public-url", "https://c.example/", *board])
    assert early.exit_code == 1 and "not a published sitting" in early.output and not out.exists()

    with app.app_context():
        numbers = passlist.publish(sid, "examiner").certificates
    listed = CliRunner().invoke(main, ["sitting", "list", *board])
    assert listed.exit_code == 0 and "published" in listed.output and "2 certificates" in listed.output

    no_url = CliRunner().invoke(main, ["sitting", "zip", str(sid), "-o", str(out), *board])
    assert no_url.exit_code == 1 and "--public-url" in no_url.output

    done = CliRunner().invoke(main, ["sitting", "zip", str(sid), "-o", str(out), "--public-url", "https://c.example/",
                                     "--workers", "1", *board])
    assert done.exit_code == 0, done.output
    assert "2 certificates" in done.output
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == sorted(f"{n}.pdf" for n in numbers)
        _, qr = pdf_text_and_qr(z.read(f"{numbers[0]}.pdf"))
    assert qr.startswith(f"https://c.example/verify/{numbers[0]}?t=")
