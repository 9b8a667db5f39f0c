"""Issuing a notice: the ``notices`` row plus its e-mail in the outbox, in the caller's transaction.

Both rows are unique on the notice's deterministic ``dedupe_key`` (notices.dedupe_key), so issuing the
same notice twice, from a retried sweep or a second scheduler, stores it once and :func:`issue` says
it was not new. The caller commits; until then nothing is sent (the outbox is delivered after commit).

A customer notice goes by e-mail to the address on file, else by post to the folkbokföringsadress (a
letter for staff to print: ``channel="post"``, no outbox row); with neither, it is recorded with
``channel="none"`` and the case goes to a person. Errors: database errors propagate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from workflows import audit, outbox
from workflows.models import Case, Notice, OutboxMessage, OutboxStatus
from workflows.notices import Kind, Text
from workflows.settings import Settings

Audience = Literal["customer", "agents", "managers"]


@dataclass(frozen=True)
class Issued:
    notice: Notice
    new: bool


def customer_channel(case: Case) -> Literal["email", "post", "none"]:
    """How a customer notice reaches the person (domain.md §0: post to the folkbokföringsadress)."""
    if case.subject_email:
        return "email"
    if case.subject_address:
        return "post"
    return "none"


def issue(
    session: Session,
    settings: Settings,
    case: Case,
    *,
    kind: Kind,
    text: Text,
    audience: Audience,
    dedupe_key: str,
    now: datetime,
    actor: str,
    audited: bool = True,
) -> Issued:
    """Record the notice and queue its e-mail; ``audited=False`` when the caller's own audit event names
    the notice (the sweep: one event per case, see :func:`describe`)."""
    if audience == "customer":
        channel = customer_channel(case)
        to_address = case.subject_email
    else:
        channel = "email"
        to_address = settings.agents_mailbox if audience == "agents" else settings.managers_mailbox
    outbox_id: int | None = None
    if channel == "email" and to_address:
        outbox_id = _insert_unless_stored(
            session,
            OutboxMessage,
            dedupe_key=dedupe_key,
            kind=f"notice.{kind.value}",
            case_reference=case.reference,
            to_address=to_address,
            subject=text.subject,
            body_text=text.body,
            message_id=outbox.new_message_id(),
            status=OutboxStatus.pending,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
        if outbox_id is None:  # queued before (a retried sweep): the stored row stands
            outbox_id = session.exec(
                select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
            ).first()
    values: dict[str, Any] = {
        "case_reference": case.reference,
        "kind": kind.value,
        "audience": audience,
        "channel": channel,
        "language": case.language if audience == "customer" else "sv",
        "dedupe_key": dedupe_key,
        "outbox_id": outbox_id,
        "sent_at": now,
    }
    notice_id = _insert_unless_stored(session, Notice, **values)
    if notice_id is None:
        # Recorded before, by a retried sweep or another process: theirs stands.
        stored = _by_key(session, dedupe_key)
        assert stored is not None
        return Issued(stored, new=False)
    notice = Notice(id=notice_id, **values)
    if channel == "none":
        case.needs_human = True
        case.human_reason = f"no e-mail or postal address on file for the {kind.value} notice"
        session.add(case)
    if audited:
        audit.append(
            session, actor=actor, action="notice.issued", case_reference=case.reference,
            detail=describe(notice),
        )
    return Issued(notice, new=True)


def describe(notice: Notice) -> dict[str, Any]:
    """What the audit trail says about a notice (never its text)."""
    return {
        "notice": notice.kind, "audience": notice.audience, "channel": notice.channel,
        "outbox_id": notice.outbox_id,
    }


def _insert_unless_stored(session: Session, model: type[SQLModel], **values: Any) -> int | None:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id: one statement, no savepoint; the id,
    or None if a row with that key exists (on PostgreSQL it waits for a concurrent insert to settle)."""
    table = model.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return session.execute(statement.returning(table.c.id)).scalar_one_or_none()


def _by_key(session: Session, key: str) -> Notice | None:
    return session.exec(select(Notice).where(Notice.dedupe_key == key)).first()


def notices_of(session: Session, reference: str) -> list[Notice]:
    query = select(Notice).where(Notice.case_reference == reference).order_by(col(Notice.id))
    return list(session.exec(query))
