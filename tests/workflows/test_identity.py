"""Tests for workflows/identity.py (domain.md §6: Folkbokföringslagen 18 §, 18 a §; R-F4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.utils.identity import luhn
from workflows.identity import (
    IdentityNumber,
    InvalidIdentityNumber,
    find_identity_candidates,
    find_identity_numbers,
    is_valid_organisationsnummer,
    parse_identity_number,
    scan_identity_numbers,
)

TODAY = date(2025, 6, 15)


def with_check(nine: str) -> str:
    """'YYMMDDNNN' -> 'YYMMDD-NNNC' with a correct check digit."""
    return f"{nine[:6]}-{nine[6:]}{luhn(nine)}"


def parse(text: str, today: date = TODAY) -> IdentityNumber:
    return parse_identity_number(text, today=today)


def reason_of(text: str, today: date = TODAY) -> str:
    with pytest.raises(InvalidIdentityNumber) as info:
        parse(text, today)
    assert isinstance(info.value, ValueError)
    return info.value.reason


# ------------------------------------------------------------------ the domain's test vectors


def test_domain_personnummer_vector() -> None:
    n = parse("811218-9876")
    assert n.kind == "personnummer"
    assert n.digits12 == "198112189876"
    assert n.birth_date == date(1981, 12, 18)
    assert n.canonical() == "19811218-9876"
    assert n.masked() == "811218-****"


def test_domain_samordningsnummer_vector() -> None:
    # FOL 18 a §: day + 60; 63 is the 3rd.
    n = parse("701063-2391")
    assert n.kind == "samordningsnummer"
    assert n.birth_date == date(1970, 10, 3)
    assert n.digits12 == "197010632391"
    assert n.canonical() == "19701063-2391"
    assert n.masked() == "701063-****"


def test_the_checker_helper_agrees_with_the_domain_vectors() -> None:
    assert with_check("811218987") == "811218-9876"
    assert with_check("701063239") == "701063-2391"


@pytest.mark.parametrize(
    "text",
    [
        "811218-9876",
        "8112189876",
        "198112189876",
        "19811218-9876",
        "  811218-9876\n",
        "\t19811218-9876 ",
        "811218\u20139876",  # an en dash typed by a phone keyboard
    ],
)
def test_every_accepted_format(text: str) -> None:
    assert parse(text).canonical() == "19811218-9876"


# ------------------------------------------------------------------ century (Folkbokföringslagen 18 §)


def test_minus_means_under_100() -> None:
    assert parse(with_check("121212121")).birth_date == date(2012, 12, 12)
    assert parse("1212121212").birth_date == date(2012, 12, 12)


def test_plus_means_100_or_older() -> None:
    assert parse("121212+1212").birth_date == date(1912, 12, 12)
    assert parse("121212+1212").canonical() == "19121212-1212"


def test_plus_and_minus_pick_different_centuries_for_same_digits() -> None:
    minus = parse("121212-1212")
    plus = parse("121212+1212")
    assert minus.digits12[2:] == plus.digits12[2:]
    assert minus.birth_date.year - plus.birth_date.year == 100


def test_minus_with_a_date_later_this_year_is_last_century() -> None:
    # Birthday 20 December 25 not yet reached on 15 June 2025: born 1925, 99 years old.
    assert parse(with_check("251220123")).birth_date == date(1925, 12, 20)
    # 1 January 25 has passed: born this year.
    assert parse(with_check("250101123")).birth_date == date(2025, 1, 1)


def test_plus_from_the_year_of_the_100th_birthday() -> None:
    # FOL 18 §: "+" from the year the person turns 100, even before the birthday.
    number = with_check("251220123").replace("-", "+")
    assert parse(number).birth_date == date(1925, 12, 20)
    assert parse(number).ten_digit(today=TODAY) == number
    # 1926 turns 100 next year: "+" cannot mean 1926, so it is 1826.
    assert parse(with_check("260101123").replace("-", "+")).birth_date == date(1826, 1, 1)


def test_ten_digit_form_uses_plus_for_centenarians() -> None:
    assert parse("19121212-1212").ten_digit(today=TODAY) == "121212+1212"
    assert parse("811218-9876").ten_digit(today=TODAY) == "811218-9876"


def test_century_depends_on_today() -> None:
    assert parse("121212-1212", today=date(2010, 1, 1)).birth_date == date(1912, 12, 12)
    assert parse("121212-1212", today=date(2012, 12, 12)).birth_date == date(2012, 12, 12)
    assert parse("121212-1212", today=date(2012, 12, 11)).birth_date == date(1912, 12, 12)


# ------------------------------------------------------------------ invalid numbers


@pytest.mark.parametrize("wrong", [d for d in "0123456789" if d != "6"])
def test_wrong_check_digit(wrong: str) -> None:
    assert reason_of(f"811218-987{wrong}") == "checksum"
    assert reason_of(f"19811218987{wrong}") == "checksum"


def test_swapped_digits_fail_the_checksum() -> None:
    assert reason_of("811218-9786") == "checksum"


@pytest.mark.parametrize(
    "nine",
    [
        "850230123",  # 30 February
        "850231123",  # 31 February
        "230229123",  # 2023 is no leap year
        "850431123",  # 31 April
        "851301123",  # month 13
        "850001123",  # month 00
        "850100123",  # day 00
        "850132123",  # day 32 (neither a personnummer nor a samordningsnummer day)
        "850160123",  # day 60 = samordningsnummer day 0
        "850192123",  # day 92 = samordningsnummer day 32
        "850290123",  # samordningsnummer 30 February
    ],
)
def test_impossible_dates(nine: str) -> None:
    # A correct check digit, so the date is the only fault.
    assert reason_of(with_check(nine)) == "date"


def test_leap_day_is_a_date_in_leap_years() -> None:
    assert parse(with_check("240229123")).birth_date == date(2024, 2, 29)
    assert reason_of("20230229" + with_check("230229123")[-4:]) == "date"


def test_future_birth_dates_are_refused() -> None:
    tomorrow = TODAY + timedelta(days=1)
    nine = f"{tomorrow:%y%m%d}123"
    twelve = f"{tomorrow:%Y%m%d}-{nine[6:]}{luhn(nine)}"
    assert reason_of(twelve) == "date"
    assert reason_of("20300101" + with_check("300101123")[-4:]) == "date"
    # Born today is not the future.
    today_nine = f"{TODAY:%y%m%d}123"
    assert parse(f"{TODAY:%Y%m%d}-123{luhn(today_nine)}").birth_date == TODAY


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "abc",
        "811218",
        "811218-987",
        "811218-98765",
        "81121-89876",
        "811218_9876",
        "811218 9876",
        "811218--9876",
        "19811218+9876",  # "+" belongs to the 10-digit form only
        "1981121898765",
        "81121898765",
        "ÅÄÖÅÄÖ-ÅÄÖÅ",
        "٨١١٢١٨-٩٨٧٦",  # Arabic-Indic digits: no register holds them
        "811218-9876 extra",
    ],
)
def test_garbage_is_a_format_error(garbage: str) -> None:
    assert reason_of(garbage) == "format"


def test_error_message_never_repeats_the_number() -> None:
    # R-F4: exceptions end up in logs.
    with pytest.raises(InvalidIdentityNumber) as info:
        parse("811218-9875")
    assert "9875" not in str(info.value)
    assert "811218" not in str(info.value)


def test_repr_and_str_are_masked() -> None:
    n = parse("811218-9876")
    for shown in (repr(n), str(n), f"{n}", repr([n])):
        assert "9876" not in shown
        assert "811218-****" in shown


def test_value_semantics() -> None:
    assert parse("811218-9876") == parse("19811218-9876")
    assert parse("811218-9876") != parse("701063-2391")
    assert len({parse("811218-9876"), parse("8112189876")}) == 1


# ------------------------------------------------------------------ organisationsnummer


@pytest.mark.parametrize("text", ["556036-0793", "5560360793", " 556036-0793 "])
def test_valid_organisationsnummer(text: str) -> None:
    assert is_valid_organisationsnummer(text)


@pytest.mark.parametrize(
    "text",
    [
        "556036-0794",  # check digit
        "811218-9876",  # a personnummer: digits 3–4 are a month, below 20
        "551936-0793",  # digits 3–4 = 19
        "556036-079",
        "16556036-0793",
        "",
        "organisation",
    ],
)
def test_invalid_organisationsnummer(text: str) -> None:
    assert not is_valid_organisationsnummer(text)


def test_organisationsnummer_with_digits_20_passes() -> None:
    nine = "552000123"
    assert is_valid_organisationsnummer(nine + luhn(nine))
    nine = "551900123"
    assert not is_valid_organisationsnummer(nine + luhn(nine))


# ------------------------------------------------------------------ free text


def test_find_in_free_text() -> None:
    text = "Hej! Mitt personnummer är 811218-9876 och min mammas är 19701063-2391."
    found = find_identity_numbers(text, today=TODAY)
    assert [n.canonical() for n in found] == ["19811218-9876", "19701063-2391"]


def test_find_skips_invalid_and_repeats() -> None:
    text = "811218-9876 (alltså 198112189876), inte 811218-9875"
    assert [n.canonical() for n in find_identity_numbers(text, today=TODAY)] == ["19811218-9876"]


def test_find_accepts_a_space_as_separator() -> None:
    assert [n.canonical() for n in find_identity_numbers("pnr 811218 9876", today=TODAY)] == ["19811218-9876"]


@pytest.mark.parametrize(
    "text",
    [
        "order 12811218-98760",
        "ref 9811218-98761",
        "id 2-811218-9876-1",
        "no digits here",
        "datum 2025-06-15 kl 10:30",
        "org 556036-0793",
    ],
)
def test_find_ignores_numbers_inside_longer_numbers(text: str) -> None:
    assert find_identity_numbers(text, today=TODAY) == []


def test_candidates_include_invalid_attempts() -> None:
    text = "Mitt nummer är 850230-1234, eller kanske 811218-987. Rätt: 811218-9876"
    assert find_identity_candidates(text) == ["850230-1234", "811218-987", "811218-9876"]


def test_candidates_exclude_dates_phones_and_organisationsnummer() -> None:
    text = "Ring 070-123 45 67 den 2025-06-15, org.nr 556036-0793, kundnr 12345, postnr 411 38"
    assert find_identity_candidates(text) == []


def test_candidates_need_a_date_without_separator() -> None:
    # 10 digits with no separator count only when the first six could be a date.
    assert find_identity_candidates("1234567890") == []
    assert find_identity_candidates("8502301234") == ["8502301234"]
    # With a separator any shape is an attempt.
    assert find_identity_candidates("123456-7890") == ["123456-7890"]


def test_scan_reports_reasons_and_spans() -> None:
    text = "a 811218-9876 b 850230-1234 c 811218-9875"
    scan = scan_identity_numbers(text, today=TODAY)
    assert [(c.reason, text[c.start : c.end]) for c in scan] == [
        (None, "811218-9876"),
        ("date", "850230-1234"),
        ("checksum", "811218-9875"),
    ]
    assert "9876" not in repr(scan)


# ------------------------------------------------------------------ properties


@st.composite
def valid_numbers(draw: st.DrawFn) -> tuple[date, str, str, date]:
    """(today, kind, digits12, birth) for a valid number of a person under 200 on ``today``."""
    today = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
    birth = draw(st.dates(min_value=date(today.year - 199, 1, 1), max_value=today))
    kind = draw(st.sampled_from(["personnummer", "samordningsnummer"]))
    serial = draw(st.integers(min_value=0, max_value=999))
    day = birth.day + (60 if kind == "samordningsnummer" else 0)
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
    return today, kind, f"{birth.year:04d}{nine[2:]}{luhn(nine)}", birth


@given(valid_numbers(), st.sampled_from(["", " ", "\n ", "\t"]))
def test_every_valid_number_round_trips_through_each_format(
    case: tuple[date, str, str, date], pad: str
) -> None:
    today, kind, d12, birth = case
    # FOL 18 §: "+" from the year the person turns 100.
    sep = "+" if birth.year <= today.year - 100 else "-"
    forms = [d12, f"{d12[:8]}-{d12[8:]}", f"{d12[2:8]}{sep}{d12[8:]}"]
    if sep == "-":
        forms.append(d12[2:])
    for form in forms:
        n = parse_identity_number(f"{pad}{form}{pad}", today=today)
        assert n.digits12 == d12
        assert n.kind == kind
        assert n.birth_date == birth
        assert n.canonical() == f"{d12[:8]}-{d12[8:]}"
        assert n.masked() == f"{d12[2:8]}-****"
        assert n.ten_digit(today=today) == f"{d12[2:8]}{sep}{d12[8:]}"
        assert parse_identity_number(n.canonical(), today=today) == n


@given(valid_numbers(), st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_always_fails(case: tuple[date, str, str, date], delta: int) -> None:
    today, _, d12, _ = case
    wrong = d12[:-1] + str((int(d12[-1]) + delta) % 10)
    with pytest.raises(InvalidIdentityNumber) as info:
        parse_identity_number(wrong, today=today)
    assert info.value.reason == "checksum"


@given(valid_numbers(), st.sampled_from(["Mitt pnr: {}.", "{}", "({})", "pnr={}, tack", "nr {}\n"]))
def test_every_valid_number_is_found_in_text(case: tuple[date, str, str, date], template: str) -> None:
    today, _, d12, _ = case
    found = find_identity_numbers(template.format(f"{d12[:8]}-{d12[8:]}"), today=today)
    assert [n.digits12 for n in found] == [d12]


@given(st.text(alphabet="0123456789-+ abc", max_size=20))
def test_parse_only_raises_its_own_error(text: str) -> None:
    try:
        n = parse_identity_number(text, today=TODAY)
    except InvalidIdentityNumber as exc:
        assert exc.reason in ("format", "date", "checksum")
    else:
        assert len(n.digits12) == 12 and n.birth_date <= TODAY
