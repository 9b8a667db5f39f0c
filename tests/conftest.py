"""Shared fixtures. Tests that start real services are marked (rasa, postgres, browser, imap)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from mail_gateway.devservers import Dovecot, SmtpSink
from workflows.db import get_engine, migrate
from workflows.settings import Settings, override_settings

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'privacydesk.db'}"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    engine = create_engine(POSTGRES_ADMIN)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {error}")
    finally:
        engine.dispose()
    return POSTGRES_ADMIN


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh database per test on the real PostgreSQL, dropped afterwards."""
    name = f"pd_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        yield url
    finally:
        get_engine(url).dispose()
        get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """The same workflow tests run against SQLite and the real PostgreSQL (issue #4)."""
    url: str = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    migrate(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Iterator[Settings]:
    configured = Settings(database_url=database_url, var_dir=tmp_path)
    override_settings(configured)
    yield configured
    override_settings(None)


# A real Dovecot IMAP server and an SMTP sink on loopback (issue #5), started per test.
@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot().start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()
