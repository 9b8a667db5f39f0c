"""The scheduler's sweep: escalation near D1, breach after it, each exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from workflows.cases import Subject, open_case
from workflows.db import session_scope
from workflows.models import AuditEvent, Case, Channel, RequestType
from workflows.settings import Settings
from workflows.sweep import sweep


def _case(settings: Settings, received: datetime) -> str:
    with session_scope(settings.database_url) as session:
        return open_case(
            session, settings, request_type=RequestType.access, channel=Channel.chat, language="sv",
            received_at=received, subject=Subject(),
        ).reference


def test_escalates_within_five_working_days_then_breaches_once(settings: Settings) -> None:
    near = _case(settings, datetime(2025, 3, 5, 10, tzinfo=UTC))  # D1 Mon 2025-04-07
    far = _case(settings, datetime(2025, 3, 20, 10, tzinfo=UTC))  # D1 Tue 2025-04-22
    with session_scope(settings.database_url) as session:
        # Mon 31 March: D1 is 5 working days away.
        first = sweep(session, settings, date(2025, 3, 31))
    with session_scope(settings.database_url) as session:
        again = sweep(session, settings, date(2025, 3, 31))
    with session_scope(settings.database_url) as session:
        late = sweep(session, settings, date(2025, 4, 8))
    with session_scope(settings.database_url) as session:
        once_more = sweep(session, settings, date(2025, 4, 9))
        levels = {c.reference: c.escalation_level for c in session.exec(select(Case))}
        actions = [e.action for e in session.exec(select(AuditEvent))]
    assert (first.escalated, first.breached) == ([near], [])
    assert (again.escalated, again.breached) == ([], [])
    assert (late.breached, once_more.breached) == ([near], [])
    assert levels == {near: 2, far: 0}
    assert actions.count("case.escalated") == 1 and actions.count("case.breached") == 1


def test_a_case_six_working_days_out_is_left_alone(settings: Settings) -> None:
    _case(settings, datetime(2025, 3, 5, 10, tzinfo=UTC))  # D1 Mon 2025-04-07
    with session_scope(settings.database_url) as session:
        result = sweep(session, settings, date(2025, 3, 28))  # Fri: 6 working days before D1
    assert (result.escalated, result.breached) == ([], [])
