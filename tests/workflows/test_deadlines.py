"""Tests for workflows/deadlines.py: the worked examples of domain.md §8 and properties of R-T1..R-T5."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.deadlines import (
    add_months,
    add_working_days,
    due_date,
    extended_due_date,
    is_nonworking,
    pause_days,
    receipt_date,
    roll,
    working_days_between,
)

D = date.fromisoformat

# domain.md §8: (number, R, D1 strict, D1 with eves as holidays). Only 9 and 10 differ.
D1_EXAMPLES = [
    (1, "2025-03-05", "2025-04-07", "2025-04-07"),
    (2, "2025-08-31", "2025-09-30", "2025-09-30"),
    (3, "2025-01-31", "2025-02-28", "2025-02-28"),
    (4, "2028-01-30", "2028-02-29", "2028-02-29"),
    (5, "2025-09-13", "2025-10-13", "2025-10-13"),
    (6, "2026-03-03", "2026-04-07", "2026-04-07"),
    (7, "2026-04-14", "2026-05-15", "2026-05-15"),
    (8, "2025-05-06", "2025-06-09", "2025-06-09"),
    (9, "2026-05-19", "2026-06-19", "2026-06-22"),
    (10, "2025-11-24", "2025-12-24", "2025-12-29"),
    (11, "2025-10-01", "2025-11-03", "2025-11-03"),
    (12, "2025-10-31", "2025-12-01", "2025-12-01"),
]

D1_CASES = [
    pytest.param(D(r), eves, D(with_eves if eves else strict), id=f"ex{n:02d}-{'eves' if eves else 'strict'}")
    for n, r, strict, with_eves in D1_EXAMPLES
    for eves in (False, True)
]

D3_CASES = [
    pytest.param(D("2025-10-01"), D("2026-01-02"), id="ex11"),
    pytest.param(D("2025-10-31"), D("2026-02-02"), id="ex12"),
]

# Hypothesis ranges: well inside the years the holidays package covers.
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
eves_flags = st.booleans()


@pytest.mark.parametrize(("received", "eves", "expected"), D1_CASES)
def test_d1_worked_examples(received: date, eves: bool, expected: date) -> None:
    assert due_date(received, eves_as_holidays=eves) == expected


@pytest.mark.parametrize(("received", "expected"), D3_CASES)
@pytest.mark.parametrize("eves", [False, True], ids=["strict", "eves"])
def test_d3_worked_examples(received: date, expected: date, eves: bool) -> None:
    assert extended_due_date(received, eves_as_holidays=eves) == expected


def test_example_13_pause_for_identity_question() -> None:
    received, question, reply = D("2025-06-02"), D("2025-06-03"), D("2025-06-10")
    pause = pause_days(received, question, reply)
    assert pause == 7
    assert due_date(received, pause_days=pause) == D("2025-07-09")
    assert due_date(received) == D("2025-07-02")


# --- calendar -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "strict", "with_eves"),
    [
        pytest.param("2025-03-10", False, False, id="ordinary-monday"),
        pytest.param("2025-03-08", True, True, id="ordinary-saturday"),
        pytest.param("2025-03-09", True, True, id="ordinary-sunday"),
        pytest.param("2025-01-06", True, True, id="epiphany"),
        pytest.param("2025-04-18", True, True, id="good-friday"),
        pytest.param("2025-04-21", True, True, id="easter-monday"),
        pytest.param("2025-05-01", True, True, id="may-day"),
        pytest.param("2025-05-29", True, True, id="ascension"),
        pytest.param("2025-06-06", True, True, id="national-day"),
        pytest.param("2025-06-09", False, False, id="whit-monday-not-a-holiday-since-2005"),
        pytest.param("2025-06-20", False, True, id="midsummer-eve"),
        pytest.param("2025-12-24", False, True, id="christmas-eve"),
        pytest.param("2025-12-26", True, True, id="boxing-day"),
        pytest.param("2025-12-31", False, True, id="new-years-eve"),
        pytest.param("2026-01-01", True, True, id="new-years-day"),
    ],
)
def test_is_nonworking(day: str, strict: bool, with_eves: bool) -> None:
    assert is_nonworking(D(day)) is strict
    assert is_nonworking(D(day), eves_as_holidays=True) is with_eves


@given(dates, eves_flags)
def test_weekends_are_nonworking_and_eves_only_add(d: date, eves: bool) -> None:
    if d.weekday() >= 5:
        assert is_nonworking(d, eves_as_holidays=eves)
    if is_nonworking(d):
        assert is_nonworking(d, eves_as_holidays=True)


@given(dates, eves_flags)
def test_roll_is_the_first_working_day_on_or_after(d: date, eves: bool) -> None:
    rolled = roll(d, eves_as_holidays=eves)
    assert rolled >= d
    assert not is_nonworking(rolled, eves_as_holidays=eves)
    day = d
    while day < rolled:
        assert is_nonworking(day, eves_as_holidays=eves)
        day += timedelta(days=1)


# --- add_months (1182/71 Art 3(2)(c)) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-01-31", 1, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-08-31", 1, "2025-09-30"),
        ("2025-03-31", -1, "2025-02-28"),
        ("2025-11-30", 3, "2026-02-28"),
        ("2025-12-15", 1, "2026-01-15"),
        ("2025-05-31", 0, "2025-05-31"),
        ("2025-01-15", -13, "2023-12-15"),
    ],
)
def test_add_months_examples(start: str, n: int, expected: str) -> None:
    assert add_months(D(start), n) == D(expected)


@given(dates, st.integers(min_value=-36, max_value=36))
def test_add_months_keeps_day_or_clamps(d: date, n: int) -> None:
    result = add_months(d, n)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == n
    if result.day != d.day:
        # Clamped: only when the target month is too short, and then to its last day.
        assert result.day < d.day
        assert (result + timedelta(days=1)).day == 1


# --- D1 and D3 (R-T2, R-T3, R-T5) -------------------------------------------------------------------


@given(dates, eves_flags)
def test_d1_properties(received: date, eves: bool) -> None:
    d1 = due_date(received, eves_as_holidays=eves)
    assert not is_nonworking(d1, eves_as_holidays=eves)
    assert d1 > received
    assert d1 <= roll(received + timedelta(days=31), eves_as_holidays=eves)
    assert extended_due_date(received, eves_as_holidays=eves) >= d1


@given(dates, st.integers(min_value=0, max_value=60), eves_flags)
def test_pause_shifts_d1_and_d3(received: date, k: int, eves: bool) -> None:
    d1 = due_date(received, eves_as_holidays=eves)
    d3 = extended_due_date(received, eves_as_holidays=eves)
    d1_paused = due_date(received, pause_days=k, eves_as_holidays=eves)
    d3_paused = extended_due_date(received, pause_days=k, eves_as_holidays=eves)
    assert d1_paused >= d1
    assert d3_paused >= d3
    assert d1_paused == roll(add_months(received, 1) + timedelta(days=k), eves_as_holidays=eves)
    assert d1_paused >= add_months(received, 1) + timedelta(days=k)


def test_negative_pause_is_refused() -> None:
    with pytest.raises(ValueError, match="pause_days"):
        due_date(D("2025-03-05"), pause_days=-1)


def test_d3_counts_from_receipt_not_from_d1() -> None:
    # domain.md §1 month-end note: R + 3 months (Thu 30 Apr 2026), not nominal D1 (28 Feb) + 2 months.
    assert extended_due_date(D("2026-01-31")) == D("2026-04-30")


# --- working days -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "eves", "expected"),
    [
        pytest.param("2025-03-07", 1, False, "2025-03-10", id="friday-plus-1"),
        pytest.param("2025-03-10", 0, False, "2025-03-10", id="zero"),
        pytest.param("2025-04-17", 1, False, "2025-04-22", id="over-easter"),
        pytest.param("2025-12-23", 1, False, "2025-12-24", id="christmas-eve-strict"),
        pytest.param("2025-12-23", 1, True, "2025-12-29", id="christmas-eve-eves"),
        pytest.param("2025-03-10", -1, False, "2025-03-07", id="monday-minus-1"),
    ],
)
def test_add_working_days_examples(start: str, n: int, eves: bool, expected: str) -> None:
    assert add_working_days(D(start), n, eves_as_holidays=eves) == D(expected)


@given(dates, st.integers(min_value=0, max_value=40), eves_flags)
def test_working_days_between_inverts_add_working_days(d: date, n: int, eves: bool) -> None:
    later = add_working_days(d, n, eves_as_holidays=eves)
    assert working_days_between(d, later, eves_as_holidays=eves) == n
    if n:
        assert not is_nonworking(later, eves_as_holidays=eves)


def test_working_days_between_examples() -> None:
    # (Fri 7 Mar, Mon 17 Mar] = 6 working days; the start day itself is never counted.
    assert working_days_between(D("2025-03-07"), D("2025-03-17")) == 6
    assert working_days_between(D("2025-03-10"), D("2025-03-10")) == 0
    assert working_days_between(D("2025-03-17"), D("2025-03-07")) == 0
    # (Mon 22 Dec 2025, Wed 31 Dec]: 23, 24, 29, 30, 31 are working strictly; only 23, 29, 30 with eves.
    assert working_days_between(D("2025-12-22"), D("2025-12-31")) == 5
    assert working_days_between(D("2025-12-22"), D("2025-12-31"), eves_as_holidays=True) == 3


# --- pause_days (R-T5) ------------------------------------------------------------------------------


def test_pause_days_question_within_window_counts() -> None:
    # R Fri 7 Mar; question Tue 11 Mar is the 2nd working day after R.
    assert pause_days(D("2025-03-07"), D("2025-03-11"), D("2025-03-20")) == 9


def test_pause_days_late_question_gives_zero() -> None:
    # R Fri 7 Mar; question Wed 12 Mar is the 3rd working day after R: too late to pause the clock.
    assert pause_days(D("2025-03-07"), D("2025-03-12"), D("2025-03-20")) == 0


def test_pause_days_window_uses_eves_setting() -> None:
    # R Mon 22 Dec 2025, question Mon 29 Dec: 3 working days strictly (23, 24, 29), 2 with eves (23, 29).
    assert pause_days(D("2025-12-22"), D("2025-12-29"), D("2026-01-05")) == 0
    assert pause_days(D("2025-12-22"), D("2025-12-29"), D("2026-01-05"), eves_as_holidays=True) == 7


def test_pause_days_reply_before_question_is_refused() -> None:
    with pytest.raises(ValueError, match="before the question"):
        pause_days(D("2025-06-02"), D("2025-06-03"), D("2025-06-02"))


def test_pause_days_question_before_receipt_is_refused() -> None:
    with pytest.raises(ValueError, match="before the receipt"):
        pause_days(D("2025-06-02"), D("2025-06-01"), D("2025-06-05"))


@given(dates, st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=60), eves_flags)
def test_pause_days_counts_only_timely_questions(received: date, delay: int, wait: int, eves: bool) -> None:
    question = received + timedelta(days=delay)
    reply = question + timedelta(days=wait)
    pause = pause_days(received, question, reply, eves_as_holidays=eves)
    assert pause >= 0
    # Timely = before the 3rd working day after R (a weekend after the 2nd working day is still inside).
    if question < add_working_days(received, 3, eves_as_holidays=eves):
        assert pause == wait
    else:
        assert pause == 0


# --- receipt_date (R-T1) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        pytest.param("2025-03-04T23:30:00+00:00", "2025-03-05", id="winter-late-utc-is-next-day"),
        pytest.param("2025-03-04T22:59:59+00:00", "2025-03-04", id="winter-before-local-midnight"),
        pytest.param("2025-07-01T22:00:00+00:00", "2025-07-02", id="summer-cest"),
        pytest.param("2025-07-01T21:59:00+00:00", "2025-07-01", id="summer-before-local-midnight"),
        pytest.param("2025-03-05T04:00:00+05:00", "2025-03-05", id="other-offset"),
        pytest.param("2025-08-30T22:15:00+00:00", "2025-08-31", id="sunday-receipt-not-rolled"),
    ],
)
def test_receipt_date_is_stockholm_calendar_date(instant: str, expected: str) -> None:
    assert receipt_date(datetime.fromisoformat(instant)) == D(expected)


def test_receipt_date_other_zone() -> None:
    instant = datetime(2025, 3, 4, 23, 30, tzinfo=UTC)
    assert receipt_date(instant, tz="UTC") == D("2025-03-04")


def test_receipt_date_refuses_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        receipt_date(datetime(2025, 3, 4, 23, 30))
