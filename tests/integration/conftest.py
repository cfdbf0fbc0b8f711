"""Integration fixtures on top of tests/conftest.py (database, live server, http, ...).

run_cli   run `stagefit ARGS...` in a subprocess against the test database:
          run_cli("org", "create", "Acme", "--json", input=None, env=None) ->
          subprocess.CompletedProcess (text; check the returncode yourself).
          All calls within one test share one private var/ directory.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import STAGEFIT


@pytest.fixture
def run_cli(
    database: Any, make_env: Callable[..., dict[str, str]]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    def _run(
        *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [STAGEFIT, *args],
            input=input,
            capture_output=True,
            text=True,
            env=make_env(**(env or {})),
            timeout=120,
        )

    return _run
