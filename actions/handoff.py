"""Handing the conversation to a person: flagged in the database, paused through Rasa's own event."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from workflows.db import session_scope
from workflows.handoff import request_handoff
from workflows.models import Channel


def hand_over(tracker: Tracker, reason: str) -> None:
    """Flag the conversation (and its case) for an agent; the caller pauses the conversation."""
    with session_scope() as session:
        request_handoff(
            session,
            conversation_id=tracker.sender_id,
            channel=Channel(slots.channel(tracker)),
            language=slots.language(tracker),
            reason=reason,
        )


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        hand_over(tracker, "the customer asked for a person")
        dispatcher.utter_message(response="utter_handoff")
        # The bot stays silent until an agent hands the conversation back (a `resume` event).
        return [ConversationPaused()]
