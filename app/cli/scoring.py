"""`stagefit score`: score one answer file against an instrument and print the result JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from app.errors import UserError
from app.instrument.loader import load_instrument, load_norms

SHAPE = 'expected {"answers": {"ITEM_ID": value, ...}, "seconds": {"ITEM_ID": 4.2, ...}}'


def register(cli: typer.Typer) -> None:
    cli.command(name="score")(score_command)


def _line_of(text: str, item_id: str) -> int | None:
    """The line where the item is named as a JSON key, so the message points at it."""
    at = text.find(json.dumps(item_id))
    return None if at < 0 else text.count("\n", 0, at) + 1


def read_answer_file(path: Path) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """The file's text, answers and seconds; any problem is one line naming the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise UserError(f"{path}:1: {SHAPE}")
    seconds = data.get("seconds")
    if seconds is not None and not isinstance(seconds, dict):
        raise UserError(f"{path}:{_line_of(text, 'seconds') or 1}: 'seconds' must be an object")
    return text, data["answers"], seconds


def score_command(
    path: Annotated[Path, typer.Argument(help="Instrument file (YAML).")],
    responses: Annotated[
        Path, typer.Option("--responses", help='Answer file: {"answers": {...}, "seconds": {...}}')
    ],
    norms: Annotated[
        Path | None, typer.Option("--norms", help="Norm table file (default: the instrument's).")
    ] = None,
    assessment_id: Annotated[
        str | None, typer.Option("--assessment-id", help="Id to record in the result.")
    ] = None,
) -> None:
    """Score one answer set and print the result JSON; no database needed."""
    from app.scoring.engine import AnswerError, score  # scipy: only when scoring

    instrument = load_instrument(path)
    norm_table = load_norms(norms, instrument=instrument) if norms is not None else None
    text, answers, seconds = read_answer_file(responses)
    try:
        result = score(
            instrument, answers, seconds=seconds, norms=norm_table, assessment_id=assessment_id
        )
    except AnswerError as exc:
        line = _line_of(text, exc.item) if exc.item else None
        where = f"{responses}:{line}" if line else str(responses)
        raise UserError(f"{where}: {exc}") from None
    print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
