"""The `stagefit` command: one Typer app per command group, one line per error."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from app.errors import UserError

cli = typer.Typer(
    name="stagefit",
    help="StageFit: sales-process competency assessment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


_registered = False


def _register() -> None:
    """Add every command group once. Imported here, not at the top, so that
    `stagefit instrument validate` does not pay for loading the web stack."""
    global _registered
    if _registered:
        return
    from app.cli import analysis, export, instrument, reports, scoring, service, teams, worker

    for module in (instrument, scoring, analysis, service, teams, reports, export, worker):
        module.register(cli)
    _registered = True


def main() -> None:
    _register()
    try:
        # Without standalone mode Click returns an exit code instead of raising SystemExit.
        code = cli(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except UserError as exc:
        _fail(str(exc), exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _fail("aborted", 1)
    except typer.TyperException as exc:
        # Usage errors: Click would print the whole usage block; one line and a pointer to
        # --help is enough.
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        _fail(f"{message}{hint}", getattr(exc, "exit_code", 2))


def _fail(message: str, code: int) -> NoReturn:
    print(f"stagefit: {message}", file=sys.stderr)
    sys.exit(code)
