"""The case state machine: legal moves pass and are audited, illegal ones say which and why."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.workflows.factories import NOBODY, at, make_case
from workflows.db import session_scope
from workflows.models import AuditEvent, CaseStatus, Channel, RequestType
from workflows.settings import Settings
from workflows.states import IllegalTransition, transition


def test_happy_path_and_closing(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        case = make_case(session, settings, at(2025, 3, 5), subject=NOBODY)
        for target in (CaseStatus.awaiting_identity, CaseStatus.in_progress, CaseStatus.responded):
            transition(session, case, target, actor="agent:anna")
        assert case.closed_at is not None
        moves = [e.detail for e in session.exec(select(AuditEvent).where(AuditEvent.action == "case.status"))]
        assert len(moves) == 3 and '"to": "responded"' in moves[-1]
        with pytest.raises(IllegalTransition, match=r"cannot go from responded to in_progress.*closed"):
            transition(session, case, CaseStatus.in_progress, actor="agent:anna")


def test_received_cannot_be_responded_without_work(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        case = make_case(
            session, settings, at(2025, 3, 5), kind=RequestType.erasure, channel=Channel.email, language="en"
        )
        with pytest.raises(IllegalTransition, match="allowed from received: awaiting_identity, in_progress"):
            transition(session, case, CaseStatus.responded, actor="agent:anna")
        assert case.status is CaseStatus.received


# --- issue #4: the clock facts and outcomes the transitions record ------------------------------------


def test_awaiting_identity_starts_the_r_t5_clock_and_outcomes_are_recorded(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        case = make_case(session, settings, at(2025, 3, 5))
        transition(session, case, CaseStatus.awaiting_identity, actor="assistant", now=at(2025, 3, 6))
        # R-T5: the reminder and close count from the day the question went out.
        assert case.identity_question_sent_at == at(2025, 3, 6)
        transition(session, case, CaseStatus.withdrawn, actor="customer", now=at(2025, 3, 7))
        assert (case.outcome, case.closed_at) == ("withdrawn", at(2025, 3, 7))
        answered = make_case(session, settings, at(2025, 3, 5))
        transition(session, answered, CaseStatus.in_progress, actor="agent:anna")
        transition(session, answered, CaseStatus.responded, actor="agent:anna")
        assert answered.outcome == "responded"
