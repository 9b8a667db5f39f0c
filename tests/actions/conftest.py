"""Action tests: real actions, a `Tracker.from_dict`, a fresh CollectingDispatcher, SQLite via `settings`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from workflows.db import get_engine
from workflows.settings import Settings

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"


@pytest.fixture
def db(settings: Settings) -> Iterator[Settings]:
    # session_scope() without a URL caches its engine; each test has its own database.
    get_engine.cache_clear()
    yield settings
    get_engine.cache_clear()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    merged: dict[str, Any] = {"responses": {}, "slots": {}, "forms": {}}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in merged:
            merged[key].update(data.get(key) or {})
    return merged


def make_tracker(
    text: str,
    intent: str,
    *,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    metadata: dict[str, Any] | None = None,
    previous_intents: tuple[str, ...] = (),
    last_action: str = "action_listen",
    at: datetime | None = None,
    sender: str = "chat-test-sender",
) -> Tracker:
    stamp = (at or datetime.now(UTC)).timestamp()
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [],
        "metadata": metadata or {},
    }
    events: list[dict[str, Any]] = []
    for earlier in previous_intents:
        events += [
            {
                "event": "user",
                "timestamp": stamp - 10,
                "text": "…",
                "parse_data": {"intent": {"name": earlier}},
            },
            {"event": "action", "name": "action_rephrase"},
            {"event": "action", "name": "action_listen"},
        ]
    if last_action == "action_listen":
        events += [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "timestamp": stamp, "text": text, "parse_data": parse},
        ]
    else:
        events += [
            {"event": "user", "timestamp": stamp, "text": text, "parse_data": parse},
            {"event": "action", "name": last_action},
        ]
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {"language": "sv", "channel": "chat", **(slots or {})},
            "latest_message": parse,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": last_action,
        }
    )


def run_action(
    action: Action, tracker: Tracker, domain: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return dispatcher.messages, events


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") for m in messages]
