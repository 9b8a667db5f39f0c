"""``privacydesk mail-gateway``: the loop (fetch → store → process → acknowledge → send → wait).

``--once`` does one full round (everything waiting) and exits: 0 when all is done, 1 when something
waits (IMAP or Rasa unreachable, mail that could not be sent yet).

Errors: IMAP connection errors → disconnect, wait, reconnect (the checkpoint keeps our place); Rasa
unavailable → the messages stay queued and the next round retries; SMTP errors → the outbox retries
with backoff. Each is logged, personal data redacted (style rule 9: the CLI installs the filter).
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from types import FrameType

from sqlalchemy import func
from sqlmodel import col, select

from mail_gateway.imap_receiver import CONNECTION_ERRORS, ImapReceiver
from mail_gateway.processor import process_pending
from mail_gateway.rasa_client import RasaClient
from mail_gateway.smtp_sender import deliver_due
from workflows.db import session_scope
from workflows.models import OutboxMessage, OutboxStatus
from workflows.settings import Settings

__all__ = ["run"]

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


def run(
    settings: Settings,
    *,
    once: bool = False,
    database_url: str | None = None,
    stop: threading.Event | None = None,
    rasa: RasaClient | None = None,
) -> int:
    """The loop; ``stop`` ends it from another thread (SIGTERM/SIGINT do in the main thread)."""
    if not settings.mail_configured:
        log.error("mail gateway: set PRIVACYDESK_IMAP_HOST, _IMAP_USER and _IMAP_PASSWORD")
        return 2
    for noisy in ("httpx", "imapclient", "aiosmtplib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        stopping = stop

        def _stop(_signum: int, _frame: FrameType | None) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)

    receiver = ImapReceiver(settings, database_url)
    rasa = rasa or RasaClient(settings.rasa_url)
    unsent = 0
    try:
        while not stop.is_set():
            imap_ok = _fetch(receiver)
            result = process_pending(settings, rasa, database_url)
            if imap_ok and receiver.connected():
                try:
                    receiver.acknowledge()
                except CONNECTION_ERRORS as error:
                    log.warning("IMAP acknowledge failed (%s); retried next round", type(error).__name__)
                    receiver.disconnect()
            delivery = deliver_due(settings, database_url)
            unsent += delivery.failed
            if once:
                if result.rasa_down or not imap_ok:
                    return 1
                if result.processed or delivery.sent:
                    continue  # mail may have arrived meanwhile: one more round, until all is quiet
                return 1 if unsent else 0
            _wait(receiver, stop, settings, retry=result.rasa_down or not imap_ok, database_url=database_url)
        return 0
    finally:
        receiver.disconnect()
        rasa.close()


def _fetch(receiver: ImapReceiver) -> bool:
    try:
        stored = receiver.fetch_new()
        if stored:
            log.info("IMAP: %d new messages stored", stored)
        return True
    except CONNECTION_ERRORS as error:
        log.warning("IMAP unavailable (%s: %s); reconnecting later", type(error).__name__, error)
        receiver.disconnect()
        return False


def _wait(
    receiver: ImapReceiver,
    stop: threading.Event,
    settings: Settings,
    *,
    retry: bool,
    database_url: str | None,
) -> None:
    timeout = settings.mail_idle_seconds
    next_send = _next_outbox_attempt(database_url)
    if next_send is not None:
        timeout = min(timeout, max(1.0, (next_send - datetime.now(UTC)).total_seconds()))
    if retry:
        timeout = min(timeout, RETRY_SECONDS)
    if not receiver.connected():
        stop.wait(timeout)
        return
    try:
        receiver.wait(timeout, stop)
    except CONNECTION_ERRORS as error:
        log.warning("IMAP connection lost while waiting (%s); reconnecting", type(error).__name__)
        receiver.disconnect()
        stop.wait(1.0)


def _next_outbox_attempt(database_url: str | None) -> datetime | None:
    with session_scope(database_url) as session:
        value = session.exec(
            select(func.min(col(OutboxMessage.next_attempt_at))).where(
                OutboxMessage.status == OutboxStatus.pending
            )
        ).one()
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
