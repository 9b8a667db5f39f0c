"""The mail gateway's tables and the pure store functions on them (issue #5).

What the gateway keeps, and why each uniqueness constraint exists:

- :class:`InboundMail`: every fetched message, raw bytes first (style rule 7: store, then acknowledge).
  Unique on ``message_id`` (a message copied into the folder twice, or re-seen after a UIDVALIDITY
  change, is stored once) and on ``mailbox + uidvalidity + uid`` (a re-fetch after a crash is a no-op).
  ``status`` is the processing queue: the database row is the schedule (style rule 6).
- :class:`ImapCheckpoint`: the highest UID stored per mailbox and UIDVALIDITY, written in the same
  transaction as the rows it covers. The server's ``\\Seen`` flag is never used: a person may read the
  mailbox in another client.
- :class:`MailConversation` / :class:`MailThreadMessage`: which Rasa conversation (sender id) an e-mail
  thread belongs to; every Message-ID we saw or sent in the thread maps to it.
- :class:`MailAttachment`: attachment bytes, linked to the inbound mail and, once known, the case.

The ``workflows`` package never imports ``mail_gateway``; these functions take a session and do no I/O
of their own. Errors: database errors propagate (the caller's transaction rolls back).
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from workflows.cases import latest_case_for_conversation
from workflows.handoff import open_handoff
from workflows.models import Case, OutboxMessage
from workflows.outbox import enqueue, new_message_id
from workflows.types import UTCDateTime, utcnow

__all__ = [
    "AGENT_KIND",
    "REPLY_KIND",
    "ImapCheckpoint",
    "InboundMail",
    "InboundStatus",
    "MailAttachment",
    "MailConversation",
    "MailThreadMessage",
    "agent_answer",
    "conversation_by_message_ids",
    "conversation_for_case",
    "get_checkpoint",
    "has_open_handoff",
    "link_message",
    "pending_ids",
    "replies_since",
    "set_checkpoint",
    "store_inbound",
]

# The outbox ``kind`` of the gateway's answers (counted by the per-sender rate limit), and of an agent's
# answer in a thread the bot handed over (a person's mail: not marked Auto-Submitted).
REPLY_KIND = "mail.reply"
AGENT_KIND = "mail.agent_answer"


class InboundStatus(enum.StrEnum):
    pending = "pending"  # stored, not yet given to the bot
    dispatching = "dispatching"  # handed to Rasa; a crash here is resolved from Rasa's tracker
    answered = "answered"  # the bot's reply is in the outbox
    silent = "silent"  # processed, nothing to send (rate limit, or the bot said nothing)
    ignored = "ignored"  # never answered: auto-reply, bounce, list, our own address (RFC 3834)
    rejected = "rejected"  # could not be understood (broken MIME): stored, reason logged
    agent = "agent"  # the conversation is with an agent: in the agent's queue, the bot is silent
    failed = "failed"  # a system error persisted past the retry limit: a person must look


DONE = frozenset(
    {
        InboundStatus.answered,
        InboundStatus.silent,
        InboundStatus.ignored,
        InboundStatus.rejected,
        InboundStatus.agent,
        InboundStatus.failed,
    }
)


class InboundMail(SQLModel, table=True):
    __tablename__ = "mail_inbound"
    __table_args__ = (
        UniqueConstraint("message_id", name="uq_mail_inbound_message_id"),
        UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_mail_inbound_mailbox_uid"),
        Index("ix_mail_inbound_status", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str
    mailbox: str
    uidvalidity: int
    uid: int
    # R-T1: the server's INTERNALDATE, the receipt time of a request made by e-mail.
    internal_date: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    size: int
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: InboundStatus = InboundStatus.pending
    reason: str | None = None
    attempts: int = 0
    # Filled in while processing (the full text is kept; only the bot sees the cleaned one).
    from_address: str | None = None
    subject: str | None = None
    body_text: str | None = None
    conversation_id: str | None = Field(default=None, index=True)
    case_reference: str | None = Field(default=None, index=True)
    reply_outbox_id: int | None = None
    processed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Acknowledged on the server (flag set) after the processing transaction committed (style rule 7).
    acknowledged: bool = False


class ImapCheckpoint(SQLModel, table=True):
    __tablename__ = "mail_imap_checkpoints"

    mailbox: str = Field(primary_key=True)
    uidvalidity: int
    last_uid: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class MailConversation(SQLModel, table=True):
    """One e-mail thread = one conversation with the bot (its Rasa sender id)."""

    __tablename__ = "mail_conversations"

    conversation_id: str = Field(primary_key=True)
    customer_address: str
    subject: str = ""
    language: str | None = Field(default=None, max_length=2)
    case_reference: str | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class MailThreadMessage(SQLModel, table=True):
    """Every Message-ID of a thread, theirs and ours, so In-Reply-To/References find the conversation."""

    __tablename__ = "mail_thread_messages"

    message_id: str = Field(primary_key=True)
    conversation_id: str = Field(index=True)
    direction: str  # "in" or "out"


class MailAttachment(SQLModel, table=True):
    """An attachment of an inbound e-mail. Never opened, rendered or executed: only its first bytes are
    compared with the PDF/JPEG/PNG signatures to decide whether it belongs on the case."""

    __tablename__ = "mail_attachments"

    id: int | None = Field(default=None, primary_key=True)
    inbound_id: int = Field(foreign_key="mail_inbound.id", index=True)
    case_reference: str | None = Field(default=None, index=True)
    filename: str | None = None
    declared_type: str
    detected_type: str | None = None
    size: int
    sha256: str
    # "case": a PDF/JPEG/PNG within the size limit, attached to the case; "kept": stored, not opened.
    disposition: str
    reason: str | None = None
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


# ---------------------------------------------------------------------------------------------------
# Store functions (pure: a session in, rows out)


def get_checkpoint(session: Session, mailbox: str) -> ImapCheckpoint | None:
    return session.get(ImapCheckpoint, mailbox)


def set_checkpoint(session: Session, mailbox: str, uidvalidity: int, last_uid: int) -> ImapCheckpoint:
    """Move the checkpoint forward (never back within one UIDVALIDITY)."""
    checkpoint = session.get(ImapCheckpoint, mailbox)
    if checkpoint is None:
        checkpoint = ImapCheckpoint(mailbox=mailbox, uidvalidity=uidvalidity, last_uid=last_uid)
    elif checkpoint.uidvalidity != uidvalidity:
        checkpoint.uidvalidity, checkpoint.last_uid = uidvalidity, last_uid
    else:
        checkpoint.last_uid = max(checkpoint.last_uid, last_uid)
    checkpoint.updated_at = utcnow()
    session.add(checkpoint)
    return checkpoint


def store_inbound(session: Session, mail: InboundMail) -> InboundMail | None:
    """Store ``mail`` unless this UID is already stored; returns the new row, or ``None``.

    A second copy of a stored message (same Message-ID, same body) is kept but marked ``ignored`` so it
    is never answered twice; a different message reusing a Message-ID is stored under its own key. The
    caller advances the checkpoint in the same transaction."""
    same_uid = session.exec(
        select(InboundMail.id)
        .where(InboundMail.mailbox == mail.mailbox)
        .where(InboundMail.uidvalidity == mail.uidvalidity)
        .where(InboundMail.uid == mail.uid)
    ).first()
    if same_uid is not None:
        return None
    earlier = session.exec(select(InboundMail).where(InboundMail.message_id == mail.message_id)).first()
    if earlier is not None:
        if body_digest(earlier.raw) == body_digest(mail.raw):
            # The same message again (copied, delivered twice): kept, marked, never answered twice.
            mail.message_id = f"{mail.message_id}#duplicate-{mail.uidvalidity}-{mail.uid}"
            mail.status = InboundStatus.ignored
            mail.reason = f"duplicate of mail {earlier.id} (same Message-ID and body)"
            mail.processed_at = utcnow()
            return _insert(session, mail)
        # A different message reusing a Message-ID (broken senders do this): kept under its own key so
        # nothing is lost, and never mistaken for the first.
        mail.message_id = f"{mail.message_id}#{body_digest(mail.raw)[:16]}"
        if known_message_ids(session, [mail.message_id]):
            return None
    return _insert(session, mail)


def _insert(session: Session, mail: InboundMail) -> InboundMail | None:
    try:
        with session.begin_nested():
            session.add(mail)
            session.flush()
    except IntegrityError:
        # A second gateway stored it between our look-up and insert: re-delivery is a no-op.
        return None
    return mail


def body_digest(raw: bytes) -> str:
    """SHA-256 of the body (after the header block): transport headers differ between deliveries of one
    message, its body does not."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        _head, found, body = raw.partition(separator)
        if found:
            return hashlib.sha256(body).hexdigest()
    return hashlib.sha256(raw).hexdigest()


