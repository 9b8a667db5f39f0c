"""Migration 0005w matches the case-workflow models on both databases, and downgrades cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

import workflows.models  # noqa: F401
from workflows.db import alembic_config, migrate
from workflows.settings import Settings

OURS = {"cases", "messages", "attachments", "notices", "customers"}


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # The mail gateway's tables (0005m) are its own helper's to check.
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table in OURS


def _diffs(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _ours})
        diffs = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return diffs


def test_models_and_migration_agree(settings: Settings) -> None:
    assert _diffs(settings.database_url) == []
    # The check can fail: without one of 0005w's indexes it reports the difference.
    engine = create_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_case_sweep_due"))
    engine.dispose()
    assert [d[0] for d in _diffs(settings.database_url)] == ["add_index"]  # type: ignore[index]


def test_0005w_downgrades_and_upgrades(settings: Settings) -> None:
    cfg = alembic_config(settings.database_url)
    command.downgrade(cfg, "0005w-1")
    engine = create_engine(settings.database_url)
    assert not {"messages", "notices", "customers", "attachments"} & set(inspect(engine).get_table_names())
    engine.dispose()
    migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    assert {"messages", "notices", "customers", "attachments"} <= set(inspect(engine).get_table_names())
    engine.dispose()
