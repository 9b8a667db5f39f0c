"""Factories for the workflow tests (one place, style rule 10)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from workflows.cases import Subject, open_case
from workflows.models import Case, Channel, RequestType
from workflows.settings import Settings

# Fictitious: domain.md §6's test vector.
MAJA = Subject(
    full_name="Maja Lindgren",
    identity_number="19811218-9876",
    address="Storgatan 12, 111 22 Stockholm",
    email="maja.lindgren@example.se",
)
POST_ONLY = Subject(
    full_name="Erik Johansson", identity_number="19900315-1231", address="Kungsgatan 5, Göteborg"
)
NOBODY = Subject()


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def make_case(
    session: Session,
    settings: Settings,
    received_at: datetime,
    *,
    kind: RequestType = RequestType.access,
    subject: Subject = MAJA,
    language: str = "sv",
    channel: Channel = Channel.chat,
    conversation_id: str | None = None,
) -> Case:
    return open_case(
        session,
        settings,
        request_type=kind,
        channel=channel,
        language=language,
        received_at=received_at,
        subject=subject,
        conversation_id=conversation_id,
    )


def reload(session: Session, reference: str) -> Case:
    return session.exec(select(Case).where(Case.reference == reference)).one()
