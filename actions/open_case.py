"""R-T6: a recognised request is opened as a case at once and acknowledged with R, the reference and D1.

The identity details and what the type needs (domain.md §2, §3) are collected afterwards by
``intake_form``; a request type changed mid-way changes the same case.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from workflows import deadlines
from workflows.cases import Subject, await_identity, change_request_type, get_case, merge_details, open_case
from workflows.db import session_scope
from workflows.i18n import format_date
from workflows.intake import ALL_SLOTS, IDENTITY_SLOTS, format_timestamp
from workflows.models import Channel, RequestType
from workflows.settings import get_settings

log = logging.getLogger("privacydesk.actions")
REQUEST_INTENTS = {f"request_{kind.value}": kind for kind in RequestType}


def requested_type(tracker: Tracker) -> RequestType | None:
    intent = (tracker.latest_message.get("intent") or {}).get("name", "")
    return REQUEST_INTENTS.get(intent)


class ActionOpenCase(Action):
    def name(self) -> str:
        return "action_open_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kind = requested_type(tracker)
        if kind is None:
            return []
        settings = get_settings()
        language = slots.language(tracker)
        reference = tracker.get_slot("case_reference")
        in_intake = tracker.active_loop.get("name") == "intake_form" and reference
        if in_intake and tracker.get_slot("request_type") == kind.value:
            return []  # the same request said again: the form goes on with the answer it holds
        channel = slots.channel(tracker)
        with session_scope() as session:
            if in_intake:
                case = change_request_type(session, get_case(session, reference), kind)
            else:
                # R-T1: R is when this message reached us (e-mail: the server's receipt time).
                received_at = slots.latest_user_time(tracker)
                case = open_case(
                    session,
                    settings,
                    request_type=kind,
                    channel=Channel(channel),
                    language=language,
                    received_at=received_at,
                    subject=Subject(),
                    conversation_id=tracker.sender_id,
                )
                await_identity(session, case)
                if kind is RequestType.consent_withdrawal:
                    # Art 7(3), 21(3): effective from receipt, a chat message is enough.
                    merge_details(session, case, {"effective_at": received_at.isoformat()})
            reference = case.reference
            received: date = deadlines.receipt_date(case.received_at, settings.timezone)
            due = case.due_date
            received_at = case.received_at
        log.info("case %s: %s request via %s", reference, kind.value, channel)
        dispatcher.utter_message(response=f"utter_start_{kind.value}")
        dispatcher.utter_message(
            response="utter_case_changed" if in_intake else "utter_case_opened",
            reference=reference,
            received=format_date(received, language),
            due=format_date(due, language),
        )
        if kind is RequestType.consent_withdrawal:
            dispatcher.utter_message(
                response="utter_consent_effective",
                effective=format_timestamp(received_at, language, settings.timezone),
            )
        events: list[EventType] = [
            SlotSet("request_type", kind.value),
            SlotSet("channel", channel),
            SlotSet("received_at", received_at.isoformat()),
            SlotSet("case_reference", reference),
        ]
        # A changed type keeps who the person is; what the old type needed goes. Only slots that hold a
        # value are cleared: each event costs Rasa a schema check and a tracker-store row (issue #5).
        keep = set(IDENTITY_SLOTS) if in_intake else set()
        events += [
            SlotSet(slot, None)
            for slot in ALL_SLOTS
            if slot not in keep and tracker.get_slot(slot) is not None
        ]
        return events
