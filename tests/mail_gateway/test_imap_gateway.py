"""The gateway against a real Dovecot and a real SMTP server, with a fake bot (issue #5).

The bot is faked at the I/O boundary here (these tests are about mail); tests/e2e/test_mail_*.py run
the same paths with the real Rasa server.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from mail_gateway.devservers import Dovecot, SmtpSink
from mail_gateway.imap_receiver import ImapReceiver
from mail_gateway.processor import MAX_ATTEMPTS, process_pending
from mail_gateway.rasa_client import RasaUnavailable
from mail_gateway.smtp_sender import deliver_due
from tests.mail_gateway.conftest import PDF, build_mail, mail_settings
from tests.mail_gateway.test_parse import EVAL_MIME
from tests.workflows.factories import make_case
from workflows.db import migrate, session_scope
from workflows.mailbox import DONE, ImapCheckpoint, InboundMail, InboundStatus, MailAttachment, agent_answer
from workflows.models import Channel, Handoff, OutboxMessage
from workflows.settings import Settings

pytestmark = pytest.mark.imap

STOCKHOLM_WINTER = timezone(timedelta(hours=1))


class FakeRasa:
    def __init__(self, *, down: bool = False) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.down = down

    def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if self.down:
            raise RasaUnavailable("Rasa not reachable: ConnectError")
        self.calls.append((sender, text, metadata))
        return [
            {"text": "Tack! Vad heter du?"},
            {"text": "Och ditt personnummer?", "buttons": [{"title": "Avbryt"}]},
        ]

    def replay(self, sender: str, inbound_key: str) -> list[dict[str, Any]] | None:
        return None

    def close(self) -> None:
        pass


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'mail.db'}"
    migrate(url)
    return url


def rows(db: str) -> list[InboundMail]:
    with session_scope(db) as session:
        return list(session.exec(select(InboundMail).order_by(InboundMail.id)))


def outbox(db: str) -> list[OutboxMessage]:
    with session_scope(db) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_internaldate_is_r_and_the_checkpoint_ignores_seen(dovecot: Dovecot, db: str, tmp_path: Path) -> None:
    settings = mail_settings(db, dovecot, None, tmp_path)
    when = datetime(2026, 3, 3, 23, 30, tzinfo=STOCKHOLM_WINTER)
    dovecot.append(build_mail(), when)
    dovecot.append(build_mail(subject="second"), when + timedelta(minutes=5))
    # A person reads the mailbox in another client: \Seen must not hide the message from us.
    client = dovecot.client()
    client.select_folder("INBOX")
    client.add_flags([2], [b"\\Seen"])
    client.logout()

    receiver = ImapReceiver(settings, db)
    assert receiver.fetch_new() == 2
    stored = rows(db)
    assert [r.internal_date for r in stored] == [when, when + timedelta(minutes=5)]  # R-T1
    assert receiver.fetch_new() == 0  # the checkpoint, not flags, says what is new
    with session_scope(db) as session:
        checkpoint = session.get(ImapCheckpoint, receiver.mailbox)
        assert checkpoint is not None and checkpoint.last_uid == 2
    receiver.disconnect()


def test_backlog_is_fetched_in_batches_with_progress(
    dovecot: Dovecot, db: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = mail_settings(db, dovecot, None, tmp_path, mail_batch_size=7)
    for n in range(20):
        dovecot.append(build_mail(subject=f"backlog {n}"), datetime.now(UTC))
    caplog.set_level(logging.INFO, logger="mail_gateway")
    receiver = ImapReceiver(settings, db)
    assert receiver.fetch_new() == 20
    progress = [r.getMessage() for r in caplog.records if "backlog" in r.getMessage()]
    assert progress[-1].startswith("IMAP backlog: 20 of 20")
    assert len(progress) == 3
    receiver.disconnect()


def test_uidvalidity_change_resyncs_by_message_id(dovecot: Dovecot, db: str, tmp_path: Path) -> None:
    settings = mail_settings(db, dovecot, None, tmp_path, imap_folder="Privacy")
    client = dovecot.client()
    client.create_folder("Privacy")
    client.logout()
    old = [build_mail(subject=f"old {n}") for n in range(3)]
    for raw in old:
        dovecot.append(raw, datetime.now(UTC), folder="Privacy")
    receiver = ImapReceiver(settings, db)
    assert receiver.fetch_new() == 3
    receiver.disconnect()
    # The folder is rebuilt: a new UIDVALIDITY, the same messages plus one new one.
    client = dovecot.client()
    client.delete_folder("Privacy")
    client.create_folder("Privacy")
    client.logout()
    for raw in [*old, build_mail(subject="new")]:
        dovecot.append(raw, datetime.now(UTC), folder="Privacy")
    receiver = ImapReceiver(settings, db)
    assert receiver.fetch_new() == 1
    assert [r.subject or r.raw.count(b"new") for r in rows(db)][-1]
    assert len(rows(db)) == 4
    receiver.disconnect()


def test_every_eval_mime_file_is_stored_and_processed_or_rejected(
    dovecot: Dovecot, db: str, tmp_path: Path
) -> None:
    """Issue #5: all of ../shared/eval/mime through the real server; none crashes or blocks the rest."""
    settings = mail_settings(db, dovecot, None, tmp_path)
    for path in EVAL_MIME:
        dovecot.append(path.read_bytes(), datetime.now(UTC))
    dovecot.append(build_mail(subject="after the torture tests"), datetime.now(UTC))
    receiver = ImapReceiver(settings, db)
    assert receiver.fetch_new() == len(EVAL_MIME) + 1
    bot = FakeRasa()
    result = process_pending(settings, bot, db)  # type: ignore[arg-type]
    assert result.errors == 0
    stored = rows(db)
    assert all(r.status in DONE for r in stored), [(r.id, r.status) for r in stored]
    assert not [r for r in stored if r.status is InboundStatus.failed]
    assert all(r.reason for r in stored if r.status in (InboundStatus.rejected, InboundStatus.ignored))
    by_name = dict(zip([p.name for p in EVAL_MIME], stored, strict=False))
    for name in ("sisimai__rfc3834-01.eml", "flanker__bounce-mailbox-full.eml", "cpython__msg_16.eml"):
        assert by_name[name].status is InboundStatus.ignored  # RFC 3834: stored, never answered
    assert stored[-1].status is InboundStatus.answered  # the message behind them was not blocked
    assert receiver.acknowledge() == len(stored)
    client = dovecot.client()
    client.select_folder("INBOX")
    flagged = client.search(["KEYWORD", settings.mail_processed_flag])
    assert len(flagged) == len(stored)
    receiver.disconnect()


