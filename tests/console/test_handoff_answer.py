"""An agent answers a handed-off e-mail conversation from the console: same thread, via the outbox."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from console.app import create_app
from workflows.db import session_scope
from workflows.handoff import request_handoff, resolve_handoff
from workflows.mailbox import MailConversation
from workflows.models import AuditEvent, Channel, OutboxMessage
from workflows.settings import Settings


def _handoff(settings: Settings, channel: Channel) -> int:
    with session_scope(settings.database_url) as session:
        if channel is Channel.email:
            session.add(
                MailConversation(
                    conversation_id="mail-1", customer_address="kund@example.se", subject="Radera mig"
                )
            )
        handoff = request_handoff(
            session,
            conversation_id="mail-1" if channel is Channel.email else "chat-abcdefgh",
            channel=channel,
            language="sv",
            reason="the customer asked for a person",
        )
        assert handoff.id is not None
        return handoff.id


def test_the_agents_answer_is_queued_in_the_thread_and_audited(settings: Settings) -> None:
    handoff = _handoff(settings, Channel.email)
    client = TestClient(create_app(settings))
    response = client.post(
        f"/api/handoffs/{handoff}/answer", json={"agent": "anna", "text": "Hej! Jag hjälper dig."}
    )
    assert response.status_code == 200, response.text
    again = client.post(
        f"/api/handoffs/{handoff}/answer", json={"agent": "anna", "text": "Hej! Jag hjälper dig."}
    )
    assert again.json()["outbox_id"] == response.json()["outbox_id"]  # idempotent
    with session_scope(settings.database_url) as session:
        [queued] = session.exec(select(OutboxMessage)).all()
        actions = [e.action for e in session.exec(select(AuditEvent))]
    assert (queued.to_address, queued.subject, queued.body_text) == (
        "kund@example.se",
        "Re: Radera mig",
        "Hej! Jag hjälper dig.",
    )
    assert "conversation.agent_answered" in actions


def test_chat_hand_offs_and_unknown_ones_are_refused(settings: Settings) -> None:
    chat = _handoff(settings, Channel.chat)
    client = TestClient(create_app(settings))
    assert client.post(f"/api/handoffs/{chat}/answer", json={"agent": "a", "text": "x"}).status_code == 409
    assert client.post("/api/handoffs/999/answer", json={"agent": "a", "text": "x"}).status_code == 404
    assert client.post(f"/api/handoffs/{chat}/answer", json={"agent": "a", "text": ""}).status_code == 422


def test_the_staff_page_lists_conversations_waiting_for_a_person(settings: Settings) -> None:
    email, chat = _handoff(settings, Channel.email), _handoff(settings, Channel.chat)
    client = TestClient(create_app(settings))
    page = client.get("/").text
    assert "Waiting for a person (2)" in page
    assert f'<button class="resolve" data-handoff="{chat}">' in page
    # Only e-mail hand-offs get an answer form; chat goes back through the bot.
    assert f'<form class="answer" data-handoff="{email}">' in page
    assert f'<form class="answer" data-handoff="{chat}">' not in page
    with session_scope(settings.database_url) as session:
        resolve_handoff(session, email, agent="anna")
        resolve_handoff(session, chat, agent="anna")
    assert "Waiting for a person" not in client.get("/").text
