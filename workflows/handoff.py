"""Handing a conversation to a person, and back (issue #3: the flag and the pause; the console issue
builds the agent's side)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from workflows import audit
from workflows.cases import latest_case_for_conversation
from workflows.models import Channel, Handoff
from workflows.types import utcnow


def request_handoff(
    session: Session, *, conversation_id: str, channel: Channel, language: str, reason: str
) -> Handoff:
    """Record the hand-off; an open one for the same conversation is reused, never doubled."""
    open_one = open_handoff(session, conversation_id)
    if open_one:
        return open_one
    case = latest_case_for_conversation(session, conversation_id)
    handoff = Handoff(
        conversation_id=conversation_id,
        channel=channel,
        language=language,
        reason=reason,
        case_reference=case.reference if case else None,
    )
    if case:
        case.needs_human = True
        case.human_reason = reason
        session.add(case)
    session.add(handoff)
    session.flush()
    audit.append(
        session,
        actor="assistant",
        action="conversation.handed_off",
        case_reference=handoff.case_reference,
        detail={"reason": reason, "channel": channel.value},
    )
    return handoff


def open_handoff(session: Session, conversation_id: str) -> Handoff | None:
    """The conversation's unresolved hand-off: while there is one, the bot stays silent."""
    return session.exec(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id)
        .where(col(Handoff.resolved_at).is_(None))
    ).first()


def open_handoffs(session: Session) -> list[Handoff]:
    return list(
        session.exec(select(Handoff).where(col(Handoff.resolved_at).is_(None)).order_by(col(Handoff.id)))
    )


def resolve_handoff(session: Session, handoff_id: int, *, agent: str) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise LookupError(f"no hand-off {handoff_id}")
    if handoff.resolved_at is None:
        handoff.resolved_at = utcnow()
        handoff.resolved_by = agent
        session.add(handoff)
        audit.append(
            session,
            actor=agent,
            action="conversation.handed_back",
            case_reference=handoff.case_reference,
            detail={"handoff": handoff_id},
        )
    return handoff
