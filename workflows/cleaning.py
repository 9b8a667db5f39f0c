"""Cleaning a message before classification: quoted replies and signatures go, the subject counts.

The same function serves ``privacydesk classify`` and the mail gateway, so what is measured is what
runs. The full text is always kept on the case; only the classifier sees the cleaned one.
"""

from __future__ import annotations

import re

# Lines that start the quoted earlier message in common mail clients (Swedish and English).
_QUOTE_HEADERS = re.compile(
    r"""^\s*(
        On\s.{0,200}\swrote:\s*$
      | Den\s.{0,200}\sskrev\s?.{0,80}:\s*$
      | -{2,}\s*(Original\s+Message|Ursprungligt\s+meddelande
                |Forwarded\s+message|Vidarebefordrat\s+meddelande)\s*-{2,}
      | (From|Från):\s.+$
      | _{10,}\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# RFC 3676 §4.3 signature separator, and phone-client footers.
_SIGNATURE = re.compile(r"^(--\s?|Skickat från min \w+|Sent from my \w+.*)$", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*((re|sv|aw|vs|fw|fwd|vb)\s*:\s*)+", re.IGNORECASE)
_CASE_TAG = re.compile(r"\[DSR-\d{4}-\d{6}\]")


def strip_quotes_and_signature(body: str) -> str:
    kept: list[str] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        if _QUOTE_HEADERS.match(line) or _SIGNATURE.match(line.rstrip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def clean_subject(subject: str | None) -> str:
    if not subject:
        return ""
    return _CASE_TAG.sub("", _REPLY_PREFIX.sub("", subject)).strip()


def text_for_classification(body: str, subject: str | None = None) -> str:
    """The subject (without Re:/SV: and case tags) and the body without quotes and signature."""
    cleaned = strip_quotes_and_signature(body)
    head = clean_subject(subject)
    if head and head.lower() not in cleaned.lower():
        cleaned = f"{head}. {cleaned}" if cleaned else head
    # One line: Rasa's REST channel and the classifier both take plain text.
    return " ".join(cleaned.split())
