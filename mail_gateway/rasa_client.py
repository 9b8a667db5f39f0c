"""Talking to the bot through Rasa's REST channel (and its HTTP API, for recovery after a crash).

Errors:

- :class:`RasaUnavailable` — a system error: Rasa cannot be reached, times out or answers 5xx. The
  message stays unprocessed in the database and is retried later; nothing is lost.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

__all__ = ["BotMessage", "RasaClient", "RasaUnavailable"]

BotMessage = dict[str, Any]


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, timing out, 5xx): retry later."""


class RasaClient:
    def __init__(self, base_url: str, *, timeout: float = 60.0) -> None:
        self._base = base_url.rstrip("/")
        self._http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[BotMessage]:
        try:
            response = self._http.post(
                f"{self._base}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata},
            )
        except httpx.HTTPError as error:
            raise RasaUnavailable(f"Rasa not reachable: {type(error).__name__}") from error
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        response.raise_for_status()
        answer = response.json()
        return [m for m in answer if isinstance(m, dict)] if isinstance(answer, list) else []

    def tracker(self, sender: str) -> dict[str, Any]:
        try:
            response = self._http.get(
                f"{self._base}/conversations/{quote(sender, safe='')}/tracker",
                params={"include_events": "AFTER_RESTART"},
            )
        except httpx.HTTPError as error:
            raise RasaUnavailable(f"Rasa not reachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        response.raise_for_status()
        data = response.json()
        return data if isinstance(data, dict) else {}

    def replay(self, sender: str, inbound_key: str) -> list[BotMessage] | None:
        """The bot's answer to the user message tagged ``inbound_key``, if Rasa already has it (a crash
        after Rasa answered and before we committed); ``None`` if the message never reached Rasa."""
        events = self.tracker(sender).get("events") or []
        answer: list[BotMessage] | None = None
        for event in events:
            kind = event.get("event")
            if kind == "user":
                if answer is not None:
                    break
                if (event.get("metadata") or {}).get("inbound_key") == inbound_key:
                    answer = []
            elif kind == "bot" and answer is not None:
                message: BotMessage = {"text": event.get("text") or ""}
                buttons = (event.get("data") or {}).get("buttons")
                if buttons:
                    message["buttons"] = buttons
                answer.append(message)
        return answer
