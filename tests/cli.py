"""Run the `stagefit` command in this process, as a user would run it, without a subprocess.

`run_stagefit(*args, input=None, env=None)` calls `app.cli.main` with `sys.argv`, standard
input, the environment and the settings cache set as a fresh process would see them, and
returns a `subprocess.CompletedProcess` (returncode, stdout, stderr as text). Starting Python,
NumPy and SQLAlchemy in a subprocess costs 1–3 s a call; in process it costs milliseconds.
Tests of what only a real process shows (serving, signals, the installed entry point) still
start one (see `server_process` in tests/conftest.py).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout


@contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    if env is None:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_stagefit(
    *args: str, input: str | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    from app.cli import main
    from app.config import get_settings

    out, err = io.StringIO(), io.StringIO()
    saved_argv, saved_stdin = sys.argv, sys.stdin
    sys.argv = ["stagefit", *map(str, args)]
    sys.stdin = io.StringIO(input or "")
    code = 0
    try:
        with _environment(env), redirect_stdout(out), redirect_stderr(err):
            get_settings.cache_clear()  # a new process reads the environment afresh
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    err.write(exc.code + "\n")
    finally:
        get_settings.cache_clear()
        sys.argv, sys.stdin = saved_argv, saved_stdin
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())
