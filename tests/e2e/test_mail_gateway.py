"""Issue #5 end to end: real Dovecot, real SMTP, the real Rasa server and action server, and the gateway
as its own process (``privacydesk mail-gateway``), killed and restarted where the faults ask for it.

Assertions hold whether the bot opens the case on the first e-mail or after the details arrive: they look
at the database and the threading, not at the bot's wording.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage

import httpx
import pytest
from sqlmodel import col, select

from mail_gateway.devservers import Dovecot, SmtpSink, free_port
from privacydesk import paths
from tests.e2e.conftest import RunningStack
from tests.mail_gateway.conftest import PDF, build_mail
from workflows.db import session_scope
from workflows.i18n import format_date
from workflows.mailbox import InboundMail, InboundStatus, MailAttachment
from workflows.models import Case, OutboxMessage, OutboxStatus

pytestmark = [pytest.mark.rasa, pytest.mark.imap]

STOCKHOLM = timezone(timedelta(hours=1))
GATEWAY = [str(paths.VENV_BIN / "privacydesk"), "mail-gateway"]


def gateway_env(stack: RunningStack, dovecot: Dovecot, smtp: SmtpSink, **extra: str) -> dict[str, str]:
    env = dict(stack.env)
    env.update(dovecot.env())
    env.update(smtp.env())
    env.update({"PRIVACYDESK_MAIL_IDLE_SECONDS": "20", **extra})
    return env


def once(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GATEWAY, "--once"], env=env, cwd=paths.ROOT, capture_output=True, text=True, timeout=300
    )


def start_loop(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        GATEWAY,
        env=env,
        cwd=paths.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_loop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)


def replies_to(smtp: SmtpSink, address: str) -> list[EmailMessage]:
    return [m for m in smtp.received() if m["To"] == address]


def inbound_from(stack: RunningStack, address: str) -> list[InboundMail]:
    with session_scope(stack.database_url) as session:
        return list(
            session.exec(
                select(InboundMail).where(InboundMail.from_address == address).order_by(col(InboundMail.id))
            )
        )


def wait_for(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.3)
    raise AssertionError("timed out")


def address() -> str:
    return f"kund-{uuid.uuid4().hex[:10]}@example.se"


def test_swedish_access_request_by_email_threads_and_opens_a_case(
    stack: RunningStack, dovecot: Dovecot, smtp: SmtpSink
) -> None:
    env = gateway_env(stack, dovecot, smtp)
    customer = address()
    # R-T1: received late on a Sunday evening (Stockholm); fetched much later.
    received = datetime(2026, 3, 1, 23, 40, tzinfo=STOCKHOLM)
    first_id = f"<{uuid.uuid4().hex}@example.se>"
    dovecot.append(
        build_mail(
            sender=customer,
            message_id=first_id,
            subject="Registerutdrag",
            body="Hej,\n\nJag vill ha ett registerutdrag med all data ni har om mig.\n\nMvh",
        ),
        received,
    )
    assert once(env).returncode == 0
    (reply,) = replies_to(smtp, customer)
    assert reply["In-Reply-To"] == first_id
    assert reply["Subject"].startswith("Re: Registerutdrag")
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply.get_content().startswith("Hej,")

    answer_id = f"<{uuid.uuid4().hex}@example.se>"
    dovecot.append(
        build_mail(
            sender=customer,
            message_id=answer_id,
            subject=f"Re: {reply['Subject'].removeprefix('Re: ')}",
            in_reply_to=reply["Message-ID"],
            references=f"{first_id} {reply['Message-ID']}",
            body=f"Maja Lindgren, 811218-9876\n\nDen 2 mars skrev KomTeknik:\n> {reply.get_content()[:40]}",
        ),
        received + timedelta(days=1),
    )
    assert once(env).returncode == 0
    rows = inbound_from(stack, customer)
    assert [r.status for r in rows] == [InboundStatus.answered, InboundStatus.answered]
    assert rows[0].conversation_id == rows[1].conversation_id  # the same conversation
    with session_scope(stack.database_url) as session:
        case = session.exec(select(Case).where(Case.conversation_id == rows[0].conversation_id)).one()
    assert case.received_at == received  # R = the INTERNALDATE of the request, not fetch time
    assert case.channel.value == "email" and case.request_type.value == "access"
    second = replies_to(smtp, customer)[-1]
    assert second["In-Reply-To"] == answer_id
    assert f"[{case.reference}]" in second["Subject"]
    # R-T6: the reference and D1 reach the customer (on the first reply or after the details).
    bodies = " ".join(m.get_content() for m in replies_to(smtp, customer))
    assert case.reference in bodies
    assert format_date(case.due_date, "sv") in bodies

    # The signed request arrives as a PDF in the same thread: it lands on the case.
    dovecot.append(
        build_mail(
            sender=customer,
            subject=second["Subject"],
            in_reply_to=second["Message-ID"],
            body="Här är den undertecknade begäran.",
            attachment=("begaran.pdf", "application/pdf", PDF),
        ),
        received + timedelta(days=2),
    )
    assert once(env).returncode == 0
    with session_scope(stack.database_url) as session:
        (attachment,) = session.exec(
            select(MailAttachment).where(MailAttachment.case_reference == case.reference)
        ).all()
        assert attachment.detected_type == "application/pdf" and attachment.data == PDF
    assert inbound_from(stack, customer)[-1].conversation_id == rows[0].conversation_id


def test_auto_reply_and_bounce_are_stored_not_answered(
    stack: RunningStack, dovecot: Dovecot, smtp: SmtpSink
) -> None:
    env = gateway_env(stack, dovecot, smtp)
    customer = address()
    dovecot.append(
        build_mail(
            sender=customer,
            subject="Automatiskt svar: Registerutdrag",
            headers={"Auto-Submitted": "auto-replied"},
            body="Jag är på semester.",
        ),
        datetime.now(UTC),
    )
    dovecot.append(
        build_mail(
            sender="MAILER-DAEMON@mx.example.se",
            subject="Undelivered Mail Returned to Sender",
            headers={"Return-Path": "<>"},
            body=f"Delivery to {customer} failed.",
        ),
        datetime.now(UTC),
    )
    assert once(env).returncode == 0
    with session_scope(stack.database_url) as session:
        stored = list(
            session.exec(select(InboundMail).where(col(InboundMail.mailbox).contains(str(dovecot.port))))
        )
    assert [r.status for r in stored] == [InboundStatus.ignored, InboundStatus.ignored]
    assert not replies_to(smtp, customer) and not replies_to(smtp, "mailer-daemon@mx.example.se")


def test_killed_mid_batch_and_restarted_processes_every_message_once(
    stack: RunningStack, dovecot: Dovecot, smtp: SmtpSink
) -> None:
    env = gateway_env(stack, dovecot, smtp, PRIVACYDESK_MAIL_BATCH_SIZE="5")
    customers = [address() for _ in range(24)]
    for customer in customers:
        dovecot.append(
            build_mail(sender=customer, body="Hej, jag vill ha ett registerutdrag."), datetime.now(UTC)
        )
    gateway = start_loop(env)

    def answered() -> int:
        return sum(1 for c in customers for r in inbound_from(stack, c) if r.status is InboundStatus.answered)

    try:
        wait_for(lambda: answered() >= 6, timeout=120)
    finally:
        stop_loop(gateway, signal.SIGKILL)  # no clean shutdown: mid-batch
    assert answered() < len(customers)
    assert once(env).returncode == 0
    rows = [r for c in customers for r in inbound_from(stack, c)]
    assert len(rows) == len(customers)
    assert all(r.status is InboundStatus.answered for r in rows)
    with session_scope(stack.database_url) as session:
        replies = list(
            session.exec(select(OutboxMessage).where(col(OutboxMessage.to_address).in_(customers)))
        )
    assert sorted(r.to_address for r in replies) == sorted(customers)  # one reply each
    # Rasa saw each e-mail exactly once.
    for row in rows:
        tracker = httpx.get(
            f"{stack.rasa_url}/conversations/{row.conversation_id}/tracker", timeout=30
        ).json()
        turns = [
            e
            for e in tracker["events"]
            if e.get("event") == "user" and (e.get("metadata") or {}).get("inbound_key") == row.message_id
        ]
        assert len(turns) == 1, row.message_id


def test_dovecot_restart_the_gateway_reconnects_by_itself(
    stack: RunningStack, dovecot: Dovecot, smtp: SmtpSink
) -> None:
    env = gateway_env(stack, dovecot, smtp)
    customer = address()
    gateway = start_loop(env)
    try:
        dovecot.append(build_mail(sender=customer), datetime.now(UTC))
        wait_for(lambda: len(replies_to(smtp, customer)) == 1, timeout=120)
        dovecot.stop()
        time.sleep(2)
        dovecot.start()
        dovecot.append(
            build_mail(
                sender=customer, subject="Radera mina uppgifter", body="Hej, radera alla mina uppgifter."
            ),
            datetime.now(UTC),
        )
        wait_for(lambda: len(replies_to(smtp, customer)) == 2, timeout=120)
        assert gateway.poll() is None
    finally:
        stop_loop(gateway)


def test_rasa_unreachable_messages_wait_and_are_processed_later(
    stack: RunningStack, dovecot: Dovecot, smtp: SmtpSink
) -> None:
    customer = address()
    dovecot.append(build_mail(sender=customer), datetime.now(UTC))
    down = gateway_env(stack, dovecot, smtp, PRIVACYDESK_RASA_URL=f"http://127.0.0.1:{free_port()}")
    assert once(down).returncode == 1
    (row,) = inbound_from(stack, customer)
    assert row.status in (InboundStatus.pending, InboundStatus.dispatching)
    assert not replies_to(smtp, customer)
    assert once(gateway_env(stack, dovecot, smtp)).returncode == 0
    (row,) = inbound_from(stack, customer)
    assert row.status is InboundStatus.answered
    assert len(replies_to(smtp, customer)) == 1


def test_smtp_down_the_outbox_delivers_later(stack: RunningStack, dovecot: Dovecot) -> None:
    sink = SmtpSink()  # not listening yet
    env = gateway_env(stack, dovecot, sink)
    customer = address()
    dovecot.append(build_mail(sender=customer), datetime.now(UTC))
    assert once(env).returncode == 1  # the reply waits in the outbox
    with session_scope(stack.database_url) as session:
        (row,) = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == customer)).all()
        assert row.status is OutboxStatus.pending and row.attempts == 1
        row.next_attempt_at = datetime.now(UTC)  # the backoff has passed
        session.add(row)
    sink.start()
    try:
        assert once(env).returncode == 0
        (reply,) = replies_to(sink, customer)
        assert re.match(r"Re: Registerutdrag", reply["Subject"])
    finally:
        sink.stop()
