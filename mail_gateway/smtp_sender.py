"""SMTP out (aiosmtplib): deliver the outbox, one connection per batch, retries by the outbox's backoff.

Errors:

- A refused message (5xx for its recipients or content) fails only that row; the outbox retries it
  with backoff and gives up after its last attempt (``failed``: a person must look).
- A connection error (server down, TLS failure, dropped connection) fails the rest of the batch; the
  rows are retried later. An SMTP outage delays mail and loses none.

Delivery is at least once: a crash after the server accepted a message and before ``mark_sent``
committed sends it again on restart, with the same Message-ID (clients show it once).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from workflows.db import session_scope
from workflows.mailbox import AGENT_KIND, REPLY_KIND
from workflows.models import OutboxMessage
from workflows.outbox import claim_due, mark_failed, mark_sent
from workflows.settings import Settings
from workflows.types import utcnow

__all__ = ["Delivery", "build_email", "deliver_due"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int


def build_email(row: OutboxMessage, mail_from: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    if row.in_reply_to:
        message["In-Reply-To"] = row.in_reply_to
    if row.references:
        message["References"] = row.references
    if row.kind != AGENT_KIND:
        # RFC 3834 §5: mark what we send automatically, so other responders do not answer it.
        message["Auto-Submitted"] = "auto-replied" if row.kind == REPLY_KIND else "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
    message.set_content(row.body_text, charset="utf-8")
    if row.attachment_data and row.attachment_name:
        maintype, _, subtype = (row.attachment_type or "application/octet-stream").partition("/")
        message.add_attachment(
            row.attachment_data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=row.attachment_name,
        )
    return message


def deliver_due(
    settings: Settings, database_url: str | None = None, *, now: datetime | None = None
) -> Delivery:
    return asyncio.run(_deliver_due(settings, database_url, now=now))


async def _deliver_due(settings: Settings, database_url: str | None, *, now: datetime | None) -> Delivery:
    sent = failed = 0
    with session_scope(database_url) as session:
        due = claim_due(session, now=now, limit=50)
        if not due:
            return Delivery(0, 0)
        if session.get_bind().dialect.name != "postgresql":
            # SQLite: never hold the database's write lock while talking to a mail server. One gateway
            # sends; on PostgreSQL the SKIP LOCKED row locks are held for the batch.
            session.commit()
        results = await _send_batch(settings, due)
        for row, error in zip(due, results, strict=True):
            if error is None:
                mark_sent(session, row, now=utcnow())
                sent += 1
            else:
                mark_failed(session, row, error, now=now or utcnow())
                failed += 1
    if failed:
        log.warning("outbox: %d sent, %d failed (will retry with backoff)", sent, failed)
    elif sent:
        log.info("outbox: %d sent", sent)
    return Delivery(sent, failed)


async def _send_batch(settings: Settings, rows: list[OutboxMessage]) -> list[str | None]:
    """One connection for the batch; per row ``None`` (accepted) or the error."""
    if not settings.smtp_host:
        return ["no SMTP server configured (PRIVACYDESK_SMTP_HOST)"] * len(rows)
    tls = settings.smtp_tls.lower()
    smtp = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        use_tls=tls == "ssl",
        start_tls=True if tls == "starttls" else False,
        timeout=30,
    )
    mail_from = settings.mail_from or "privacy@localhost"
    results: list[str | None] = []
    try:
        await smtp.connect()
        if settings.smtp_user and settings.smtp_password:
            await smtp.login(settings.smtp_user, settings.smtp_password)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        return [f"SMTP connection: {type(error).__name__}: {error}"] * len(rows)
    try:
        for index, row in enumerate(rows):
            try:
                await smtp.send_message(build_email(row, mail_from))
                results.append(None)
            except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException) as error:
                results.append(f"refused: {error}")
            except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPException, OSError) as error:
                results.extend([f"SMTP connection: {type(error).__name__}"] * (len(rows) - index))
                break
    finally:
        if smtp.is_connected:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()
    return results