def test_reply_threading_attachments_and_smtp(
    dovecot: Dovecot, smtp: SmtpSink, db: str, tmp_path: Path
) -> None:
    settings = mail_settings(db, dovecot, smtp, tmp_path)
    dovecot.append(build_mail(message_id="<first@example.se>"), datetime.now(UTC))
    receiver = ImapReceiver(settings, db)
    receiver.fetch_new()
    bot = FakeRasa()
    process_pending(settings, bot, db)  # type: ignore[arg-type]
    assert deliver_due(settings, db).sent == 1
    (reply,) = smtp.received()
    assert reply["In-Reply-To"] == "<first@example.se>"
    assert reply["Subject"] == "Re: Registerutdrag"
    assert reply["Auto-Submitted"] == "auto-replied"
    body = reply.get_content()
    assert (
        body.startswith("Hej,") and "Vad heter du?" in body and "personnummer" in body and "• Avbryt" in body
    )
    assert bot.calls[0][2]["channel"] == "email"

    # The customer answers in the thread, with the signed request attached.
    dovecot.append(
        build_mail(
            body="Maja Lindgren, 811218-9876\n\nDen 1 mars skrev KomTeknik:\n> Vad heter du?",
            subject="Re: Registerutdrag",
            in_reply_to=reply["Message-ID"],
            references=f"<first@example.se> {reply['Message-ID']}",
            attachment=("begaran.pdf", "application/pdf", PDF),
        ),
        datetime.now(UTC),
    )
    # And someone else starts a new thread.
    dovecot.append(build_mail(sender="other@example.se", subject="Radera mig"), datetime.now(UTC))
    receiver.fetch_new()
    process_pending(settings, bot, db)  # type: ignore[arg-type]
    (first, second, other) = (c[0] for c in bot.calls)
    assert first == second != other
    assert bot.calls[1][1] == "Maja Lindgren, 811218-9876"  # quotes removed, no subject re-classified
    with session_scope(db) as session:
        (attachment,) = session.exec(select(MailAttachment)).all()
        assert (attachment.disposition, attachment.detected_type) == ("case", "application/pdf")
    receiver.disconnect()


