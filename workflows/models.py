"""The database model: cases, their transcript and the audit trail.

Families follow full-stack-fastapi-template: ``CaseBase`` holds the shared fields, ``Case`` is the
table, ``CasePublic`` what leaves the process (CLI, console) without identity details.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from workflows.types import UTCDateTime, utcnow


class RequestType(enum.StrEnum):
    access = "access"
    rectification = "rectification"
    erasure = "erasure"
    consent_withdrawal = "consent_withdrawal"
    complaint = "complaint"


class CaseStatus(enum.StrEnum):
    received = "received"
    awaiting_identity = "awaiting_identity"
    in_progress = "in_progress"
    responded = "responded"
    refused = "refused"
    withdrawn = "withdrawn"


class Channel(enum.StrEnum):
    chat = "chat"
    email = "email"
    post = "post"
    phone = "phone"


class CaseBase(SQLModel):
    reference: str = Field(max_length=20)
    request_type: RequestType
    subtype: str | None = None
    status: CaseStatus = CaseStatus.received
    channel: Channel
    language: str = Field(max_length=2)
    legal_entity: str | None = None
    # R-T1: the receipt time R, stored in UTC; deadlines use its Europe/Stockholm date.
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # R-T2 / R-T3 / R-T5
    due_date: date
    pause_days: int = 0
    extended_due_date: date | None = None


class Case(CaseBase, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("reference", name="uq_case_reference"),
        Index("ix_case_status_due", "status", "due_date"),
        # The sweep's look-ups (workflows/sweep.py): each walks only the rows that are due, so its time
        # grows with the due work, not with the table (docs/benchmarks.md, "sweep").
        Index("ix_case_sweep_due", "status", "escalation_level", "due_date"),
        Index("ix_case_sweep_extended", "status", "escalation_level", "extended_due_date"),
        Index("ix_case_identity_wait", "status", "identity_question_sent_at"),
        Index("ix_case_consent", "request_type", "consent_applied_at", "consent_escalated_at", "received_at"),
        Index("ix_case_retention", "transcript_deleted_at", "closed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str | None = Field(default=None, index=True)
    # Identity details (R-F3: no more than needed; never logged in clear, R-F4).
    subject_name: str | None = None
    subject_identity_number: str | None = Field(default=None, index=True)
    subject_address: str | None = None
    subject_email: str | None = None
    subject_phone: str | None = None
    customer_number: str | None = None
    identity_verified_by: str | None = None
    # §0: the signed written request is asked for and recorded, never required.
    signed_request: str = "requested"
    scope: str | None = None
    # What the request type needs beyond identity (domain.md §3), e.g. {"wrong": ..., "correct": ...}
    # for rectification or {"channels": [...]} for consent withdrawal.
    details: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    needs_human: bool = False
    # 0 none, 1 near its deadline, 2 past it (set by the scheduler's sweep).
    escalation_level: int = 0
    human_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # --- issue #4: the case workflow (migration 0005w) ---
    # R-F3/R-F4: how the check against the customer register came out (register.MatchOutcome); a
    # mismatch or protected identity goes to a person, never to an automatic refusal.
    identity_verification: str | None = None
    assigned_agent: str | None = Field(default=None, index=True)
    # R-T5: when the identity question went out; the 14-day reminder and the 2-month close count from it.
    identity_question_sent_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    identity_reminder_sent_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # R-T3: the extension's reasons and when its notice went out (extended_due_date is D3).
    extension_reasons: str | None = None
    extension_notice_sent_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # R-T4: how the case ended (states.Outcome) and, for a full or partial refusal, why.
    outcome: str | None = None
    refusal_reasons: str | None = None
    refusal_notice_sent_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # Set by the sweep: near its deadline (escalation_level 1), past it (level 2, the SLA queue).
    escalated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    sla_breached_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # domain.md §3 consent_withdrawal: effective from receipt; the sweep escalates after 24 hours unapplied.
    consent_applied_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    consent_escalated_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # Retention (workflows/retention.py): when the transcript and attachments were deleted.
    transcript_deleted_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class CasePublic(CaseBase):
    """What the CLI and the console list: no identity details."""

    needs_human: bool
    escalation_level: int


class ReferenceCounter(SQLModel, table=True):
    """The last case number issued per year (DSR-YYYY-NNNNNN), bumped inside the case's transaction."""

    __tablename__ = "reference_counters"

    year: int = Field(primary_key=True)
    last: int = 0


