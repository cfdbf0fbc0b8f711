"""The `stagefit` command: one Typer app per command group, one line per error."""

from __future__ import annotations

import importlib
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


# Each module adds its commands; a module not written yet is simply absent.
COMMAND_MODULES = ("instrument", "scoring", "analysis", "service", "reports", "export")


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
