"""Integration fixtures on top of tests/conftest.py (database, live server, http, ...).

run_cli   run `stagefit ARGS...` against the test database, in this process (tests/cli.py):
          run_cli("org", "create", "Acme", "--json", input=None, env=None) ->
          subprocess.CompletedProcess (text; check the returncode yourself).
          All calls within one test share one private var/ directory.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import run_stagefit


@pytest.fixture
def run_cli(
    database: Any, make_env: Callable[..., dict[str, str]]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    def _run(
        *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run_stagefit(*args, input=input, env=make_env(**(env or {})))

    return _run
