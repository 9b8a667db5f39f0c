"""The scheduler's sweep: one pass over the cases that are due for attention.

The database row is the schedule: the sweep selects due rows inside one transaction, taking them with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two schedulers never escalate the same case twice and a
crash in the middle leaves every row as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from workflows import audit, deadlines
from workflows.models import Case, CaseStatus
from workflows.settings import Settings

OPEN = (CaseStatus.received, CaseStatus.awaiting_identity, CaseStatus.in_progress)
NEAR, BREACHED = 1, 2


@dataclass(frozen=True)
class SweepResult:
    escalated: list[str]
    breached: list[str]


def effective_due(case: Case) -> date:
    # R-T3: once extended, D3 is the deadline.
    return case.extended_due_date or case.due_date


def sweep(session: Session, settings: Settings, today: date) -> SweepResult:
    eves = settings.eves_as_holidays
    # Anything due within the window is a candidate; the window in calendar days is wider than N
    # working days, and the exact working-day test below decides.
    horizon = deadlines.add_working_days(today, settings.escalate_working_days, eves_as_holidays=eves)
    due = col(Case.due_date)
    candidates = session.exec(
        select(Case)
        .where(col(Case.status).in_(OPEN))
        .where(col(Case.escalation_level) < BREACHED)
        .where((due <= horizon) | (col(Case.extended_due_date) <= horizon))
        .order_by(due)
        .with_for_update(skip_locked=True)
    ).all()
    escalated: list[str] = []
    breached: list[str] = []
    for case in candidates:
        deadline = effective_due(case)
        if deadline < today:
            level, action, bucket = BREACHED, "case.breached", breached
        elif deadline <= horizon and case.escalation_level < NEAR:
            level, action, bucket = NEAR, "case.escalated", escalated
        else:
            continue
        before = case.escalation_level
        case.escalation_level = level
        session.add(case)
        audit.append(
            session,
            actor="scheduler",
            action=action,
            case_reference=case.reference,
            detail={"escalation_level": [before, level], "due": deadline.isoformat()},
        )
        bucket.append(case.reference)
    return SweepResult(escalated, breached)
