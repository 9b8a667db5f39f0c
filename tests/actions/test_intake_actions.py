"""Issue #3: the intake actions, each run on a `Tracker.from_dict` against a real (SQLite) database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from actions.intake import ActionCancelRequest, ActionCompleteRequest, ActionExplainWhy, ActionRephrase
from actions.intake_form import ValidateIntakeForm
from actions.open_case import ActionOpenCase
from tests.actions.conftest import make_tracker, responses, run_action, slot_events
from workflows import deadlines
from workflows.db import session_scope
from workflows.models import Case, CaseStatus, Handoff


def stored(reference: str) -> Case:
    with session_scope() as session:
        return session.exec(select(Case).where(Case.reference == reference)).one()


def open_case(domain, intent="request_access", text="Hej, jag vill ha ett registerutdrag", **kwargs):
    messages, events = run_action(ActionOpenCase(), make_tracker(text, intent, **kwargs), domain)
    return messages, slot_events(events)


def test_a_request_is_opened_and_acknowledged_at_once(db, domain):
    """R-T6: the reference, R and D1 come with the first answer, before any detail is collected."""
    messages, slots = open_case(domain)
    reference = slots["case_reference"]
    assert responses(messages) == ["utter_start_access", "utter_case_opened"]
    opened = messages[1]
    case = stored(reference)
    assert opened["reference"] == reference
    assert case.status is CaseStatus.awaiting_identity
    assert (case.request_type.value, case.channel.value, case.language) == ("access", "chat", "sv")
    assert case.due_date == deadlines.due_date(deadlines.receipt_date(case.received_at))
    assert str(case.due_date.day) in opened["due"]
    assert slots["request_type"] == "access" and slots.get("full_name") is None


def test_email_receipt_time_comes_from_the_metadata(db, domain):
    """R-T1: for e-mail, R is the server's receipt time, not when the gateway passed it on."""
    received = datetime(2026, 3, 3, 8, 15, tzinfo=UTC)
    _, slots = open_case(
        domain,
        intent="request_erasure",
        text="Please delete all my data",
        slots={"language": "en"},
        metadata={"channel": "email", "received_at": received.isoformat()},
    )
    case = stored(slots["case_reference"])
    assert case.channel.value == "email" and slots["channel"] == "email"
    assert case.received_at == received
    assert case.due_date.isoformat() == "2026-04-07"  # domain.md §8 example 6


def test_consent_withdrawal_is_effective_from_receipt(db, domain):
    messages, slots = open_case(domain, intent="request_consent_withdrawal", text="sluta skicka reklam")
    assert "utter_consent_effective" in responses(messages)
    case = stored(slots["case_reference"])
    assert datetime.fromisoformat(case.details["effective_at"]) == case.received_at


def test_changing_the_type_mid_way_changes_the_same_case(db, domain):
    _, first = open_case(domain)
    messages, events = run_action(
        ActionOpenCase(),
        make_tracker(
            "nej förresten, radera allt om mig istället",
            "request_erasure",
            active_loop="intake_form",
            slots={
                "case_reference": first["case_reference"],
                "request_type": "access",
                "full_name": "Maja Lindgren",
                "access_scope": "all",
            },
        ),
        domain,
    )
    slots = slot_events(events)
    assert slots["case_reference"] == first["case_reference"]
    assert stored(first["case_reference"]).request_type.value == "erasure"
    assert "utter_case_changed" in responses(messages)
    assert "full_name" not in slots  # who the person is stays
    assert slots["access_scope"] is None  # what the old type needed goes
    assert "wrong_data" not in slots  # an empty slot is not cleared again (one event less)


