"""Opening cases: reference numbers, R and D1 (R-T1, R-T2), repeat access (Art 12(5)), the audit chain."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from workflows import audit
from workflows.cases import CaseError, Subject, list_cases, open_case
from workflows.db import session_scope
from workflows.models import AuditEvent, Case, Channel, RequestType
from workflows.settings import Settings

MAJA = Subject(full_name="Maja Lindgren", identity_number="19811218-9876")


def _open(settings: Settings, received_at: datetime, kind: RequestType = RequestType.access, **kw) -> Case:
    with session_scope(settings.database_url) as session:
        return open_case(
            session, settings, request_type=kind, channel=Channel.chat, language="sv",
            received_at=received_at, subject=kw.pop("subject", MAJA), **kw,
        )


def test_references_are_sequential_per_year(settings: Settings) -> None:
    first = _open(settings, datetime(2025, 3, 5, 10, tzinfo=UTC))
    second = _open(settings, datetime(2025, 3, 6, 10, tzinfo=UTC), RequestType.erasure)
    next_year = _open(settings, datetime(2026, 1, 7, 10, tzinfo=UTC), RequestType.erasure)
    assert re.fullmatch(r"DSR-\d{4}-\d{6}", first.reference)
    assert (first.reference, second.reference, next_year.reference) == (
        "DSR-2025-000001", "DSR-2025-000002", "DSR-2026-000001",
    )


def test_due_date_follows_r_t2_from_the_stockholm_date(settings: Settings) -> None:
    # R-T1: 23:30 UTC on 4 March is 5 March in Stockholm; R-T2 example 1 gives Mon 7 April 2025.
    case = _open(settings, datetime(2025, 3, 4, 23, 30, tzinfo=UTC))
    assert case.due_date == date(2025, 4, 7)
    assert case.received_at == datetime(2025, 3, 4, 23, 30, tzinfo=UTC)


def test_received_at_round_trips_timezone_aware(settings: Settings) -> None:
    opened = _open(settings, datetime(2025, 8, 31, 12, tzinfo=UTC))
    with session_scope(settings.database_url) as session:
        stored = session.exec(select(Case).where(Case.reference == opened.reference)).one()
    assert stored.received_at.tzinfo is not None
    assert stored.received_at == datetime(2025, 8, 31, 12, tzinfo=UTC)
    assert stored.due_date == date(2025, 9, 30)


def test_naive_receipt_time_is_refused(settings: Settings) -> None:
    with pytest.raises(CaseError):
        _open(settings, datetime(2025, 3, 5, 10))


def test_repeat_access_within_a_year_goes_to_a_human_never_refused(settings: Settings) -> None:
    first = _open(settings, datetime(2025, 3, 5, 10, tzinfo=UTC))
    repeat = _open(settings, datetime(2025, 9, 5, 10, tzinfo=UTC))
    later = _open(settings, datetime(2026, 9, 6, 10, tzinfo=UTC))
    assert not first.needs_human
    assert repeat.needs_human and first.reference in (repeat.human_reason or "")
    assert repeat.status.value == "received"  # not refused, not charged
    assert not later.needs_human


def test_list_cases_carries_no_identity_details(settings: Settings) -> None:
    _open(settings, datetime(2025, 3, 5, 10, tzinfo=UTC))
    with session_scope(settings.database_url) as session:
        listed = list_cases(session)
    dumped = listed[0].model_dump()
    assert dumped["reference"] == "DSR-2025-000001"
    assert "9876" not in str(dumped) and "Maja" not in str(dumped)


def test_audit_chain_detects_an_edited_and_a_deleted_row(settings: Settings) -> None:
    for day in (5, 6, 7):
        _open(settings, datetime(2025, 3, day, 10, tzinfo=UTC))
    with session_scope(settings.database_url) as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        assert len(events) == 3 and audit.verify(events) == []
        events[1].detail = '{"request_type": "erasure"}'
        assert [b.event_id for b in audit.verify(events)] == [events[1].id]
        assert audit.verify([events[0], events[2]])  # a missing row breaks the chain
