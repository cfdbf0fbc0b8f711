"""Cells of CSV files StageFit writes, made safe to open in a spreadsheet: a value that starts
like a formula (=, +, -, @, a tab or carriage return; CSV injection) is written as text, with
a leading apostrophe, as OWASP recommends. Uploads are refused instead (invite_csv.py)."""

from __future__ import annotations

from app.services.invite_csv import FORMULA_STARTS


def safe_cell(value: object) -> str:
    """`value` as a CSV cell a spreadsheet shows as text rather than runs; numbers (int,
    float) are left as they are, so a negative score stays a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if text[:1] in ("\t", "\r") or text.lstrip(" ")[:1] in FORMULA_STARTS:
        return "'" + text
    return text
