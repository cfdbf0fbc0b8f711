"""Migrations are the only source of the schema: they must build exactly what the models say."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

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
