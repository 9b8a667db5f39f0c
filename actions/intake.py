"""Starting, explaining and cancelling a request (thin: the rules live in ``workflows``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from workflows.details import extract_details
from workflows.models import RequestType
from workflows.settings import get_settings

REQUEST_INTENTS = {f"request_{kind.value}": kind for kind in RequestType}
FORM_SLOTS = ("full_name", "personnummer")


class ActionStartRequest(Action):
    def name(self) -> str:
        return "action_start_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name", "")
        kind = REQUEST_INTENTS.get(intent)
        if kind is None:
            return []
        dispatcher.utter_message(response=f"utter_start_{kind.value}")
        events: list[EventType] = [
            SlotSet("request_type", kind.value),
            SlotSet("channel", slots.channel(tracker)),
            # R-T1: R is when the request reached us, not when the form completes.
            SlotSet("received_at", slots.latest_user_time(tracker).isoformat()),
            SlotSet("case_reference", None),
            *(SlotSet(slot, None) for slot in FORM_SLOTS),
        ]
        # A first message may already carry the details ("registerutdrag, Maja Lindgren 811218-9876").
        found = extract_details(
            tracker.latest_message.get("text") or "",
            today=date.today(),
            legal_entities=get_settings().legal_entities,
        )
        if found.full_name:
            events.append(SlotSet("full_name", found.full_name))
        if found.identity_number:
            events.append(SlotSet("personnummer", found.identity_number.canonical()))
        return events


class ActionExplainWhy(Action):
    """Answers "why do you need my personnummer?" for the detail being asked for; the form goes on."""

    def name(self) -> str:
        return "action_explain_why"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asked = tracker.get_slot("requested_slot") or "personnummer"
        dispatcher.utter_message(response=f"utter_why_{asked}")
        return []


class ActionCancelRequest(Action):
    def name(self) -> str:
        return "action_cancel_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_cancelled")
        return [SlotSet("request_type", None), *(SlotSet(slot, None) for slot in FORM_SLOTS)]
