"""Reading the conversation: language, channel and the receipt time of the latest message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Tracker

from workflows.i18n import normalise_language


def language(tracker: Tracker) -> str:
    return normalise_language(tracker.get_slot("language"))


def metadata(tracker: Tracker) -> dict[str, Any]:
    meta = tracker.latest_message.get("metadata") or {}
    return meta if isinstance(meta, dict) else {}


def channel(tracker: Tracker) -> str:
    # The mail gateway marks its messages; everything else arrives through the chat.
    return "email" if metadata(tracker).get("channel") == "email" else "chat"


def latest_user_time(tracker: Tracker) -> datetime:
    """R-T1: when the latest message reached us.

    E-mail carries the server's INTERNALDATE in the metadata; for chat it is the moment Rasa received
    the message (the user event's timestamp).
    """
    stamped = metadata(tracker).get("received_at")
    if isinstance(stamped, str):
        parsed = datetime.fromisoformat(stamped)
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    for event in reversed(tracker.events):
        if event.get("event") == "user" and event.get("timestamp"):
            return datetime.fromtimestamp(float(event["timestamp"]), UTC)
    return datetime.now(UTC)
