"""The console: the customers' chat page, its API, and the staff's case list.

The chat API passes messages to Rasa's REST channel; the page never talks to Rasa directly, so what
reaches the bot is checked here first (length, control characters) and the answer is always plain text.
"""

from __future__ import annotations

import hmac
import re
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, Field

from console import staff
from workflows import audit, deadlines
from workflows.cases import CaseError, get_case
from workflows.db import session_scope
from workflows.handoff import resolve_handoff
from workflows.mailbox import agent_answer
from workflows.models import Channel, Handoff
from workflows.request_form import request_form_pdf
from workflows.settings import Settings, get_settings
from workflows.transcript import record_chat_turn
from workflows.types import utcnow

STATIC = Path(__file__).resolve().parent / "static"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SENDER = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class ChatIn(BaseModel):
    sender: str = Field(min_length=8, max_length=64)
    message: str = Field(min_length=1)


class ChatButton(BaseModel):
    title: str
    payload: str


class ResolveIn(BaseModel):
    agent: str = Field(min_length=1, max_length=100)


class AnswerIn(BaseModel):
    agent: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=20_000)


class ChatOut(BaseModel):
    text: str
    buttons: list[ChatButton] = []


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="PrivacyDesk console", docs_url=None, redoc_url=None)
    app.state.settings = settings

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/chat")
    def chat_page() -> FileResponse:
        return FileResponse(STATIC / "chat.html", media_type="text/html")

    @app.get("/static/{name}")
    def static(name: str) -> FileResponse:
        path = STATIC / name
        if "/" in name or not path.is_file():
            raise HTTPException(404)
        return FileResponse(path)

    @app.post("/api/chat")
    async def chat(message: ChatIn) -> list[ChatOut]:
        if not _SENDER.match(message.sender):
            raise HTTPException(422, "sender: letters, digits, - and _ only")
        text = _CONTROL.sub("", message.message).strip()
        if not text:
            raise HTTPException(422, "the message is empty")
        if len(text) > settings.chat_max_chars:
            raise HTTPException(413, f"the message is longer than {settings.chat_max_chars} characters")
        received_at = utcnow()
        answers = await _ask_rasa(settings, message.sender, text)
        # The transcript (issue #4): personnummer masked on the way in (R-F4), deleted by retention.
        with session_scope(settings.database_url) as session:
            record_chat_turn(
                session,
                conversation_id=conversation_id(message.sender),
                text=text,
                replies=[answer.text for answer in answers],
                received_at=received_at,
                answered_at=utcnow(),
            )
        return answers

    @app.get("/forms/{reference}.pdf")
    def request_form(reference: str, token: str = "") -> Response:
        """The pre-filled request form (§0), only with the case's unguessable token (else 404)."""
        with session_scope(settings.database_url) as session:
            try:
                case = get_case(session, reference)
            except CaseError:
                raise HTTPException(404) from None
            expected = (case.details or {}).get("form_token")
            if not isinstance(expected, str) or not hmac.compare_digest(expected, token):
                raise HTTPException(404)
            pdf = request_form_pdf(
                reference=case.reference,
                request_type=case.request_type.value,
                language=case.language,
                received=deadlines.receipt_date(case.received_at, settings.timezone),
                full_name=case.subject_name,
            )
        headers = {"Content-Disposition": f'inline; filename="{reference}.pdf"', "Cache-Control": "no-store"}
        return Response(pdf, media_type="application/pdf", headers=headers)

    @app.post("/api/handoffs/{handoff_id}/resolve")
    async def resolve(handoff_id: int, body: ResolveIn) -> dict[str, Any]:
        """An agent hands the conversation back: recorded, then Rasa's own `resume` event."""
        with session_scope(settings.database_url) as session:
            try:
                handoff = resolve_handoff(session, handoff_id, agent=body.agent)
            except LookupError:
                raise HTTPException(404, f"no hand-off {handoff_id}") from None
            conversation = handoff.conversation_id
        try:
            async with httpx.AsyncClient(base_url=settings.rasa_url, timeout=30) as client:
                response = await client.post(
                    f"/conversations/{conversation}/tracker/events", json=[{"event": "resume"}]
                )
                response.raise_for_status()
        except httpx.HTTPError as error:
            # Recorded as resolved; resolving again is a no-op that retries the resume.
            raise HTTPException(503, "resolved, but Rasa did not take the resume event; try again") from error
        return {"id": handoff_id, "conversation_id": conversation, "resumed": True}

    @app.post("/api/handoffs/{handoff_id}/answer")
    def answer(handoff_id: int, body: AnswerIn) -> dict[str, Any]:
        """An agent answers a handed-off e-mail conversation: same thread, through the outbox (issue #5)."""
        with session_scope(settings.database_url) as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is None:
                raise HTTPException(404, f"no hand-off {handoff_id}")
            if handoff.channel is not Channel.email:
                raise HTTPException(
                    409, "only e-mail conversations are answered here; chat goes through Rasa"
                )
            queued = agent_answer(session, handoff.conversation_id, body=body.text, agent=body.agent)
            audit.append(
                session,
                actor=f"agent:{body.agent}",
                action="conversation.agent_answered",
                case_reference=queued.case_reference,
                detail={"handoff": handoff_id, "outbox": queued.id},
            )
            return {"outbox_id": queued.id, "message_id": queued.message_id}

    @app.get("/", response_class=HTMLResponse)
    def cases_page(request: Request) -> str:
        return staff.render_case_list(settings)

    @app.get("/cases/{reference}", response_class=HTMLResponse)
    def case_page(reference: str) -> str:
        page = staff.render_case(settings, reference)
        if page is None:
            raise HTTPException(404, f"no case {reference}")
        return page

    return app


def conversation_id(sender: str) -> str:
    """Rasa's sender id for a chat-page visitor (kept apart from e-mail conversations)."""
    return f"chat-{sender}"


async def _ask_rasa(settings: Settings, sender: str, text: str) -> list[ChatOut]:
    payload: dict[str, Any] = {
        "sender": conversation_id(sender),
        "message": text,
        "metadata": {"channel": "chat"},
    }
    try:
        async with httpx.AsyncClient(base_url=settings.rasa_url, timeout=30) as client:
            response = await client.post("/webhooks/rest/webhook", json=payload)
            response.raise_for_status()
    except httpx.HTTPError as error:
        # A system error: the customer is told to try again, nothing they wrote is lost on our side
        # (Rasa's tracker store keeps what it received).
        raise HTTPException(503, "the assistant is not available right now; please try again") from error
    answers: list[ChatOut] = []
    for item in response.json():
        if "text" in item:
            buttons = [ChatButton(title=b["title"], payload=b["payload"]) for b in item.get("buttons") or []]
            answers.append(ChatOut(text=item["text"], buttons=buttons))
    return answers
