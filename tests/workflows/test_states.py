"""The case state machine: legal moves pass and are audited, illegal ones say which and why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from workflows.cases import Subject, open_case
from workflows.db import session_scope
from workflows.models import AuditEvent, CaseStatus, Channel, RequestType
from workflows.settings import Settings
from workflows.states import IllegalTransition, transition


def test_happy_path_and_closing(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        case = open_case(
            session,
            settings,
            request_type=RequestType.access,
            channel=Channel.chat,
            language="sv",
            received_at=datetime(2025, 3, 5, 10, tzinfo=UTC),
            subject=Subject(),
        )
        for target in (CaseStatus.awaiting_identity, CaseStatus.in_progress, CaseStatus.responded):
            transition(session, case, target, actor="agent:anna")
        assert case.closed_at is not None
        moves = [e.detail for e in session.exec(select(AuditEvent).where(AuditEvent.action == "case.status"))]
        assert len(moves) == 3 and '"to": "responded"' in moves[-1]
        with pytest.raises(IllegalTransition, match=r"cannot go from responded to in_progress.*closed"):
            transition(session, case, CaseStatus.in_progress, actor="agent:anna")


def test_received_cannot_be_responded_without_work(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        case = open_case(
            session,
            settings,
            request_type=RequestType.erasure,
            channel=Channel.email,
            language="en",
            received_at=datetime(2025, 3, 5, 10, tzinfo=UTC),
            subject=Subject(),
        )
        with pytest.raises(IllegalTransition, match="allowed from received: awaiting_identity, in_progress"):
            transition(session, case, CaseStatus.responded, actor="agent:anna")
        assert case.status is CaseStatus.received
