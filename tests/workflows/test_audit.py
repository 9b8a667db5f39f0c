"""`privacydesk audit verify`: an edited or a deleted audit row is found and named, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from privacydesk.cli import main
from tests.workflows.factories import make_case
from workflows.db import get_engine, session_scope
from workflows.settings import Settings


def _three_events(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        for day in (5, 6, 7):
            make_case(session, settings, datetime(2025, 3, day, 10, tzinfo=UTC))


def test_intact_chain_exits_zero(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    _three_events(settings)
    assert main(["audit", "verify"]) == 0
    assert "audit chain intact: 3 events" in capsys.readouterr().out


def test_an_edited_row_is_named(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    _three_events(settings)
    with get_engine(settings.database_url).begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = 2"))
    assert main(["audit", "verify"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["audit event id 2: row content changed"]
    assert "BROKEN" in captured.err


def test_a_deleted_row_is_named_by_its_successor(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _three_events(settings)
    with get_engine(settings.database_url).begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = 2"))
    assert main(["audit", "verify"]) == 1
    assert capsys.readouterr().out.splitlines() == ["audit event id 3: previous row missing or changed"]


def test_a_rehashed_edit_is_still_caught_by_the_next_row(settings: Settings, capsys) -> None:
    # Recomputing the edited row's own hash moves the break to the row after it.
    from sqlmodel import col, select

    from workflows import audit
    from workflows.models import AuditEvent

    _three_events(settings)
    with session_scope(settings.database_url) as session:
        event = session.exec(select(AuditEvent).where(col(AuditEvent.id) == 2)).one()
        event.actor = "mallory"
        event.hash = audit._digest(event.prev_hash, event)
    assert main(["audit", "verify"]) == 1
    assert capsys.readouterr().out.splitlines() == ["audit event id 3: previous row missing or changed"]
