"""Issue #2 point 5: an access request end to end, through the real Rasa server and action server."""

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
from workflows.models import Case

pytestmark = pytest.mark.rasa


def say(stack: RunningStack, sender: str, text: str) -> str:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    response.raise_for_status()
    return "\n".join(m.get("text", "") for m in response.json())


def stored_case(stack: RunningStack, reference: str) -> Case:
    with session_scope(stack.database_url) as session:
        return session.exec(select(Case).where(Case.reference == reference)).one()


@pytest.mark.parametrize(
    ("language", "opening", "name_prompt", "number_prompt", "confirmation"),
    [
        ("sv", "Hej, jag vill ha ett registerutdrag", "Vad heter du", "personnummer", "ärendenummer"),
        (
            "en",
            "Hi, I would like a copy of all the personal data you hold about me",
            "full name",
            "personal identity number",
            "case reference",
        ),
    ],
)
def test_access_request_opens_a_case_with_reference_and_d1(
    stack: RunningStack, language: str, opening: str, name_prompt: str, number_prompt: str, confirmation: str
) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    before = datetime.now(UTC) - timedelta(seconds=1)
    assert name_prompt in say(stack, sender, opening)
    assert number_prompt in say(stack, sender, "Maja Lindgren")
    # A wrong check digit is refused with the reason, and the form asks again.
    refused = say(stack, sender, "811218-9877")
    assert ("kontrollsiffran" if language == "sv" else "check digit") in refused
    answer = say(stack, sender, "811218-9876")
    after = datetime.now(UTC) + timedelta(seconds=1)

    assert confirmation in answer
    reference = re.search(r"DSR-\d{4}-\d{6}", answer)
    assert reference, answer
    case = stored_case(stack, reference.group())
    assert (case.request_type.value, case.channel.value, case.language) == ("access", "chat", language)
    assert before <= case.received_at <= after
    assert case.subject_identity_number == "19811218-9876"
    assert case.subject_name == "Maja Lindgren"
    # R-T2: D1 from the Stockholm receipt date, and the customer is told that date in their language.
    expected_due = deadlines.due_date(deadlines.receipt_date(case.received_at))
    assert case.due_date == expected_due
    assert format_date(expected_due, language) in answer


def test_details_in_the_first_message_are_not_asked_again(stack: RunningStack) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    answer = say(stack, sender, "Hej! Jag vill ha ett registerutdrag. Jag heter Maja Lindgren, 811218-9876")
    assert re.search(r"DSR-\d{4}-\d{6}", answer), answer


def test_why_personnummer_is_answered_and_the_form_goes_on(stack: RunningStack) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    say(stack, sender, "Hej, jag vill ha ett registerutdrag")
    say(stack, sender, "Maja Lindgren")
    answer = say(stack, sender, "Varför behöver ni mitt personnummer?")
    assert "kundregister" in answer  # the explanation
    assert "personnummer" in answer.split("kundregister", 1)[1]  # and the question again
