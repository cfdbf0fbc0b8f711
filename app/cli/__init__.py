"""The `stagefit` command: one Typer app per command group, one line per error."""

from __future__ import annotations

import importlib
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


# Each module adds its commands; a module not written yet is simply absent.
COMMAND_MODULES = ("instrument", "scoring", "analysis", "service", "reports")


def _register() -> None:
    # Imported here so that `stagefit instrument validate` does not pay for the web stack.
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"app.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.cli.{name}":
                raise
            continue
        module.register(cli)


def main() -> None:
    _register()
    try:
        cli()
    except UserError as exc:
        print(f"stagefit: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
