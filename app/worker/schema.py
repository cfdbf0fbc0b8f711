"""procrastinate's tables on PostgreSQL, created and kept up to date by `stagefit db upgrade`.

procrastinate ships its schema as SQL (a full schema for new databases, and one migration
file per change, named by the version that brought it). We keep them in the schema
`procrastinate` and note the version applied as that schema's comment; an upgrade of the
library then applies the migration files after that version. Run `stagefit db upgrade` with
the workers stopped when procrastinate's version changes (docs/operations.md).
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import psycopg

from app.worker.queue import SCHEMA, conninfo

LOCK_ID = 0x5354_4746  # an advisory lock: two `db upgrade`s at once must not both create it
MARK = "procrastinate "


# procrastinate's functions and triggers name its tables unqualified; pinned to its schema,
# they work whoever calls them (an operator's psql session deleting old jobs, say).
PIN_SEARCH_PATH = f"""
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '{SCHEMA}'
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = {SCHEMA}', f.signature);
    END LOOP;
END $$
"""


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3])


def installed_version() -> str:
    return importlib.metadata.version("procrastinate")


def _pending_migrations(applied: str, installed: str) -> list[Path]:
    from procrastinate.schema import SchemaManager

    folder = Path(SchemaManager.get_migrations_path())
    steps = []
    for path in sorted(folder.glob("*.sql")):
        version = _version(path.name.split("_", 1)[0])
        if _version(applied) < version <= _version(installed):
            steps.append(path)
    return steps


def apply_schema(database_url: str) -> str:
    """Create or migrate procrastinate's schema; returns what was done, in words."""
    from procrastinate.schema import SchemaManager

    installed = installed_version()
    with psycopg.connect(conninfo(database_url), autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (LOCK_ID,))
        try:
            row = connection.execute(
                "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
                (SCHEMA,),
            ).fetchone()
            if row is None:
                steps = [SchemaManager.get_schema()]
                done = f"created procrastinate {installed} job tables"
            else:
                applied = (row[0] or "").removeprefix(MARK) or "0.0.0"
                if _version(applied) >= _version(installed):
                    return f"procrastinate job tables are up to date ({applied})"
                steps = [p.read_text() for p in _pending_migrations(applied, installed)]
                done = f"migrated procrastinate job tables from {applied} to {installed}"
            with connection.transaction():
                connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
                connection.execute(f"SET LOCAL search_path TO {SCHEMA}")
                for sql in steps:
                    connection.execute(sql.encode())  # no parameters: the SQL as written
                connection.execute(PIN_SEARCH_PATH)
                connection.execute(f"COMMENT ON SCHEMA {SCHEMA} IS '{MARK}{installed}'")
            return done
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (LOCK_ID,))
