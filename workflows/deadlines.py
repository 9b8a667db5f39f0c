"""Legal deadlines for privacy requests (domain.md §1, R-T1..R-T5): pure functions on dates.

Periods are counted as Regulation 1182/71 says (via EDPB §160): the receipt day is not counted, a month
ends on the same day number (clamped to the month end), and an end on a Saturday, Sunday or Swedish public
holiday rolls forward to the next working day. Whether Midsummer Eve, Christmas Eve and New Year's Eve count
as holidays is an open point (domain.md §9), so every function takes ``eves_as_holidays`` (default: strict).

No I/O and no settings are read here; callers pass the configuration in.

Errors: ``ValueError`` for impossible input (a naive datetime, a reply before its question, a negative
pause). There is no other exception of our own.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays.countries.sweden import Sweden

__all__ = [
    "add_months",
    "add_working_days",
    "due_date",
    "extended_due_date",
    "is_nonworking",
    "pause_days",
    "receipt_date",
    "roll",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)
# R-T5 [U]: a pause counts only if the question went out within this many working days of R.
_PAUSE_WINDOW_WORKING_DAYS = 2


@lru_cache(maxsize=256)
def _holiday_dates(year: int, eves: bool) -> frozenset[date]:
    """Swedish public holidays of ``year`` (plus the de-facto eves if ``eves``) as an immutable set.

    Sundays are handled by the weekday check in ``is_nonworking``, so ``include_sundays`` is pinned off
    (its default has changed between releases of the holidays package).
    """
    categories = ("public", "de_facto") if eves else ("public",)
    calendar_ = Sweden(years=year, categories=categories, include_sundays=False)
    return frozenset(calendar_.keys())


def add_months(d: date, n: int) -> date:
    """The same day number ``n`` months later (or earlier), clamped to the last day of the target month."""
    # 1182/71 Art 3(2)(c): a period in months ends on the same date, or on the month's last day.
    year, month0 = divmod(d.year * 12 + (d.month - 1) + n, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last_day))


def is_nonworking(d: date, *, eves_as_holidays: bool = False) -> bool:
    """True on Saturdays, Sundays and Swedish public holidays (and on the eves if ``eves_as_holidays``)."""
    # 1182/71 Art 3(4) with Lag 1989:253 (domain.md §6).
    return d.weekday() >= 5 or d in _holiday_dates(d.year, eves_as_holidays)


def roll(d: date, *, eves_as_holidays: bool = False) -> date:
    """``d`` if it is a working day, else the next working day."""
    # 1182/71 Art 3(4): a period ending on a holiday, Saturday or Sunday ends on the next working day.
    while is_nonworking(d, eves_as_holidays=eves_as_holidays):
        d += _ONE_DAY
    return d


def _due(received: date, months: int, pause_days: int, eves_as_holidays: bool) -> date:
    if pause_days < 0:
        raise ValueError(f"pause_days must not be negative, got {pause_days}")
    # 1182/71 Art 3(1): the receipt day itself is not counted, which add_months gives by construction.
    # R-T5: the pause shifts the nominal end before rolling.
    end = add_months(received, months) + timedelta(days=pause_days)
    return roll(end, eves_as_holidays=eves_as_holidays)


def due_date(received: date, *, pause_days: int = 0, eves_as_holidays: bool = False) -> date:
    """R-T2: D1 = roll(add_months(R, 1) + pause)."""
    return _due(received, 1, pause_days, eves_as_holidays)


def extended_due_date(received: date, *, pause_days: int = 0, eves_as_holidays: bool = False) -> date:
    """R-T3: D3 = roll(add_months(R, 3) + pause), counted from R, not from D1 (domain.md §1 month-end)."""
    return _due(received, 3, pause_days, eves_as_holidays)


def add_working_days(d: date, n: int, *, eves_as_holidays: bool = False) -> date:
    """The ``n``-th working day after ``d`` (before it if ``n`` is negative); ``d`` itself if ``n`` is 0."""
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        d += step
        if not is_nonworking(d, eves_as_holidays=eves_as_holidays):
            remaining -= 1
    return d


def working_days_between(start: date, end: date, *, eves_as_holidays: bool = False) -> int:
    """The number of working days in ``(start, end]``; 0 if ``end <= start``."""
    count = 0
    d = start + _ONE_DAY
    while d <= end:
        if not is_nonworking(d, eves_as_holidays=eves_as_holidays):
            count += 1
        d += _ONE_DAY
    return count


def pause_days(
    received: date, question_sent: date, reply_received: date, *, eves_as_holidays: bool = False
) -> int:
    """R-T5: calendar days from the identity or clarification question to the reply; 0 if it went out late.

    Raises ``ValueError`` if the reply predates the question or the question predates the receipt.
    """
    if reply_received < question_sent:
        raise ValueError(f"reply {reply_received} is before the question {question_sent}")
    if question_sent < received:
        raise ValueError(f"question {question_sent} is before the receipt date {received}")
    # R-T5 [U]: only a question sent within 2 working days of R pauses the clock.
    window = working_days_between(received, question_sent, eves_as_holidays=eves_as_holidays)
    if window > _PAUSE_WINDOW_WORKING_DAYS:
        return 0
    return (reply_received - question_sent).days


def receipt_date(received_at: datetime, tz: str = "Europe/Stockholm") -> date:
    """R-T1: the local calendar date (default Europe/Stockholm) of an aware receipt timestamp."""
    # A naive timestamp would silently be read as the host's local time; refuse it instead.
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware (e.g. UTC from the mail server)")
    return received_at.astimezone(ZoneInfo(tz)).date()
