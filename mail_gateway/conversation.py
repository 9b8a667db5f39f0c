"""One stored e-mail → one turn of a conversation with the bot → one reply in the outbox.

Processing a stored message runs in three steps, each committed on its own, so a crash at any point
loses nothing and answers nothing twice:

1. :func:`prepare` (one transaction): parse, loop guard, threading, attachments, hand-off check. Ends in
   a final status (rejected, ignored, agent) or ``dispatching`` with the :class:`Turn` to send.
2. The caller sends the turn to Rasa (outside any transaction). If a crash struck after Rasa answered,
   the retry finds the answer in Rasa's tracker by ``inbound_key`` instead of sending again.
3. :func:`finish` (one transaction): case reference, attachments onto the case, the reply composed and
   enqueued (idempotent by ``dedupe_key``), status ``answered``.

Threading: In-Reply-To/References naming a message of a known thread, else a case tag
``[DSR-YYYY-NNNNNN]`` in the subject from the same sender, join the existing conversation; anything
else starts a new one. Errors of the sender (broken MIME) end as *rejected* with a reason; errors of the
system propagate to the caller, which retries.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid
from typing import Any

from sqlmodel import Session, col, select

from mail_gateway import loop_guard
from mail_gateway.parse import ParsedMail, UnusableMail, parse, sniff
from workflows import audit
from workflows.cases import get_case
from workflows.cleaning import clean_subject, strip_quotes_and_signature, text_for_classification
from workflows.deadlines import receipt_date
from workflows.mailbox import (
    REPLY_KIND,
    InboundMail,
    InboundStatus,
    MailAttachment,
    MailConversation,
    conversation_by_message_ids,
    conversation_for_case,
    has_open_handoff,
    latest_case_reference,
    link_message,
    replies_since,
)
from workflows.models import Case, OutboxMessage
from workflows.outbox import enqueue
from workflows.request_form import request_form_pdf
from workflows.settings import Settings
from workflows.types import utcnow

__all__ = ["Turn", "compose_reply", "finish", "prepare"]

log = logging.getLogger(__name__)

CASE_TAG = re.compile(r"\[(DSR-\d{4}-\d{6})\]")
CASE_FILE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
# What the bot may be sent at most (Rasa's REST channel is for text; the full text stays stored).
MAX_BOT_CHARS = 5000


@dataclass(frozen=True)
class Turn:
    inbound_id: int
    inbound_key: str
    conversation_id: str
    text: str
    metadata: dict[str, Any]
    retry: bool  # an earlier attempt may have reached Rasa: look in its tracker first
    mail: ParsedMail


def prepare(session: Session, inbound_id: int, settings: Settings) -> Turn | None:
    """Step 1. Returns the turn for the bot, or ``None`` when the message is done (or was already)."""
    inbound = session.get(InboundMail, inbound_id)
    if inbound is None or inbound.status not in (InboundStatus.pending, InboundStatus.dispatching):
        return None
    retry = inbound.status is InboundStatus.dispatching
    try:
        mail = parse(inbound.raw)
    except UnusableMail as error:
        _finish_as(inbound, InboundStatus.rejected, error.reason)
        session.add(inbound)
        log.info("mail %s rejected: %s", inbound.id, error.reason)
        return None
    inbound.from_address = mail.from_address
    inbound.subject = mail.subject[:500]
    inbound.body_text = mail.text
    if not retry:
        _store_attachments(session, inbound, mail, settings)

    verdict = loop_guard.judge(mail, our_addresses=_our_addresses(settings))
    if not verdict.answer:
        _finish_as(inbound, InboundStatus.ignored, verdict.reason)
        session.add(inbound)
        log.info("mail %s stored, not answered: %s", inbound.id, verdict.reason)  # RFC 3834
        return None

    assert mail.from_address is not None  # the loop guard refuses mail without a sender
    conversation, is_new = _thread(session, inbound, mail)
    inbound.conversation_id = conversation.conversation_id
    if has_open_handoff(session, conversation.conversation_id):
        # A person has the conversation: the mail waits in the agent's queue, the bot stays silent.
        _finish_as(inbound, InboundStatus.agent, "conversation handed to an agent")
        inbound.case_reference = latest_case_reference(session, conversation.conversation_id)
        session.add(inbound)
        log.info("mail %s to the agent queue (conversation %s)", inbound.id, conversation.conversation_id)
        return None

    inbound.status = InboundStatus.dispatching
    session.add(inbound)
    # A new thread is classified with its subject; in a thread the subject is only the old topic.
    body = mail.text
    text = (
        text_for_classification(body, mail.subject)
        if is_new
        else " ".join(strip_quotes_and_signature(body).split()) or clean_subject(mail.subject)
    )
    if not text and mail.attachments:
        text = "(bifogad fil)" if conversation.language != "en" else "(attached file)"
    return Turn(
        inbound_id=inbound_id,
        inbound_key=inbound.message_id,
        conversation_id=conversation.conversation_id,
        text=text[:MAX_BOT_CHARS],
        metadata={
            "channel": "email",
            # R-T1: the server's receipt time (INTERNALDATE), not the time we fetched the message.
            "received_at": inbound.internal_date.isoformat(),
            "inbound_key": inbound.message_id,
            "subject": clean_subject(mail.subject)[:200],
        },
        retry=retry,
        mail=mail,
    )


def finish(session: Session, turn: Turn, bot_messages: list[dict[str, Any]], settings: Settings) -> None:
    """Step 3: the bot's messages become one reply in the outbox, in the same transaction as the status."""
    inbound = session.get(InboundMail, turn.inbound_id)
    if inbound is None or inbound.status is not InboundStatus.dispatching:
        return
    mail = turn.mail
    conversation = session.get(MailConversation, turn.conversation_id)
    assert conversation is not None
    reference = latest_case_reference(session, turn.conversation_id)
    texts = [str(m.get("text") or "").strip() for m in bot_messages]
    language = conversation.language or guess_language(" ".join(texts) or mail.text)
    conversation.language = language
    if reference:
        # Waiting attachments can only be new when the case is new to the conversation or this mail
        # brought some: the look-up is skipped on every other turn (the backlog benchmark, issue #5).
        if reference != conversation.case_reference or mail.attachments:
            _attach_to_case(session, turn.conversation_id, reference)
        conversation.case_reference = reference
        inbound.case_reference = reference
    session.add(conversation)

    rendered = [_render(m, language) for m in bot_messages]
    rendered = [r for r in rendered if r]
    if not rendered and has_open_handoff(session, turn.conversation_id):
        # Handed over by an earlier message of the same backlog after this one was prepared: the bot
        # kept silent (the conversation is paused), so the mail is the agent's.
        _finish_as(inbound, InboundStatus.agent, "conversation handed to an agent")
    elif not rendered:
        _finish_as(inbound, InboundStatus.silent, "the bot had nothing to say")
    elif (recent := _replies_last_hour(session, inbound)) >= settings.mail_replies_per_hour:
        # Loop protection: a correspondent we already answered that often this hour gets no more.
        _finish_as(inbound, InboundStatus.silent, f"rate limit: {recent} replies in the last hour")
        log.warning("mail %s not answered: per-sender rate limit reached", inbound.id)
    else:
        reply = compose_reply(
            mail,
            inbound_key=inbound.message_id,
            conversation=conversation,
            case_reference=reference,
            body_parts=rendered,
            language=language,
            mail_from=settings.mail_from or "privacy@localhost",
        )
        if reference and _form_requested(bot_messages):
            _attach_request_form(session, reply, reference, settings)
        stored = enqueue(session, reply)
        link_message(session, stored.message_id, turn.conversation_id, "out")
        inbound.reply_outbox_id = stored.id
        _finish_as(inbound, InboundStatus.answered, None)
    session.add(inbound)


