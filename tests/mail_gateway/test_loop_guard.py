"""mail_gateway/loop_guard.py: RFC 3834 — never answer automatic mail, bounces, lists or ourselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from mail_gateway.loop_guard import judge
from mail_gateway.parse import parse
from tests.mail_gateway.conftest import build_mail
from tests.mail_gateway.test_parse import EVAL_MIME

OURS = ["privacy@komteknik.example"]


def test_an_ordinary_request_is_answered() -> None:
    assert judge(parse(build_mail()), our_addresses=OURS).answer


@pytest.mark.parametrize(
    ("headers", "sender", "subject"),
    [
        ({"Auto-Submitted": "auto-replied"}, "maja@example.se", "Registerutdrag"),
        ({"Auto-Submitted": "auto-generated; type=vacation"}, "maja@example.se", "x"),
        ({"Precedence": "bulk"}, "news@example.se", "Nyhetsbrev"),
        ({"Precedence": "junk"}, "x@example.se", "x"),
        ({"List-Id": "<privacy.lists.example.se>"}, "x@example.se", "x"),
        ({"Return-Path": "<>"}, "x@example.se", "x"),
        ({"X-Autoreply": "yes"}, "x@example.se", "x"),
        ({}, "MAILER-DAEMON@mx.example.se", "Undelivered Mail Returned to Sender"),
        ({}, "privacy@komteknik.example", "Re: Registerutdrag"),
        ({}, "maja@example.se", "Automatiskt svar: Registerutdrag"),
        ({}, "maja@example.se", "Out of Office: Registerutdrag"),
    ],
)
def test_never_answered(headers: dict[str, str], sender: str, subject: str) -> None:
    verdict = judge(parse(build_mail(headers=headers, sender=sender, subject=subject)), our_addresses=OURS)
    assert not verdict.answer
    assert verdict.reason


def test_auto_submitted_no_is_a_person() -> None:
    assert judge(parse(build_mail(headers={"Auto-Submitted": "no"})), our_addresses=OURS).answer


AUTOMATIC = [
    p
    for p in EVAL_MIME
    if any(
        word in p.name for word in ("rfc3834", "bounce", "lhost", "arf", "disposition", "msg_16", "msg_43")
    )
]


@pytest.mark.parametrize("path", AUTOMATIC, ids=lambda p: p.name)
def test_eval_bounces_and_auto_replies_are_never_answered(path: Path) -> None:
    assert not judge(parse(path.read_bytes()), our_addresses=OURS).answer
