"""Opening and listing cases.

Errors: :class:`CaseError` for a request that cannot become a case as given (the caller answers the
customer); database errors propagate (system errors: the caller's transaction rolls back, nothing is
half-stored).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from workflows import audit, deadlines
from workflows.models import Case, CasePublic, CaseStatus, Channel, ReferenceCounter, RequestType
from workflows.settings import Settings


class CaseError(ValueError):
    """The request cannot be opened as given (a sender error, answered politely)."""


@dataclass(frozen=True)
class Subject:
    """The identity details the customer gave (R-F3: no more than needed)."""

    full_name: str | None = None
    identity_number: str | None = None  # canonical YYYYMMDD-NNNC
    address: str | None = None
    email: str | None = None
    phone: str | None = None
    customer_number: str | None = None


def next_reference(session: Session, year: int) -> str:
    """DSR-YYYY-NNNNNN, numbered per year inside the caller's transaction.

    The counter row is bumped with one UPDATE, which takes the row lock on PostgreSQL and the write
    lock on SQLite (BEGIN IMMEDIATE), so two processes never draw the same number.
    """
    bumped = session.execute(
        update(ReferenceCounter)
        .where(col(ReferenceCounter.year) == year)
        .values(last=ReferenceCounter.last + 1)
        .returning(col(ReferenceCounter.last))
    ).scalar_one_or_none()
    if bumped is None:
        session.add(ReferenceCounter(year=year, last=1))
        session.flush()
        bumped = 1
    if bumped > 999_999:
        raise RuntimeError(f"case numbers for {year} are exhausted")
    return f"DSR-{year}-{bumped:06d}"


def open_case(
    session: Session,
    settings: Settings,
    *,
    request_type: RequestType,
    channel: Channel,
    language: str,
    received_at: datetime,
    subject: Subject,
    conversation_id: str | None = None,
    actor: str = "assistant",
) -> Case:
    if received_at.tzinfo is None:
        raise CaseError("the receipt time must carry its time zone (R-T1)")
    if language not in ("sv", "en"):
        raise CaseError(f"unsupported language {language!r}")
    # R-T1/R-T2: the receipt date is the Stockholm calendar date of R; the receipt day is not counted.
    received = deadlines.receipt_date(received_at, settings.timezone)
    case = Case(
        reference=next_reference(session, received.year),
        request_type=request_type,
        status=CaseStatus.received,
        channel=channel,
        language=language,
        received_at=received_at,
        due_date=deadlines.due_date(received, eves_as_holidays=settings.eves_as_holidays),
        conversation_id=conversation_id,
        subject_name=subject.full_name,
        subject_identity_number=subject.identity_number,
        subject_address=subject.address,
        subject_email=subject.email,
        subject_phone=subject.phone,
        customer_number=subject.customer_number,
    )
    repeat = request_type is RequestType.access and _previous_access(session, subject, received_at)
    if repeat:
        # Art 12(5), EDPB §185: a repeat within a year is never refused or charged automatically;
        # a person decides.
        case.needs_human = True
        case.human_reason = f"repeat access request (earlier case {repeat.reference} within 12 months)"
    session.add(case)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="case.opened",
        case_reference=case.reference,
        detail={"request_type": request_type.value, "channel": channel.value, "due_date": str(case.due_date)},
    )
    return case


def _previous_access(session: Session, subject: Subject, received_at: datetime) -> Case | None:
    if not subject.identity_number:
        return None
    return session.exec(
        select(Case)
        .where(Case.subject_identity_number == subject.identity_number)
        .where(Case.request_type == RequestType.access)
        .where(col(Case.received_at) >= received_at - timedelta(days=365))
        .order_by(col(Case.received_at).desc())
    ).first()


def list_cases(session: Session, *, statuses: Sequence[CaseStatus] | None = None) -> list[CasePublic]:
    query = select(Case).order_by(col(Case.received_at))
    if statuses:
        query = query.where(col(Case.status).in_(list(statuses)))
    return [CasePublic.model_validate(case, from_attributes=True) for case in session.exec(query)]
