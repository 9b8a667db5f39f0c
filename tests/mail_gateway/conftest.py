"""Fixtures of the mail gateway's tests: real Dovecot and SMTP servers (marked ``imap``), messages
built in code, and a fake Rasa for the tests that are about the mail side only."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from mail_gateway.devservers import PASSWORD, USER, Dovecot, SmtpSink
from workflows.settings import Settings


def mail_settings(
    database_url: str, dovecot: Dovecot, smtp: SmtpSink | None, tmp_path: Path, **extra: Any
) -> Settings:
    return Settings(
        database_url=database_url,
        var_dir=tmp_path,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_user=USER,
        imap_password=PASSWORD,
        imap_tls="none",
        smtp_host="127.0.0.1" if smtp else None,
        smtp_port=smtp.port if smtp else 25,
        smtp_tls="none",
        mail_from="privacy@komteknik.example",
        **extra,
    )


def build_mail(
    *,
    body: str = "Hej, jag vill ha ett registerutdrag.",
    subject: str = "Registerutdrag",
    sender: str = "maja.lindgren@example.se",
    to: str = "privacy@komteknik.example",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachment: tuple[str, str, bytes] | None = None,
    html: str | None = None,
    charset: str = "utf-8",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id or make_msgid(domain="example.se")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for key, value in (headers or {}).items():
        message[key] = value
    if html is not None and not body:
        message.set_content(html, subtype="html", charset=charset)
    else:
        message.set_content(body, charset=charset)
        if html is not None:
            message.add_alternative(html, subtype="html")
    if attachment:
        name, kind, data = attachment
        maintype, subtype = kind.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