def test_one_message_fills_every_detail_it_holds(db, domain):
    tracker = make_tracker(
        "Maja Lindgren, 811218-9876, Storgatan 12, 411 38 Göteborg",
        "inform",
        slots={"request_type": "access", "requested_slot": "full_name"},
        active_loop="intake_form",
    )
    messages, events = run_action(ValidateIntakeForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["full_name"] == "Maja Lindgren"
    assert slots["personnummer"] == "19811218-9876"
    assert slots["address"] == "Storgatan 12, 411 38 Göteborg"
    assert slots["requested_slot"] == "contact"
    assert messages == []


def test_a_wrong_check_digit_is_refused_with_the_reason(db, domain):
    tracker = make_tracker(
        "811218-9877",
        "inform",
        slots={"request_type": "access", "requested_slot": "personnummer", "full_name": "Maja Lindgren"},
        active_loop="intake_form",
    )
    messages, events = run_action(ValidateIntakeForm(), tracker, domain)
    assert messages[0]["response"] == "utter_invalid_personnummer"
    assert messages[0]["reason"] == "kontrollsiffran stämmer inte"
    assert slot_events(events)["personnummer"] is None
    assert slot_events(events)["requested_slot"] == "personnummer"


@pytest.mark.parametrize("intent", ["ask_why_needed", "cancel", "ask_human", "request_erasure"])
def test_interruptions_are_not_taken_as_answers(db, domain, intent):
    tracker = make_tracker(
        "varför behöver ni det?",
        intent,
        slots={"request_type": "access", "requested_slot": "personnummer"},
        active_loop="intake_form",
    )
    _, events = run_action(ValidateIntakeForm(), tracker, domain)
    # Only requested_slot: the form rejects and the rules handle the interruption.
    assert events == [{"event": "slot", "timestamp": None, "name": "requested_slot", "value": "personnummer"}]


def test_email_asks_for_everything_missing_in_one_checklist(db, domain):
    tracker = make_tracker(
        "Hej, jag vill ha ett registerutdrag. Mvh Maja Lindgren",
        "request_access",
        slots={"request_type": "access", "channel": "email"},
        active_loop="intake_form",
        last_action="action_open_case",
    )
    _, events = run_action(ValidateIntakeForm(), tracker, domain)
    slots = slot_events(events)
    checklist = slots["intake_checklist"]
    for label in ("Personnummer", "Folkbokföringsadress", "Kundnummer", "KomTeknik Mobil AB"):
        assert label in checklist
    # On e-mail the defaults of §0 apply without asking: all data, by post, the form attached.
    assert "Leverans" not in checklist


def test_email_checklist_reply_fills_all_details(db, domain):
    reply = (
        "Hej!\nNamn: Maja Lindgren\nPersonnummer (eller samordningsnummer): 811218-9876\n"
        "Folkbokföringsadress: Storgatan 12, 411 38 Göteborg\n"
        "E-post eller telefon som du har registrerat hos oss: maja@example.se\n"
        "Kundnummer (om du vet det): vet inte\nBolag du har avtal med: KomTeknik Mobil AB\n"
    )
    tracker = make_tracker(
        reply,
        "inform",
        slots={"request_type": "access", "channel": "email", "requested_slot": "full_name"},
        active_loop="intake_form",
    )
    _, events = run_action(ValidateIntakeForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["customer_number"] == "unknown"
    assert slots["legal_entity"] == "KomTeknik Mobil AB"
    assert slots["access_scope"] == "all" and slots["access_delivery"] == "post"
    assert slots["requested_slot"] is None


def complete(domain, request_type, reference, **filled):
    tracker = make_tracker(
        "ja",
        "affirm",
        slots={"request_type": request_type, "case_reference": reference, **filled},
        last_action="intake_form",
    )
    messages, events = run_action(ActionCompleteRequest(), tracker, domain)
    return messages, slot_events(events)


IDENTITY = {
    "full_name": "Maja Lindgren",
    "personnummer": "19811218-9876",
    "address": "Storgatan 12, 411 38 Göteborg",
    "contact": "maja@example.se",
    "customer_number": "unknown",
    "legal_entity": "KomTeknik Mobil AB",
}


def test_complete_access_request(db, domain):
    _, opened = open_case(domain)
    reference = opened["case_reference"]
    messages, slots = complete(
        domain, "access", reference, **IDENTITY, access_scope="all", access_delivery="post", signed_form=True
    )
    assert responses(messages) == ["utter_signed_form_link", "utter_case_complete", "utter_next_access_post"]
    assert "/forms/" + reference + ".pdf?token=" in messages[0]["url"]
    assert messages[1]["reference"] == reference
    case = stored(reference)
    assert case.status is CaseStatus.in_progress
    assert case.subject_identity_number == "19811218-9876" and case.customer_number is None
    assert case.legal_entity == "KomTeknik Mobil AB" and case.scope == "all"
    assert case.details["delivery"] == "post" and case.details["form_token"] in messages[0]["url"]
    assert case.signed_request == "requested"  # §0: asked for, never required
    assert slots["full_name"] is None and slots["request_type"] is None


def test_a_repeat_access_request_within_a_year_goes_to_a_person(db, domain):
    for _ in range(2):
        _, opened = open_case(domain)
        complete(
            domain,
            "access",
            opened["case_reference"],
            **IDENTITY,
            access_scope="all",
            access_delivery="post",
            signed_form=False,
        )
    case = stored(opened["case_reference"])
    assert case.needs_human and "repeat access request" in (case.human_reason or "")
    assert case.status is CaseStatus.in_progress  # never refused or charged automatically


def test_rectification_with_restriction(db, domain):
    _, opened = open_case(domain, intent="request_rectification", text="ni har fel adress på mig")
    complete(
        domain,
        "rectification",
        opened["case_reference"],
        **IDENTITY,
        wrong_data="adressen",
        correct_data="Nygatan 2, 753 20 Uppsala",
        restriction=True,
    )
    case = stored(opened["case_reference"])
    assert case.subtype == "restriction"
    assert case.details["correct"] == "Nygatan 2, 753 20 Uppsala"


def test_erasure_not_confirmed_withdraws_the_case(db, domain):
    _, opened = open_case(domain, intent="request_erasure", text="radera mig")
    messages, _ = complete(domain, "erasure", opened["case_reference"], **IDENTITY, erasure_confirmed=False)
    assert responses(messages) == ["utter_erasure_not_confirmed"]
    assert stored(opened["case_reference"]).status is CaseStatus.withdrawn


def test_consent_withdrawal_records_channels_and_confirms(db, domain):
    _, opened = open_case(domain, intent="request_consent_withdrawal", text="stoppa sms-reklam")
    messages, _ = complete(
        domain,
        "consent_withdrawal",
        opened["case_reference"],
        full_name="Maja Lindgren",
        contact="070-1740605",
        customer_number="unknown",
        consent_channels=["sms", "phone"],
    )
    assert messages[-1]["response"] == "utter_next_consent_withdrawal"
    assert messages[-1]["channels"] == "sms, telefon"
    case = stored(opened["case_reference"])
    assert case.details["channels"] == ["sms", "phone"] and "effective_at" in case.details
    assert case.status is CaseStatus.in_progress


def test_complaint_goes_to_the_dpo_with_the_imy_pointer(db, domain):
    _, opened = open_case(domain, intent="request_complaint", text="ni skickade min faktura till grannen")
    messages, _ = complete(
        domain,
        "complaint",
        opened["case_reference"],
        full_name="Maja Lindgren",
        contact="maja@example.se",
        complaint_text="fakturan gick till grannen",
    )
    assert responses(messages) == ["utter_case_complete", "utter_next_complaint"]
    assert stored(opened["case_reference"]).details["for"] == "data_protection_officer"


def test_cancel_withdraws_the_case_opened_at_once(db, domain):
    _, opened = open_case(domain)
    tracker = make_tracker("avbryt", "cancel", slots={"case_reference": opened["case_reference"]})
    messages, events = run_action(ActionCancelRequest(), tracker, domain)
    assert responses(messages) == ["utter_cancelled_case"]
    assert stored(opened["case_reference"]).status is CaseStatus.withdrawn
    assert slot_events(events)["case_reference"] is None


def test_why_is_answered_for_the_detail_asked(db, domain):
    for asked, expected in (("personnummer", "utter_why_personnummer"), ("contact", "utter_why_detail")):
        tracker = make_tracker("varför?", "ask_why_needed", slots={"requested_slot": asked})
        messages, events = run_action(ActionExplainWhy(), tracker, domain)
        assert responses(messages) == [expected] and events == []


def test_low_confidence_rephrase_once_then_a_person(db, domain):
    messages, events = run_action(ActionRephrase(), make_tracker("blaha", "nlu_fallback"), domain)
    assert responses(messages) == ["utter_rephrase"] and events == []
    second = make_tracker("blaha igen", "nlu_fallback", previous_intents=("nlu_fallback",))
    messages, events = run_action(ActionRephrase(), second, domain)
    assert responses(messages) == ["utter_handoff_not_understood"]
    assert events[-1]["event"] == "pause"
    with session_scope() as session:
        assert session.exec(select(Handoff)).one().conversation_id == "chat-test-sender"


def test_rephrase_offers_the_five_requests_as_buttons(domain):
    for variant in domain["responses"]["utter_rephrase"]:
        payloads = [b["payload"] for b in variant["buttons"]]
        assert payloads == [
            "/request_access",
            "/request_rectification",
            "/request_erasure",
            "/request_consent_withdrawal",
            "/request_complaint",
        ]


def test_received_before_d1(db, domain):
    _, opened = open_case(domain, at=datetime.now(UTC) - timedelta(minutes=5))
    case = stored(opened["case_reference"])
    assert case.received_at < datetime.now(UTC) - timedelta(minutes=4)
