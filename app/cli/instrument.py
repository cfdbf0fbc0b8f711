"""`stagefit instrument ...`: validate, describe and export the schema of instrument files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from app.instrument.describe import describe
from app.instrument.loader import InstrumentError, load_instrument
from app.instrument.model import Instrument
from app.instrument.schema import schema_text
from app.instrument.text import t

group = typer.Typer(
    name="instrument",
    help="Validate, describe and export the schema of instrument files.",
    no_args_is_help=True,
)


def register(cli: typer.Typer) -> None:
    cli.add_typer(group, name="instrument")


def _load(path: Path) -> Instrument | None:
    """The instrument, or None after printing its problems (one `PATH:LINE: msg` each)."""
    try:
        return load_instrument(path)
    except InstrumentError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return None


@group.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Instrument files (YAML).")],
) -> None:
    """Check instrument files; print one line per problem as PATH:LINE: message."""
    failed = False
    for path in paths:
        instrument = _load(path)
        if instrument is None:
            failed = True
            continue
        print(
            f"{path}: ok ({len(instrument.items)} items, "
            f"{len(instrument.competencies)} competencies)"
        )
    if failed:
        raise typer.Exit(1)


@group.command(name="describe")
def describe_command(
    path: Annotated[Path, typer.Argument(help="Instrument file (YAML).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the describe JSON.")] = False,
) -> None:
    """Summarise an instrument: stages, competencies and items."""
    instrument = _load(path)
    if instrument is None:
        raise typer.Exit(1)
    info = describe(instrument)
    if as_json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return
    print(_human(instrument, info))


def _human(instrument: Instrument, info: dict[str, Any]) -> str:
    lang = instrument.locales[0]
    counts = info["items"]
    lines = [
        f"{info['title']} ({info['key']} {info['version']})",
        f"  {counts['likert']} Likert, {counts['sjt']} situational, "
        f"{counts['validity']} impression items on {info['pages']} pages; "
        f"about {info['estimated_minutes']} minutes",
        f"  locales: {', '.join(info['locales'])}; checksum {info['checksum']}",
        f"  norms: {instrument.norms.label} (n={instrument.norms.n}"
        + (", provisional)" if instrument.norms.provisional else ")"),
        "Stages:",
    ]
    for stage in instrument.stages:
        weights = ", ".join(f"{sc.competency} {sc.weight:g}" for sc in stage.competencies)
        lines.append(f"  {t(stage.name, lang)} [{stage.phase}]: {weights}")
    lines.append("Competencies:")
    for comp in info["competencies"]:
        lines.append(
            f"  {comp['key']}: {comp['name']} "
            f"({comp['items']} items, {comp['reverse_keyed']} reverse-keyed)"
        )
    return "\n".join(lines)


@group.command()
def schema(
    output: Annotated[
        str, typer.Option("-o", "--output", help="File to write; '-' for standard output.")
    ] = "-",
) -> None:
    """Write the JSON Schema of the instrument file format."""
    text = schema_text()
    if output == "-":
        sys.stdout.write(text)
        return
    Path(output).write_text(text, encoding="utf-8")
    print(f"wrote {output}")
