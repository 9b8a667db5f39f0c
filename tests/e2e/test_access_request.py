"""Issue #2 point 5 and issue #3: requests end to end, through the real Rasa server and action server.

R-T6: the case reference, R and D1 come in the first answer; the details follow.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from tests.e2e.conftest import RunningStack
from workflows import deadlines
from workflows.db import session_scope
from workflows.i18n import format_date
from workflows.models import Case, CaseStatus, Handoff

pytestmark = pytest.mark.rasa
REFERENCE = re.compile(r"DSR-\d{4}-\d{6}")


def say(stack: RunningStack, sender: str, text: str, metadata: dict | None = None) -> str:
    payload: dict = {"sender": sender, "message": text}
    if metadata:
        payload["metadata"] = metadata
    response = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=payload, timeout=60)
    response.raise_for_status()
    return "\n".join(m.get("text", "") for m in response.json())


def stored_case(stack: RunningStack, reference: str) -> Case:
    with session_scope(stack.database_url) as session:
        return session.exec(select(Case).where(Case.reference == reference)).one()


SV = [
    ("Maja Lindgren", "personnummer"),
    ("811218-9877", "kontrollsiffran"),  # a wrong check digit is refused with the reason, asked again
    ("811218-9876", "folkbokföringsadress"),
    ("Storgatan 12, 411 38 Göteborg", "e-postadress eller vilket telefonnummer"),
    ("maja.lindgren@example.se", "kundnummer"),
    ("vet inte", "KomTeknik Mobil AB"),
    ("KomTeknik Mobil AB", "Vilka uppgifter"),
    ("allt", "post"),
    ("post", "formulär"),
]
EN = [
    ("Maja Lindgren", "personal identity number"),
    ("811218-9877", "check digit"),
    ("811218-9876", "registered address"),
    ("Storgatan 12, 411 38 Göteborg", "e-mail address or phone number"),
    ("maja.lindgren@example.se", "customer number"),
    ("don't know", "KomTeknik Mobil AB"),
    ("KomTeknik Mobil AB", "Which information"),
    ("all", "post"),
    ("post", "form"),
]


@pytest.mark.parametrize(
    ("language", "opening", "turns", "acknowledged", "first_question"),
    [
        ("sv", "Hej, jag vill ha ett registerutdrag", SV, "ärendenummer", "Vad heter du"),
        (
            "en",
            "Hi, I would like a copy of all the personal data you hold about me",
            EN,
            "case reference",
            "full name",
        ),
    ],
)
def test_access_request_is_acknowledged_at_once_then_completed(
    stack: RunningStack, language: str, opening: str, turns: list, acknowledged: str, first_question: str
) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    before = datetime.now(UTC) - timedelta(seconds=1)
    first = say(stack, sender, opening)
    after = datetime.now(UTC) + timedelta(seconds=1)

    # R-T6: reference, R and D1 at once, before any detail.
    assert acknowledged in first and first_question in first, first
    reference = REFERENCE.search(first)
    assert reference, first
    case = stored_case(stack, reference.group())
    assert (case.request_type.value, case.channel.value, case.language) == ("access", "chat", language)
    assert case.status is CaseStatus.awaiting_identity
    assert before <= case.received_at <= after
    expected_due = deadlines.due_date(deadlines.receipt_date(case.received_at))
    assert case.due_date == expected_due
    assert format_date(expected_due, language) in first

    for text, expected in turns:
        answer = say(stack, sender, text)
        assert expected in answer, (text, answer)
    last = say(stack, sender, "ja" if language == "sv" else "yes")
    assert reference.group() in last and format_date(expected_due, language) in last, last

    case = stored_case(stack, reference.group())
    assert case.status is CaseStatus.in_progress
    assert case.subject_identity_number == "19811218-9876" and case.subject_name == "Maja Lindgren"
    assert case.subject_address == "Storgatan 12, 411 38 Göteborg"
    assert case.legal_entity == "KomTeknik Mobil AB" and case.scope == "all"

    # The pre-filled form (§0) is served only with its token.
    url = re.search(r"http://\S+/forms/\S+\.pdf\?token=\S+", last)
    assert url, last
    path = url.group().split("/forms/", 1)[1]
    pdf = httpx.get(f"{stack.console_url}/forms/{path}", timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    wrong = httpx.get(f"{stack.console_url}/forms/{reference.group()}.pdf?token=guess", timeout=30)
    assert wrong.status_code == 404


def test_details_in_the_first_message_are_not_asked_again(stack: RunningStack) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    answer = say(stack, sender, "Hej! Jag vill ha ett registerutdrag. Jag heter Maja Lindgren, 811218-9876")
    assert REFERENCE.search(answer), answer
    assert "folkbokföringsadress" in answer and "Vad heter du" not in answer


def test_why_personnummer_is_answered_and_the_form_goes_on(stack: RunningStack) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    say(stack, sender, "Hej, jag vill ha ett registerutdrag")
    say(stack, sender, "Maja Lindgren")
    answer = say(stack, sender, "Varför behöver ni mitt personnummer?")
    assert "kundregister" in answer  # the explanation
    assert "personnummer" in answer.split("kundregister", 1)[1]  # and the question again


def test_a_person_takes_over_and_hands_back(stack: RunningStack) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    reference = REFERENCE.search(say(stack, sender, "Jag vill att ni raderar mina uppgifter"))
    assert reference
    assert "handläggare" in say(stack, sender, "jag vill prata med en människa")
    assert say(stack, sender, "hallå?") == ""  # paused: the bot is silent
    with session_scope(stack.database_url) as session:
        handoff = session.exec(select(Handoff).where(Handoff.conversation_id == sender)).one()
        assert handoff.case_reference == reference.group()
    resolved = httpx.post(
        f"{stack.console_url}/api/handoffs/{handoff.id}/resolve", json={"agent": "agent-1"}, timeout=30
    )
    assert resolved.status_code == 200, resolved.text
    assert say(stack, sender, "hej") != ""  # the bot answers again
    assert stored_case(stack, reference.group()).needs_human


def test_email_asks_for_all_missing_details_in_one_message(stack: RunningStack) -> None:
    sender = f"mail-{uuid.uuid4().hex}"
    received = datetime(2026, 3, 3, 8, 15, tzinfo=UTC)
    meta = {"channel": "email", "received_at": received.isoformat()}
    first = say(stack, sender, "Hej, jag vill radera alla mina uppgifter hos er. Mvh Maja", meta)
    reference = REFERENCE.search(first)
    assert reference, first
    case = stored_case(stack, reference.group())
    assert case.channel.value == "email" and case.received_at == received
    for label in (
        "Namn:",
        "Personnummer",
        "Folkbokföringsadress",
        "Kundnummer",
        "Bekräfta att vi ska radera",
        "bokföringslagen",
    ):
        assert label in first, (label, first)
    reply = (
        "Namn: Maja Lindgren\nPersonnummer: 811218-9876\n"
        "Folkbokföringsadress: Storgatan 12, 411 38 Göteborg\n"
        "E-post eller telefon: maja.lindgren@example.se\nKundnummer: vet inte\n"
        "Bolag: KomTeknik Bredband AB\n"
        "Bekräfta att vi ska radera (ja/nej): ja\n"
    )
    last = say(stack, sender, reply, {"channel": "email", "received_at": datetime.now(UTC).isoformat()})
    assert reference.group() in last and "raderar" in last, last
    case = stored_case(stack, reference.group())
    assert case.status is CaseStatus.in_progress and case.details["confirmed"] is True


def test_low_confidence_twice_hands_over(stack: RunningStack) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    assert "annat sätt" in say(stack, sender, "/nlu_fallback")
    assert "handläggare" in say(stack, sender, "/nlu_fallback")
    with session_scope(stack.database_url) as session:
        assert session.exec(select(Handoff).where(Handoff.conversation_id == sender)).one()
