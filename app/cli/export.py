"""`stagefit export responses`: consented, de-identified answers as a response CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.errors import UserError

export_cli = typer.Typer(help="Export data for norming and research.", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(export_cli, name="export")


@export_cli.command("responses")
def export_responses_command(
    org: Annotated[str, typer.Option("--org", help="The organisation's slug.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV file to write.")],
    instrument: Annotated[
        str, typer.Option("--instrument", help="Instrument key.")
    ] = "sales-process-inventory",
    version: Annotated[
        str | None,
        typer.Option("--version", help="Instrument version (default: the newest with answers)."),
    ] = None,
) -> None:
    """Write the consented, completed assessments' answers, de-identified, as a response CSV.

    One row per assessment with a random id, one column per item; no names, e-mail addresses,
    external ids, assessment ids or times. The file is what `stagefit analyze` and
    `stagefit norms compute` read.
    """
    from app.cli.service import _session
    from app.services.norm_export import export_responses
    from app.services.organisations import get_organisation

    with _session() as db:
        organisation = get_organisation(db=db, slug=org)
        export = export_responses(
            db=db, organisation=organisation, instrument_key=instrument, version=version
        )
    try:
        output.write_text(export.csv_text(), encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{output}:0: cannot write: {exc.strerror}") from None
    note = (
        f"; {export.other_versions} of other versions not included (--version)"
        if export.other_versions
        else ""
    )
    typer.echo(
        f"{output}: {len(export.rows)} consented, de-identified answer sets of "
        f"{export.instrument_key} {export.instrument_version} written{note}"
    )
