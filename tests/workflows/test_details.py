"""Tests for workflows/details.py (R-F3: the identity details the assistant collects).

Fictitious test numbers, check digits computed: 850312-2387, 811218-9876 (domain.md §6), 701063-2391
(samordningsnummer, domain.md §6), 070123-4569 (a personnummer that also looks like a mobile number).
"""

from __future__ import annotations

from datetime import date

import pytest

from workflows.details import SLOTS, Details, extract_details

TODAY = date(2025, 6, 15)
ENTITIES = ("KomTeknik Bredband AB", "KomTeknik Mobil AB", "KomTeknik Företag AB")


def extract(text: str, expect: str | None = None) -> Details:
    return extract_details(text, today=TODAY, legal_entities=ENTITIES, expect=expect)


def pnr(details: Details) -> str | None:
    return details.identity_number.canonical() if details.identity_number else None


# ------------------------------------------------------------------ several details in one message


def test_swedish_one_liner_fills_name_number_and_address() -> None:
    d = extract("Maja Lindgren, 850312-2387, Storgatan 12, 411 38 Göteborg")
    assert d.full_name == "Maja Lindgren"
    assert pnr(d) == "19850312-2387"
    assert d.address == "Storgatan 12, 411 38 Göteborg"
    assert d.invalid_identity_number is None
    assert d.filled() == ["full_name", "identity_number", "address"]


def test_swedish_sentence_with_everything() -> None:
    d = extract(
        "Hej! Jag heter Maja Lindgren och mitt personnummer är 850312-2387. Jag har bredband hos er. "
        "Mejla maja.lindgren@example.se eller ring 070-123 45 67. Kundnummer: 1234567. "
        "Jag bor på Storgatan 12, 411 38 Göteborg."
    )
    assert d == Details(
        full_name="Maja Lindgren",
        identity_number=d.identity_number,
        email="maja.lindgren@example.se",
        phone="+46701234567",
        address="Storgatan 12, 411 38 Göteborg",
        customer_number="1234567",
        legal_entity="KomTeknik Bredband AB",
    )
    assert pnr(d) == "19850312-2387"


def test_english_message_with_everything() -> None:
    d = extract(
        "Hi, my name is John Smith. Personal identity number 19811218-9876, customer number KT-123456, "
        "phone +46 70 123 45 67, e-mail john.smith@example.com. I'm a KomTeknik Mobil AB customer. "
        "Address: Drottninggatan 5 B, 111 51 Stockholm"
    )
    assert d.full_name == "John Smith"
    assert pnr(d) == "19811218-9876"
    assert d.customer_number == "KT-123456"
    assert d.phone == "+46701234567"
    assert d.email == "john.smith@example.com"
    assert d.legal_entity == "KomTeknik Mobil AB"
    assert d.address == "Drottninggatan 5 B, 111 51 Stockholm"


def test_form_style_e_mail() -> None:
    d = extract(
        "Namn: Maja Lindgren\n"
        "Personnummer: 19850312-2387\n"
        "Adress: Storgatan 12\n411 38 Göteborg\n"
        "E-post: maja@example.se\n"
        "Telefon: 08-123 456 78\n"
        "Kundnr: 1234567\n"
        "Bolag: KomTeknik Foretag AB\n"
    )
    assert d.full_name == "Maja Lindgren"
    assert pnr(d) == "19850312-2387"
    assert d.address == "Storgatan 12, 411 38 Göteborg"
    assert d.email == "maja@example.se"
    assert d.phone == "+46812345678"
    assert d.customer_number == "1234567"
    assert d.legal_entity == "KomTeknik Företag AB"


def test_e_mail_signature_gives_the_name() -> None:
    d = extract("Hej!\nJag vill radera mina uppgifter.\n\nMed vänliga hälsningar\nMaja Lindgren\n")
    assert d.full_name == "Maja Lindgren"


def test_samordningsnummer_in_text() -> None:
    d = extract("Jag har samordningsnummer 701063-2391")
    assert d.identity_number is not None and d.identity_number.kind == "samordningsnummer"


# ------------------------------------------------------------------ keywords without å/ä/ö