def _replies_last_hour(session: Session, inbound: InboundMail) -> int:
    return replies_since(session, inbound.from_address or "", utcnow() - timedelta(hours=1))


def _form_requested(bot_messages: list[dict[str, Any]]) -> bool:
    """The bot asks for the pre-filled request form with a custom payload (actions/intake.py)."""
    for message in bot_messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and (custom.get("attachment") or {}).get("kind") == "request_form":
            return True
    return False


def _attach_request_form(session: Session, reply: OutboxMessage, reference: str, settings: Settings) -> None:
    """E-mail is not chat: the form is attached, not linked (issue #5). It carries the case reference and
    no personal data at all (§0: nothing from the register in an e-mail; the customer fills it in)."""
    case = get_case(session, reference)
    reply.attachment_name = f"{reference}.pdf"
    reply.attachment_type = "application/pdf"
    reply.attachment_data = request_form_pdf(
        reference=reference,
        request_type=case.request_type.value,
        language=case.language,
        received=receipt_date(case.received_at, settings.timezone),
    )


def compose_reply(
    mail: ParsedMail,
    *,
    inbound_key: str,
    conversation: MailConversation,
    case_reference: str | None,
    body_parts: list[str],
    language: str,
    mail_from: str,
) -> OutboxMessage:
    """One e-mail from all of the bot's messages: greeting, body, signature, in the customer's language.
    Pure: builds the row, stores nothing."""
    original = clean_subject(mail.subject) or conversation.subject or _TEXT[language]["subject"]
    subject = f"Re: {original}" + (f" [{case_reference}]" if case_reference else "")
    domain = mail_from.rsplit("@", 1)[-1] if "@" in mail_from else "privacydesk.invalid"
    message_id = make_msgid(domain=domain)
    in_reply_to = inbound_key.split("#", 1)[0] if inbound_key.startswith("<") else None
    references = [*mail.references[-9:], *([in_reply_to] if in_reply_to else [])]
    text = _TEXT[language]
    body = "\n\n".join([text["greeting"], *body_parts, text["signature"]])
    return OutboxMessage(
        dedupe_key=f"mail-reply:{inbound_key}",
        kind=REPLY_KIND,
        case_reference=case_reference,
        to_address=mail.from_address or "",
        subject=subject,
        body_text=body + "\n",
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=" ".join(dict.fromkeys(references)) or None,
    )


