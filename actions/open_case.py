"""Opening the case once the identity form is complete."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from actions.intake import FORM_SLOTS
from workflows import deadlines
from workflows.cases import Subject, open_case
from workflows.db import session_scope
from workflows.i18n import format_date
from workflows.models import Channel, RequestType
from workflows.settings import get_settings


class ActionOpenCase(Action):
    def name(self) -> str:
        return "action_open_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = get_settings()
        language = slots.language(tracker)
        stored = tracker.get_slot("received_at")
        received_at = datetime.fromisoformat(stored) if stored else slots.latest_user_time(tracker)
        with session_scope() as session:
            case = open_case(
                session,
                settings,
                request_type=RequestType(tracker.get_slot("request_type") or "access"),
                channel=Channel(tracker.get_slot("channel") or slots.channel(tracker)),
                language=language,
                received_at=received_at,
                subject=Subject(
                    full_name=tracker.get_slot("full_name"),
                    identity_number=tracker.get_slot("personnummer"),
                ),
                conversation_id=tracker.sender_id,
            )
        received: date = deadlines.receipt_date(case.received_at, settings.timezone)
        dispatcher.utter_message(
            response="utter_case_opened",
            reference=case.reference,
            received=format_date(received, language),
            due=format_date(case.due_date, language),
        )
        dispatcher.utter_message(response=f"utter_next_{case.request_type.value}")
        return [
            SlotSet("case_reference", case.reference),
            SlotSet("request_type", None),
            *(SlotSet(slot, None) for slot in FORM_SLOTS),
        ]
