"""E-mail is not chat: the pre-filled request form is attached to the reply, not linked (issue #5)."""

from __future__ import annotations

import re
import zlib

from mail_gateway.conversation import _attach_request_form, _form_requested
from tests.workflows.factories import at, make_case
from workflows.db import session_scope
from workflows.models import Channel, OutboxMessage
from workflows.settings import Settings


def test_the_bots_form_payload_is_recognised() -> None:
    form = {"custom": {"attachment": {"kind": "request_form", "reference": "DSR-2025-000001"}}}
    assert _form_requested([{"text": "Tack!"}, form])
    assert not _form_requested([{"text": "Tack!"}, {"custom": {"something": "else"}}])


def test_the_form_is_attached_as_a_pdf_without_personal_data(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        case = make_case(session, settings, at(2025, 3, 5), channel=Channel.email)
        reply = OutboxMessage(
            dedupe_key="k",
            kind="reply",
            to_address="kund@example.se",
            subject="Re: x",
            body_text="Hej",
            message_id="<m@x>",
        )
        _attach_request_form(session, reply, case.reference, settings)
    assert (reply.attachment_name, reply.attachment_type) == (f"{case.reference}.pdf", "application/pdf")
    assert reply.attachment_data is not None and reply.attachment_data.startswith(b"%PDF")
    content = _pdf_text(reply.attachment_data)
    assert case.reference.encode() in content  # the streams were really read
    assert b"Maja" not in content and b"9876" not in content


def _pdf_text(pdf: bytes) -> bytes:
    """The PDF's content streams, inflated (fpdf2 compresses them)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL)
    return b"".join(zlib.decompress(s) if s[:1] == b"x" else s for s in streams)
