"""The scheduler's sweep: one pass over the cases that are due for attention.

Steps, each one indexed look-up of the due rows only (docs/benchmarks.md, "sweep"):

1. near the deadline (within N working days of D1, or D3 once extended) and not yet escalated →
   escalation level 1, top of the agents' queue, a notice to the agents' mailbox;
2. past the deadline → breach: level 2 (the SLA queue), a notice to the managers' mailbox
   (steps 1 and 2 skip cases awaiting identity: R-T5 pauses their clock);
3. awaiting identity for 14 days → a reminder to the customer; for 2 months → closed (``refused``,
   outcome ``closed_no_identity``) with the R-T5 notice pointing to IMY;
4. a consent withdrawal not applied within 24 hours → escalated to the agents (domain.md §3).

Exactly once: the database row is the schedule. Every step takes its rows with ``FOR UPDATE SKIP
LOCKED`` (PostgreSQL; SQLite serialises writers with ``BEGIN IMMEDIATE``) and records the notice (its
``notices`` row and outbox e-mail, unique on a deterministic key) and the case's new state in the same
transaction as the claim. A second scheduler skips the locked rows, re-checks the condition on rows
committed meanwhile, and the unique keys catch anything else; a crash rolls the whole sweep back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from workflows import audit, deadlines, notices
from workflows.models import Case, CaseStatus, RequestType
from workflows.notify import Audience, describe, issue
from workflows.settings import Settings
from workflows.states import Outcome, transition

OPEN = (CaseStatus.received, CaseStatus.awaiting_identity, CaseStatus.in_progress)
# R-T5: while the identity question is outstanding the clock is paused (D1 and D3 move by the pause when
# the reply comes, decisions.identity_answered), so the deadline steps leave awaiting_identity cases to
# the identity steps (reminder, close) and take them up again once they are back in progress.
ON_THE_CLOCK = (CaseStatus.received, CaseStatus.in_progress)
NEAR, BREACHED = 1, 2
ACTOR = "scheduler"
REMINDER_DAYS = 14  # R-T5 [U]
CLOSE_MONTHS = 2  # R-T5 [U]
CONSENT_HOURS = 24  # domain.md §3: a withdrawal is effective from receipt


@dataclass(frozen=True)
class SweepResult:
    escalated: list[str]
    breached: list[str]
    reminded: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    consent_escalated: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        lists = (self.escalated, self.breached, self.reminded, self.closed, self.consent_escalated)
        return sum(map(len, lists))


def effective_due(case: Case) -> date:
    # R-T3: once extended, D3 is the deadline.
    return case.extended_due_date or case.due_date


def _local_midnight(d: date, tz: str) -> datetime:
    return datetime.combine(d, time(0), ZoneInfo(tz))


def last_question_day_to_close(today: date) -> date:
    """The latest question date q with add_months(q, 2) <= today (R-T5): the close query's exact bound."""
    q = deadlines.add_months(today, -CLOSE_MONTHS)
    while deadlines.add_months(q + timedelta(days=1), CLOSE_MONTHS) <= today:
        q += timedelta(days=1)
    return q


def queries(settings: Settings, today: date, now: datetime, batch: int) -> dict[str, SelectOfScalar[Case]]:
    """The sweep's look-ups, by step (the benchmark times them on their own).

    Each is exact: every row it returns is acted on and then no longer matches, so a batch is never
    filled with rows that wait (which would starve the rest) and the time grows with the due work only.
    IN lists (not "<") on status and escalation level make them index range scans
    (ix_case_sweep_due / ix_case_sweep_extended / ix_case_identity_wait / ix_case_consent).
    """
    tz = settings.timezone
    horizon = deadlines.add_working_days(
        today, settings.escalate_working_days, eves_as_holidays=settings.eves_as_holidays
    )
    due, extended = col(Case.due_date), col(Case.extended_due_date)

    def open_at(levels: list[int]) -> SelectOfScalar[Case]:
        return (
            select(Case)
            .where(col(Case.status).in_(ON_THE_CLOCK))
            .where(col(Case.escalation_level).in_(levels))
        )

    def claim(query: SelectOfScalar[Case], order: Any) -> SelectOfScalar[Case]:
        return query.order_by(order).limit(batch).with_for_update(skip_locked=True)

    return {
        # R-T2: past D1 (not extended) / R-T3: past D3 → breach.
        "breach_d1": claim(open_at([0, NEAR]).where(due < today).where(extended.is_(None)), due),
        "breach_d3": claim(open_at([0, NEAR]).where(extended < today), extended),
        # Within N working days (the window's last working day, ``horizon``) and not yet escalated.
        "near_d1": claim(
            open_at([0]).where(due <= horizon).where(due >= today).where(extended.is_(None)), due
        ),
        "near_d3": claim(open_at([0]).where(extended <= horizon).where(extended >= today), extended),
        # R-T5: 14 days after the question (not yet reminded), and 2 months after it.
        "identity_reminder": claim(
            select(Case)
            .where(col(Case.status) == CaseStatus.awaiting_identity)
            .where(col(Case.identity_reminder_sent_at).is_(None))
            .where(
                col(Case.identity_question_sent_at)
                < _local_midnight(today - timedelta(days=REMINDER_DAYS - 1), tz)
            ),
            col(Case.identity_question_sent_at),
        ),
        "identity_close": claim(
            select(Case)
            .where(col(Case.status) == CaseStatus.awaiting_identity)
            .where(
                col(Case.identity_question_sent_at)
                < _local_midnight(last_question_day_to_close(today) + timedelta(days=1), tz)
            ),
            col(Case.identity_question_sent_at),
        ),
        # domain.md §3: a consent withdrawal not applied 24 hours after receipt.
        "consent": claim(
            select(Case)
            .where(col(Case.request_type) == RequestType.consent_withdrawal)
            .where(col(Case.status).in_(OPEN))
            .where(col(Case.received_at) <= now - timedelta(hours=CONSENT_HOURS))
            .where(col(Case.consent_applied_at).is_(None))
            .where(col(Case.consent_escalated_at).is_(None)),
            col(Case.received_at),
        ),
    }


