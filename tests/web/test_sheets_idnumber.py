"""Staff tables from Excel and CSV, and resident ID numbers: the import paths' building blocks."""
from __future__ import annotations

from datetime import date

import pytest

from web.services import idnumber, sheets

NAMES = {"name": {"name", "姓名"}, "id": {"id", "身份证号"}}


def make_id(first17: str) -> str:
    return first17 + idnumber.check_character(first17)


def test_a_valid_number_is_read_with_birth_date_and_gender():
    n = idnumber.parse(" " + make_id("11010519491231002").lower() + " ")
    assert n.birth == date(1949, 12, 31)
    assert n.male is False                               # 17th digit 2: even
    assert idnumber.parse(make_id("44030019900101001")).male is True
    assert n.masked == n.value[:3] + "*" * 11 + n.value[-4:]


@pytest.mark.parametrize("text, reason", [
    ("1101051949123100", "shape"),                        # 16 characters
    ("11010519491231002A", "shape"),
    ("110105194913310021", "date"),                       # month 13
    ("110105219901010021", "date"),                       # born in 2199
])
def test_malformed_numbers_are_refused_with_their_reason(text, reason):
    with pytest.raises(idnumber.BadIdNumber) as e:
        idnumber.parse(text)
    assert e.value.reason == reason


def test_one_wrong_digit_fails_the_checksum():
    good = make_id("11010519491231002")
    for i in range(17):
        d = str((int(good[i]) + 1) % 10)
        bad = good[:i] + d + good[i + 1:]
        if i in (10, 11, 12, 13, 6, 7, 8, 9):             # may break the date first
            continue
        with pytest.raises(idnumber.BadIdNumber) as e:
            idnumber.parse(bad)
        assert e.value.reason == "checksum"


def test_the_error_message_never_shows_the_whole_number():
    bad = make_id("11010519491231002")[:-1] + "0"
    with pytest.raises(idnumber.BadIdNumber) as e:
        idnumber.parse(bad)
    assert bad not in str(e.value)


def test_xlsx_and_csv_give_the_same_rows_with_excel_line_numbers():
    ident = make_id("11010519491231002")
    xlsx = sheets.write_xlsx(["姓名", "身份证号"], [["张三", ident], [None, None], ["李四", 12345678901]])
    csv_gbk = f"姓名,身份证号\n张三,{ident}\n,\n李四,12345678901\n".encode("gbk")
    for data in (xlsx, csv_gbk):
        got = [(line, cell("name"), cell("id")) for line, cell in sheets.records(data, NAMES, ("name",), {})]
        assert got == [(2, "张三", ident), (4, "李四", "12345678901")]


def test_an_xlsx_that_is_not_one_is_named():
    with pytest.raises(sheets.BadSheet) as e:
        list(sheets.rows(b"PK\x03\x04 not really a zip"))
    assert e.value.reason == "xlsx"
    with pytest.raises(sheets.BadSheet) as e:
        list(sheets.rows("名字".encode("utf-16")))
    assert e.value.reason == "encoding"