class CaseOpeningRasa(FakeRasa):
    """Opens a case for the conversation on its second turn, as ``action_open_case`` does."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        answer = super().send(sender, text, metadata)
        if len(self.calls) == 2:
            with session_scope(self.settings.database_url) as session:
                make_case(
                    session, self.settings, datetime.now(UTC), channel=Channel.email, conversation_id=sender
                )
        return answer


def test_attachments_wait_for_the_case_and_later_ones_join_it(
    dovecot: Dovecot, smtp: SmtpSink, db: str, tmp_path: Path
) -> None:
    """The signed request may come before the case exists, or in a later mail of its thread (§0)."""
    settings = mail_settings(db, dovecot, smtp, tmp_path)
    bot, receiver = CaseOpeningRasa(settings), ImapReceiver(settings, db)

    def deliver(raw: bytes) -> list[str | None]:
        dovecot.append(raw, datetime.now(UTC))
        receiver.fetch_new()
        process_pending(settings, bot, db)  # type: ignore[arg-type]
        with session_scope(db) as session:
            found = session.exec(select(MailAttachment).order_by(col(MailAttachment.id))).all()
            return [a.case_reference for a in found]

    def in_thread(body: str, attachment: tuple[str, str, bytes] | None = None) -> bytes:
        return build_mail(
            body=body,
            subject="Re: Registerutdrag",
            in_reply_to="<a1@example.se>",
            references="<a1@example.se>",
            attachment=attachment,
        )

    signed = ("begaran.pdf", "application/pdf", PDF)
    assert deliver(build_mail(message_id="<a1@example.se>", attachment=signed)) == [None]  # no case yet
    (reference,) = deliver(in_thread("Maja Lindgren"))
    assert reference is not None and reference.startswith("DSR-")  # the case opened: the file joined it
    assert deliver(in_thread("Här är den igen", signed)) == [reference, reference]
    assert deliver(in_thread("Tack")) == [reference, reference]
    receiver.disconnect()


def test_smtp_down_the_outbox_delivers_later(dovecot: Dovecot, db: str, tmp_path: Path) -> None:
    sink = SmtpSink()  # not started yet: the port refuses connections
    settings = mail_settings(db, dovecot, sink, tmp_path)
    dovecot.append(build_mail(), datetime.now(UTC))
    receiver = ImapReceiver(settings, db)
    receiver.fetch_new()
    process_pending(settings, FakeRasa(), db)  # type: ignore[arg-type]
    assert deliver_due(settings, db).failed == 1
    (row,) = outbox(db)
    assert row.status.value == "pending" and row.attempts == 1 and row.last_error
    sink.start()
    try:
        later = datetime.now(UTC) + timedelta(minutes=5)  # past the first backoff
        assert deliver_due(settings, db, now=later).sent == 1
        assert len(sink.received()) == 1
    finally:
        sink.stop()
    receiver.disconnect()


def test_rasa_down_messages_wait(dovecot: Dovecot, db: str, tmp_path: Path) -> None:
    settings = mail_settings(db, dovecot, None, tmp_path)
    dovecot.append(build_mail(), datetime.now(UTC))
    receiver = ImapReceiver(settings, db)
    receiver.fetch_new()
    result = process_pending(settings, FakeRasa(down=True), db)  # type: ignore[arg-type]
    assert result.rasa_down
    assert rows(db)[0].status is InboundStatus.dispatching
    assert receiver.acknowledge() == 0  # not processed: not acknowledged
    bot = FakeRasa()
    process_pending(settings, bot, db)  # type: ignore[arg-type]
    assert rows(db)[0].status is InboundStatus.answered and len(bot.calls) == 1
    receiver.disconnect()


class BrokenBot(FakeRasa):
    """Answers with something that makes processing fail (a bug, not an outage)."""

    def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        raise ValueError("a bug while answering")


def test_a_failing_message_is_set_aside_after_max_attempts_and_outages_do_not_count(
    dovecot: Dovecot, db: str, tmp_path: Path
) -> None:
    settings = mail_settings(db, dovecot, None, tmp_path)
    dovecot.append(build_mail(message_id="<bad@example.se>"), datetime.now(UTC))
    dovecot.append(build_mail(message_id="<good@example.se>", sender="annan@example.se"), datetime.now(UTC))
    ImapReceiver(settings, db).fetch_new()
    for _ in range(3):  # Rasa down three passes in a row: waiting is not failing
        assert process_pending(settings, FakeRasa(down=True), db).rasa_down  # type: ignore[arg-type]
    assert [r.attempts for r in rows(db)] == [0, 0]

    class FailsOnBad(FakeRasa):
        def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
            if metadata["inbound_key"] == "<bad@example.se>":
                raise ValueError("a bug while answering")
            return super().send(sender, text, metadata)

    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = process_pending(settings, FailsOnBad(), db)  # type: ignore[arg-type]
        bad, good = rows(db)
        assert bad.attempts == attempt and result.errors == 1
        assert good.status is InboundStatus.answered  # one bad message blocks nothing behind it
    assert bad.status is InboundStatus.failed and bad.reason
    assert process_pending(settings, BrokenBot(), db).processed == 0  # type: ignore[arg-type]


def test_handed_off_conversation_goes_to_the_agent_queue(dovecot: Dovecot, db: str, tmp_path: Path) -> None:
    settings = mail_settings(db, dovecot, None, tmp_path)
    dovecot.append(build_mail(message_id="<one@example.se>"), datetime.now(UTC))
    receiver = ImapReceiver(settings, db)
    receiver.fetch_new()
    bot = FakeRasa()
    process_pending(settings, bot, db)  # type: ignore[arg-type]
    conversation = rows(db)[0].conversation_id
    assert conversation
    with session_scope(db) as session:
        session.add(
            Handoff(conversation_id=conversation, channel=Channel.email, language="sv", reason="asked")
        )
    dovecot.append(
        build_mail(in_reply_to="<one@example.se>", subject="Re: Registerutdrag"), datetime.now(UTC)
    )
    receiver.fetch_new()
    process_pending(settings, bot, db)  # type: ignore[arg-type]
    last = rows(db)[-1]
    assert last.status is InboundStatus.agent and last.conversation_id == conversation
    assert len(bot.calls) == 1  # the bot stayed silent
    receiver.disconnect()


def test_case_tag_from_another_sender_starts_a_new_conversation(
    dovecot: Dovecot, db: str, tmp_path: Path
) -> None:
    settings = mail_settings(db, dovecot, None, tmp_path)
    dovecot.append(build_mail(), datetime.now(UTC))
    dovecot.append(
        build_mail(sender="stranger@example.org", subject="Re: x [DSR-2026-000001]"), datetime.now(UTC)
    )
    receiver = ImapReceiver(settings, db)
    receiver.fetch_new()
    bot = FakeRasa()
    process_pending(settings, bot, db)  # type: ignore[arg-type]
    assert bot.calls[0][0] != bot.calls[1][0]
    receiver.disconnect()


def test_per_sender_rate_limit(dovecot: Dovecot, db: str, tmp_path: Path) -> None:
    settings = mail_settings(db, dovecot, None, tmp_path, mail_replies_per_hour=2)
    for n in range(4):
        dovecot.append(build_mail(subject=f"loop {n}"), datetime.now(UTC))
    receiver = ImapReceiver(settings, db)
    receiver.fetch_new()
    process_pending(settings, FakeRasa(), db)  # type: ignore[arg-type]
    assert [r.status for r in rows(db)].count(InboundStatus.answered) == 2
    assert len(outbox(db)) == 2
    receiver.disconnect()


def test_agent_answer_goes_out_in_the_same_thread_without_auto_submitted(
    dovecot: Dovecot, smtp: SmtpSink, db: str, tmp_path: Path
) -> None:
    settings = mail_settings(db, dovecot, smtp, tmp_path)
    dovecot.append(build_mail(message_id="<asks@example.se>"), datetime.now(UTC))
    receiver = ImapReceiver(settings, db)
    receiver.fetch_new()
    process_pending(settings, FakeRasa(), db)  # type: ignore[arg-type]
    conversation = rows(db)[0].conversation_id
    assert conversation
    with session_scope(db) as session:
        first = agent_answer(
            session, conversation, body="Hej! Jag tittar på ditt ärende. /Anna", agent="anna"
        )
        again = agent_answer(
            session, conversation, body="Hej! Jag tittar på ditt ärende. /Anna", agent="anna"
        )
        assert first.id == again.id  # idempotent
    deliver_due(settings, db)
    answer = next(m for m in smtp.received() if "Anna" in m.get_content())
    assert answer["In-Reply-To"] == "<asks@example.se>"
    assert answer["Auto-Submitted"] is None  # a person's answer
    receiver.disconnect()


def test_polling_fallback_without_idle(dovecot: Dovecot, db: str, tmp_path: Path) -> None:
    settings = mail_settings(db, dovecot, None, tmp_path, mail_poll_seconds=0.2)
    receiver = ImapReceiver(settings, db)
    receiver.connect()
    receiver.can_idle = False  # a server without IDLE
    started = time.monotonic()
    assert receiver.wait(30)
    assert time.monotonic() - started < 5
    dovecot.append(build_mail(), datetime.now(UTC))
    assert receiver.fetch_new() == 1
    receiver.disconnect()


def test_idle_wakes_up_on_new_mail(dovecot: Dovecot, db: str, tmp_path: Path) -> None:
    settings = mail_settings(db, dovecot, None, tmp_path)
    receiver = ImapReceiver(settings, db)
    receiver.connect()
    assert receiver.can_idle
    timer = threading.Timer(1.0, lambda: dovecot.append(build_mail(), datetime.now(UTC)))
    timer.start()
    started = time.monotonic()
    assert receiver.wait(30)
    assert time.monotonic() - started < 10
    timer.join()
    assert receiver.fetch_new() == 1
    receiver.disconnect()
