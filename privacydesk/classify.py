"""``privacydesk classify``: JSON lines in, one classification per line out, in order.

It uses the trained model through a Rasa server it starts itself (or one given by --rasa-url), so
the start takes a while and each message then takes milliseconds.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import httpx

from privacydesk import services, training
from workflows.cleaning import automatic_subject, text_for_classification
from workflows.models import RequestType

LABELS = {f"request_{kind.value}": kind.value for kind in RequestType}


@dataclass(frozen=True)
class Classification:
    request_type: str
    confidence: float
    language: str
    # Set when a rule, not the model, decided the type (the model's own reading stays in `model_type`).
    rule: str | None = None
    model_type: str | None = None


def interpret(parse: dict[str, Any]) -> Classification:
    """Map Rasa's parse result to a request type; every non-request intent is `other`."""
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    top = ranking[0] if ranking else parse.get("intent") or {}
    language = next((e["value"] for e in parse.get("entities") or [] if e.get("entity") == "language"), "sv")
    return Classification(
        request_type=LABELS.get(str(top.get("name")), "other"),
        confidence=round(float(top.get("confidence") or 0.0), 4),
        language=language if language in ("sv", "en") else "sv",
    )


class Classifier:
    """Parses texts with a running Rasa server."""

    def __init__(self, rasa_url: str) -> None:
        self._client = httpx.Client(base_url=rasa_url, timeout=60)

    def classify(self, text: str, subject: str | None = None) -> Classification:
        cleaned = text_for_classification(text, subject)
        response = self._client.post("/model/parse", json={"text": cleaned})
        response.raise_for_status()
        result = interpret(response.json())
        if automatic_subject(subject) and result.request_type != "other":
            # The gateway never gives such mail to the bot (mail_gateway/loop_guard.py): no case opens.
            return replace(
                result,
                request_type="other",
                confidence=1.0,  # decided by the rule, not estimated
                rule="automatic subject",
                model_type=result.request_type,
            )
        return result

    def close(self) -> None:
        self._client.close()


@contextmanager
def parsing_server(model: Path) -> Iterator[tuple[str, services.Service]]:
    """A Rasa server of our own on a free port, just for parsing (no action server needed).

    Yields its URL and the service (the NLU benchmark measures the process's memory)."""
    stack = services.Stack()
    with tempfile.TemporaryDirectory(prefix="privacydesk-parse-") as tmp:
        port = services.free_port()
        service = services.rasa_service(
            model,
            port=port,
            action_url="http://127.0.0.1:9/webhook",
            tracker_db=Path(tmp) / "tracker.db",
            log=Path(tmp) / "rasa.log",
        )
        print("==> starting a Rasa server for classification", file=sys.stderr, flush=True)
        stack.start(service)
        try:
            yield f"http://127.0.0.1:{port}", service
        finally:
            stack.stop()


def run(lines: Iterable[str], out: IO[str], rasa_url: str | None) -> int:
    """Classify each JSON line; a bad line gets an `error` line in its place. Returns the exit status."""
    if rasa_url:
        return _classify_all(lines, out, Classifier(rasa_url))
    with parsing_server(training.train()) as (url, _service):
        return _classify_all(lines, out, Classifier(url))


def _classify_all(lines: Iterable[str], out: IO[str], classifier: Classifier) -> int:
    failures = 0
    try:
        for number, item in _items(lines):
            if isinstance(item, str):
                failures += 1
                print(f"line {number}: {item}", file=sys.stderr)
                out.write(json.dumps({"id": None, "error": item}) + "\n")
                continue
            result = classifier.classify(item["text"], item.get("subject"))
            out.write(json.dumps({"id": item["id"], **result.__dict__}, ensure_ascii=False) + "\n")
            out.flush()
    finally:
        classifier.close()
    return 1 if failures else 0


def _items(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, f"not JSON: {error.msg}"
            continue
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or "id" not in item:
            yield number, 'expected an object with "id" and a string "text"'
            continue
        if item.get("subject") is not None and not isinstance(item["subject"], str):
            yield number, '"subject" must be a string'
            continue
        yield number, item
