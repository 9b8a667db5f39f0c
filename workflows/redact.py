"""Redact personal data from log lines (style rule 9; domain.md R-F4).

R-F4: a personnummer must be masked in transcripts, logs and anything a trainer sees. Style rule 9 adds
e-mail addresses, phone numbers and names. Redaction here errs on the side of too much: any digit run
in a personnummer shape (valid or not), any e-mail address, anything that looks like a phone number,
any run of six or more digits, the words after "jag heter"/"my name is" and friends, and any value the
caller names (``known``: the customer's name, say). ISO dates, case references and short numbers stay,
so a log line is still useful.

Pure, no I/O. :class:`RedactingFilter` is a ``logging.Filter`` to install on handlers; it formats the
message with its arguments first, so nothing escapes through ``%s``/``%d`` arguments, and it redacts
tracebacks too. Errors: none of its own; a record whose arguments do not fit its format string is still
logged, redacted, instead of having the logging module print the raw arguments to stderr.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

__all__ = ["RedactingFilter", "redact"]

PNR = "[PNR]"
EMAIL = "[EMAIL]"
PHONE = "[PHONE]"
NUMBER = "[NUMBER]"
NAME = "[NAME]"
REDACTED = "[REDACTED]"

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# Every personnummer/samordningsnummer format of domain.md §6 (Folkbokföringslagen 18 §, 18 a §), valid or
# not, also with a space or a dash look-alike as separator. \d (not [0-9]) on purpose: redact more.
_PNR = re.compile(rf"(?<!\d)(?:\d{{8}}|\d{{6}})[ \t]?[-+{_DASHES}]?[ \t]?\d{{4}}(?!\d)")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)[ \t]?\d{1,3}(?:[ \t/-]{0,2}(?:\(0\)|\d)){6,14}"  # +46 70 123 45 67, 0046 (0)8-123 456 78
    r"|0\d(?:[ \t/-]?\d){5,9}"  # 070-123 45 67, 08-123 456 78, 031-12 34 56
    r")(?!\d)"
)
_LONG_DIGITS = re.compile(r"\d{6,}")
# Names follow these markers; the name ends at punctuation, a line end or a small word ("och", "and").
_NAME_MARKER = re.compile(
    r"(?i:\b(?:(?:jag heter|mitt (?:fullständiga |fullstandiga |hela )?namn (?:är|ar)|my (?:full )?name is"
    r"|my name's|mvh|hälsningar|halsningar|hälsning|regards|sincerely)\b[ \t]*[:,]?"
    r"|(?:namn|name)[ \t]*:))"
    r"[ \t]*\n?[ \t]*"
    r"(?P<name>(?:(?!(?i:och|and|jag|i|som|who|from|från|fran|med|with)\b)[^\W\d_][\w'’-]*[ \t]*){1,4})"
)


def redact(text: str, *, known: Iterable[str] = ()) -> str:
    """``text`` with personal data replaced by ``[PNR]``, ``[EMAIL]``, ``[PHONE]``, ``[NUMBER]``,
    ``[NAME]`` and, for each of the ``known`` values, ``[REDACTED]``."""
    # Known values first (they may contain digits or an address the patterns would only partly catch).
    for value in sorted({v.strip() for v in known if len(v.strip()) >= 2}, key=len, reverse=True):
        text = re.sub(re.escape(value), REDACTED, text, flags=re.IGNORECASE)
    # E-mail before the numbers: "maja.8112189876@example.se" must go as a whole.
    text = _EMAIL.sub(EMAIL, text)
    # R-F4: the personnummer shapes before phones, so "0701234567"-like runs are masked either way.
    text = _PNR.sub(PNR, text)
    text = _PHONE.sub(PHONE, text)
    text = _LONG_DIGITS.sub(NUMBER, text)
    return _NAME_MARKER.sub(_mask_name, text)


def _mask_name(m: re.Match[str]) -> str:
    name = m["name"]
    trailing = name[len(name.rstrip()) :]
    return m.group()[: m.start("name") - m.start()] + NAME + trailing


class RedactingFilter(logging.Filter):
    """Redacts each record's message, arguments, traceback and stack (style rule 9; R-F4).

    Install on handlers (``handler.addFilter(RedactingFilter())``) so that records from every logger,
    third-party ones included, pass through it before they are written.
    """

    def __init__(self, name: str = "", *, known: Iterable[str] = ()) -> None:
        super().__init__(name)
        self._known = tuple(known)

    def filter(self, record: logging.LogRecord) -> bool:
        if not super().filter(record):
            return False
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):
            # Arguments that do not fit the format: logging would print them raw to stderr. Keep them,
            # redacted, in the message instead.
            message = f"{record.msg} (arguments: {record.args!r})"
        # The arguments are merged into the message before redacting: a "%d" with a personnummer as an
        # int, or a dict argument, would otherwise get past a per-argument redaction.
        record.msg = redact(message, known=self._known)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, known=self._known)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, known=self._known)
        return True
