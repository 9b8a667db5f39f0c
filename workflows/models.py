"""The database model: cases, their transcript and the audit trail.

Families follow full-stack-fastapi-template: ``CaseBase`` holds the shared fields, ``Case`` is the
table, ``CasePublic`` what leaves the process (CLI, console) without identity details.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
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
