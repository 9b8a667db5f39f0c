"""Storing fetched messages: raw bytes and the IMAP checkpoint in one transaction (style rule 7).

Nothing is acknowledged on the server here; the receiver flags a message only after it is processed
and committed. A crash before the commit re-fetches the same UIDs, which the unique constraints turn
into no-ops.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from workflows.mailbox import InboundMail, set_checkpoint, store_inbound

__all__ = ["Fetched", "message_id_of", "store_batch"]

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)
_ANGLE = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class Fetched:
    uid: int
    internal_date: datetime  # R-T1: the server's receipt time, with its offset
    raw: bytes


def message_id_of(raw: bytes) -> str:
    """The Message-ID from the header block, or one made from the bytes (identical copies share it)."""
    match = _HEADER_END.search(raw)
    head = raw[: match.start()] if match else raw
    found = _MESSAGE_ID.search(head)
    if found:
        value = found.group(1).decode("utf-8", "replace")
        ids = _ANGLE.findall(value)
        if ids:
            return str(ids[0])[:900]
    return f"<sha256-{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid>"


def store_batch(
    session: Session, *, mailbox: str, uidvalidity: int, batch: Sequence[Fetched], up_to_uid: int
) -> list[int]:
    """Store the batch and move the checkpoint to ``up_to_uid``; returns the ids of the new rows."""
    stored: list[int] = []
    for item in batch:
        row = store_inbound(
            session,
            InboundMail(
                message_id=message_id_of(item.raw),
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                uid=item.uid,
                internal_date=item.internal_date,
                size=len(item.raw),
                raw=item.raw,
            ),
        )
        if row is not None and row.id is not None:
            stored.append(row.id)
    set_checkpoint(session, mailbox, uidvalidity, up_to_uid)
    return stored
