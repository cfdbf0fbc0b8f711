"""Reading a CSV file of reps to invite (first_name,last_name,email[,external_id,team]):
decoding as spreadsheets save it, and what is wrong with each row, by line and field. No
database here: app/services/bulk_invite.py checks the rows against the organisation."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from app.errors import UserError
from app.limits import max_length, text_problem
from app.models import Participant, Team
from app.services.users import normalise_email

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000  # one request must finish in seconds: about 5 ms an invitation
REQUIRED = ("first_name", "last_name", "email")
OPTIONAL = ("external_id", "team")
COLUMNS = REQUIRED + OPTIONAL
# What people call the columns in their own exports.
ALIASES = {
    "firstname": "first_name",
    "first": "first_name",
    "given_name": "first_name",
    "lastname": "last_name",
    "last": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "e_mail": "email",
    "email_address": "email",
    "e_mail_address": "email",
    "externalid": "external_id",
    "employee_id": "external_id",
    "team_name": "team",
}
LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "e-mail address",
    "external_id": "external id",
    "team": "team",
}
# A cell a spreadsheet would run as a formula (CSV injection): =, +, -, @ and their full-width
# forms, or a leading tab or carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@dataclass(frozen=True)
class RowError:
    line: int | None  # the line of the file; None for the file as a whole
    field: str | None  # the column, as named in COLUMNS
    message: str

    def __str__(self) -> str:
        where = f"Line {self.line}" if self.line else "The file"
        column = f", {LABELS[self.field]}" if self.field else ""
        return f"{where}{column}: {self.message}"


@dataclass(frozen=True)
class CsvRow:
    line: int
    first_name: str
    last_name: str
    email: str  # normalised
    external_id: str | None
    team: str | None


@dataclass
class ParsedCsv:
    encoding: str
    rows: list[CsvRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """The text of an uploaded file and the encoding it was read with: UTF-8 (with or without
    a byte-order mark), UTF-16 with one (Excel's "Unicode text"), else Windows-1252, which
    covers Latin-1 as Excel saves it on Windows."""
    if len(data) > MAX_BYTES:
        raise UserError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; files up to "
            f"{MAX_BYTES // 1024 // 1024} MB can be uploaded. Split it into smaller files."
        )
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "UTF-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return data.decode("latin-1"), "Latin-1"


def _column(name: str) -> str:
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(key, key)


def _delimiter(first_line: str) -> str:
    """Comma, or the semicolon or tab some spreadsheets write instead (the most frequent in
    the header line)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _header(names: list[str]) -> tuple[list[str], list[RowError]]:
    columns = [_column(n) for n in names]
    errors = []
    unknown = [n for n, c in zip(names, columns, strict=True) if c not in COLUMNS and n.strip()]
    if unknown:
        listed = ", ".join(repr(n[:40]) for n in unknown[:5])
        errors.append(RowError(1, None, f"unknown column {listed}; use {', '.join(COLUMNS)}"))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        errors.append(
            RowError(
                1,
                None,
                f"the header lacks {', '.join(missing)}; the first line must "
                f"name the columns: {','.join(REQUIRED)}[,external_id,team]",
            )
        )
    repeated = sorted({c for c in columns if c in COLUMNS and columns.count(c) > 1})
    if repeated:
        errors.append(RowError(1, None, f"the column {', '.join(repeated)} appears twice"))
    return columns, errors


LIMITS = {
    "first_name": max_length(Participant.first_name),
    "last_name": max_length(Participant.last_name),
    "email": max_length(Participant.email),
    "external_id": max_length(Participant.external_id),
    "team": max_length(Team.name),
}


def cell_problem(raw: str, name: str) -> str | None:
    """What is wrong with one cell, in words for the manager; None when it can be used."""
    if raw[:1] in ("\t", "\r") or raw.strip()[:1] in FORMULA_STARTS:
        return (
            f"starts with {raw.strip()[:1] or 'a tab'!r}, which a spreadsheet would run as a "
            "formula; remove it"
        )
    return text_problem(raw.strip(), LIMITS[name])


def _row(line: int, values: dict[str, str], seen: dict[str, dict[str, int]]) -> list[RowError]:
    """The row's errors; `seen` remembers e-mails and external ids of earlier lines."""
    errors = []
    for name in COLUMNS:
        problem = cell_problem(values.get(name, ""), name)
        if problem:
            errors.append(RowError(line, name, f"the {LABELS[name]} {problem}"))
    if errors:
        return errors
    for name in values:
        values[name] = values[name].strip()
    for name in REQUIRED:
        if not values[name]:
            errors.append(RowError(line, name, f"the {LABELS[name]} is empty"))
    if values["email"]:
        try:
            values["email"] = normalise_email(values["email"])
        except UserError:
            errors.append(
                RowError(line, "email", f"{values['email'][:80]!r} is not an e-mail address")
            )
    for name in ("email", "external_id"):
        key = values.get(name, "").lower() if name == "email" else values.get(name, "")
        if not key or errors:
            continue
        if key in seen[name]:
            errors.append(
                RowError(line, name, f"the same {LABELS[name]} as line {seen[name][key]}")
            )
        else:
            seen[name][key] = line
    return errors


def parse(text: str, encoding: str = "UTF-8") -> ParsedCsv:
    """Every row of the file, checked on its own and against the other rows."""
    parsed = ParsedCsv(encoding=encoding)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    seen: dict[str, dict[str, int]] = {"email": {}, "external_id": {}}
    columns: list[str] | None = None
    line = 1
    count = 0
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue  # blank lines, often at the end
            if columns is None:
                columns, parsed.errors = _header(record)
                if parsed.errors:
                    return parsed
                continue
            count += 1
            if count > MAX_ROWS:
                continue  # counted, to say how many there are
            if len(record) != len(columns):
                parsed.errors.append(
                    RowError(
                        start, None, f"has {len(record)} fields; the header names {len(columns)}"
                    )
                )
                continue
            values = {c: v for c, v in zip(columns, record, strict=True) if c in COLUMNS}
            problems = _row(start, values, seen)
            if problems:
                parsed.errors.extend(problems)
                continue
            parsed.rows.append(
                CsvRow(
                    line=start,
                    first_name=values["first_name"].strip(),
                    last_name=values["last_name"].strip(),
                    email=values["email"],
                    external_id=values.get("external_id", "").strip() or None,
                    team=values.get("team", "").strip() or None,
                )
            )
    except csv.Error as exc:
        parsed.errors.append(RowError(line, None, f"cannot be read as CSV ({exc})"))
    if columns is None and not parsed.errors:
        parsed.errors.append(RowError(None, None, "is empty; the first line must name the columns"))
    elif count == 0 and not parsed.errors:
        parsed.errors.append(RowError(None, None, "has a header but no reps"))
    if count > MAX_ROWS:
        parsed.errors.insert(
            0,
            RowError(
                None,
                None,
                f"has {count} reps; at most {MAX_ROWS} can be invited at once. "
                "Split it into smaller files.",
            ),
        )
    return parsed
