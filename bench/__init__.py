"""Benchmarks: `python -m bench` (or `make bench`) runs every module here and records figures.

A benchmark module defines `run() -> None`; it prints a table and writes its own section of
docs/performance.md with `write_section`, leaving the other sections alone.
"""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PERFORMANCE = ROOT / "docs" / "performance.md"
HEADER = (
    "# Performance\n\n"
    "Figures from `make bench` (`python -m bench`); each section is rewritten by its benchmark.\n"
    "Speed targets are checked here, never in timed tests.\n"
)


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (also readable as plain text in a terminal)."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def machine() -> str:
    """One line describing where the figures were measured."""
    cpu = platform.processor() or platform.machine()
    # Shared machines run other work: a load above the CPU count slows every figure here.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), "
        f"Python {platform.python_version()}, numpy {np.__version__}; "
        f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at a load average of {load:.1f}"
    )


def write_section(title: str, body: str, path: Path = PERFORMANCE) -> None:
    """Replace (or append) the `## title` section of docs/performance.md."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def postgres_url(suffix: str) -> str | None:
    """A fresh PostgreSQL database `<name>_<suffix>` beside the one named by
    STAGEFIT_BENCH_DATABASE_URL (or STAGEFIT_TEST_DATABASE_URL); None when neither is set."""
    url = os.environ.get("STAGEFIT_BENCH_DATABASE_URL") or os.environ.get(
        "STAGEFIT_TEST_DATABASE_URL"
    )
    if not url:
        return None
    import psycopg
    from sqlalchemy.engine import make_url

    from app.db import normalise_url

    parsed = make_url(normalise_url(url))
    name = f"{parsed.database}_{suffix}"
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)
