"""Which e-mails must never be answered (RFC 3834 §2, loop protection). Pure.

An ignored message is still stored and kept; it is only not given to the bot and never answered. The
per-sender rate limit needs the database and lives in :mod:`mail_gateway.conversation`; this module
only decides from the message itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mail_gateway.parse import ParsedMail
from workflows.cleaning import automatic_subject

__all__ = ["Verdict", "judge"]

_NO_REPLY_LOCALPARTS = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|listserv|majordomo|owner-.*|.*-request)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Verdict:
    answer: bool
    reason: str | None = None


def judge(mail: ParsedMail, *, our_addresses: Iterable[str] = ()) -> Verdict:
    reason = _why_not(mail, {a.lower() for a in our_addresses if a})
    return Verdict(answer=reason is None, reason=reason)


def _why_not(mail: ParsedMail, ours: set[str]) -> str | None:
    auto = (mail.header("auto-submitted") or "").split(";")[0].strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"  # RFC 3834 §2: never answer an automatic message
    if mail.content_type == "multipart/report" or mail.report_type:
        return f"report ({mail.report_type or 'multipart/report'}): bounce, DSN, MDN or ARF"
    if mail.header("feedback-type"):
        return "abuse feedback report (ARF)"
    if (mail.header("return-path") or "").replace(" ", "") == "<>":
        return "null return path (a bounce)"
    if mail.header("x-failed-recipients"):
        return "bounce (X-Failed-Recipients)"
    if mail.from_address is None:
        return "no sender address to answer"
    if mail.from_address in ours:
        return "sent from our own address"
    local = mail.from_address.split("@", 1)[0]
    if _NO_REPLY_LOCALPARTS.match(local):
        return f"system sender ({local})"
    if mail.header("list-id") or mail.header("list-post") or mail.header("list-unsubscribe"):
        return "mailing list (List-*)"
    precedence = (mail.header("precedence") or "").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    if mail.header("x-autoreply") or mail.header("x-autorespond"):
        return "auto-reply (X-Autoreply)"
    suppress = (mail.header("x-auto-response-suppress") or "").lower()
    if any(word in suppress for word in ("all", "oof", "autoreply")):
        return f"X-Auto-Response-Suppress: {suppress}"
    if automatic_subject(mail.subject):
        return "auto-reply or bounce by its subject"
    return None
