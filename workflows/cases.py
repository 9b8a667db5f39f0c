"""Opening and listing cases.

Errors: :class:`CaseError` for a request that cannot become a case as given (the caller answers the
customer); database errors propagate (system errors: the caller's transaction rolls back, nothing is
half-stored).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from workflows import audit, deadlines
from workflows.models import Case, CasePublic, CaseStatus, Channel, ReferenceCounter, RequestType
from workflows.settings import Settings
from workflows.states import CLOSED, transition


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


def _previous_access(
    session: Session, subject: Subject, received_at: datetime, *, exclude_id: int | None = None
) -> Case | None:
    if not subject.identity_number:
        return None
    query = (
        select(Case)
        .where(Case.subject_identity_number == subject.identity_number)
        .where(Case.request_type == RequestType.access)
        .where(col(Case.received_at) >= received_at - timedelta(days=365))
        .order_by(col(Case.received_at).desc())
    )
    if exclude_id is not None:
        query = query.where(col(Case.id) != exclude_id)
    return session.exec(query).first()


# ---------------------------------------------------------------- the conversational intake (issue #3)
# R-T6: the case is opened and acknowledged as soon as a request is recognised; the identity details
# and what the type needs (§3) are added to it as the conversation goes on.


def get_case(session: Session, reference: str) -> Case:
    case = session.exec(select(Case).where(Case.reference == reference)).first()
    if case is None:
        raise CaseError(f"no case {reference}")
    return case


def merge_details(session: Session, case: Case, updates: dict[str, Any]) -> Case:
    """Add to the JSON ``details`` (a new dict: in-place changes to a JSON column are not tracked)."""
    case.details = {**(case.details or {}), **updates}
    session.add(case)
    return case


def ensure_form_token(session: Session, case: Case) -> str:
    """The unguessable token that guards the case's pre-filled request form (/forms/{reference}.pdf)."""
    token = (case.details or {}).get("form_token")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        merge_details(session, case, {"form_token": token})
    return token


def await_identity(session: Session, case: Case, *, actor: str = "assistant") -> Case:
    """received → awaiting_identity while the conversation collects who the person is."""
    if case.status is CaseStatus.received:
        transition(session, case, CaseStatus.awaiting_identity, actor=actor, note="identity details asked")
    return case


def change_request_type(
    session: Session, case: Case, request_type: RequestType, *, actor: str = "assistant"
) -> Case:
    """The customer changed their mind mid-way: same case, same R (the request reached us then)."""
    if case.request_type is not request_type:
        before = case.request_type
        case.request_type = request_type
        case.subtype = None
        session.add(case)
        audit.append(
            session,
            actor=actor,
            action="case.request_type_changed",
            case_reference=case.reference,
            detail={"from": before.value, "to": request_type.value},
        )
    return case


def set_subject(session: Session, case: Case, subject: Subject, *, legal_entity: str | None) -> Case:
    """The identity details the conversation collected (a detail not given keeps what is stored)."""
    case.subject_name = subject.full_name or case.subject_name
    case.subject_identity_number = subject.identity_number or case.subject_identity_number
    case.subject_address = subject.address or case.subject_address
    case.subject_email = subject.email or case.subject_email
    case.subject_phone = subject.phone or case.subject_phone
    case.customer_number = subject.customer_number or case.customer_number
    case.legal_entity = legal_entity or case.legal_entity
    session.add(case)
    return case


def flag_for_human(case: Case, reason: str) -> None:
    """Needs a person; reasons add up (a repeat request and a register mismatch are both worth reading)."""
    case.needs_human = True
    if reason not in (case.human_reason or ""):
        case.human_reason = "; ".join(filter(None, [case.human_reason, reason]))


def record_intake(
    session: Session,
    case: Case,
    *,
    subject: Subject,
    legal_entity: str | None,
    details: dict[str, Any],
    identity_complete: bool,
    subtype: str | None = None,
    scope: str | None = None,
    actor: str = "assistant",
) -> Case:
    """Store what the conversation collected; complete identity moves the case to in_progress."""
    set_subject(session, case, subject, legal_entity=legal_entity)
    case.subtype = subtype or case.subtype
    case.scope = scope or case.scope
    merge_details(session, case, details)
    if case.request_type is RequestType.access:
        repeat = _previous_access(session, subject, case.received_at, exclude_id=case.id)
        if repeat:
            # Art 12(5), EDPB §185: a person assesses a repeat; never an automatic fee or refusal.
            flag_for_human(case, f"repeat access request (earlier case {repeat.reference} within 12 months)")
    session.add(case)
    audit.append(
        session,
        actor=actor,
        action="case.intake_recorded",
        case_reference=case.reference,
        # R-F4: which details arrived, never their values.
        detail={"details": sorted(details), "identity_complete": identity_complete},
    )
    if identity_complete and case.status in (CaseStatus.received, CaseStatus.awaiting_identity):
        transition(session, case, CaseStatus.in_progress, actor=actor, note="identity details complete")
    return case


def withdraw(session: Session, case: Case, *, actor: str = "assistant", note: str) -> Case:
    if case.status not in CLOSED:
        transition(session, case, CaseStatus.withdrawn, actor=actor, note=note)
    return case


def latest_case_for_conversation(session: Session, conversation_id: str) -> Case | None:
    """The newest case a conversation (chat visitor or e-mail thread) opened, if any."""
    return session.exec(
        select(Case).where(Case.conversation_id == conversation_id).order_by(col(Case.id).desc())
    ).first()


def list_cases(session: Session, *, statuses: Sequence[CaseStatus] | None = None) -> list[CasePublic]:
    query = select(Case).order_by(col(Case.received_at))
    if statuses:
        query = query.where(col(Case.status).in_(list(statuses)))
    return [CasePublic.model_validate(case, from_attributes=True) for case in session.exec(query)]
