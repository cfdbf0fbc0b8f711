"""Database engine and sessions: SQLite pragmas, PostgreSQL via psycopg 3, one transaction each."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings


def normalise_url(url: str) -> str:
    """Plain postgres URLs go through psycopg 3, the driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while a participant's answers are written; foreign keys are off
    # by default in SQLite; busy_timeout waits for a writer instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten with zeros, not only unlinked: an erased participant must
    # not stay readable in the file's free space (privacy.erase, retention purges).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_connect(dbapi_connection: Any, record: Any) -> None:
    _sqlite_pragmas(dbapi_connection, record)
    # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN oddly; we emit
    # BEGIN ourselves (the recipe in SQLAlchemy's SQLite dialect documentation).
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    # A transaction that reads and then writes fails at once in WAL mode if another writer
    # committed in between; write sessions take the write lock up front and wait their turn.
    immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


SQLITE_IMMEDIATE = "stagefit_sqlite_immediate"
log = logging.getLogger("stagefit.db")


class BlockingDatabaseCall(RuntimeError):
    """A database call on the event loop: an `async def` endpoint using a sync Session."""


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _guard_event_loop(strict: bool) -> Any:
    # A blocking call on the event loop stalls every request; worse, when it waits for a row
    # lock held by another request, that request can never commit (its commit needs the loop):
    # a deadlock on PostgreSQL, a 5 s stall on SQLite.
    message = (
        "database call on the event loop: an `async def` endpoint used a Session. Make the "
        "endpoint `def` (read forms with Form() or in an async dependency), or run the work "
        "with starlette.concurrency.run_in_threadpool"
    )

    def before_cursor_execute(*_args: Any) -> None:
        if _on_event_loop():
            if strict:
                raise BlockingDatabaseCall(message)
            log.warning(message)

    return before_cursor_execute


def create_db_engine(
    database_url: str, *, strict_event_loop: bool = True, pool_size: int | None = None
) -> Engine:
    """An engine with our SQLite settings; `strict_event_loop` refuses (else logs) DB calls
    made on an asyncio event loop; `pool_size` for callers with many threads (the worker)."""
    url = make_url(normalise_url(database_url))
    pool: dict[str, Any] = {"pool_size": pool_size} if pool_size else {}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True, **pool)
    event.listen(engine, "before_cursor_execute", _guard_event_loop(strict_event_loop))
    return engine


def forget_deleted_after_commit(session: Session) -> None:
    """Once `session` commits, empty SQLite's write-ahead log (a TRUNCATE checkpoint): its
    older frames still hold the pages as they were before rows were deleted. Best effort: a
    reader that holds a snapshot for over busy_timeout leaves the rest to the next erasure.
    PostgreSQL keeps deleted rows until VACUUM reuses their space (docs/privacy.md)."""
    engine = session.get_bind().engine
    if engine.dialect.name != "sqlite" or session.info.get("checkpoint_after_commit"):
        return
    session.info["checkpoint_after_commit"] = True  # a purge of many: one checkpoint

    def checkpoint(_session: Session) -> None:
        session.info.pop("checkpoint_after_commit", None)
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except OperationalError as exc:  # the erasure is committed: say so, do not fail it
            log.warning("write-ahead log not emptied after an erasure: %s", exc)

    event.listen(session, "after_commit", checkpoint, once=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: objects stay readable after the request's commit (responses).
    return sessionmaker(bind=engine, expire_on_commit=False)


class Database:
    """An engine and its session factory, made once per process (or per test session)."""

    def __init__(self, settings: Settings, *, pool_size: int | None = None) -> None:
        self.engine = create_db_engine(
            settings.database_url,
            strict_event_loop=settings.env != "production",
            pool_size=pool_size,
        )
        self.sessions = make_sessionmaker(self.engine)

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction: commit on success, roll back on error.

        `write=True` for a transaction that reads and then writes under contention (saving
        answers, submitting): on SQLite it takes the write lock first (BEGIN IMMEDIATE), so
        concurrent writers queue (busy_timeout) instead of failing; on PostgreSQL no change.
        """
        session = self.sessions()
        if write:
            session.connection(execution_options={SQLITE_IMMEDIATE: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
