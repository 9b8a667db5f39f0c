"""IMAP in (imapclient): fetch new mail by UID into the database, wait with IDLE, acknowledge after commit.

- The checkpoint is UIDVALIDITY + the highest stored UID, kept in the database (never the ``\\Seen``
  flag: a person reading the mailbox elsewhere must not hide a request from us).
- A UIDVALIDITY change (the folder was rebuilt) triggers a resync: the Message-IDs of every message
  are fetched and only unknown ones are downloaded and stored; nothing is processed twice.
- A backlog is fetched in batches: one ``UID FETCH`` per batch of UIDs, progress in the log.
- Messages are flagged on the server only after their processing committed (style rule 7).
- IDLE (RFC 2177) is re-issued before the server's 30-minute timeout; without IDLE, we poll.

Errors: :data:`CONNECTION_ERRORS` are system errors (server down, restarted, connection dropped): the
caller disconnects, waits and reconnects. Nothing is lost: the checkpoint only moves with stored rows.
"""

from __future__ import annotations

import imaplib
import logging
import socket
import ssl
import threading
import time
from datetime import UTC, datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlmodel import col, select

from mail_gateway.store import Fetched, message_id_of, store_batch
from workflows.db import session_scope
from workflows.mailbox import DONE, InboundMail, get_checkpoint, known_message_ids, set_checkpoint
from workflows.settings import Settings

__all__ = ["CONNECTION_ERRORS", "ImapReceiver"]

log = logging.getLogger(__name__)

CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    IMAPClientError,
    imaplib.IMAP4.error,
    OSError,
    socket.timeout,
    ssl.SSLError,
    EOFError,
)


