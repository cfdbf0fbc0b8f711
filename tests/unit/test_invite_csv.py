"""Reading a CSV of reps (app/services/invite_csv.py) and the reminder days
(app/services/reminders.py): encodings as spreadsheets save them, row errors by line and
column, formula injection, duplicates, limits; which reminder slot is due when."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from app.errors import UserError
from app.services.invite_csv import MAX_BYTES, MAX_ROWS, decode, parse
from app.services.reminders import due_slots, parse_days

HEADER = "first_name,last_name,email,external_id,team\n"


def read(data: bytes) -> Any:
    return parse(*decode(data))


def errors_of(text: str) -> list[tuple[int | None, str | None, str]]:
    return [(e.line, e.field, str(e)) for e in parse(text).errors]


def test_good_rows_are_read_with_their_line_numbers() -> None:
    parsed = parse(
        HEADER + "Ana,Kraus,Ana.Kraus@Example.com,E-1,Nordics\n\n"
        '"O\'Brien, Jr",Zoë 😀,zoe@example.com,,\n'
    )
    assert parsed.errors == []
    ana, zoe = parsed.rows
    assert (ana.line, ana.email, ana.external_id, ana.team) == (
        2,
        "ana.kraus@example.com",
        "E-1",
        "Nordics",
    )
    assert (zoe.line, zoe.first_name, zoe.last_name) == (4, "O'Brien, Jr", "Zoë 😀")
    assert zoe.external_id is None and zoe.team is None


def test_utf8_with_bom_and_windows_1252_are_both_read() -> None:
    text = HEADER.replace(",external_id,team", "") + "José,Müller,jose@example.com\n"
    with_bom = read(codecs.BOM_UTF8 + text.encode("utf-8"))
    latin = read(text.encode("cp1252"))
    utf16 = read(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    for parsed in (with_bom, latin, utf16):
        assert parsed.errors == [] and parsed.rows[0].first_name == "José"
        assert parsed.rows[0].last_name == "Müller"
    assert (with_bom.encoding, latin.encoding, utf16.encoding) == (
        "UTF-8",
        "Windows-1252",
        "UTF-16",
    )
    # The BOM is not part of the first column's name.
    assert decode(codecs.BOM_UTF8 + b"first_name")[0] == "first_name"


def test_semicolons_and_column_aliases_as_european_excel_saves_them() -> None:
    parsed = parse("First name;Surname;E-mail address\nAna;Kraus;ana@example.com\n")
    assert parsed.errors == [] and parsed.rows[0].last_name == "Kraus"


@pytest.mark.parametrize(
    "cell",
    ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", " =HYPERLINK(1)", "\uff1d1"],
)
def test_formula_injection_cells_are_refused_naming_line_and_column(cell: str) -> None:
    text = HEADER + f'Ana,Kraus,ana@example.com,E-1,\nBen,"{cell}",ben@example.com,,\n'
    [(line, column, message)] = errors_of(text)
    assert (line, column) == (3, "last_name")
    assert "formula" in message and message.startswith("Line 3, last name:")


def test_bad_rows_say_what_is_wrong_where() -> None:
    text = (
        HEADER
        + "Ana,Kraus,ana@example.com,E-1,\n"  # 2: fine
        + ",Lopez,ben@example.com,,\n"  # 3: no first name
        + "Cleo,Diaz,not-an-address,,\n"  # 4
        + "Dan,Ek,ANA@example.com,,\n"  # 5: same e-mail as line 2 (case does not matter)
        + "Eve,Fox,eve@example.com,E-1,\n"  # 6: same external id as line 2
        + f"{'x' * 101},Gil,gil@example.com,,\n"  # 7: too long
        + "Hal,I\x00n,hal@example.com,,\n"  # 8: a control character
        + "Ida,Jo,ida@example.com\n"  # 9: too few fields
    )
    found = errors_of(text)
    assert [(line, column) for line, column, _ in found] == [
        (3, "first_name"),
        (4, "email"),
        (5, "email"),
        (6, "external_id"),
        (7, "first_name"),
        (8, "last_name"),
        (9, None),
    ]
    messages = [m for *_, m in found]
    assert "same e-mail address as line 2" in messages[2]
    assert "longer than 100 characters" in messages[4]
    assert "control character" in messages[5]
    assert "has 3 fields; the header names 5" in messages[6]
    assert [r.line for r in parse(text).rows] == [2]


def test_a_header_is_required_and_unknown_columns_are_named() -> None:
    assert "lacks email" in errors_of("first_name,last_name\nA,B\n")[0][2]
    assert "unknown column 'emial'" in errors_of("first_name,last_name,emial\nA,B,c@d.e\n")[0][2]
    assert "is empty" in errors_of("")[0][2]
    assert "no reps" in errors_of(HEADER)[0][2]


def test_too_many_rows_or_bytes_are_refused_with_a_clear_message() -> None:
    rows = "".join(f"A,B,r{i}@example.com,,\n" for i in range(MAX_ROWS + 1))
    [first, *_] = errors_of(HEADER + rows)
    assert f"has {MAX_ROWS + 1} reps; at most {MAX_ROWS}" in first[2]
    with pytest.raises(UserError, match="files up to 5 MB"):
        decode(b"x" * (MAX_BYTES + 1))


def test_reminder_days_are_checked() -> None:
    assert parse_days("3,0") == (3, 0)
    assert parse_days(" 0, 7 ,3,") == (7, 3, 0)
    assert parse_days("") == ()
    for bad in ("-1", "3;0", "x", "61", "1,2,3,4,5,6"):
        with pytest.raises(UserError):
            parse_days(bad)


def test_a_slot_is_due_once_its_day_has_come_and_never_before_the_invitation() -> None:
    created = datetime(2026, 12, 1, 9, tzinfo=UTC)
    assessment = SimpleNamespace(created_at=created, expires_at=created + timedelta(days=30))
    expires = assessment.expires_at
    at = lambda delta: expires - delta  # noqa: E731
    assert due_slots(assessment, (3, 0), at(timedelta(days=4, seconds=1))) == []
    assert due_slots(assessment, (3, 0), at(timedelta(days=4))) == [3]  # 3 whole days left
    assert due_slots(assessment, (3, 0), at(timedelta(hours=23))) == [3, 0]  # the last day
    assert due_slots(assessment, (3, 0), expires) == []  # expired: nothing
    # Invited two days before expiry: the three-day slot opened before it and is skipped.
    late = SimpleNamespace(created_at=at(timedelta(days=2)), expires_at=expires)
    assert due_slots(late, (3, 0), at(timedelta(days=2))) == []
    assert due_slots(late, (3, 0), at(timedelta(hours=1))) == [0]


def test_cells_written_to_csv_exports_are_safe_to_open() -> None:
    from app.services.spreadsheet import safe_cell

    for formula in ("=cmd|' /C calc'!A0", "+1", "-1+1", "@SUM(A1)", "\t=1", " =1", "\uff1d1"):
        assert safe_cell(formula) == "'" + formula
    assert safe_cell("Ana Kraus") == "Ana Kraus" and safe_cell(None) == ""
    assert safe_cell(-1.5) == "-1.5" and safe_cell(3) == "3"  # numbers stay numbers
