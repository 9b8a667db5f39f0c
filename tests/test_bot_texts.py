"""Every bot text exists in Swedish and English and is used (issue #3).

`privacydesk validate` lets through Rasa's warning for responses used only by custom actions; this test
is the check for those instead: each response is used by a rule, a story, a form question or an action,
and has a Swedish default and an English variant.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def load(folder: str) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / folder).rglob("*.yml"))]


DOMAIN: dict[str, Any] = {"responses": {}, "forms": {}}
for part in load("bot/domain"):
    for key in DOMAIN:
        DOMAIN[key].update(part.get(key) or {})
RESPONSES: dict[str, list[dict[str, Any]]] = DOMAIN["responses"]


def _steps_actions() -> set[str]:
    names: set[str] = set()
    for folder in ("bot/rules", "bot/stories"):
        for data in load(folder):
            for block in (data.get("rules") or []) + (data.get("stories") or []):
                for step in block.get("steps", []) + block.get("condition", []):
                    if "action" in step:
                        names.add(step["action"])
    return names


def _used_by_actions() -> tuple[set[str], set[str]]:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "actions").glob("*.py"))
    literal = set(re.findall(r"[\"'](utter_\w+)[\"']", source))
    prefixes = set(re.findall(r"f[\"'](utter_\w*?)\{", source))
    return literal, prefixes


def _used(name: str) -> bool:
    literal, prefixes = _used_by_actions()
    if name in _steps_actions() or name in literal or any(name.startswith(p) for p in prefixes):
        return True
    # Rasa's action_default_fallback sends utter_default.
    if name == "utter_default":
        return True
    return any(
        name == f"utter_ask_{form}_{slot}"
        for form, spec in DOMAIN["forms"].items()
        for slot in spec["required_slots"]
    )


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_response_exists_in_swedish_and_english(name: str) -> None:
    variants = RESPONSES[name]
    conditions = [{(c["name"], c["value"]) for c in v.get("condition", [])} for v in variants]
    assert any(not c for c in conditions), f"{name}: no Swedish default (a variant without condition)"
    assert any(("language", "en") in c for c in conditions), f"{name}: no English variant"
    for variant in variants:
        assert variant.get("text", "").strip(), f"{name}: empty text"


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_response_is_used(name: str) -> None:
    assert _used(name), f"{name} is used by no rule, story, form or action"


def test_every_response_an_action_sends_exists() -> None:
    literal, prefixes = _used_by_actions()
    assert literal - set(RESPONSES) == set()
    for prefix in prefixes:
        assert any(n.startswith(prefix) for n in RESPONSES), prefix


def test_every_form_question_has_an_email_checklist_variant() -> None:
    for form, spec in DOMAIN["forms"].items():
        for slot in spec["required_slots"]:
            variants = RESPONSES[f"utter_ask_{form}_{slot}"]
            email = [
                v
                for v in variants
                if {"name": "channel", "value": "email", "type": "slot"} in v.get("condition", [])
            ]
            assert email and email[0]["text"] == "{intake_checklist}", slot
            # Exactly one variant matches a conversation: English chat is conditioned on the chat channel.
            english = [v for v in variants if any(c["name"] == "language" for c in v.get("condition", []))]
            assert all(
                {"type": "slot", "name": "channel", "value": "chat"} in v["condition"] for v in english
            )


def test_the_imy_pointer_is_complete() -> None:
    """§5 / Art 77, 79: name, formerly Datainspektionen, postal address, web page, and court."""
    for variant in RESPONSES["utter_next_complaint"]:
        text = variant["text"]
        for part in (
            "Integritetsskyddsmyndigheten",
            "IMY",
            "Datainspektionen",
            "Box 8114",
            "104 20 Stockholm",
            "www.imy.se",
        ):
            assert part in text
        assert ("domstol" in text) or ("court" in text)
