"""The `privacydesk classify` contract (issue #2 point 6), against the real trained model."""

from __future__ import annotations

import json
import subprocess

import pytest

from privacydesk import paths
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.rasa


def classify(lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(paths.VENV_BIN / "privacydesk"), "classify", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_classify_writes_one_line_per_input_in_order(stack: RunningStack) -> None:
    items = [
        {"id": "a", "text": "Hej, jag vill ha ett registerutdrag"},
        {"id": 2, "text": "Please delete my account and all the data you have about me"},
        {"id": "c", "text": "Mitt internet är jättelångsamt sedan i måndags", "subject": "Trög uppkoppling"},
    ]
    result = classify([json.dumps(i) for i in items], "--rasa-url", stack.rasa_url)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 2, "c"]
    assert [o["request_type"] for o in out] == ["access", "erasure", "other"]
    assert [o["language"] for o in out] == ["sv", "en", "sv"]
    assert all(0.0 < o["confidence"] <= 1.0 for o in out)


def test_an_auto_reply_by_its_subject_is_other_as_the_gateway_treats_it(stack: RunningStack) -> None:
    """An out-of-office that repeats a request's words never reaches the bot (loop guard): no case."""
    item = {
        "id": "ooo",
        "subject": "Automatiskt svar: Radera mina personuppgifter",
        "text": "Jag vill att ni raderar alla mina personuppgifter. Jag är tillbaka den 12 januari.",
    }
    result = classify([json.dumps(item)], "--rasa-url", stack.rasa_url)
    out = json.loads(result.stdout)
    assert (out["request_type"], out["confidence"], out["rule"]) == ("other", 1.0, "automatic subject")
    assert out["model_type"] == "erasure"  # what the model alone read, kept for the trainer
    plain = classify(
        [json.dumps({**item, "subject": "Radera mina personuppgifter"})], "--rasa-url", stack.rasa_url
    )
    assert (json.loads(plain.stdout)["request_type"], json.loads(plain.stdout)["rule"]) == ("erasure", None)


def test_bad_lines_get_an_error_in_place_and_a_failing_status(stack: RunningStack) -> None:
    result = classify(
        ['{"id": 1, "text": "radera mig"}', "not json", '{"text": "no id"}'], "--rasa-url", stack.rasa_url
    )
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1
    assert out[0]["request_type"] == "erasure"
    assert "error" in out[1] and "error" in out[2]


def test_classify_starts_and_stops_its_own_rasa() -> None:
    result = classify(['{"id": "x", "text": "I want to withdraw my consent to marketing e-mails"}'])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["request_type"] == "consent_withdrawal"
