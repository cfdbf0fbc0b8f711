"""Reading a response CSV (one row per respondent, one column per item id) into answer codes.

The file: a header of item ids, optionally led by a `respondent` column; then one row per
respondent. Blank cells are missing answers. Likert and impression items take a scale point
(1..points), a Likert item that offers it also `na` ("does not apply to my work"), situational
judgement items an option key (`a`, `b`, ...). Columns may come in any order and need not cover
every item. Every problem is a UserError "FILE:LINE: message".

The codes are the scoring engine's (app.scoring.plan): n × items in instrument order, the scale
point or the 0-based option position, NaN where not answered.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.errors import UserError
from app.instrument.answers import NOT_APPLICABLE
from app.instrument.model import Instrument
from app.scoring.plan import NA_CODE, FloatArray, plan_for

RESPONDENT_COLUMN = "respondent"


@dataclass(frozen=True, eq=False)
class ResponseMatrix:
    """Answer codes of n respondents in instrument order (see the module docstring)."""

    respondents: tuple[str, ...]
    codes: FloatArray
    lines: tuple[int, ...]
    """The line each respondent's row starts on in the file."""


def read_responses(path: str | Path, instrument: Instrument) -> ResponseMatrix:
    """Read and check a response CSV against the instrument's items."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise UserError(f"{name}:0: file not found") from None
    except OSError as exc:
        raise UserError(f"{name}:0: cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"{name}:{line}: not UTF-8 text") from None
    return parse_responses(text, instrument, name)


def parse_responses(text: str, instrument: Instrument, name: str) -> ResponseMatrix:
    """Like `read_responses`, for text already in memory; `name` stands for the file."""
    plan = plan_for(instrument)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise UserError(f"{name}:1: empty file: expected a header row of item ids") from None
    except csv.Error as exc:
        raise UserError(f"{name}:1: not a CSV header: {exc}") from None
    header = [cell.strip() for cell in header]
    has_id = bool(header) and header[0] == RESPONDENT_COLUMN
    item_columns = header[1:] if has_id else header
    if not item_columns:
        raise UserError(f"{name}:1: the header names no items")
    seen: set[str] = set()
    for position, item_id in enumerate(item_columns, start=2 if has_id else 1):
        if item_id == RESPONDENT_COLUMN:
            raise UserError(f"{name}:1: column {position}: `respondent` must be the first column")
        if item_id not in plan.column:
            shown = repr(item_id) if item_id else "(blank)"
            raise UserError(
                f"{name}:1: column {position}: {shown} is not an item of "
                f"{instrument.key} {instrument.version}"
            )
        if item_id in seen:
            raise UserError(f"{name}:1: column {position}: item {item_id} appears twice")
        seen.add(item_id)

    # Per column: its instrument column and how a cell becomes a code.
    sjt = dict(zip(plan.sjt_columns, plan.sjt_option_keys, strict=True))
    offers_na = set(plan.na_columns.tolist())
    targets = [plan.column[i] for i in item_columns]
    respondents: list[str] = []
    rows: list[list[float]] = []
    lines: list[int] = []
    line = reader.line_num
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # a blank line, usually the last one
            if len(record) != len(header):
                raise UserError(
                    f"{name}:{start}: {len(record)} fields, but the header has {len(header)}"
                )
            cells = record[1:] if has_id else record
            row = [math.nan] * len(plan.item_ids)
            for item_id, k, cell in zip(item_columns, targets, cells, strict=True):
                value = cell.strip()
                if value == NOT_APPLICABLE and k in offers_na:
                    row[k] = NA_CODE
                    continue
                row[k] = _code(value, sjt.get(k), plan.points, item_id, f"{name}:{start}")
            respondents.append(record[0].strip() if has_id else str(len(rows) + 1))
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        raise UserError(f"{name}:{reader.line_num}: not valid CSV: {exc}") from None
    if not rows:
        raise UserError(f"{name}:1: no respondents: the file has a header but no rows")
    return ResponseMatrix(
        respondents=tuple(respondents),
        codes=np.asarray(rows, dtype=np.float64).reshape(len(rows), len(plan.item_ids)),
        lines=tuple(lines),
    )


def _code(cell: str, options: tuple[str, ...] | None, points: int, item_id: str, at: str) -> float:
    if cell == "":
        return math.nan
    if options is not None:
        if cell in options:
            return float(options.index(cell))
        raise UserError(f"{at}: item {item_id}: {cell!r} is not one of {', '.join(options)}")
    if cell.isdigit() and 1 <= int(cell) <= points:
        return float(cell)
    raise UserError(f"{at}: item {item_id}: {cell!r} is not an answer on the 1–{points} scale")