def test_keywords_without_swedish_letters() -> None:
    d = extract("mitt namn ar Maja Lindgren, jag ar foretagskund, kundnummer ar 99887766")
    assert d.full_name == "Maja Lindgren"
    assert d.legal_entity == "KomTeknik Företag AB"
    assert d.customer_number == "99887766"


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Jag har bredband hos er", "KomTeknik Bredband AB"),
        ("Det gäller bredbandet", "KomTeknik Bredband AB"),
        ("mitt mobilabonnemang", "KomTeknik Mobil AB"),
        ("Jag är företagskund", "KomTeknik Företag AB"),
        ("avtal med komteknik mobil ab", "KomTeknik Mobil AB"),
        ("KOMTEKNIK BREDBAND", "KomTeknik Bredband AB"),
        ("I have broadband with you", "KomTeknik Bredband AB"),
    ],
)
def test_legal_entity(text: str, entity: str) -> None:
    assert extract(text).legal_entity == entity


@pytest.mark.parametrize(
    "text",
    [
        "KomTeknik",  # the group, not a company
        "mobil: 070-123 45 67",  # a phone label
        "mitt mobilnummer är 070-123 45 67",
        "mobile +46 70 123 45 67",
        "my mobile number is 0701234567",
        "maja@bredband.se",  # inside an e-mail address
        "jag är privatperson, inte företag",
        "Jag har både bredband och mobil hos er",  # two companies: ask
        "I run a business",  # generic English word, not asked for
    ],
)
def test_no_legal_entity(text: str) -> None:
    assert extract(text).legal_entity is None


def test_generic_entity_words_when_asked() -> None:
    assert extract("business", expect="legal_entity").legal_entity == "KomTeknik Företag AB"
    assert extract("Mobil", expect="legal_entity").legal_entity == "KomTeknik Mobil AB"


def test_entities_come_from_configuration() -> None:
    d = extract_details("Jag har tv hos er", today=TODAY, legal_entities=["Acme TV AB", "Acme Radio AB"])
    assert d.legal_entity == "Acme TV AB"
    assert extract_details("bredband", today=TODAY, legal_entities=["Acme TV AB"]).legal_entity is None


# ------------------------------------------------------------------ phones


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("tel 070-123 45 67", "+46701234567"),
        ("070 123 45 67", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("+46 (0)70-123 45 67", "+46701234567"),
        ("0046 70 123 45 67", "+46701234567"),
        ("+46701234567", "+46701234567"),
        ("08-123 456 78", "+46812345678"),
        ("031-12 34 56", "+4631123456"),
        ("ring mig på 0701234567", "+46701234567"),
        ("+47 412 34 567", "+4741234567"),
    ],
)
def test_phone_formats(text: str, phone: str) -> None:
    assert extract(text).phone == phone


def test_two_different_phones_are_ambiguous() -> None:
    assert extract("070-123 45 67 eller 070-765 43 21").phone is None
    assert extract("070-123 45 67 (alltså +46701234567)").phone == "+46701234567"


def test_number_that_is_both_phone_and_personnummer() -> None:
    # 070123-4569 is a valid personnummer (born 2007) and a mobile number: the context decides.
    assert extract("0701234569").phone is None
    assert extract("0701234569").identity_number is None
    assert extract("0701234569", expect="phone").phone == "+46701234569"
    assert extract("telefon 0701234569").phone == "+46701234569"
    assert pnr(extract("personnummer 0701234569")) == "20070123-4569"
    assert pnr(extract("0701234569", expect="identity_number")) == "20070123-4569"
    assert pnr(extract("070123-4569")) == "20070123-4569"


def test_personnummer_and_phone_side_by_side() -> None:
    d = extract("personnummer 850312-2387, telefon 0701234567")
    assert pnr(d) == "19850312-2387"
    assert d.phone == "+46701234567"


# ------------------------------------------------------------------ identity numbers


def test_invalid_number_is_reported_for_the_bot() -> None:
    d = extract("Mitt personnummer är 850230-1234")
    assert d.identity_number is None
    assert d.invalid_identity_number == "850230-1234"
    assert extract("850312-2388").invalid_identity_number == "850312-2388"
    assert extract("pnr 850312-238").invalid_identity_number == "850312-238"


