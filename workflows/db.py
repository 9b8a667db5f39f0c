"""Engines, sessions and migrations.

Nothing is created at import: :func:`get_engine` builds the engine for a URL on first use.
SQLite runs in WAL mode with ``BEGIN IMMEDIATE`` so two processes (action server, scheduler,
console) serialise their writes instead of failing on a lock upgrade; PostgreSQL uses its own locks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from workflows.settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        engine = create_engine(url, connect_args={"timeout": 30, "isolation_level": None})
        _serialise_sqlite_writes(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _serialise_sqlite_writes(engine: Engine) -> None:
    # SQLAlchemy's documented recipe: let SQLAlchemy, not pysqlite, emit BEGIN, and make it IMMEDIATE.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One session per unit of work, committed on success and rolled back on any error."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%"))
    return cfg


def migrate(url: str | None = None) -> None:
    """Bring the database to the newest schema (``make run`` and ``make test`` call this)."""
    # "heads": a branch of migrations not yet merged (two features at once) still applies in full.
    url = url or get_settings().database_url
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), "heads")
