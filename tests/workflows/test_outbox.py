"""The outbox: idempotent enqueue, due rows claimed, retries with backoff, giving up loudly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from workflows import outbox
from workflows.db import session_scope
from workflows.models import OutboxMessage, OutboxStatus
from workflows.settings import Settings

T0 = datetime(2025, 3, 5, 10, tzinfo=UTC)


def _message(key: str = "reply:1") -> OutboxMessage:
    return OutboxMessage(
        dedupe_key=key,
        kind="reply",
        to_address="kund@example.se",
        subject="Re: Registerutdrag",
        body_text="Hej!",
        message_id=outbox.new_message_id(),
        created_at=T0,
        next_attempt_at=T0,
    )


def test_enqueue_is_idempotent_by_key(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        first = outbox.enqueue(session, _message())
        again = outbox.enqueue(session, _message())
        assert again.id == first.id
    with session_scope(settings.database_url) as session:
        assert len(outbox.claim_due(session, now=T0)) == 1


def test_failure_backs_off_then_gives_up(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        outbox.enqueue(session, _message())
    now = T0
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        with session_scope(settings.database_url) as session:
            [due] = outbox.claim_due(session, now=now)
            outbox.mark_failed(session, due, "SMTP down", now=now)
            if attempt == 1:
                assert due.next_attempt_at == now + timedelta(seconds=30)
                assert outbox.claim_due(session, now=now + timedelta(seconds=29)) == []
            now = due.next_attempt_at
    with session_scope(settings.database_url) as session:
        assert outbox.claim_due(session, now=now + timedelta(days=1)) == []
        [row] = session.exec(select(OutboxMessage)).all()
        assert (row.status, row.attempts, row.last_error) == (
            OutboxStatus.failed,
            outbox.MAX_ATTEMPTS,
            "SMTP down",
        )


def test_sent_rows_are_not_claimed_again(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        outbox.enqueue(session, _message())
    with session_scope(settings.database_url) as session:
        [due] = outbox.claim_due(session, now=T0)
        outbox.mark_sent(session, due, now=T0)
    with session_scope(settings.database_url) as session:
        assert outbox.claim_due(session, now=T0 + timedelta(hours=1)) == []