def test_two_different_valid_numbers_are_ambiguous() -> None:
    d = extract("811218-9876 eller 850312-2387")
    assert d.identity_number is None
    assert d.invalid_identity_number is None


def test_same_number_twice_is_fine() -> None:
    assert pnr(extract("811218-9876 (19811218-9876)")) == "19811218-9876"


def test_valid_number_wins_over_a_typo() -> None:
    d = extract("811218-9875, nej förlåt: 811218-9876")
    assert pnr(d) == "19811218-9876"
    assert d.invalid_identity_number is None


def test_organisationsnummer_is_not_an_identity_attempt() -> None:
    d = extract("Vårt organisationsnummer är 556036-0793")
    assert d.identity_number is None and d.invalid_identity_number is None


# ------------------------------------------------------------------ customer number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("kundnummer 1234567", "1234567"),
        ("Kundnr: 12-34567", "12-34567"),
        ("mitt kundnummer är 556677", "556677"),
        ("customer number: KT-123456", "KT-123456"),
        ("Customer no. 998877", "998877"),
    ],
)
def test_customer_number(text: str, number: str) -> None:
    assert extract(text).customer_number == number


@pytest.mark.parametrize(
    "text",
    ["jag har inget kundnummer", "kundnummer 12", "123456", "mitt kundnummer är 811218-9876"],
)
def test_no_customer_number(text: str) -> None:
    assert extract(text).customer_number is None


def test_bare_customer_number_when_asked() -> None:
    assert extract("123456", expect="customer_number").customer_number == "123456"
    assert extract("01234567", expect="customer_number") == Details(customer_number="01234567")


def test_personnummer_after_kundnummer_is_a_personnummer() -> None:
    d = extract("mitt kundnummer är 811218-9876")
    assert pnr(d) == "19811218-9876"


# ------------------------------------------------------------------ addresses


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Storgatan 12, 411 38 Göteborg", "Storgatan 12, 411 38 Göteborg"),
        ("Storgatan 12 41138 Göteborg", "Storgatan 12, 411 38 Göteborg"),
        ("Jag bor på Storgatan 12, 411 38 Göteborg", "Storgatan 12, 411 38 Göteborg"),
        ("Adress: Stora Nygatan 5 lgh 1102, 111 27 Stockholm", "Stora Nygatan 5 lgh 1102, 111 27 Stockholm"),
        ("Karl Johans gata 5, 414 59 Göteborg", "Karl Johans gata 5, 414 59 Göteborg"),
        ("Lilla Bommen 1, 411 04 Göteborg", "Lilla Bommen 1, 411 04 Göteborg"),
        ("Vasavägen 3, 194 34 Upplands Väsby", "Vasavägen 3, 194 34 Upplands Väsby"),
        ("Box 8114, 104 20 Stockholm", "Box 8114, 104 20 Stockholm"),
        ("Östra Hamngatan 7A\nSE-411 10 Göteborg", "Östra Hamngatan 7A, 411 10 Göteborg"),
        ("Storgatan 12, 411 38 Göteborg Tack!", "Storgatan 12, 411 38 Göteborg"),
    ],
)
def test_address(text: str, address: str) -> None:
    assert extract(text).address == address


@pytest.mark.parametrize(
    "text",
    [
        "Storgatan 12, Göteborg",  # no postcode
        "Storgatan, 411 38 Göteborg",  # no house number
        "Jag har 2 abonnemang och 411 38 kronor",
        "Jag fyllde 40 den 12 maj",
    ],
)
def test_no_address(text: str) -> None:
    assert extract(text).address is None


def test_two_different_addresses_are_ambiguous() -> None:
    assert extract("Storgatan 12, 411 38 Göteborg, förut Kungsgatan 1, 111 43 Stockholm").address is None