def known_message_ids(session: Session, message_ids: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(message_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            session.exec(select(InboundMail.message_id).where(col(InboundMail.message_id).in_(chunk)))
        )
    return found


def pending_ids(session: Session, *, limit: int = 200, after_id: int = 0) -> list[int]:
    """Rows still to be processed, oldest first (``dispatching`` ones were interrupted by a crash);
    ``after_id`` skips the batches a pass already has in hand."""
    return [
        i
        for i in session.exec(
            select(InboundMail.id)
            .where(col(InboundMail.status).in_([InboundStatus.pending, InboundStatus.dispatching]))
            .where(col(InboundMail.id) > after_id)
            .order_by(col(InboundMail.id))
            .limit(limit)
        )
        if i is not None
    ]


def conversation_by_message_ids(session: Session, message_ids: Iterable[str]) -> str | None:
    """The conversation of the newest known message among ``message_ids`` (In-Reply-To first)."""
    for message_id in message_ids:
        row = session.get(MailThreadMessage, message_id)
        if row is not None:
            return row.conversation_id
    return None


def conversation_for_case(session: Session, reference: str) -> MailConversation | None:
    conversation = session.exec(
        select(MailConversation).where(MailConversation.case_reference == reference)
    ).first()
    if conversation is not None:
        return conversation
    case = session.exec(select(Case).where(Case.reference == reference)).first()
    if case is None or case.conversation_id is None:
        return None
    return session.get(MailConversation, case.conversation_id)


def link_message(session: Session, message_id: str, conversation_id: str, direction: str) -> None:
    if session.get(MailThreadMessage, message_id) is None:
        session.add(
            MailThreadMessage(message_id=message_id, conversation_id=conversation_id, direction=direction)
        )
        session.flush()


def latest_case_reference(session: Session, conversation_id: str) -> str | None:
    case = latest_case_for_conversation(session, conversation_id)
    return case.reference if case else None


def has_open_handoff(session: Session, conversation_id: str) -> bool:
    return open_handoff(session, conversation_id) is not None


def replies_since(session: Session, address: str, since: datetime) -> int:
    """How many replies the gateway queued for ``address`` since ``since`` (per-sender rate limit)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == REPLY_KIND)
            .where(func.lower(OutboxMessage.to_address) == address.lower())
            .where(col(OutboxMessage.created_at) >= since)
        ).one()
    )


def agent_answer(session: Session, conversation_id: str, *, body: str, agent: str) -> OutboxMessage:
    """Queue an agent's answer in the conversation's e-mail thread (issue #5: same thread, via the outbox).

    Idempotent per conversation, agent and text. Raises ``LookupError`` for a conversation that is not
    an e-mail thread (a caller's error)."""
    conversation = session.get(MailConversation, conversation_id)
    if conversation is None:
        raise LookupError(f"no e-mail conversation {conversation_id}")
    latest = session.exec(
        select(InboundMail)
        .where(InboundMail.conversation_id == conversation_id)
        .order_by(col(InboundMail.id).desc())
    ).first()
    in_reply_to = latest.message_id.split("#", 1)[0] if latest else None
    thread = list(
        session.exec(
            select(MailThreadMessage.message_id).where(MailThreadMessage.conversation_id == conversation_id)
        )
    )
    references = [m.split("#", 1)[0] for m in thread[-10:]]
    reference = conversation.case_reference or latest_case_reference(session, conversation_id)
    subject = f"Re: {conversation.subject or 'PrivacyDesk'}" + (f" [{reference}]" if reference else "")
    digest = hashlib.sha256(f"{agent}\n{body}".encode()).hexdigest()[:24]
    message = enqueue(
        session,
        OutboxMessage(
            dedupe_key=f"agent-answer:{conversation_id}:{digest}",
            kind=AGENT_KIND,
            case_reference=reference,
            to_address=conversation.customer_address,
            subject=subject,
            body_text=body,
            message_id=new_message_id(),
            in_reply_to=in_reply_to,
            references=" ".join(dict.fromkeys(references)) or None,
        ),
    )
    link_message(session, message.message_id, conversation_id, "out")
    return message
