"""mail_gateway/parse.py: messages built in code, and every file of ../shared/eval/mime (issue #5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mail_gateway.parse import UnusableMail, html_to_text, parse, sniff
from tests.mail_gateway.conftest import PDF, build_mail
from workflows.settings import PROJECT_ROOT

EVAL_MIME = sorted((PROJECT_ROOT.parent / "shared" / "eval" / "mime").glob("*.eml"))


def test_plain_swedish_message_with_threading_headers() -> None:
    raw = build_mail(
        body="Hej!\nJag vill ha ett registerutdrag.\n\nMvh Maja",
        subject="Re: Registerutdrag [DSR-2026-000042]",
        message_id="<abc@example.se>",
        in_reply_to="<ours-1@komteknik.example>",
        references="<first@example.se> <ours-1@komteknik.example>",
    )
    mail = parse(raw)
    assert mail.message_id == "<abc@example.se>"
    assert mail.from_address == "maja.lindgren@example.se"
    assert mail.subject == "Re: Registerutdrag [DSR-2026-000042]"
    assert "registerutdrag" in mail.text
    assert mail.thread_ids == ("<ours-1@komteknik.example>", "<first@example.se>")


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252", "utf-8"])
def test_swedish_charsets(charset: str) -> None:
    mail = parse(build_mail(body="Jag vill att ni raderar mina uppgifter, tack! Åsa Öberg", charset=charset))
    assert "Åsa Öberg" in mail.text


def test_windows_1252_declared_as_latin1() -> None:
    raw = (
        b"From: a@example.se\r\nSubject: =?iso-8859-1?q?F=F6rfr=E5gan?=\r\nMessage-ID: <w@x>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"\x93Radera mig\x94 \x96 Sm\xe5land\r\n"
    )
    mail = parse(raw)
    assert mail.subject == "Förfrågan"  # RFC 2047
    assert mail.text == "“Radera mig” – Småland"


def test_html_only_becomes_text_without_scripts() -> None:
    html = (
        "<html><head><style>p{}</style><script>alert(1)</script></head>"
        "<body><p>Hej,</p><p>radera mitt konto&nbsp;tack</p></body></html>"
    )
    mail = parse(build_mail(body="", html=html))
    assert mail.text == "Hej,\n\nradera mitt konto tack"
    assert "alert" not in mail.text


def test_multipart_alternative_prefers_plain() -> None:
    mail = parse(build_mail(body="plain text", html="<p>html text</p>"))
    assert mail.text == "plain text"
    assert mail.attachments == ()


def test_rfc2231_filename_and_pdf_attachment() -> None:
    mail = parse(build_mail(attachment=("underskriven begäran.pdf", "application/pdf", PDF)))
    (attachment,) = mail.attachments
    assert attachment.filename == "underskriven begäran.pdf"
    assert attachment.detected_type == "application/pdf"
    assert attachment.data == PDF


def test_sniff_trusts_bytes_not_the_declared_type() -> None:
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0....") == "image/jpeg"
    assert sniff(b"MZ\x90\x00 a windows executable") is None
    mail = parse(build_mail(attachment=("invoice.pdf", "application/pdf", b"MZ\x90\x00")))
    assert mail.attachments[0].detected_type is None


def test_subject_only_message_is_kept() -> None:
    mail = parse(b"From: a@example.se\r\nSubject: Registerutdrag\r\n\r\n")
    assert mail.subject == "Registerutdrag"
    assert mail.text == ""


@pytest.mark.parametrize("raw", [b"", b"\r\n\r\n", b"X-Nothing: here\r\n\r\n"])
def test_nothing_to_act_on_is_rejected_with_a_reason(raw: bytes) -> None:
    with pytest.raises(UnusableMail) as error:
        parse(raw)
    assert error.value.reason


def test_html_to_text_keeps_blocks() -> None:
    assert html_to_text("<div>a</div><div>b<br>c</div>") == "a\n\nb\nc"


def test_eval_mime_files_are_there() -> None:
    assert len(EVAL_MIME) >= 50


@pytest.mark.parametrize("path", EVAL_MIME, ids=lambda p: p.name)
def test_every_eval_mime_file_parses_or_is_rejected_with_a_reason(path: Path) -> None:
    """Issue #5: none may crash the gateway; each is parsed or rejected with a logged reason."""
    raw = path.read_bytes()
    try:
        mail = parse(raw)
    except UnusableMail as error:
        assert error.reason
        return
    assert isinstance(mail.text, str) and isinstance(mail.subject, str)
    assert all(isinstance(a.data, bytes) for a in mail.attachments)