_TEXT = {
    "sv": {
        "greeting": "Hej,",
        "signature": (
            "Med vänliga hälsningar\nKomTeknik Gruppen – dataskydd\n\n"
            "Detta är ett automatiskt svar. Svara på det här meddelandet för att fortsätta ärendet."
        ),
        "subject": "Din begäran",
        "choices": "Svara med något av följande:",
    },
    "en": {
        "greeting": "Hello,",
        "signature": (
            "Kind regards\nKomTeknik Gruppen – data protection\n\n"
            "This is an automatic reply. Reply to this message to continue your request."
        ),
        "subject": "Your request",
        "choices": "Reply with one of the following:",
    },
}
_SWEDISH = re.compile(r"[åäöÅÄÖ]|\b(och|jag|är|det|inte|vill|ärende|hej|tack|mitt|min|om)\b", re.IGNORECASE)
_ENGLISH = re.compile(r"\b(the|and|you|your|my|is|are|please|would|request|hello|thank)\b", re.IGNORECASE)


def guess_language(text: str) -> str:
    """sv or en (Swedish first, like the bot: anything not clearly English is answered in Swedish)."""
    return "en" if len(_ENGLISH.findall(text)) > len(_SWEDISH.findall(text)) else "sv"


def _render(message: dict[str, Any], language: str) -> str:
    text = str(message.get("text") or "").strip()
    buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict) and b.get("title")]
    if buttons:
        # E-mail has no buttons: the choices become lines to write back.
        choices = "\n".join(f"  • {b['title']}" for b in buttons)
        text = f"{text}\n\n{_TEXT[language]['choices']}\n{choices}".strip()
    return text


