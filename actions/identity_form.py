"""Validation of the identity form: every detail a message holds fills its slot at once."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from workflows.details import Details, extract_details
from workflows.identity import InvalidIdentityNumber, parse_identity_number
from workflows.settings import get_settings

_REASONS = {
    "sv": {"format": "fel format", "date": "datumet finns inte", "checksum": "kontrollsiffran stämmer inte"},
    "en": {"format": "wrong format", "date": "no such date", "checksum": "the check digit is wrong"},
}


class ValidateIdentityForm(FormValidationAction):
    def name(self) -> str:
        return "validate_identity_form"

    def _details(self, tracker: Tracker, expect: str) -> Details:
        return extract_details(
            tracker.latest_message.get("text") or "",
            today=date.today(),
            legal_entities=get_settings().legal_entities,
            expect=expect,
        )

    def validate_full_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = self._details(tracker, "full_name")
        result: dict[str, Any] = {"full_name": found.full_name}
        if found.identity_number:
            result["personnummer"] = found.identity_number.canonical()
        if not found.full_name:
            dispatcher.utter_message(response="utter_invalid_full_name")
        return result

    def validate_personnummer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = self._details(tracker, "personnummer")
        if found.identity_number:
            result: dict[str, Any] = {"personnummer": found.identity_number.canonical()}
            if found.full_name and not tracker.get_slot("full_name"):
                result["full_name"] = found.full_name
            return result
        try:
            # Say what is wrong with it: format, date or check digit (domain.md §6).
            parse_identity_number(str(found.invalid_identity_number or value), today=date.today())
            reason = "format"
        except InvalidIdentityNumber as error:
            reason = error.reason
        dispatcher.utter_message(
            response="utter_invalid_personnummer", reason=_REASONS[slots.language(tracker)][reason]
        )
        return {"personnummer": None}
