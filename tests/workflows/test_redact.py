"""Tests for workflows/redact.py (style rule 9; domain.md R-F4: mask the personnummer in logs)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.utils.identity import luhn
from workflows.identity import find_identity_numbers
from workflows.redact import RedactingFilter, redact

TODAY = date(2025, 6, 15)


# ------------------------------------------------------------------ redact()


@pytest.mark.parametrize(
    "number",
    [
        "811218-9876",
        "811218+9876",
        "8112189876",
        "198112189876",
        "19811218-9876",
        "811218 9876",
        "811218\u20139876",
        "701063-2391",  # samordningsnummer
        "850230-1234",  # invalid date: still looks like one, still masked
        "811218-9875",  # wrong check digit
    ],
)
def test_every_personnummer_shape_is_masked(number: str) -> None:
    out = redact(f"kund {number} skrev")
    assert out == "kund [PNR] skrev"


@pytest.mark.parametrize(
    "address",
    ["maja@example.se", "maja.lindgren+privacy@sub.example.co.uk", "MAJA_81@Example.SE", "åsa@exempel.se"],
)
def test_e_mail_addresses(address: str) -> None:
    assert redact(f"från {address}, tack") == "från [EMAIL], tack"


@pytest.mark.parametrize(
    "phone",
    [
        "070-123 45 67",
        "070 123 45 67",
        "+46 70 123 45 67",
        "+46701234567",
        "+46 (0)70-123 45 67",
        "0046 70 123 45 67",
        "08-123 456 78",
        "031-12 34 56",
        "+47 412 34 567",
    ],
)
def test_phone_numbers(phone: str) -> None:
    assert redact(f"ring {phone} idag") == "ring [PHONE] idag"


def test_long_digit_runs() -> None:
    assert redact("kundnr 1234567 och konto 12345678901234567") == "kundnr [NUMBER] och konto [NUMBER]"


def test_e_mail_with_a_personnummer_goes_as_a_whole() -> None:
    assert redact("maja.8112189876@example.se") == "[EMAIL]"


def test_names_after_markers() -> None:
    assert redact("Jag heter Maja Lindgren och vill ha utdrag") == "Jag heter [NAME] och vill ha utdrag"
    assert redact("my name is John Smith.") == "my name is [NAME]."
    assert redact("Namn: Maja Lindgren\nMvh\nMaja Lindgren") == "Namn: [NAME]\nMvh\n[NAME]"


def test_known_values() -> None:
    assert redact("Hej Maja Lindgren från Storgatan", known=["maja lindgren", "Storgatan"]) == (
        "Hej [REDACTED] från [REDACTED]"
    )
    assert redact("a b", known=["", " ", "a"]) == "a b"  # too short to redact safely


@pytest.mark.parametrize(
    "line",
    [
        "Case PD-2025-0001 opened, R 2025-03-05, D1 2025-04-07",
        "Hej, jag vill ha ett registerutdrag",
        "IMY, Box 8114, 104 20 Stockholm",
        "listening on port 8000, 3 workers, took 12.5 ms",
        "action name action_open_case",
        "",
    ],
)
def test_lines_without_personal_data_are_unchanged(line: str) -> None:
    assert redact(line) == line


# ------------------------------------------------------------------ properties


@st.composite
def valid_number_forms(draw: st.DrawFn) -> str:
    birth = draw(st.dates(min_value=date(1830, 1, 1), max_value=TODAY))
    day = birth.day + draw(st.sampled_from([0, 60]))
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{draw(st.integers(0, 999)):03d}"
    d12 = f"{birth.year:04d}{nine[2:]}{luhn(nine)}"
    sep = "+" if birth.year <= TODAY.year - 100 else "-"
    return draw(
        st.sampled_from(
            [d12, f"{d12[:8]}-{d12[8:]}", f"{d12[2:8]}{sep}{d12[8:]}", d12[2:], f"{d12[2:8]} {d12[8:]}"]
        )
    )


_TEXT = st.text(alphabet=st.sampled_from(list("abc åÖ@.+-,:;()\n\t0123456789")), max_size=30)


@given(valid_number_forms(), _TEXT, _TEXT)
def test_redact_never_leaves_a_valid_personnummer(form: str, before: str, after: str) -> None:
    text = f"{before}{form}{after}"
    out = redact(text)
    assert form not in out
    assert find_identity_numbers(out, today=TODAY) == []


@given(st.text(max_size=80))
def test_redact_is_idempotent_and_leaves_no_long_digit_runs(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
    assert find_identity_numbers(once, today=TODAY) == []
    run = 0
    for ch in once:
        run = run + 1 if ch.isdigit() else 0
        assert run < 6


# ------------------------------------------------------------------ the logging filter


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.workflows.test_redact")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def test_filter_redacts_message_and_args(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("case for %s (%s), phone %s", "811218-9876", "maja@example.se", "070-123 45 67")
    assert stream.getvalue() == "INFO case for [PNR] ([EMAIL]), phone [PHONE]\n"


def test_filter_redacts_numeric_and_mapping_args(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.warning("pnr %d", 8112189876)
    logger.warning("mail %(mail)s", {"mail": "maja@example.se"})
    assert stream.getvalue() == "WARNING pnr [PNR]\nWARNING mail [EMAIL]\n"


def test_filter_redacts_tracebacks(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    try:
        raise ValueError("no customer with 811218-9876")
    except ValueError:
        logger.exception("lookup failed")
    out = stream.getvalue()
    assert "lookup failed" in out and "Traceback" in out
    assert "811218-9876" not in out and "[PNR]" in out


def test_filter_survives_bad_arguments_without_leaking(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.error("two %s %s", "811218-9876")
    out = stream.getvalue()
    assert "9876" not in out and "[PNR]" in out


def test_filter_keeps_every_record(captured: tuple[logging.Logger, io.StringIO]) -> None:
    assert RedactingFilter().filter(logging.makeLogRecord({"msg": "plain"})) is True


def test_filter_with_known_values() -> None:
    record = logging.makeLogRecord({"msg": "name %s", "args": ("Maja Lindgren",)})
    RedactingFilter(known=["Maja Lindgren"]).filter(record)
    assert record.getMessage() == "name [REDACTED]"
