"""Certificate PDFs as a reader sees them: the text (Chinese and English, name, number) read back
from the PDF, and the QR code decoded from the rendered page's pixels."""
from __future__ import annotations

import io
import zipfile

import pytest

from web.services import certificates, certpdf, passlist
from web.services.certificates import revoke

from .certhelp import ids, pdf_text_and_qr, scored_sitting


@pytest.fixture
def issued(ctx):
    sid = scored_sitting([("欧阳 娜娜", ids(1)[0]), ("Zhang O'Brien <b>", ids(1, start=7)[0])], 75, 88)
    passlist.publish(sid, "examiner")
    return sid


def test_the_pdf_carries_name_number_both_languages_and_a_qr_of_the_verify_url(issued):
    view = next(v for v in certificates.views(issued) if v.holder_name == "欧阳 娜娜")
    text, qr = pdf_text_and_qr(certpdf.render(view, "https://cert.example.org/"))
    flat = text.replace("\r", "").replace("\n", "")
    assert "欧阳 娜娜" in flat and view.number in flat
    assert "职业能力证书" in flat and "Certificate of Vocational Competence" in flat and "中级" in flat
    assert view.masked_id in flat and ids(1)[0] not in flat
    assert qr == f"https://cert.example.org/verify/{view.number}?t={view.token}"


def test_markup_in_a_name_is_text_and_a_revoked_pdf_says_so(issued):
    view = next(v for v in certificates.views(issued) if v.holder_name.startswith("Zhang"))
    assert "Zhang O&#39;Brien &lt;b&gt;" in certpdf.html(view, "http://x/")
    revoke(certificates.by_number(view.number), "wrong person", "admin")
    text, qr = pdf_text_and_qr(certpdf.render(certificates.views(issued)[1] if certificates.views(issued)[1].number == view.number
                                              else certificates.views(issued)[0], "http://x/"))
    assert "已撤销" in text and "REVOKED" in text and qr.endswith(view.token)


def test_the_zip_holds_one_pdf_per_certificate_in_a_pool_of_processes(issued, tmp_path):
    views = certificates.views(issued)
    stats = certpdf.write_zip(views, "http://x/", tmp_path / "all.zip", workers=2, chunk=1)
    with zipfile.ZipFile(stats.path) as z:
        assert sorted(z.namelist()) == sorted(f"{v.number}.pdf" for v in views)
        for v in views:
            assert pdf_text_and_qr(z.read(f"{v.number}.pdf"))[1].endswith(v.token)
    assert stats.count == 2 and stats.size == (tmp_path / "all.zip").stat().st_size
    assert not (tmp_path / "all.zip.part").exists()
    assert zipfile.ZipFile(io.BytesIO(certpdf.zip_bytes(views, "http://x/"))).namelist()
