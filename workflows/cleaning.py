"""Cleaning a message before classification: quoted replies and signatures go, the subject counts.

The same function serves ``privacydesk classify`` and the mail gateway, so what is measured is what
runs. The full text is always kept on the case; only the classifier sees the cleaned one.
"""

from __future__ import annotations

import re

# Lines that start the quoted earlier message in common mail clients (Swedish and English).
# A Swedish client's "… skrev …:" line must carry a clock time or an address, or be followed by quoted
# "> " lines: "Den 3 mars skrev jag till er följande:" is the customer's own prose, and cutting there
# would lose the request itself.
_QUOTE_HEADERS = re.compile(
    r"""^\s*(
        On\s.{0,200}\swrote:\s*$
      | (?=.*(@|\b\d{1,2}[:.]\d{2}\b)).{0,200}\sskrev\s?.{0,80}:\s*$
      | -{2,}\s*(Original\s+Message|Ursprungligt\s+meddelande)\s*-{2,}
      | (From|Från):\s.+$
      | _{10,}\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# A forwarded message is not an earlier reply of ours: when a colleague or a relative forwards a
# customer's mail with a line or two of their own, the request is in the forwarded part.
_WROTE = re.compile(r"^\s*.{0,200}\sskrev\s?.{0,80}:\s*$", re.IGNORECASE)
_FORWARD_MARKER = re.compile(
    r"""^\s*(-{2,}\s*(Forwarded\s+message|Vidarebefordrat\s+meddelande)\s*-{2,}
      | (Begin\s+forwarded\s+message|Början\s+av\s+vidarebefordrat\s+meddelande)\s*:)\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_HEADER_FIELD = re.compile(
    r"^\s*(From|To|Cc|Date|Sent|Subject|Från|Till|Kopia|Datum|Skickat|Ämne)\s*:", re.IGNORECASE
)
# Fewer words than this above a forwarded message means the forwarder added no request of their own.
_FORWARD_NOTE_WORDS = 12
# RFC 3676 §4.3 signature separator, and phone-client footers.
_SIGNATURE = re.compile(r"^(--\s?|Skickat från min \w+|Sent from my \w+.*)$", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*((re|sv|aw|vs|fw|fwd|vb)\s*:\s*)+", re.IGNORECASE)
_CASE_TAG = re.compile(r"\[DSR-\d{4}-\d{6}\]")
# Unmarked auto-replies and bounces still announce themselves in the subject (sv and en).
_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?reply|autosvar|automatiskt svar|out of (the )?office|"
    r"frånvaro(meddelande)?|frånvarande|away until|undeliverable|undelivered mail|"
    r"delivery (status notification|failure|notification)|mail delivery failed|returned mail|"
    r"olevererbar|kunde inte levereras|read:|läst:)",
    re.IGNORECASE,
)


def strip_quotes_and_signature(body: str) -> str:
    lines = body.replace("\r\n", "\n").split("\n")
    kept = _own_text(lines)
    starts = (n for n, line in enumerate(lines) if _quote_starts(lines, n) or _FORWARD_MARKER.match(line))
    marker = next(starts, None)
    if marker is not None and _FORWARD_MARKER.match(lines[marker]):
        if len(" ".join(kept).split()) < _FORWARD_NOTE_WORDS:
            kept += _own_text([_forwarded_line(line) for line in lines[marker + 1 :]])
    return "\n".join(kept).strip()


def _quote_starts(lines: list[str], number: int) -> bool:
    line = lines[number]
    if _QUOTE_HEADERS.match(line):
        return True
    if not _WROTE.match(line):
        return False
    following = next((text for text in lines[number + 1 :] if text.strip()), "")
    return following.lstrip().startswith(">")


def _forwarded_line(line: str) -> str:
    """A forwarded message's header lines go, except its subject, which says what the mail is about."""
    field = _HEADER_FIELD.match(line)
    if not field:
        return line
    return line[field.end() :].strip() if field.group(1).lower() in ("subject", "ämne") else ""


def _own_text(lines: list[str]) -> list[str]:
    """The lines before the first quote header, forward marker or signature, without "> " lines."""
    kept: list[str] = []
    for number, line in enumerate(lines):
        if _quote_starts(lines, number) or _FORWARD_MARKER.match(line) or _SIGNATURE.match(line.rstrip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return kept


def automatic_subject(subject: str | None) -> bool:
    """An auto-reply, bounce or read receipt by its subject: never answered, never a case (RFC 3834).

    The mail gateway's loop guard keeps such mail from the bot; ``privacydesk classify`` labels it
    `other` by the same rule, so what is measured is what the gateway does with it.
    """
    return bool(subject and _AUTO_SUBJECT.match(subject))


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
