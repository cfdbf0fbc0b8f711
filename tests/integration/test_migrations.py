"""Migrations are the only source of the schema: they must build exactly what the models say,
and bring a database of any earlier revision up to date with its data intact."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from app.db import Database, create_db_engine
from app.migrations import alembic_config, migrations_dir, upgrade
from app.models import Base


def _diff(connection) -> list:  # type: ignore[no-untyped-def]
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "target_metadata": Base.metadata}
    )
    return compare_metadata(context, Base.metadata)


def test_migrated_schema_matches_the_models(database: Database) -> None:
    # `database` was built by the migrations alone (SQLite or PostgreSQL, per the run).
    with database.engine.connect() as connection:
        assert _diff(connection) == []


def test_database_is_at_the_newest_revision(database: Database) -> None:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    with database.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert current == head


def test_revision_files_are_named_by_date() -> None:
    names = sorted(p.name for p in (migrations_dir() / "versions").glob("*.py"))
    assert names
    for name in names:
        date, _, slug = name.partition("_")
        assert len(date) == 10 and date[4] == "-" and date[7] == "-", name
        assert slug.endswith(".py")


def test_downgrade_to_nothing_and_up_again(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    engine = create_db_engine(url)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    with engine.connect() as connection:
        assert _diff(connection) == []
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


# --- upgrading databases that hold data --------------------------------------------------
# For every earlier revision: a database migrated to it, one row in every table (each column
# given a value, foreign keys pointing at the rows made before), then migrated to the newest
# revision. Every value must still be there, and the models must read every row.

REVISIONS = [
    script.revision
    for script in reversed(
        list(ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions())
    )
][:-1]
# Values a column needs to be meaningful (the models read them back as enums or the like).
VALUES: dict[tuple[str, str], Any] = {("assessments", "status"): "invited"}
# Columns a migration rewrites on purpose: (table, column) -> why. None yet.
REWRITTEN: dict[tuple[str, str], str] = {}


def _fresh_database(tmp_path: Path, name: str) -> str:
    url = os.environ.get("STAGEFIT_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / (name + '.db')}"
    import psycopg
    from sqlalchemy.engine import make_url

    from app.db import normalise_url

    parsed = make_url(normalise_url(url))
    database = f"{parsed.database}_{name}"
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{database}"')
    return parsed.set(database=database).render_as_string(hide_password=False)


def _value(table: sa.Table, column: sa.Column[Any]) -> Any:
    if (table.name, column.name) in VALUES:
        return VALUES[(table.name, column.name)]
    kind = column.type
    if isinstance(kind, sa.JSON):
        return {"kept": [1, "two", None], "é": True}
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.Integer):
        return 7
    if isinstance(kind, sa.Float | sa.Numeric):
        return 1.5
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 3, 4, 5, 6, 7)
    if isinstance(kind, sa.Date):
        return date(2026, 3, 4)
    if isinstance(kind, sa.String):  # Text too
        text_value = f"{table.name}.{column.name} ü"
        return text_value[: kind.length] if kind.length else text_value
    raise AssertionError(f"no sample value for {table.name}.{column.name} ({kind!r})")


def _fill(connection: sa.Connection) -> dict[str, list[dict[str, Any]]]:
    """One row in every table, as read back."""
    tables = sa.MetaData()
    tables.reflect(bind=connection)
    made: dict[str, dict[str, Any]] = {}
    for table in tables.sorted_tables:
        if table.name == "alembic_version":
            continue
        row: dict[str, Any] = {}
        for column in table.columns:
            fks = list(column.foreign_keys)
            if fks:
                parent = fks[0].column
                row[column.name] = made[parent.table.name][parent.name]
            elif column.primary_key and isinstance(column.type, sa.Integer):
                continue  # the database numbers it
            else:
                row[column.name] = _value(table, column)
        connection.execute(table.insert().values(**row))
        made[table.name] = dict(connection.execute(sa.select(table)).mappings().one())
    return _read(connection)


def _read(connection: sa.Connection) -> dict[str, list[dict[str, Any]]]:
    tables = sa.MetaData()
    tables.reflect(bind=connection)
    return {
        table.name: [dict(r) for r in connection.execute(sa.select(table)).mappings()]
        for table in tables.sorted_tables
        if table.name != "alembic_version"
    }


@pytest.mark.parametrize("revision", REVISIONS)
def test_upgrading_from_each_revision_keeps_the_data(revision: str, tmp_path: Path) -> None:
    url = _fresh_database(tmp_path, f"from_{revision}")
    upgrade(url, revision)
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            before = _fill(connection)
        upgrade(url)
        with engine.connect() as connection:
            after = _read(connection)
            assert _diff(connection) == []
        for table, rows in before.items():
            assert table in after, f"table {table} is gone"
            (old,) = rows
            (new,) = after[table]
            for column, value in old.items():
                if (table, column) in REWRITTEN or column not in new:
                    continue
                assert new[column] == value, f"{table}.{column}: {value!r} became {new[column]!r}"
        # The models of today read every row the old schema held.
        with Session(engine) as session:
            for mapper in Base.registry.mappers:
                session.scalars(sa.select(mapper.class_)).all()
    finally:
        engine.dispose()
