"""Swedish identity numbers: personnummer, samordningsnummer and organisationsnummer.

Pure functions, no I/O. The rules come from ``../shared/domain.md`` §6:

* personnummer (Folkbokföringslagen 18 §): ``YYMMDD-NNNC``; the "-" becomes "+" from the year the person
  turns 100; the 12-digit form is ``YYYYMMDDNNNC``; the check digit C is Luhn over the 10-digit form;
* samordningsnummer (Folkbokföringslagen 18 a §): as a personnummer with 60 added to the day;
* organisationsnummer: 10 digits, Luhn, digits 3–4 at least 20.

R-F4: a personnummer identifies but does not authenticate, and it must not reach logs or transcripts.
That is why :class:`IdentityNumber` prints masked and :class:`InvalidIdentityNumber` never repeats the
input in its message.

Errors: :class:`InvalidIdentityNumber` (a ``ValueError``) is an error of the sender: the customer typed a
number that is not a valid one; ``reason`` says whether the shape, the date or the check digit is wrong so
the bot can answer precisely. There are no system errors here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "IdentityCandidate",
    "IdentityNumber",
    "InvalidIdentityNumber",
    "find_identity_candidates",
    "find_identity_numbers",
    "is_valid_organisationsnummer",
    "luhn_check_digit",
    "parse_identity_number",
    "scan_identity_numbers",
]

Reason = Literal["format", "date", "checksum"]
Kind = Literal["personnummer", "samordningsnummer"]

# Hyphen look-alikes a phone keyboard or a word processor may put in place of "-".
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
_DASH_TABLE = str.maketrans(dict.fromkeys(_DASHES, "-"))

# [0-9], not \d: \d also matches Arabic-Indic and full-width digits, which no register holds.
_TWELVE = re.compile(r"(?P<ymd>[0-9]{8})-?(?P<tail>[0-9]{4})")
_TEN = re.compile(r"(?P<ymd>[0-9]{6})(?P<sep>[-+]?)(?P<tail>[0-9]{4})")
_ORGNR = re.compile(r"(?P<head>[0-9]{6})-?(?P<tail>[0-9]{4})")

# Something in free text that looks like an attempt at an identity number: 6 or 8 digits, a separator,
# and 3–5 digits (one digit too few or too many is still an attempt), or the exact separator-less shapes.
# The look-arounds keep it from matching inside a longer number such as "12-811218-9876-1".
_SEP = rf"[ \t]?[-+{_DASHES}][ \t]?"
_CANDIDATE = re.compile(
    rf"""
    (?<![0-9])(?<![0-9][-+/.{_DASHES}])
    (?:
        (?P<head8>[0-9]{{8}})(?:(?P<sep8>{_SEP})(?P<tail8s>[0-9]{{3,5}})|[ \t]?(?P<tail8>[0-9]{{4}}))
      | (?P<head6>[0-9]{{6}})(?:(?P<sep6>{_SEP})(?P<tail6s>[0-9]{{3,5}})|[ \t]?(?P<tail6>[0-9]{{4}}))
    )
    (?![0-9])(?![-+/.{_DASHES}][0-9])
    """,
    re.VERBOSE,
)


class InvalidIdentityNumber(ValueError):
    """Not a valid personnummer or samordningsnummer.

    The message never contains the number itself (R-F4: exceptions end up in logs).
    """

    def __init__(self, reason: Reason) -> None:
        self.reason: Reason = reason
        super().__init__(
            {
                "format": "not in a personnummer format (YYMMDD-NNNC, YYYYMMDD-NNNC, ...)",
                "date": "the date part is not a real birth date",
                "checksum": "the check digit does not match",
            }[reason]
        )


@dataclass(frozen=True, repr=False)
class IdentityNumber:
    """A valid personnummer or samordningsnummer.

    ``digits12`` is ``YYYYMMDDNNNC`` as written (a samordningsnummer keeps its day + 60);
    ``birth_date`` is the real date (day - 60 for a samordningsnummer).
    """

    digits12: str
    kind: Kind
    birth_date: date

    def masked(self) -> str:
        """``YYMMDD-****``: the form for transcripts, logs and trainers (R-F4)."""
        return f"{self.digits12[2:8]}-****"

    def canonical(self) -> str:
        """``YYYYMMDD-NNNC``: the form stored and matched against the customer register."""
        return f"{self.digits12[:8]}-{self.digits12[8:]}"

    def ten_digit(self, *, today: date) -> str:
        """``YYMMDD-NNNC``, or ``YYMMDD+NNNC`` from the year the person turns 100.

        Folkbokföringslagen 18 §: the separator changes in the year of the 100th birthday, not on the day.
        """
        sep = "+" if self.birth_date.year <= today.year - 100 else "-"
        return f"{self.digits12[2:8]}{sep}{self.digits12[8:]}"

    def __repr__(self) -> str:
        # R-F4: a repr ends up in logs and tracebacks; never show the last four digits there.
        return f"IdentityNumber({self.masked()!r}, kind={self.kind!r})"

    __str__ = __repr__


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit for ``digits`` (the first nine digits of the 10-digit form)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:  # rightmost payload digit is doubled, as the check digit will follow it
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return (10 - total % 10) % 10


def _luhn_ok(digits10: str) -> bool:
    return luhn_check_digit(digits10[:-1]) == int(digits10[-1])


def _short_year(yy: int, month: int, day: int, sep: str, today: date) -> int:
    """The full year for a 10-digit number (Folkbokföringslagen 18 §).

    "+" means the person turns 100 this year or has already: the latest year <= today.year - 100.
    "-" (or none) means younger than 100: the latest year whose date is not after ``today``.
    """
    if sep == "+":
        base = today.year - 100
        return base - (base - yy) % 100
    year = today.year - (today.year - yy) % 100
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    return year


def parse_identity_number(text: str, *, today: date) -> IdentityNumber:
    """Parse ``YYMMDD-NNNC``, ``YYMMDD+NNNC``, ``YYMMDDNNNC``, ``YYYYMMDDNNNC`` or ``YYYYMMDD-NNNC``.

    Raises :class:`InvalidIdentityNumber` with ``reason`` "format", "date" (not a calendar date, a day
    outside 1–31 / 61–91, or a birth date after ``today``) or "checksum" (Luhn over the 10-digit form).
    """
    s = text.strip().translate(_DASH_TABLE)
    if m := _TWELVE.fullmatch(s):
        ymd, tail = m["ymd"], m["tail"]
        year, month, raw_day = int(ymd[:4]), int(ymd[4:6]), int(ymd[6:])
    elif m := _TEN.fullmatch(s):
        ymd, tail = m["ymd"], m["tail"]
        month, raw_day = int(ymd[2:4]), int(ymd[4:])
        # Folkbokföringslagen 18 a §: samordningsnummer carry day + 60; compare with the real day.
        real = raw_day - 60 if raw_day > 60 else raw_day
        year = _short_year(int(ymd[:2]), month, real, m["sep"], today)
    else:
        raise InvalidIdentityNumber("format")

    # FOL 18 a §: samordningsnummer days are 61–91; personnummer days 1–31.
    kind: Kind = "samordningsnummer" if raw_day > 60 else "personnummer"
    day = raw_day - 60 if kind == "samordningsnummer" else raw_day
    try:
        birth = date(year, month, day)
    except ValueError:
        raise InvalidIdentityNumber("date") from None
    if birth > today:
        raise InvalidIdentityNumber("date")

    digits12 = f"{year:04d}{month:02d}{raw_day:02d}{tail}"
    if not _luhn_ok(digits12[2:]):
        raise InvalidIdentityNumber("checksum")
    return IdentityNumber(digits12=digits12, kind=kind, birth_date=birth)


def is_valid_organisationsnummer(text: str) -> bool:
    """10 digits (``NNNNNN-NNNN`` or ``NNNNNNNNNN``), Luhn, digits 3–4 at least 20 (domain.md §6)."""
    m = _ORGNR.fullmatch(text.strip().translate(_DASH_TABLE))
    if m is None:
        return False
    digits = m["head"] + m["tail"]
    # Digits 3–4 >= 20 keep an organisationsnummer apart from any personnummer (month 01–12).
    return int(digits[2:4]) >= 20 and _luhn_ok(digits)


@dataclass(frozen=True, repr=False)
class IdentityCandidate:
    """A substring of free text that looks like an attempt at an identity number.

    ``number`` is set when it is a valid one, otherwise ``reason`` says what is wrong.
    """

    start: int
    end: int
    text: str
    number: IdentityNumber | None
    reason: Reason | None

    def __repr__(self) -> str:  # R-F4: no raw digits in logs
        return f"IdentityCandidate({self.start}:{self.end}, number={self.number!r}, reason={self.reason!r})"


def _date_like(ymd: str) -> bool:
    """Loose test that 6 or 8 digits could be a (co-ordination) birth date: used only without a separator."""
    if len(ymd) == 8:
        if ymd[:2] not in ("18", "19", "20"):
            return False
        ymd = ymd[2:]
    month, day = int(ymd[2:4]), int(ymd[4:])
    return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)


def _iter_attempts(text: str) -> list[tuple[re.Match[str], str]]:
    """Shape-matches of identity-number attempts, each with its normalised form (``head[sep]tail``).

    With a "-"/"+" separator any 6- or 8-digit head counts as an attempt (with a 3–5 digit tail, so a
    missing digit is noticed); without one, or with a single space, the head must look like a date, so
    that phone numbers and order numbers are not taken for attempts. A valid organisationsnummer is
    not an attempt.
    """
    attempts: list[tuple[re.Match[str], str]] = []
    for m in _CANDIDATE.finditer(text):
        head = m["head8"] or m["head6"]
        sep = m["sep8"] or m["sep6"]
        tail = m["tail8s"] or m["tail6s"] or m["tail8"] or m["tail6"]
        if sep is None and not _date_like(head):
            continue
        if len(head) == 6 and len(tail) == 4 and is_valid_organisationsnummer(head + tail):
            continue
        # A single space between the parts is read like no separator (a common way of typing it).
        sep_char = sep.strip().translate(_DASH_TABLE) if sep else ""
        attempts.append((m, f"{head}{sep_char}{tail}"))
    return attempts


def scan_identity_numbers(text: str, *, today: date) -> list[IdentityCandidate]:
    """Every attempt at a personnummer/samordningsnummer in ``text``, in order, valid or not."""
    found: list[IdentityCandidate] = []
    for m, normal in _iter_attempts(text):
        number: IdentityNumber | None = None
        reason: Reason | None = None
        try:
            number = parse_identity_number(normal, today=today)
        except InvalidIdentityNumber as exc:
            reason = exc.reason
        found.append(IdentityCandidate(m.start(), m.end(), m.group(), number, reason))
    return found


def find_identity_numbers(text: str, *, today: date) -> list[IdentityNumber]:
    """The valid personnummer/samordningsnummer in free text, in order of appearance, without repeats."""
    result: list[IdentityNumber] = []
    for cand in scan_identity_numbers(text, today=today):
        if cand.number is not None and cand.number not in result:
            result.append(cand.number)
    return result


def find_identity_candidates(text: str) -> list[str]:
    """Substrings that look like an attempt at an identity number, valid or not, without repeats.

    Lets the bot say "that number looks wrong" when this is non-empty but :func:`find_identity_numbers`
    is empty. Only the shape is judged, so no ``today`` is needed.
    """
    result: list[str] = []
    for m, _ in _iter_attempts(text):
        if m.group() not in result:
            result.append(m.group())
    return result
