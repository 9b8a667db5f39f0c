"""mail_gateway/store.py and workflows/mailbox.py: raw bytes + checkpoint, idempotent re-delivery."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from mail_gateway.store import Fetched, message_id_of, store_batch
from tests.mail_gateway.conftest import build_mail
from workflows.db import session_scope
from workflows.mailbox import ImapCheckpoint, InboundMail, InboundStatus


def test_message_id_of_reads_the_header_or_makes_one() -> None:
    assert message_id_of(b"Subject: x\r\nMessage-ID:\r\n <a.b@c>\r\n\r\nbody") == "<a.b@c>"
    made = message_id_of(b"Subject: x\r\n\r\nbody")
    assert made == message_id_of(b"Subject: x\r\n\r\nbody") and made.endswith("@no-message-id.invalid>")


def test_store_is_idempotent_and_keeps_every_copy(database_url: str) -> None:
    """On SQLite and the real PostgreSQL (the ``database_url`` fixture runs the migrations)."""
    url = database_url
    now = datetime.now(UTC)
    raw = build_mail(message_id="<same@example.se>", body="one")
    other_body = build_mail(message_id="<same@example.se>", body="a different message, same id")
    batch = [Fetched(1, now, raw), Fetched(2, now, raw), Fetched(3, now, other_body)]
    with session_scope(url) as session:
        assert len(store_batch(session, mailbox="m", uidvalidity=7, batch=batch, up_to_uid=3)) == 3
    with session_scope(url) as session:  # re-fetched after a crash: nothing new
        assert store_batch(session, mailbox="m", uidvalidity=7, batch=batch, up_to_uid=3) == []
    with session_scope(url) as session:
        rows = list(session.exec(select(InboundMail).order_by(InboundMail.id)))
        checkpoint = session.get(ImapCheckpoint, "m")
    assert [r.status for r in rows] == [InboundStatus.pending, InboundStatus.ignored, InboundStatus.pending]
    assert rows[1].reason and "duplicate" in rows[1].reason
    assert rows[2].message_id.startswith("<same@example.se>#")
    assert checkpoint is not None and (checkpoint.uidvalidity, checkpoint.last_uid) == (7, 3)
