"""Migrations on a fresh machine: the SQLite folder does not exist yet (regression, issue #2 `make run`)."""

from pathlib import Path

from sqlalchemy import inspect

from workflows.db import get_engine, migrate


def test_migrate_creates_the_sqlite_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'nested' / 'privacydesk.db'}"
    migrate(url)
    assert {"cases", "audit_events", "outbox"} <= set(inspect(get_engine(url)).get_table_names())
