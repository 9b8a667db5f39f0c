"""Notice texts (pure): R-T3, R-T4, R-T5 contents in Swedish and English, no register data, stable keys."""

from __future__ import annotations

from datetime import date

import pytest

from workflows import notices
from workflows.notices import Kind

IMY_FACTS = ("Box 8114, 104 20 Stockholm", "imy@imy.se", "https://www.imy.se")


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("partial", [False, True])
def test_refusal_states_reasons_imy_and_court(language: str, partial: bool) -> None:
    # R-T4 (Art 12(4), 77, 79): the reasons, the right to complain to IMY, the right to a judicial remedy.
    text = notices.refusal(language, "DSR-2025-000001", "Begäran är uppenbart ogrundad.", partial=partial)
    assert "DSR-2025-000001" in text.subject and "DSR-2025-000001" in text.body
    assert "Begäran är uppenbart ogrundad." in text.body
    for fact in IMY_FACTS:
        assert fact in text.body
    assert ("08-657 61 00" if language == "sv" else "+46 8 657 61 00") in text.body
    court = {"sv": "domstol", "en": "court"}[language]
    assert court in text.body and ("79" in text.body)
    partly = {"sv": "delvis", "en": "partly"}[language]
    assert (partly in text.body) is partial


def test_refusal_is_in_the_case_language() -> None:
    sv = notices.refusal("sv", "DSR-2025-000001", "x", partial=False)
    en = notices.refusal("en", "DSR-2025-000001", "x", partial=False)
    assert sv.body.startswith("Hej,") and "Skäl:" in sv.body
    assert en.body.startswith("Hello,") and "Reasons:" in en.body


@pytest.mark.parametrize(
    ("language", "words"), [("sv", "fredag 2 januari 2026"), ("en", "Friday 2 January 2026")]
)
def test_extension_gives_reasons_and_d3(language: str, words: str) -> None:
    # R-T3, domain.md §8 example 11: D3 Fri 2026-01-02.
    text = notices.extension(
        language, "DSR-2025-000007", "Ärendet omfattar tio års samtalsdata.", date(2026, 1, 2)
    )
    assert words in text.body and "2026-01-02" in text.body
    assert "Ärendet omfattar tio års samtalsdata." in text.body
    assert "12" in text.body  # Art 12(3)
    # EDPB §157: an extension notice is not a refusal notice; no IMY paragraph in it.
    assert "imy@imy.se" not in text.body


@pytest.mark.parametrize("language", ["sv", "en"])
def test_identity_close_points_to_imy_and_reminder_gives_the_close_date(language: str) -> None:
    # R-T5: reminder after 14 days, close after 2 months with a written notice pointing to IMY.
    reminder = notices.identity_reminder(language, "DSR-2025-000003", date(2025, 3, 6), date(2025, 5, 6))
    closed = notices.identity_closed(language, "DSR-2025-000003", date(2025, 3, 6))
    assert "2025-05-06" in reminder.body and "2025-03-06" in reminder.body
    assert "imy@imy.se" in closed.body and "Box 8114" in closed.body
    # R-F3: no copies of ID documents by default.
    assert ("id-handlingar" if language == "sv" else "identity documents") in reminder.body


def test_staff_notices_carry_no_personal_data() -> None:
    for text in (
        notices.escalation("DSR-2025-000001", "access", date(2025, 4, 7), "in_progress"),
        notices.breach("DSR-2025-000001", "access", date(2025, 4, 7)),
        notices.consent_overdue("DSR-2025-000001", date(2025, 4, 7)),
    ):
        assert "DSR-2025-000001" in text.subject
        assert "@" not in text.body and "Maja" not in text.body


def test_dedupe_key_is_deterministic_per_case_kind_and_deadline() -> None:
    key = notices.dedupe_key(Kind.escalation, "DSR-2025-000001", date(2025, 4, 7))
    assert key == "notice:escalation:DSR-2025-000001:2025-04-07"
    assert key == notices.dedupe_key(Kind.escalation, "DSR-2025-000001", date(2025, 4, 7))
    assert key != notices.dedupe_key(Kind.escalation, "DSR-2025-000001", date(2026, 1, 2))  # D3 gets its own
    assert notices.dedupe_key(Kind.refusal, "DSR-2025-000001") == "notice:refusal:DSR-2025-000001"
