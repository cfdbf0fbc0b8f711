"""`stagefit backup -o FILE` and `stagefit restore FILE`: a consistent copy of a SQLite
database taken while the server runs, and putting one back. PostgreSQL has pg_dump for this
(docs/operations.md); the commands say so instead of half-doing it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from app.errors import UserError

PG_RECIPE = (
    "on PostgreSQL use pg_dump and pg_restore (docs/operations.md, Backups): "
    "pg_dump -Fc DBNAME > stagefit.dump; pg_restore --clean -d DBNAME stagefit.dump"
)


def register(cli: typer.Typer) -> None:
    cli.command("backup")(backup)
    cli.command("restore")(restore)


def _sqlite_file(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise UserError(PG_RECIPE)
    if not url.database or url.database == ":memory:":
        raise UserError("the database is in memory: there is nothing to back up")
    return Path(url.database)


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _check_copy(path: Path) -> str:
    """The copy's migration revision, after SQLite's own integrity check."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as copy:
        try:
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{path}: not a SQLite database ({exc})") from None
        revision = _revision(copy)
    copy.close()
    if verdict != "ok":
        raise UserError(f"{path}: the copy is damaged: {verdict}")
    if revision is None:
        raise UserError(f"{path}: not a StageFit database (no migration revision)")
    return revision


def backup(
    output: Annotated[Path, typer.Option("-o", "--output", help="The backup file to write.")],
) -> None:
    """Copy the SQLite database to FILE, consistently, while the server keeps running.

    SQLite's online backup API copies one snapshot (a read transaction: in WAL mode writers
    go on meanwhile); the copy is checked, then renamed into place, so FILE is either the
    old file or a whole new backup.
    """
    from app.config import get_settings

    source_path = _sqlite_file(get_settings().database_url)
    if not source_path.is_file():
        raise UserError(f"{source_path}: no database here yet")
    partial = output.with_name(f".{output.name}.partial")
    try:
        with sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30) as source:
            target = sqlite3.connect(partial)
            source.backup(target)  # all pages in one step: one consistent snapshot
            target.close()
        source.close()
        revision = _check_copy(partial)
        os.replace(partial, output)
    except OSError as exc:
        raise UserError(f"{output}: cannot write: {exc.strerror}") from None
    except sqlite3.Error as exc:
        raise UserError(f"backup failed: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    size = output.stat().st_size
    typer.echo(f"backed up {source_path} to {output} ({size} bytes, revision {revision})")


def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `stagefit backup`.")],
) -> None:
    """Put a backup in place of the SQLite database, then migrate it to this version.

    The copy is written through SQLite's backup API under a write lock, so a server still
    running sees either the old or the restored data, never a mix; stopping it first is
    still wiser (a page open in a browser may then post into the restored data).
    """
    from alembic.util.exc import CommandError

    from app.config import get_settings
    from app.migrations import upgrade

    settings = get_settings()
    target_path = _sqlite_file(settings.database_url)
    if not file.is_file():
        raise UserError(f"{file}: no such file")
    revision = _check_copy(file)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as source:
            target = sqlite3.connect(target_path, timeout=30)
            source.backup(target)
            target.close()
        source.close()
    except sqlite3.Error as exc:
        raise UserError(f"restore failed: {exc}") from None
    try:
        upgrade(settings.database_url)
    except CommandError as exc:  # e.g. a backup from a newer StageFit than this one
        raise UserError(f"restored, but cannot migrate it: {exc}") from None
    typer.echo(f"restored {file} (revision {revision}) to {target_path}; migrated to the newest")