class AuditEvent(SQLModel, table=True):
    """Append-only audit trail; each row carries the hash of the previous one (tamper evidence)."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    actor: str
    action: str
    case_reference: str | None = Field(default=None, index=True)
    detail: str = "{}"
    prev_hash: str
    hash: str


class Handoff(SQLModel, table=True):
    """A conversation handed to a person: the bot is silent (Rasa's ConversationPaused) until resolved."""

    __tablename__ = "handoffs"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(index=True)
    channel: Channel
    language: str = Field(max_length=2)
    reason: str
    case_reference: str | None = None
    requested_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    resolved_by: str | None = None


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after the last retry; an agent must look


class OutboxMessage(SQLModel, table=True):
    """Every outgoing e-mail, stored before it is sent (the sender delivers; a crash loses nothing).

    ``dedupe_key`` makes enqueueing idempotent: a notice enqueued twice (a retried sweep, a re-delivered
    e-mail) is stored once.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        # The per-sender rate limit (mail_gateway): replies to one address in the last hour (0007).
        Index("ix_outbox_reply_rate", text("lower(to_address)"), "kind", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str
    kind: str  # reply, notice.escalation, notice.breach, notice.reminder, agent_answer, ...
    case_reference: str | None = Field(default=None, index=True)
    to_address: str
    subject: str
    body_text: str
    # Threading (RFC 5322): our Message-ID and the customer's, when this answers an e-mail.
    message_id: str
    in_reply_to: str | None = None
    references: str | None = None
    attachment_name: str | None = None
    attachment_type: str | None = None
    attachment_data: bytes | None = None
    status: OutboxStatus = OutboxStatus.pending
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


# --- issue #4: transcript, attachments, notices, customer register (migration 0005w) ---


class Direction(enum.StrEnum):
    inbound = "inbound"
    outbound = "outbound"


class Message(SQLModel, table=True):
    """One line of the transcript, across chat and e-mail, inbound and outbound.

    Deleted with the attachments after the retention period (workflows/retention.py); the case row,
    its notices and the audit trail stay.
    """

    __tablename__ = "messages"

    id: int | None = Field(default=None, primary_key=True)
    case_reference: str | None = Field(default=None, index=True)
    conversation_id: str | None = Field(default=None, index=True)
    channel: str  # a Channel value
    direction: Direction
    sender: str  # "customer", "assistant", "agent:<name>"
    body_text: str
    email_message_id: str | None = None  # RFC 5322 Message-ID, for e-mail
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Attachment(SQLModel, table=True):
    """A file a case received or produced: metadata plus the bytes, or a path under ``var_dir``.

    R-F3: an ID document copy is not kept by default. ``retain_until`` is set for records the
    accounting law requires (Bokföringslagen 7 kap. 2 §, domain.md §3); retention keeps them until then.
    """

    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    case_reference: str = Field(index=True)
    message_id: int | None = Field(default=None, index=True)
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    data: bytes | None = None
    path: str | None = None
    accounting_record: bool = False
    retain_until: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Notice(SQLModel, table=True):
    """Every letter or e-mail a case caused (R-T3, R-T4, R-T5 notices; escalations to staff).

    ``dedupe_key`` is deterministic per case, kind and deadline, so a notice is recorded exactly once
    even when two schedulers sweep at once; ``outbox_id`` is its e-mail (none for a letter by post).
    ``sent_at`` is when it was issued (committed to the outbox or the letter queue); the outbox row
    says when the mail server took it.
    """

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_notice_dedupe_key"),)

    id: int | None = Field(default=None, primary_key=True)
    case_reference: str = Field(index=True)
    kind: str  # a notices.Kind value
    audience: str  # customer, agents, managers
    channel: str  # email, post, none (no address on file: a person must act)
    language: str = Field(max_length=2)
    dedupe_key: str
    outbox_id: int | None = None
    sent_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Customer(SQLModel, table=True):
    """The demo customer register on the same database (register.DatabaseRegister); fictitious people."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("identity_number", name="uq_customer_identity_number"),)

    id: int | None = Field(default=None, primary_key=True)
    identity_number: str  # canonical YYYYMMDD-NNNC
    full_name: str
    address: str
    email: str | None = None
    phone: str | None = None
    customer_number: str | None = None
    legal_entities: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # R-F4: skyddade personuppgifter: always a person, never the assistant.
    protected_identity: bool = False
