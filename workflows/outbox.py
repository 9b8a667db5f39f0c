"""The outbox: outgoing e-mail is stored first and delivered by a worker that retries with backoff.

The scheduler's notices, the bot's e-mail replies and agents' answers all go through here; the mail
gateway's sender (``mail_gateway``) claims due rows and reports back. Claiming uses
``FOR UPDATE SKIP LOCKED`` on PostgreSQL so two senders never deliver the same row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import make_msgid

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workflows.models import OutboxMessage, OutboxStatus
from workflows.types import utcnow

MAX_ATTEMPTS = 12
# Backoff: 30 s doubling, capped at 1 h; 12 attempts span about seven hours of SMTP outage.
_FIRST_DELAY = timedelta(seconds=30)
_MAX_DELAY = timedelta(hours=1)


def new_message_id(domain: str = "privacydesk.komteknik.se") -> str:
    return make_msgid(domain=domain)


def enqueue(session: Session, message: OutboxMessage) -> OutboxMessage:
    """Store ``message`` unless one with the same ``dedupe_key`` exists; returns the stored row."""
    existing = _by_key(session, message.dedupe_key)
    if existing:
        return existing
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        # Another process stored the same key between our look-up and insert: theirs stands.
        stored = _by_key(session, message.dedupe_key)
        assert stored is not None
        return stored
    return message


def _by_key(session: Session, key: str) -> OutboxMessage | None:
    return session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).first()


def claim_due(session: Session, *, now: datetime | None = None, limit: int = 50) -> list[OutboxMessage]:
    now = now or utcnow()
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.pending)
            .where(col(OutboxMessage.next_attempt_at) <= now)
            .order_by(col(OutboxMessage.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def mark_sent(session: Session, message: OutboxMessage, *, now: datetime | None = None) -> None:
    message.status = OutboxStatus.sent
    message.sent_at = now or utcnow()
    message.attempts += 1
    message.last_error = None
    session.add(message)


def mark_failed(session: Session, message: OutboxMessage, error: str, *, now: datetime | None = None) -> None:
    """A delivery attempt failed: try again later, or give up after MAX_ATTEMPTS (never silently)."""
    now = now or utcnow()
    message.attempts += 1
    message.last_error = error[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.failed
    else:
        delay = min(_FIRST_DELAY * (2 ** (message.attempts - 1)), _MAX_DELAY)
        message.next_attempt_at = now + delay
    session.add(message)
