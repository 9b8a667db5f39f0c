"""Finishing, explaining, cancelling and rephrasing (thin: the rules live in ``workflows``)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from actions.handoff import hand_over
from workflows import deadlines, intake
from workflows.cases import Subject, ensure_form_token, get_case, record_intake, set_subject, withdraw
from workflows.db import session_scope
from workflows.i18n import format_date
from workflows.models import RequestType
from workflows.register import DatabaseRegister, verify_identity
from workflows.settings import get_settings

log = logging.getLogger("privacydesk.actions")
_CHANNEL_NAMES = {
    "sv": {"email": "e-post", "sms": "sms", "letter": "brev", "phone": "telefon", "profiling": "profilering"},
    "en": {"email": "e-mail", "sms": "SMS", "letter": "letter", "phone": "phone", "profiling": "profiling"},
}


def _known(value: Any) -> str | None:
    return None if value in (None, intake.UNKNOWN) else str(value)


def _reset() -> list[EventType]:
    return [SlotSet(slot, None) for slot in intake.ALL_SLOTS]


class ActionCompleteRequest(Action):
    """The form is complete: store what it collected, then the reference, D1 and what happens next."""

    def name(self) -> str:
        return "action_complete_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = get_settings()
        language = slots.language(tracker)
        reference = tracker.get_slot("case_reference")
        if not reference:
            return _reset()
        kind = RequestType(tracker.get_slot("request_type") or "access")
        filled = {slot: tracker.get_slot(slot) for slot in intake.ALL_SLOTS}
        contact = filled["contact"] or ""
        subject = Subject(
            full_name=filled["full_name"],
            identity_number=filled["personnummer"],
            address=filled["address"],
            email=contact if "@" in contact else None,
            phone=contact if contact and "@" not in contact else None,
            customer_number=_known(filled["customer_number"]),
        )
        legal_entity = _known(filled["legal_entity"])
        details, subtype, scope = self._details(kind, filled, slots.latest_user_time(tracker).isoformat())
        form_url = None
        with session_scope() as session:
            case = get_case(session, reference)
            if kind is RequestType.erasure and filled["erasure_confirmed"] is False:
                # The customer did not confirm after hearing what is kept: the request is withdrawn.
                withdraw(session, case, note="erasure not confirmed by the customer")
                not_confirmed = True
            else:
                not_confirmed = False
                if subject.identity_number:
                    # §2: matched against the customer register; a mismatch goes to a person.
                    set_subject(session, case, subject, legal_entity=legal_entity)
                    verify_identity(session, DatabaseRegister(session), case)
                record_intake(
                    session,
                    case,
                    subject=subject,
                    legal_entity=legal_entity,
                    details=details,
                    identity_complete=intake.identity_complete(kind.value, filled),
                    subtype=subtype,
                    scope=scope,
                )
                wants_form = filled["signed_form"] is True
                if kind is RequestType.access and wants_form:
                    token = ensure_form_token(session, case)
                    form_url = f"{settings.public_base_url()}/forms/{case.reference}.pdf?token={token}"
            due = case.due_date
            received: date = deadlines.receipt_date(case.received_at, settings.timezone)
        log.info("case %s: intake complete", reference)
        if not_confirmed:
            dispatcher.utter_message(response="utter_erasure_not_confirmed", reference=reference)
            return [*_reset(), SlotSet("request_type", None)]
        if form_url:
            dispatcher.utter_message(response="utter_signed_form_link", url=form_url)
            if slots.channel(tracker) == "email" or tracker.get_slot("channel") == "email":
                # For the mail gateway: attach the form itself (a custom payload; chat ignores it).
                attachment = {"kind": "request_form", "reference": reference, "url": form_url}
                dispatcher.utter_message(json_message={"attachment": attachment})
        dispatcher.utter_message(
            response="utter_case_complete",
            reference=reference,
            received=format_date(received, language),
            due=format_date(due, language),
        )
        if kind is RequestType.consent_withdrawal:
            names = _CHANNEL_NAMES[language]
            dispatcher.utter_message(
                response="utter_next_consent_withdrawal",
                channels=", ".join(names[c] for c in filled["consent_channels"] or intake.CHANNELS),
            )
        elif kind is RequestType.access:
            delivery = filled["access_delivery"] or "post"
            dispatcher.utter_message(response=f"utter_next_access_{delivery}")
        else:
            dispatcher.utter_message(response=f"utter_next_{kind.value}")
        return [*_reset(), SlotSet("request_type", None)]

    @staticmethod
    def _details(
        kind: RequestType, filled: dict[str, Any], now: str
    ) -> tuple[dict[str, Any], str | None, str | None]:
        if kind is RequestType.access:
            return (
                {
                    "delivery": filled["access_delivery"] or "post",
                    "signed_form_offered": True,
                    "signed_form_wanted": filled["signed_form"],
                },
                None,
                filled["access_scope"] or "all",
            )
        if kind is RequestType.rectification:
            restrict = filled["restriction"] is True
            return (
                {"wrong": filled["wrong_data"], "correct": filled["correct_data"], "restriction": restrict},
                # Art 18(1)(a): accuracy disputed and restriction asked for.
                "restriction" if restrict else None,
                None,
            )
        if kind is RequestType.erasure:
            return {"confirmed": True, "confirmed_at": now}, None, None
        if kind is RequestType.consent_withdrawal:
            return {"channels": filled["consent_channels"], "channels_recorded_at": now}, None, None
        return {"complaint": filled["complaint_text"], "for": "data_protection_officer"}, None, None


class ActionExplainWhy(Action):
    """Answers "why do you need my personnummer?" for the detail being asked for; the form goes on."""

    def name(self) -> str:
        return "action_explain_why"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asked = tracker.get_slot("requested_slot") or "personnummer"
        specific = f"utter_why_{asked}"
        known = specific in domain.get("responses", {})
        dispatcher.utter_message(response=specific if known else "utter_why_detail")
        return []


class ActionCancelRequest(Action):
    """Cancel: the case opened at once (R-T6) is closed as withdrawn, and the customer is told so."""

    def name(self) -> str:
        return "action_cancel_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference = tracker.get_slot("case_reference")
        if reference:
            with session_scope() as session:
                case = get_case(session, reference)
                withdraw(session, case, note="cancelled by the customer in the conversation")
            dispatcher.utter_message(response="utter_cancelled_case", reference=reference)
        else:
            dispatcher.utter_message(response="utter_cancelled")
        return [*_reset(), SlotSet("request_type", None), SlotSet("case_reference", None)]


class ActionRephrase(Action):
    """Low confidence: one rephrase prompt with the five requests as buttons; a second one hands over."""

    def name(self) -> str:
        return "action_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intents = [
            str((e.get("parse_data") or {}).get("intent", {}).get("name"))
            for e in tracker.events
            if e.get("event") == "user"
        ]
        if intake.should_hand_over_after_fallback(intents):
            hand_over(tracker, "the assistant did not understand the customer twice")
            dispatcher.utter_message(response="utter_handoff_not_understood")
            return [ConversationPaused()]
        dispatcher.utter_message(response="utter_rephrase")
        return []