def test_bare_lower_case_address_when_asked() -> None:
    assert extract("storgatan 12 41138 göteborg", expect="address").address == "storgatan 12, 411 38 göteborg"
    assert extract("storgatan 12 41138 göteborg").address is None


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jag heter Maja Lindgren", "Maja Lindgren"),
        ("jag heter Maja Lindgren och vill ha ett utdrag", "Maja Lindgren"),
        ("Mitt namn är Anna-Karin von Essen.", "Anna-Karin von Essen"),
        ("My name is John Smith and I want my data", "John Smith"),
        ("Name: John Smith", "John Smith"),
        ("Namn: Maja Lindgren", "Maja Lindgren"),
        ("Hej! Maja Lindgren, 850312-2387", "Maja Lindgren"),
        ("Maja Lindgren\nmaja@example.se", "Maja Lindgren"),
        ("Maja Lindgren Storgatan 12 41138 Göteborg", "Maja Lindgren"),
        ("Mvh Maja Lindgren", "Maja Lindgren"),
        ("Best regards,\nJohn Smith", "John Smith"),
    ],
)
def test_name_from_markers(text: str, name: str) -> None:
    assert extract(text).full_name == name


@pytest.mark.parametrize(
    "text",
    [
        "Hej, jag vill ha ett registerutdrag",
        "Hej! Jag vill ha ett registerutdrag, tack.",
        "Hello, I want a copy of my data",
        "Maja Lindgren",  # a bare name only when the bot asked for one
        "Maja Lindgren vill ha ett registerutdrag",
        "Jag heter Maja",  # only a first name is no full name
        "Mvh Maja",
        "Hej Maja Lindgren, 850312-2387",  # addresses someone
        "Hej Support Team, 850312-2387",
        "Dear Sir or Madam, 850312-2387",
        "God Morgon, 850312-2387",
        "KomTeknik Bredband, 850312-2387",
        "Registerutdrag Tack, 850312-2387",
        "mitt namn är felstavat hos er",  # a rectification request, not a name
        "My name is wrong in your system",
        "jag heter maja lindgren",  # lower case only when the bot asked for the name
        "Jag heter Maja Lindgren. Mitt namn är Maja Svensson.",  # two names: ask
    ],
)
def test_no_false_name(text: str) -> None:
    assert extract(text).full_name is None


def test_bare_name_when_asked() -> None:
    assert extract("Maja Lindgren", expect="full_name").full_name == "Maja Lindgren"
    assert extract("maja lindgren", expect="full_name").full_name == "maja lindgren"
    assert extract("jag heter maja lindgren", expect="full_name").full_name == "maja lindgren"
    assert extract("my name is maja lindgren, thanks", expect="full_name").full_name == "maja lindgren"
    assert extract("Det är Maja Lindgren.", expect="full_name").full_name == "Maja Lindgren"
    assert extract("Maja", expect="full_name").full_name is None
    assert extract("jag vet inte", expect="full_name").full_name is None
    assert extract("Varför behöver ni det?", expect="full_name").full_name is None


def test_bare_name_with_other_details_when_asked() -> None:
    d = extract("Maja Lindgren 850312-2387", expect="full_name")
    assert d.full_name == "Maja Lindgren"
    assert pnr(d) == "19850312-2387"


# ------------------------------------------------------------------ nothing, and the API


def test_request_without_details_is_empty() -> None:
    assert extract("Hej, jag vill ha ett registerutdrag") == Details()
    assert extract("Please delete all my data.") == Details()
    assert extract("") == Details()


def test_unknown_expect_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="expect"):
        extract("x", expect="shoe_size")


def test_expect_aliases_and_slots() -> None:
    assert "full_name" in SLOTS and "invalid_identity_number" not in SLOTS
    assert extract("Maja Lindgren", expect="name").full_name == "Maja Lindgren"


def test_repr_never_shows_the_values() -> None:
    # R-F4 / style rule 9: a repr ends up in logs.
    d = extract("Maja Lindgren, 850312-2387, maja@example.se, 070-123 45 67")
    shown = repr(d)
    for secret in ("Lindgren", "2387", "maja@", "123 45"):
        assert secret not in shown
    assert "850312-****" in shown and "email=<set>" in shown


@pytest.mark.parametrize("text", ["fakturanummer 0123456789", "OCR: 8112189876", "ärende 0701234567"])
def test_invoice_and_case_numbers_are_neither_phone_nor_personnummer(text: str) -> None:
    assert extract(text) == Details()


def test_other_number_keyword_only_covers_the_next_number() -> None:
    assert pnr(extract("konto 8327-9, 811218-9876")) == "19811218-9876"
    assert extract("Faktura 12345678. Mitt telefonnummer: 0701234567").phone == "+46701234567"
