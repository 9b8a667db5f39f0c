"""The case transcript: every message across chat and e-mail, inbound and outbound (``messages``).

R-F4: a personnummer is masked in transcripts, so :func:`record` stores the text with every identity
number attempt masked (``YYMMDD-****``, or ``[PNR]`` for an invalid one); the case row keeps the number
it needs. Retention deletes the transcript a year after the case closed (workflows/retention.py).
Errors: ``ValueError`` for a naive timestamp; database errors propagate.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from workflows.cases import latest_case_for_conversation
from workflows.deadlines import receipt_date
from workflows.identity import scan_identity_numbers
from workflows.models import Direction, Message


def mask_identity_numbers(text: str, *, today: datetime) -> str:
    """R-F4: ``text`` with each personnummer/samordningsnummer attempt masked."""
    parts: list[str] = []
    position = 0
    for candidate in scan_identity_numbers(text, today=receipt_date(today)):
        parts.append(text[position : candidate.start])
        parts.append(candidate.number.masked() if candidate.number else "[PNR]")
        position = candidate.end
    parts.append(text[position:])
    return "".join(parts)


def record(
    session: Session,
    *,
    channel: str,
    direction: Direction,
    sender: str,
    text: str,
    at: datetime,
    case_reference: str | None = None,
    conversation_id: str | None = None,
    email_message_id: str | None = None,
) -> Message:
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    message = Message(
        case_reference=case_reference,
        conversation_id=conversation_id,
        channel=channel,
        direction=direction,
        sender=sender,
        body_text=mask_identity_numbers(text, today=at),
        email_message_id=email_message_id,
        at=at,
    )
    session.add(message)
    session.flush()
    return message


def record_chat_turn(
    session: Session,
    *,
    conversation_id: str,
    text: str,
    replies: list[str],
    received_at: datetime,
    answered_at: datetime,
) -> str | None:
    """One chat turn: the customer's line and the bot's answers, tied to the conversation's latest case
    (the case may have been opened in this very turn). Returns that case's reference, if any."""
    case = latest_case_for_conversation(session, conversation_id)
    reference = case.reference if case else None
    lines = [(Direction.inbound, "customer", text, received_at)]
    lines += [(Direction.outbound, "assistant", reply, answered_at) for reply in replies]
    for direction, sender, body, at in lines:
        record(
            session,
            channel="chat",
            direction=direction,
            sender=sender,
            text=body,
            at=at,
            case_reference=reference,
            conversation_id=conversation_id,
        )
    return reference


def transcript(session: Session, case_reference: str) -> list[Message]:
    query = select(Message).where(Message.case_reference == case_reference).order_by(col(Message.at))
    return list(session.exec(query))
