"""Bytes of one e-mail → :class:`ParsedMail`, a frozen dataclass. Pure: no I/O, no logging, no database.

Parsing uses the standard library's ``email`` package with ``policy.default`` and is deliberately
forgiving: broken MIME (missing boundaries, lying content types, raw 8-bit headers, unknown charsets)
still yields whatever text can be recovered, with the defects listed. Attachments are never opened:
their bytes are carried as they are, and only their first bytes are compared with the PDF/JPEG/PNG
signatures (:func:`sniff`).

Errors (the exception tree):

- :class:`UnusableMail` — a sender error: the message holds nothing we could act on (no text and no
  attachment, or bytes the parser cannot read at all). The caller stores it as *rejected* with
  ``reason`` and moves on; it never blocks the messages behind it.

Nothing else is raised for any input; a bug of ours (any other exception) is a system error the caller
logs and retries.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import TypeVar

__all__ = ["Attachment", "ParsedMail", "UnusableMail", "html_to_text", "parse", "sniff"]


class UnusableMail(ValueError):
    """Nothing in the message can be acted on; ``reason`` says why (logged, stored as rejected)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Attachment:
    filename: str | None
    content_type: str  # as declared by the sender (not trusted)
    data: bytes

    @property
    def detected_type(self) -> str | None:
        return sniff(self.data)


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None
    from_address: str | None  # lower-cased addr-spec
    from_name: str | None
    to_addresses: tuple[str, ...]
    subject: str
    date: datetime | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    text: str  # the body as text (text/plain, else HTML converted to text); quotes kept
    attachments: tuple[Attachment, ...]
    content_type: str  # of the whole message, lower-case
    report_type: str | None  # multipart/report; report-type=…
    # Headers that decide whether a message may be answered (RFC 3834), lower-case names.
    auto_headers: tuple[tuple[str, str], ...]
    defects: tuple[str, ...]

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.auto_headers if key == name), None)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this one answers, nearest first: In-Reply-To, then References newest first."""
        return tuple(dict.fromkeys((*self.in_reply_to, *reversed(self.references))))


_AUTO_HEADERS = (
    "auto-submitted",
    "precedence",
    "list-id",
    "list-unsubscribe",
    "list-post",
    "return-path",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "x-failed-recipients",
    "feedback-type",
)
_T = TypeVar("_T")
_MSG_ID = re.compile(r"<[^<>\s]+>")
# Errors the email package raises on malformed headers (several are known CPython parser bugs).
_HEADER_ERRORS = (email.errors.MessageError, ValueError, IndexError, AttributeError, TypeError, LookupError)

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(data: bytes) -> str | None:
    """The type the first bytes prove (PDF, JPEG, PNG), or ``None``: the declared type is not trusted."""
    head = data[:1024].lstrip(b"\r\n\t ") if data[:1].isspace() else data[:8]
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            return kind
    return None


def parse(raw: bytes) -> ParsedMail:
    if not raw.strip():
        raise UnusableMail("empty message")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    defects = [type(d).__name__ for d in message.defects]

    body_part, text = _body(message)
    attachments = tuple(_attachments(message, body_part))
    subject = " ".join(_header(message, "subject").split())
    if not text.strip() and not subject and not attachments:
        # A subject alone can be a request ("Registerutdrag"); nothing at all cannot.
        raise UnusableMail("no text, no subject and no attachment")

    name, address = _from(message)
    content_type = _safe(lambda: message.get_content_type(), "text/plain")
    report_type = message.get_param("report-type") if content_type == "multipart/report" else None
    return ParsedMail(
        message_id=_first_id(_header(message, "message-id")),
        from_address=address,
        from_name=name,
        to_addresses=tuple(a for _, a in _addresses(message, "to")),
        subject=subject,
        date=_date(_header(message, "date")),
        in_reply_to=tuple(_MSG_ID.findall(_header(message, "in-reply-to")))[:1],
        references=tuple(_MSG_ID.findall(_header(message, "references"))),
        text=text.strip(),
        attachments=attachments,
        content_type=content_type,
        report_type=str(report_type).lower() if isinstance(report_type, str) else None,
        auto_headers=_auto_headers(message),
        defects=tuple(defects),
    )


# ---------------------------------------------------------------------------------------------------
# headers


def _header(message: Message, name: str) -> str:
    """The header's decoded text, or its raw text if the policy's parser trips over it; '' if absent."""
    try:
        value = message.get(name)
    except _HEADER_ERRORS:
        value = _raw_header(message, name)
    return _clean(str(value)) if value is not None else ""


def _auto_headers(message: Message) -> tuple[tuple[str, str], ...]:
    """The RFC 3834 headers, raw (ASCII tokens: no need for the policy's slower full parse)."""
    found: dict[str, str] = {}
    for key, value in message.raw_items() if isinstance(message, EmailMessage) else []:
        name = key.lower()
        if name in _AUTO_HEADERS and name not in found:
            text = " ".join(_clean(str(value)).split())
            if text:
                found[name] = text
    return tuple((key, found[key]) for key in _AUTO_HEADERS if key in found)


def _raw_header(message: Message, name: str) -> str | None:
    for key, value in message.raw_items() if isinstance(message, EmailMessage) else []:
        if key.lower() == name:
            return str(value)
    return None


def _clean(text: str) -> str:
    """Raw 8-bit bytes in headers arrive as surrogates: read them as UTF-8, else Windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    data = text.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _first_id(value: str) -> str | None:
    found = _MSG_ID.findall(value)
    if found:
        return str(found[0])
    value = value.strip()
    return f"<{value}>" if value and " " not in value else None


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    raw = _header(message, name)
    try:
        pairs = getaddresses([raw])
    except _HEADER_ERRORS:
        return []
    return [(n, a.strip().lower()) for n, a in pairs if "@" in a]


def _from(message: Message) -> tuple[str | None, str | None]:
    found = _addresses(message, "from") or _addresses(message, "sender")
    if found:
        name, address = found[0]
        return (name or None), address
    name, address = parseaddr(_header(message, "from"))
    return (name or None), (address.lower() if "@" in address else None)


def _date(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None


# ---------------------------------------------------------------------------------------------------
# body and attachments


def _safe_type(part: Message) -> str:
    kind = _safe(lambda: part.get_content_type(), "application/octet-stream")
    if kind.startswith("multipart/") and not part.is_multipart():
        # A "lying" multipart (no boundary, or no parts): its body is plain text (cpython msg_41).
        return "text/plain"
    return kind


def _safe(get: Callable[[], _T], default: _T) -> _T:
    try:
        return get()
    except _HEADER_ERRORS:
        return default


def _is_attachment(part: Message) -> bool:
    disposition = _safe(lambda: part.get_content_disposition(), None)
    return disposition == "attachment" or (disposition != "inline" and bool(_filename(part)))


def _filename(part: Message) -> str | None:
    name = _safe(lambda: part.get_filename(), None)
    return _clean(str(name)) if name else None


def _leaves(message: Message) -> list[Message]:
    leaves: list[Message] = []
    try:
        for part in message.walk():
            if not part.is_multipart():
                leaves.append(part)
    except _HEADER_ERRORS:
        pass
    return leaves


def _body(message: Message) -> tuple[Message | None, str]:
    """The first non-empty text/plain part, else text/html converted (multipart/alternative or not),
    else any other text part ("text" without subtype, text/enriched)."""
    candidates = [p for p in _leaves(message) if _safe_type(p).startswith("text/") and not _is_attachment(p)]
    plain = [p for p in candidates if _safe_type(p) == "text/plain"]
    html = [p for p in candidates if _safe_type(p) == "text/html"]
    others = [p for p in candidates if p not in plain and p not in html]
    for part in (*plain, *html, *others):
        text = _text_of(part)
        if text.strip():
            return part, text
    return (candidates[0] if candidates else None), ""


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except _HEADER_ERRORS:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


# Declared Latin-1/ASCII mail is usually Windows-1252 in practice (Outlook's curly quotes, the euro).
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252"}


def _decode(data: bytes, charset: str | None) -> str:
    charset = (charset or "us-ascii").strip().lower()
    for name in (_CHARSET_ALIASES.get(charset, charset), "utf-8"):
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace")


def _text_of(part: Message) -> str:
    charset = _safe(lambda: part.get_content_charset(), None)
    text = _decode(_payload_bytes(part), charset)
    if _safe_type(part) == "text/html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _attachments(message: Message, body_part: Message | None) -> list[Attachment]:
    found: list[Attachment] = []
    for part in _leaves(message):
        if part is body_part:
            continue
        kind = _safe_type(part)
        if kind.startswith("text/") and not _is_attachment(part):
            continue  # the other alternative, or inline text: not an attachment
        data = _payload_bytes(part)
        if not data:
            continue
        found.append(Attachment(filename=_filename(part), content_type=kind, data=data))
    return found


class _TextExtractor(HTMLParser):
    _BLOCK = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "blockquote", "table", "hr"})
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML body (never rendered: no scripts, no images, no remote content)."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