def sweep(
    session: Session,
    settings: Settings,
    today: date,
    *,
    now: datetime | None = None,
    batch: int | None = None,
) -> SweepResult:
    """One sweep at ``today`` (a Stockholm date) and ``now`` (default: noon of ``today`` in Stockholm, so
    a call with a date alone is deterministic). At most ``batch`` rows per step; the next sweep takes
    the rest. The caller commits."""
    now = now or datetime.combine(today, time(12), ZoneInfo(settings.timezone))
    q = queries(settings, today, now, batch or settings.sweep_batch)
    result = SweepResult([], [], [], [], [])
    horizon = deadlines.add_working_days(
        today, settings.escalate_working_days, eves_as_holidays=settings.eves_as_holidays
    )
    # Breaches first, then escalations (the queries are disjoint: past today vs today..horizon).
    for name in ("breach_d1", "breach_d3", "near_d1", "near_d3"):
        for case in session.exec(q[name]).all():
            _deadline_step(session, settings, case, today, horizon, now, result)
    # Closing before reminding: a case silent for two months is closed, not reminded first.
    for case in session.exec(q["identity_close"]).all():
        _identity_step(session, settings, case, today, now, result)
    for case in session.exec(q["identity_reminder"]).all():
        if case.status is CaseStatus.awaiting_identity:
            _identity_step(session, settings, case, today, now, result)
    for case in session.exec(q["consent"]).all():
        _consent_step(session, settings, case, now, result)
    return result


def _deadline_step(
    session: Session, settings: Settings, case: Case, today: date, horizon: date, now: datetime,
    result: SweepResult,
) -> None:
    deadline = effective_due(case)
    kind: notices.Kind
    audience: Audience
    if deadline < today:
        level, action, bucket = BREACHED, "case.breached", result.breached
        case.sla_breached_at = now
        kind, audience = notices.Kind.breach, "managers"
        text = notices.breach(case.reference, case.request_type.value, deadline)
    elif deadline <= horizon and case.escalation_level < NEAR:
        level, action, bucket = NEAR, "case.escalated", result.escalated
        case.escalated_at = now
        kind, audience = notices.Kind.escalation, "agents"
        text = notices.escalation(case.reference, case.request_type.value, deadline, case.status.value)
    else:
        return
    before = case.escalation_level
    case.escalation_level = level
    session.add(case)
    issued = issue(
        session, settings, case, kind=kind, text=text, audience=audience,
        dedupe_key=notices.dedupe_key(kind, case.reference, deadline), now=now, actor=ACTOR, audited=False,
    )
    audit.append(
        session,
        actor=ACTOR,
        action=action,
        case_reference=case.reference,
        detail={"escalation_level": [before, level], "due": deadline.isoformat(), **describe(issued.notice)},
    )
    bucket.append(case.reference)


def _identity_step(
    session: Session, settings: Settings, case: Case, today: date, now: datetime, result: SweepResult
) -> None:
    assert case.identity_question_sent_at is not None
    asked_on = deadlines.receipt_date(case.identity_question_sent_at, settings.timezone)
    closes_on = deadlines.add_months(asked_on, CLOSE_MONTHS)
    if today >= closes_on:
        # R-T5: two months of silence close the case with a written notice pointing to IMY.
        kind = notices.Kind.identity_closed
        case.refusal_reasons = "no answer to the identity question within two months (R-T5, Art 12(6))"
        case.refusal_notice_sent_at = now
        case.outcome = Outcome.closed_no_identity
        issue(
            session, settings, case, kind=kind,
            text=notices.identity_closed(case.language, case.reference, asked_on),
            audience="customer", dedupe_key=notices.dedupe_key(kind, case.reference), now=now, actor=ACTOR,
        )
        transition(session, case, CaseStatus.refused, actor=ACTOR, now=now, note="R-T5: no identity reply")
        result.closed.append(case.reference)
    elif case.identity_reminder_sent_at is None and today >= asked_on + timedelta(days=REMINDER_DAYS):
        kind = notices.Kind.identity_reminder
        case.identity_reminder_sent_at = now
        session.add(case)
        issue(
            session, settings, case, kind=kind,
            text=notices.identity_reminder(case.language, case.reference, asked_on, closes_on),
            audience="customer",
            # Keyed by the question's date: a new identity question gets its own reminder.
            dedupe_key=notices.dedupe_key(kind, case.reference, asked_on), now=now, actor=ACTOR,
        )
        result.reminded.append(case.reference)


def _consent_step(
    session: Session, settings: Settings, case: Case, now: datetime, result: SweepResult
) -> None:
    kind = notices.Kind.consent_overdue
    case.consent_escalated_at = now
    case.needs_human = True
    case.human_reason = "consent withdrawal not applied within 24 hours"
    session.add(case)
    received_on = deadlines.receipt_date(case.received_at, settings.timezone)
    issued = issue(
        session, settings, case, kind=kind, text=notices.consent_overdue(case.reference, received_on),
        audience="agents", dedupe_key=notices.dedupe_key(kind, case.reference), now=now, actor=ACTOR,
        audited=False,
    )
    audit.append(
        session, actor=ACTOR, action="consent.escalated", case_reference=case.reference,
        detail={"received_at": case.received_at.isoformat(), **describe(issued.notice)},
    )
    result.consent_escalated.append(case.reference)
