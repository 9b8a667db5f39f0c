"""The transcript: messages stored with identity numbers masked (R-F4)."""

from __future__ import annotations

import pytest

from tests.workflows.factories import at, make_case
from workflows import transcript
from workflows.db import session_scope
from workflows.models import Direction
from workflows.settings import Settings


def test_identity_numbers_are_masked_valid_or_not() -> None:
    text = "Mitt nummer är 811218-9876, eller kanske 811218-9877?"
    assert transcript.mask_identity_numbers(text, today=at(2025, 3, 5)) == (
        "Mitt nummer är 811218-****, eller kanske [PNR]?"
    )
    phone = "Ring 070-123 45 67"
    assert transcript.mask_identity_numbers(phone, today=at(2025, 3, 5)) == phone


def test_record_stores_masked_text_in_order(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        transcript.record(
            session,
            channel="chat",
            direction=Direction.outbound,
            sender="assistant",
            text="Tack!",
            at=at(2025, 3, 5, 11),
            case_reference="DSR-2025-000001",
        )
        transcript.record(
            session,
            channel="chat",
            direction=Direction.inbound,
            sender="customer",
            text="19811218-9876",
            at=at(2025, 3, 5, 10),
            case_reference="DSR-2025-000001",
        )
    with session_scope(settings.database_url) as session:
        lines = transcript.transcript(session, "DSR-2025-000001")
    assert [m.body_text for m in lines] == ["811218-****", "Tack!"]
    with pytest.raises(ValueError, match="timezone-aware"), session_scope(settings.database_url) as session:
        transcript.record(
            session,
            channel="chat",
            direction=Direction.inbound,
            sender="customer",
            text="x",
            at=at(2025, 3, 5).replace(tzinfo=None),
        )


def test_a_chat_turn_is_tied_to_the_conversations_case(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        before = transcript.record_chat_turn(
            session,
            conversation_id="chat-abc12345",
            text="hej",
            replies=["Hej! Vad vill du göra?"],
            received_at=at(2025, 3, 5),
            answered_at=at(2025, 3, 5),
        )
        case = make_case(session, settings, at(2025, 3, 5), conversation_id="chat-abc12345")
        after = transcript.record_chat_turn(
            session,
            conversation_id="chat-abc12345",
            text="Maja Lindgren, 811218-9876",
            replies=["Tack!", "Vilken adress?"],
            received_at=at(2025, 3, 5, 11),
            answered_at=at(2025, 3, 5, 11),
        )
        lines = transcript.transcript(session, case.reference)
    assert (before, after) == (None, case.reference)
    assert [(m.direction, m.body_text) for m in lines] == [
        (Direction.inbound, "Maja Lindgren, 811218-****"),
        (Direction.outbound, "Tack!"),
        (Direction.outbound, "Vilken adress?"),
    ]
