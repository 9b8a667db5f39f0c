"""``intake_form``: the details each request type needs (domain.md §2, §3), several from one message.

The form's slots have custom mappings: this validation action reads every message itself with
``workflows.intake.read_answers`` (one message may carry name, personnummer and address at once), and
decides which slot to ask for next from the request type (a dynamic form). On e-mail every missing
detail is asked for in one checklist (the ``intake_checklist`` slot the e-mail variants of the
questions show).

An interruption (why do you need that?, cancel, a person please, another request type) is not an
answer: the action then returns no slot values, the form rejects, and the rules in
``bot/rules/requests.yml`` handle it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from actions.open_case import REQUEST_INTENTS
from workflows import intake
from workflows.settings import get_settings

INTERRUPTIONS = frozenset({"ask_why_needed", "cancel", "ask_human"})

_REASONS = {
    "sv": {"format": "fel format", "date": "datumet finns inte", "checksum": "kontrollsiffran stämmer inte"},
    "en": {"format": "wrong format", "date": "no such date", "checksum": "the check digit is wrong"},
}


def _is_fresh_answer(tracker: Tracker) -> bool:
    """The customer's latest message comes straight before this run of the form (an answer), not a
    rule's action (an interruption the form now returns from, or the opening of the case)."""
    passive = {"action_listen", "action_extract_slots", "intake_form"}
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in passive:
            return False
    return False


class ValidateIntakeForm(Action):
    def name(self) -> str:
        return "validate_intake_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = get_settings()
        request_type = tracker.get_slot("request_type") or ""
        channel = tracker.get_slot("channel") or slots.channel(tracker)
        language = slots.language(tracker)
        requested = tracker.get_slot("requested_slot")
        intent = (tracker.latest_message.get("intent") or {}).get("name", "")
        # A fresh answer: the form runs right after the customer wrote (not returning from a rule).
        fresh = _is_fresh_answer(tracker)
        switching = intent in REQUEST_INTENTS and REQUEST_INTENTS[intent].value != request_type
        if fresh and (intent in INTERRUPTIONS or switching):
            return [SlotSet("requested_slot", requested)]

        today = date.today()
        answers = intake.read_answers(
            tracker.latest_message.get("text") or "",
            request_type=request_type,
            requested=requested if fresh else None,
            today=today,
            legal_entities=settings.legal_entities,
        )
        values = dict(answers.values)
        if channel == "email" and fresh:
            for slot, default in intake.email_defaults(request_type).items():
                if tracker.get_slot(slot) is None:
                    values.setdefault(slot, default)
        for slot, reason in answers.invalid.items():
            kwargs = {"reason": _REASONS[language][reason]} if slot == "personnummer" else {}
            dispatcher.utter_message(response=f"utter_invalid_{slot}", **kwargs)
            values[slot] = None

        filled = {slot: tracker.get_slot(slot) for slot in intake.ALL_SLOTS} | values
        missing = intake.missing_slots(request_type, filled, channel)
        events: list[EventType] = [SlotSet(slot, value) for slot, value in values.items()]
        if missing:
            events.append(
                SlotSet(
                    "intake_checklist",
                    intake.checklist(
                        request_type, missing, language, legal_entities=settings.legal_entities, today=today
                    ),
                )
            )
            events.append(SlotSet("legal_entity_options", ", ".join(settings.legal_entities)))
            events.append(SlotSet("retention_text", intake.retention_explanation(language, today=today)))
        events.append(SlotSet("requested_slot", missing[0] if missing else None))
        return events
