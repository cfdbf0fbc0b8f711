"""The `stagefit` command: one Typer app per command group, one line per error."""

from __future__ import annotations

import sys

import typer

from app.errors import UserError

cli = typer.Typer(
    name="stagefit",
    help="StageFit: sales-process competency assessment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    # Imported here so that `stagefit instrument validate` does not pay for the web stack.
    from app.cli import instrument, scoring

    cli.add_typer(instrument.app, name="instrument")
    cli.add_typer(scoring.norms_app, name="norms")
    scoring.register(cli)
    try:
        from app.cli import service
    except ImportError:  # the service layer is optional for the pure commands
        return
    service.register(cli)


def main() -> None:
    _register()
    try:
        cli()
    except UserError as exc:
        print(f"stagefit: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
