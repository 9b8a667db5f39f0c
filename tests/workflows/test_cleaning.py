"""E-mail cleaning before classification (issue #3): quotes and signatures go, the subject counts."""

from workflows.cleaning import clean_subject, text_for_classification


def test_quoted_reply_and_signature_are_removed() -> None:
    body = (
        "Hej!\n\nJag vill att ni raderar mina uppgifter.\n\nMvh\nMaja\n-- \nMaja Lindgren\n070-123 45 67\n\n"
        "Den 3 mars 2025 kl. 10:12 skrev KomTeknik <kundservice@example.se>:\n> Tack för ditt köp!\n"
    )
    cleaned = text_for_classification(body)
    assert "raderar mina uppgifter" in cleaned
    assert "Tack för ditt köp" not in cleaned
    assert "070-123" not in cleaned


def test_english_client_quote_header_and_inline_quotes() -> None:
    body = (
        "> old text about invoices\nPlease stop sending me offers.\n\n"
        "On Mon, 3 Mar 2025, KomTeknik wrote:\n> x"
    )
    assert text_for_classification(body) == "Please stop sending me offers."


def test_subject_is_used_without_reply_prefixes_and_case_tags() -> None:
    assert clean_subject("SV: Re: [DSR-2025-000012] Registerutdrag") == "Registerutdrag"
    assert text_for_classification("Se rubriken.", "Begäran om registerutdrag").startswith(
        "Begäran om registerutdrag."
    )
    assert text_for_classification("", "Radera mig") == "Radera mig"
