"""E-mail cleaning before classification (issue #3): quotes and signatures go, the subject counts."""

from workflows.cleaning import automatic_subject, clean_subject, text_for_classification


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


def test_swedish_prose_with_skrev_and_colon_is_not_a_quote_header() -> None:
    # "Den 3 mars skrev jag …:" is the customer's own history; a client header carries a time or address.
    body = (
        "Hej,\nDen 3 mars skrev jag till er följande:\n"
        "Jag vill att ni raderar alla mina uppgifter.\nInget svar än.\n\n"
        "Den 3 mars 2026 kl. 10:12 skrev KomTeknik <kundservice@example.se>:\n> Tack för ditt köp!"
    )
    cleaned = text_for_classification(body)
    assert "raderar alla mina uppgifter" in cleaned
    assert "Inget svar än" in cleaned
    assert "Tack för ditt köp" not in cleaned


def test_forwarded_mail_without_a_note_of_its_own_is_read() -> None:
    body = (
        "Se nedan.\n\nErik\n\n---------- Forwarded message ---------\n"
        "From: Maja <maja@example.se>\nDate: Mon, 30 Nov 2026 at 09:14\n"
        "Subject: Mina uppgifter\nTo: <info@example.se>\n\n"
        "Jag vill ha ett registerutdrag över allt ni har om mig.\n-- \nMaja Lindgren\n070-123 45 67"
    )
    cleaned = text_for_classification(body, "Fwd: Mina uppgifter")
    assert "registerutdrag över allt ni har om mig" in cleaned
    assert "maja@example.se" not in cleaned and "070-123" not in cleaned
    assert cleaned.count("Mina uppgifter") == 1


def test_forwarded_mail_with_its_own_request_keeps_only_the_forwarders_text() -> None:
    body = (
        "Hello, I am forwarding your newsletter only to show it: please stop sending me these offers"
        " by e-mail and SMS from today.\n\n---------- Forwarded message ---------\n"
        "From: KomTeknik <news@example.se>\n\n"
        "Black week! Half price on all routers."
    )
    cleaned = text_for_classification(body)
    assert "stop sending me these offers" in cleaned
    assert "Black week" not in cleaned


def test_forward_marker_inside_a_quoted_reply_is_not_followed() -> None:
    body = (
        "Ok\n\nOn Mon, 30 Nov 2026 at 09:14, KomTeknik <dpo@example.se> wrote:\n"
        "---------- Forwarded message ---------\nWe have received your request."
    )
    assert text_for_classification(body) == "Ok"


def test_a_skrev_line_followed_by_quoted_lines_is_a_quote_header() -> None:
    body = "Maja Lindgren\n\nDen 1 mars skrev KomTeknik:\n\n> Vad heter du?\n> Mvh KomTeknik"
    assert text_for_classification(body) == "Maja Lindgren"


def test_auto_replies_bounces_and_receipts_are_known_by_their_subject() -> None:
    for subject in (
        "Automatiskt svar: Din begäran om registerutdrag",
        "Out of Office: deletion of my data",
        "Undeliverable: Re: radera mig",
        "Mail delivery failed: returning message to sender",
        "Läst: Ang. mina personuppgifter",
    ):
        assert automatic_subject(subject), subject
    # A customer's reply to an auto-reply, or a subject that merely mentions one, is read by the model.
    for subject in ("Re: Automatiskt svar: radera mig", "About your automatic reply", "Radera mig", None, ""):
        assert not automatic_subject(subject), subject
