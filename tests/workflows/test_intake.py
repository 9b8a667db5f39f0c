"""workflows.intake: what each request type asks for and how answers are read (issue #3)."""

from __future__ import annotations

from datetime import date

import pytest

from workflows import intake

TODAY = date(2026, 3, 3)
ENTITIES = ["KomTeknik Bredband AB", "KomTeknik Mobil AB", "KomTeknik Företag AB"]


def read(text: str, request_type: str = "access", requested: str | None = None) -> intake.Answers:
    return intake.read_answers(
        text, request_type=request_type, requested=requested, today=TODAY, legal_entities=ENTITIES
    )


def test_each_type_asks_identity_of_section_2_and_its_own_details():
    assert intake.required_slots("access")[:6] == list(intake.IDENTITY_SLOTS)
    assert {"access_scope", "access_delivery", "signed_form"} <= set(intake.required_slots("access"))
    assert {"wrong_data", "correct_data", "restriction"} <= set(intake.required_slots("rectification"))
    assert intake.required_slots("erasure")[-1] == "erasure_confirmed"
    assert intake.required_slots("consent_withdrawal")[0] == "consent_channels"
    # R-F3: a complaint needs only a way to answer the person.
    assert intake.required_slots("complaint") == ["complaint_text", "full_name", "contact"]


def test_email_uses_the_section_0_defaults_instead_of_asking():
    assert "access_delivery" not in intake.required_slots("access", "email")
    assert intake.email_defaults("access") == {
        "access_scope": "all",
        "access_delivery": "post",
        "signed_form": True,
    }


def test_missing_and_identity_complete():
    filled = {"full_name": "Maja Lindgren", "contact": "maja@example.se"}
    assert intake.missing_slots("complaint", filled) == ["complaint_text"]
    assert intake.identity_complete("complaint", filled)
    assert not intake.identity_complete("access", filled)


def test_one_message_fills_every_detail():
    answers = read(
        "Maja Lindgren, 811218-9876, Storgatan 12, 411 38 Göteborg, kundnummer 4471203", requested="full_name"
    )
    assert answers.values == {
        "full_name": "Maja Lindgren",
        "personnummer": "19811218-9876",
        "address": "Storgatan 12, 411 38 Göteborg",
        "customer_number": "4471203",
    }
    assert answers.invalid == {}


@pytest.mark.parametrize(
    ("text", "reason"), [("811218-9877", "checksum"), ("811318-9876", "date"), ("hej", "format")]
)
def test_a_bad_personnummer_says_why(text, reason):
    assert read(text, requested="personnummer").invalid == {"personnummer": reason}


def test_samordningsnummer_is_accepted():
    assert read("701063-2391", requested="personnummer").values["personnummer"] == "19701063-2391"


@pytest.mark.parametrize("text", ["vet inte", "Vet ej", "don't know", "nej", "har inget kundnummer"])
def test_customer_number_if_known(text):
    assert read(text, requested="customer_number").values["customer_number"] == intake.UNKNOWN


def test_legal_entity_from_configuration():
    assert (
        read("mobil hos er, KomTeknik Mobil", requested="legal_entity").values["legal_entity"]
        == "KomTeknik Mobil AB"
    )
    assert read("osäker", requested="legal_entity").values["legal_entity"] == intake.UNKNOWN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("allt", "all"),
        ("all of it", "all"),
        ("bara samtalslistorna", "bara samtalslistorna"),
    ],
)
def test_access_scope_defaults_to_everything(text, expected):
    assert read(text, requested="access_scope").values["access_scope"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("post", "post"),
        ("med post tack", "post"),
        ("elektroniskt", "electronic"),
        ("secure electronic", "electronic"),
    ],
)
def test_delivery(text, expected):
    assert read(text, requested="access_delivery").values["access_delivery"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("e-post och sms", ["email", "sms"]),
        ("sluta ringa mig", ["phone"]),
        ("no more letters or profiling", ["letter", "profiling"]),
        ("allt", list(intake.CHANNELS)),
        ("everything", list(intake.CHANNELS)),
    ],
)
def test_consent_channels(text, expected):
    assert (
        read(text, "consent_withdrawal", requested="consent_channels").values["consent_channels"] == expected
    )


def test_consent_channels_from_the_opening_message():
    assert read("STOPP SMS", "consent_withdrawal").values["consent_channels"] == ["sms"]


@pytest.mark.parametrize(
    ("text", "expected"), [("ja", True), ("/affirm", True), ("Nej tack", False), ("/deny", False)]
)
def test_yes_no(text, expected):
    assert read(text, "erasure", requested="erasure_confirmed").values["erasure_confirmed"] is expected


def test_yes_no_unreadable():
    assert read("kanske", "erasure", requested="erasure_confirmed").invalid == {"erasure_confirmed": "yes_no"}


def test_free_text_answers_are_kept_whole():
    text = "ni har min gamla adress Storgatan 12, 411 38 Göteborg"
    answers = read(text, "rectification", requested="wrong_data")
    assert answers.values == {"wrong_data": text}  # not mistaken for my address


def test_a_long_complaint_opening_is_the_complaint():
    text = "Jag vill klaga på att ni skickade min faktura med mina uppgifter till min granne"
    assert read(text, "complaint").values["complaint_text"] == text
    assert "complaint_text" not in read("jag vill klaga", "complaint").values


def test_email_checklist_lists_everything_missing_and_reads_back():
    missing = intake.missing_slots("erasure", {}, "email")
    text = intake.checklist("erasure", missing, "sv", legal_entities=ENTITIES, today=TODAY)
    assert text.count(":\n") + text.endswith(":") >= 1
    for label in ("Namn:", "Personnummer", "Folkbokföringsadress", "KomTeknik Företag AB", "Bekräfta"):
        assert label in text
    assert "bokföringslagen" in text  # what is kept, before the confirmation
    reply = "\n".join(
        [
            "Namn: Maja Lindgren",
            "Personnummer (eller samordningsnummer): 811218-9876",
            "Folkbokföringsadress: Storgatan 12, 411 38 Göteborg",
            "E-post eller telefon som du har registrerat hos oss: maja@example.se",
            "Kundnummer (om du vet det): vet inte",
            "Bolag du har avtal med: KomTeknik Bredband AB",
            "Bekräfta att vi ska radera (ja/nej): ja",
        ]
    )
    answers = read(reply, "erasure", requested="full_name")
    assert intake.missing_slots("erasure", answers.values) == []
    assert answers.values["erasure_confirmed"] is True


def test_english_checklist():
    text = intake.checklist(
        "complaint", ["complaint_text", "contact"], "en", legal_entities=ENTITIES, today=TODAY
    )
    assert "What happened:" in text and "E-mail or phone" in text


def test_retention_explanation_names_the_three_exceptions():
    for language, words in (
        ("sv", ("bokföringslagen", "avtal", "LEK")),
        ("en", ("Bookkeeping", "contract", "LEK")),
    ):
        text = intake.retention_explanation(language, today=TODAY)
        assert all(w in text for w in words)
        assert "2034-01-01" in text  # Bokföringslagen 7 kap. 2 §: 1 January of year + 8


def test_second_fallback_in_a_row_hands_over():
    assert not intake.should_hand_over_after_fallback(["greet", "nlu_fallback"])
    assert intake.should_hand_over_after_fallback(["greet", "nlu_fallback", "nlu_fallback"])
    assert not intake.should_hand_over_after_fallback(["nlu_fallback", "inform", "nlu_fallback"])