class ImapReceiver:
    def __init__(self, settings: Settings, database_url: str | None = None) -> None:
        assert settings.imap_host and settings.imap_user and settings.imap_password
        self.settings = settings
        self.database_url = database_url
        self.mailbox = (
            f"{settings.imap_user}@{settings.imap_host}:{settings.imap_port}/{settings.imap_folder}"
        )
        self.client: IMAPClient | None = None
        self.uidvalidity = 0
        self.can_idle = False

    # -- connection ---------------------------------------------------------------------------------

    def connect(self) -> None:
        settings = self.settings
        assert settings.imap_host and settings.imap_user and settings.imap_password
        tls = settings.imap_tls.lower()
        if tls == "none" and settings.imap_host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("PRIVACYDESK_IMAP_TLS=none is only allowed for a server on loopback")
        client = IMAPClient(settings.imap_host, port=settings.imap_port, ssl=tls == "ssl", timeout=60)
        if tls == "starttls":
            client.starttls(ssl.create_default_context())
        client.login(settings.imap_user, settings.imap_password)
        client.normalise_times = False  # keep INTERNALDATE's offset (R-T1)
        selected = client.select_folder(settings.imap_folder)
        self.uidvalidity = int(selected[b"UIDVALIDITY"])
        self.can_idle = client.has_capability("IDLE")
        self.client = client
        log.info("IMAP connected to %s (IDLE %s)", settings.imap_host, "yes" if self.can_idle else "no")

    def connected(self) -> bool:
        return self.client is not None

    def disconnect(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.logout()
        except CONNECTION_ERRORS:
            pass  # already gone: nothing to close politely
        try:
            client.shutdown()
        except CONNECTION_ERRORS:
            pass

    # -- fetching -----------------------------------------------------------------------------------

    def fetch_new(self) -> int:
        """Store every message above the checkpoint; returns how many new rows were stored."""
        client = self._client()
        with session_scope(self.database_url) as session:
            checkpoint = get_checkpoint(session, self.mailbox)
            last_uid = checkpoint.last_uid if checkpoint else 0
            changed = checkpoint is not None and checkpoint.uidvalidity != self.uidvalidity
        if changed:
            return self._resync()
        client.noop()  # let the server bring our view of the folder up to date (new messages)
        uids = sorted(u for u in client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid)
        return self._download(uids)

    def _download(self, uids: list[int]) -> int:
        client = self._client()
        size = max(1, self.settings.mail_batch_size)
        stored = 0
        for start in range(0, len(uids), size):
            chunk = uids[start : start + size]
            # One UID FETCH for the batch; BODY.PEEK leaves \Seen alone.
            response = client.fetch(chunk, ["BODY.PEEK[]", "INTERNALDATE"])
            batch = [
                Fetched(uid=uid, internal_date=_aware(data[b"INTERNALDATE"]), raw=bytes(data[b"BODY[]"]))
                for uid, data in sorted(response.items())
                if b"BODY[]" in data and b"INTERNALDATE" in data
            ]
            with session_scope(self.database_url) as session:
                stored += len(
                    store_batch(
                        session,
                        mailbox=self.mailbox,
                        uidvalidity=self.uidvalidity,
                        batch=batch,
                        up_to_uid=chunk[-1],
                    )
                )
            if len(uids) > size:
                log.info(
                    "IMAP backlog: %d of %d fetched (UIDs %d-%d)",
                    start + len(chunk),
                    len(uids),
                    chunk[0],
                    chunk[-1],
                )
        return stored

    def _resync(self) -> int:
        """UIDVALIDITY changed: download only messages whose Message-ID we do not have."""
        client = self._client()
        log.warning("IMAP UIDVALIDITY of %s changed: resyncing by Message-ID", self.settings.imap_folder)
        uids = sorted(client.search(["ALL"]))
        unknown: list[int] = []
        size = max(1, self.settings.mail_batch_size) * 5
        for start in range(0, len(uids), size):
            chunk = uids[start : start + size]
            heads = client.fetch(chunk, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            ids = {uid: message_id_of(_header_bytes(data)) for uid, data in heads.items()}
            with session_scope(self.database_url) as session:
                known = known_message_ids(session, ids.values())
            # A message without a Message-ID gets one from its bytes: download it, the store dedupes.
            unknown.extend(u for u, mid in sorted(ids.items()) if mid not in known or "no-message-id" in mid)
        stored = self._download(unknown)
        with session_scope(self.database_url) as session:
            set_checkpoint(session, self.mailbox, self.uidvalidity, uids[-1] if uids else 0)
        log.info("IMAP resync done: %d messages, %d new", len(uids), stored)
        return stored

    # -- acknowledging ------------------------------------------------------------------------------

    def acknowledge(self) -> int:
        """Flag processed messages on the server (after their commit); returns how many."""
        client = self._client()
        with session_scope(self.database_url) as session:
            rows = list(
                session.exec(
                    select(InboundMail.id, InboundMail.uid)
                    .where(InboundMail.mailbox == self.mailbox)
                    .where(InboundMail.uidvalidity == self.uidvalidity)
                    .where(col(InboundMail.acknowledged).is_(False))
                    .where(col(InboundMail.status).in_(list(DONE)))
                    .limit(1000)
                )
            )
        if not rows:
            return 0
        client.add_flags([uid for _, uid in rows], [self.settings.mail_processed_flag], silent=True)
        with session_scope(self.database_url) as session:
            for row_id, _uid in rows:
                row = session.get(InboundMail, row_id)
                if row is not None:
                    row.acknowledged = True
                    session.add(row)
        return len(rows)

    # -- waiting ------------------------------------------------------------------------------------

    def wait(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Wait up to ``timeout`` seconds for new mail (or ``stop``); True if the server announced some."""
        client = self._client()
        stop = stop or threading.Event()
        if not self.can_idle:
            stop.wait(min(timeout, self.settings.mail_poll_seconds))
            client.noop()
            return True
        # Mail that arrived while we were busy is announced by the next command: ask before idling.
        _text, responses = client.noop()
        if _announces_mail(responses):
            return True
        # RFC 2177: re-issue IDLE at least every 29 minutes; the loop calls us again after this.
        deadline = time.monotonic() + min(timeout, self.settings.mail_idle_seconds)
        client.idle()
        try:
            while not stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                # Short slices, so a stop request (SIGTERM) is honoured within a second.
                if _announces_mail(client.idle_check(timeout=min(1.0, remaining))):
                    return True
            return False
        finally:
            client.idle_done()

    def _client(self) -> IMAPClient:
        if self.client is None:
            self.connect()
        assert self.client is not None
        return self.client


def _announces_mail(responses: list[Any]) -> bool:
    return any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


def _aware(value: object) -> datetime:
    if not isinstance(value, datetime):
        raise IMAPClientError(f"unexpected INTERNALDATE {value!r}")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _header_bytes(data: dict[bytes, object]) -> bytes:
    for key, value in data.items():
        if key.startswith(b"BODY[HEADER") and isinstance(value, bytes):
            return value
    return b""
