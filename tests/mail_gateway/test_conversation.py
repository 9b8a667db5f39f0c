"""mail_gateway/conversation.py: composing the one reply (pure parts)."""

from __future__ import annotations

from mail_gateway.conversation import compose_reply, guess_language
from mail_gateway.parse import parse
from tests.mail_gateway.conftest import build_mail
from workflows.mailbox import REPLY_KIND, MailConversation


def _conversation() -> MailConversation:
    return MailConversation(
        conversation_id="mail-x", customer_address="maja@example.se", subject="Registerutdrag"
    )


def test_one_reply_with_greeting_body_signature_and_threading() -> None:
    mail = parse(
        build_mail(
            sender="Maja@Example.se",
            subject="SV: Registerutdrag",
            message_id="<two@example.se>",
            references="<one@example.se> <ours@komteknik.example>",
        )
    )
    reply = compose_reply(
        mail,
        inbound_key="<two@example.se>",
        conversation=_conversation(),
        case_reference="DSR-2026-000007",
        body_parts=["Tack!", "Ditt ärendenummer är DSR-2026-000007."],
        language="sv",
        mail_from="privacy@komteknik.example",
    )
    assert reply.subject == "Re: Registerutdrag [DSR-2026-000007]"
    assert reply.to_address == "maja@example.se"
    assert reply.in_reply_to == "<two@example.se>"
    assert reply.references == "<one@example.se> <ours@komteknik.example> <two@example.se>"
    assert reply.body_text.startswith("Hej,\n\nTack!\n\nDitt ärendenummer")
    assert "Med vänliga hälsningar" in reply.body_text
    assert reply.kind == REPLY_KIND and reply.dedupe_key == "mail-reply:<two@example.se>"
    assert reply.message_id.endswith("@komteknik.example>")


def test_english_reply_and_a_reused_message_id() -> None:
    mail = parse(build_mail(subject="", body="Hello, a copy of my data please"))
    reply = compose_reply(
        mail,
        inbound_key="<dup@example.se>#0123456789abcdef",
        conversation=MailConversation(conversation_id="c", customer_address="a@example.se"),
        case_reference=None,
        body_parts=["Thanks."],
        language="en",
        mail_from="privacy@komteknik.example",
    )
    assert reply.subject == "Re: Your request"
    assert reply.in_reply_to == "<dup@example.se>"
    assert reply.body_text.startswith("Hello,") and "Kind regards" in reply.body_text


def test_guess_language() -> None:
    assert guess_language("Hej, jag vill ha ett registerutdrag") == "sv"
    assert guess_language("Hello, I would like a copy of my data please") == "en"
    assert guess_language("") == "sv"