def _finish_as(inbound: InboundMail, status: InboundStatus, reason: str | None) -> None:
    inbound.status = status
    inbound.reason = reason[:500] if reason else None
    inbound.processed_at = utcnow()


def _our_addresses(settings: Settings) -> list[str]:
    return [a for a in (settings.mail_from, settings.imap_user, settings.smtp_user) if a and "@" in a]


def _thread(session: Session, inbound: InboundMail, mail: ParsedMail) -> tuple[MailConversation, bool]:
    """The conversation this e-mail belongs to, created when it starts a new thread."""
    assert mail.from_address is not None
    found: MailConversation | None = None
    known = conversation_by_message_ids(session, mail.thread_ids)
    if known:
        found = session.get(MailConversation, known)
    if found is None:
        tag = CASE_TAG.search(mail.subject)
        by_case = conversation_for_case(session, tag.group(1)) if tag else None
        # A case tag alone joins the thread only from the address the thread is with: a reference is
        # easy to copy, and an e-mail address is the least we can hold on to (never an identity, §0).
        if by_case and by_case.customer_address == mail.from_address:
            found = by_case
    is_new = found is None
    if found is None:
        digest = hashlib.sha256(inbound.message_id.encode()).hexdigest()[:24]
        found = session.get(MailConversation, f"mail-{digest}") or MailConversation(
            conversation_id=f"mail-{digest}",
            customer_address=mail.from_address,
            subject=clean_subject(mail.subject)[:300],
        )
        session.add(found)
        session.flush()
    link_message(session, inbound.message_id, found.conversation_id, "in")
    return found, is_new


def _store_attachments(session: Session, inbound: InboundMail, mail: ParsedMail, settings: Settings) -> None:
    assert inbound.id is not None
    for attachment in mail.attachments:
        detected = sniff(attachment.data)  # never opened: the first bytes only
        size = len(attachment.data)
        if detected not in CASE_FILE_TYPES:
            disposition, reason = "kept", "not a PDF, JPEG or PNG: kept unopened"
        elif size > settings.mail_attachment_max_bytes:
            disposition, reason = "kept", f"larger than {settings.mail_attachment_max_bytes} bytes"
        else:
            disposition, reason = "case", None
        session.add(
            MailAttachment(
                inbound_id=inbound.id,
                filename=(attachment.filename or "")[:200] or None,
                declared_type=attachment.content_type[:100],
                detected_type=detected,
                size=size,
                sha256=hashlib.sha256(attachment.data).hexdigest(),
                disposition=disposition,
                reason=reason,
                data=attachment.data,
            )
        )


def _attach_to_case(session: Session, conversation_id: str, reference: str) -> None:
    """Attachments of this conversation that wait for a case go onto it (§0: the signed request)."""
    waiting = list(
        session.exec(
            select(MailAttachment)
            .join(InboundMail, col(InboundMail.id) == col(MailAttachment.inbound_id))
            .where(InboundMail.conversation_id == conversation_id)
            .where(col(MailAttachment.case_reference).is_(None))
            .where(MailAttachment.disposition == "case")
        )
    )
    if not waiting:
        return
    for attachment in waiting:
        attachment.case_reference = reference
        session.add(attachment)
    case = session.exec(select(Case).where(Case.reference == reference)).first()
    if case is not None and case.signed_request == "requested":
        # §0: recorded as arrived; whether it is the signed request is for a person to check.
        case.signed_request = "received"
        session.add(case)
    audit.append(
        session,
        actor="mail-gateway",
        action="case.attachment_received",
        case_reference=reference,
        detail={"files": [a.detected_type for a in waiting], "count": len(waiting)},
    )
