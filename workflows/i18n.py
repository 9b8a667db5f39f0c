"""Dates and small words in the customer's language (sv or en)."""

from __future__ import annotations

from datetime import date

_MONTHS = {
    "sv": "januari februari mars april maj juni juli augusti september oktober november december".split(),
    "en": "January February March April May June July August September October November December".split(),
}
_WEEKDAYS = {
    "sv": "måndag tisdag onsdag torsdag fredag lördag söndag".split(),
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
}


def normalise_language(language: str | None) -> str:
    """Swedish first: anything that is not English is answered in Swedish."""
    return "en" if language == "en" else "sv"


def format_date(d: date, language: str) -> str:
    """'tisdag 7 april 2026' / 'Tuesday 7 April 2026' (ISO date in brackets is added by callers)."""
    lang = normalise_language(language)
    return f"{_WEEKDAYS[lang][d.weekday()]} {d.day} {_MONTHS[lang][d.month - 1]} {d.year}"
