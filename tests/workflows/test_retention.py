"""Retention: transcripts and attachments of cases closed over a year ago go, audited; accounting
records stay until Bokföringslagen lets them go (domain.md §0, §3)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlmodel import select

from tests.workflows.factories import at, make_case, reload
from workflows import retention
from workflows.db import session_scope
from workflows.mailbox import InboundMail, MailAttachment
from workflows.models import Attachment, AuditEvent, CaseStatus, Direction, Message, Notice
from workflows.settings import Settings
from workflows.states import transition

CLOSED = at(2024, 3, 1)


def _closed_case_with_transcript(settings: Settings, *, file_name: str | None = None) -> str:
    with session_scope(settings.database_url) as session:
        case = make_case(session, settings, at(2024, 2, 1))
        transition(session, case, CaseStatus.in_progress, actor="a", now=at(2024, 2, 2))
        transition(session, case, CaseStatus.responded, actor="a", now=CLOSED)
        for direction in (Direction.inbound, Direction.outbound):
            session.add(
                Message(
                    case_reference=case.reference,
                    channel="chat",
                    direction=direction,
                    sender="customer",
                    body_text="Jag heter Maja",
                    at=at(2024, 2, 1),
                )
            )
        session.add(_attachment(case.reference, "utdrag.pdf", path=file_name))
        # §3: an invoice copy is an accounting record (financial year 2023) → kept until 2031-01-01.
        session.add(
            _attachment(
                case.reference,
                "faktura.pdf",
                retain_until=retention.accounting_retain_until(date(2023, 12, 31)),
            )
        )
        return case.reference


def _attachment(reference: str, name: str, *, path: str | None = None, retain_until: date | None = None):
    data = None if path else b"%PDF-1.4 demo"
    return Attachment(
        case_reference=reference,
        filename=name,
        content_type="application/pdf",
        size_bytes=13,
        sha256=hashlib.sha256(b"%PDF-1.4 demo").hexdigest(),
        data=data,
        path=path,
        accounting_record=retain_until is not None,
        retain_until=retain_until,
    )


def test_accounting_retention_date() -> None:
    # Bokföringslagen 7 kap. 2 §: until 1 January of (financial-year-end year + 8).
    assert retention.accounting_retain_until(date(2023, 12, 31)) == date(2031, 1, 1)
    assert retention.accounting_retain_until(date(2024, 6, 30)) == date(2032, 1, 1)  # a broken year


def test_nothing_goes_before_a_year_after_closing(settings: Settings) -> None:
    _closed_case_with_transcript(settings)
    day_before = CLOSED + timedelta(days=settings.retention_days) - timedelta(minutes=1)
    with session_scope(settings.database_url) as session:
        result = retention.purge(session, settings, now=day_before, today=day_before.date())
        assert result.cases == [] and len(session.exec(select(Message)).all()) == 2


def test_transcript_and_attachments_go_accounting_records_stay_and_it_is_audited(settings: Settings) -> None:
    (settings.var_dir / "attachments").mkdir(parents=True)
    stored = settings.var_dir / "attachments" / "utdrag.pdf"
    stored.write_bytes(b"%PDF-1.4 demo")
    ref = _closed_case_with_transcript(settings, file_name="attachments/utdrag.pdf")
    now = CLOSED + timedelta(days=settings.retention_days, minutes=1)
    with session_scope(settings.database_url) as session:
        result = retention.purge(session, settings, now=now, today=now.date())
    assert stored.exists()  # files go only after the commit
    assert retention.remove_files(result.files, settings.var_dir) == [] and not stored.exists()
    assert (result.cases, result.messages, result.attachments, result.kept) == ([ref], 2, 1, 1)
    with session_scope(settings.database_url) as session:
        assert session.exec(select(Message)).all() == []
        [kept] = session.exec(select(Attachment)).all()
        assert kept.filename == "faktura.pdf"
        case = reload(session, ref)
        assert case.transcript_deleted_at == now and case.status is CaseStatus.responded  # the case stays
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "retention.deleted")).all()
        assert '"messages": 2' in event.detail and '"until": "2031-01-01"' in event.detail
        assert "Maja" not in event.detail  # counts, never content
        # A second run finds nothing new.
        assert retention.purge(session, settings, now=now, today=now.date()).cases == []
    # 1 January 2031: the accounting record may go now.
    later = at(2031, 1, 1, 6)
    with session_scope(settings.database_url) as session:
        assert retention.purge(session, settings, now=later, today=date(2030, 12, 31)).attachments == 0
    with session_scope(settings.database_url) as session:
        assert retention.purge(session, settings, now=later, today=later.date()).attachments == 1
        assert session.exec(select(Attachment)).all() == []
        assert (
            len(session.exec(select(AuditEvent).where(AuditEvent.action == "retention.deleted")).all()) == 2
        )


def test_open_cases_and_notices_are_never_touched(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        case = make_case(session, settings, at(2020, 1, 1))
        session.add(
            Message(
                case_reference=case.reference,
                channel="chat",
                direction=Direction.inbound,
                sender="customer",
                body_text="hej",
                at=at(2020, 1, 1),
            )
        )
        session.add(
            Notice(
                case_reference=case.reference,
                kind="extension",
                audience="customer",
                channel="post",
                language="sv",
                dedupe_key="k",
                sent_at=at(2020, 1, 2),
            )
        )
    now = at(2026, 1, 1)
    with session_scope(settings.database_url) as session:
        assert retention.purge(session, settings, now=now, today=now.date()).cases == []
        assert len(session.exec(select(Message)).all()) == 1 and len(session.exec(select(Notice)).all()) == 1


def test_remove_files_refuses_paths_outside_var(settings: Settings, tmp_path) -> None:
    outside = tmp_path.parent / "elsewhere.txt"
    outside.write_text("keep me")
    assert retention.remove_files(["../elsewhere.txt", str(outside)], settings.var_dir / "v") == [
        "../elsewhere.txt",
        str(outside),
    ]
    assert outside.exists()


def _mail(message_id: str, received, case_reference: str | None) -> InboundMail:
    raw = b"From: kund@example.se\r\nSubject: Registerutdrag\r\n\r\nJag heter Maja, 811218-9876"
    return InboundMail(
        message_id=message_id,
        mailbox="INBOX",
        uidvalidity=1,
        uid=int(message_id.strip("<>m@x")),
        internal_date=received,
        size=len(raw),
        raw=raw,
        from_address="kund@example.se",
        subject="Registerutdrag",
        body_text="Jag heter Maja",
        case_reference=case_reference,
    )


def test_the_gateways_copy_of_a_closed_cases_mail_goes_with_the_transcript(settings: Settings) -> None:
    reference = _closed_case_with_transcript(settings)
    with session_scope(settings.database_url) as session:
        mail = _mail("<1@x>", at(2024, 2, 1), reference)
        session.add(mail)
        session.flush()
        session.add(
            MailAttachment(
                inbound_id=mail.id,
                case_reference=reference,
                declared_type="application/pdf",
                size=3,
                sha256="0" * 64,
                disposition="case",
                data=b"%PD",
            )
        )
    now = CLOSED + timedelta(days=366)
    with session_scope(settings.database_url) as session:
        result = retention.purge(session, settings, now=now, today=now.date())
    with session_scope(settings.database_url) as session:
        [stored] = session.exec(select(InboundMail)).all()
        assert result.mails == 1
        # The row stays (a re-delivery is still recognised by Message-ID); its content is gone.
        assert (stored.message_id, stored.raw, stored.body_text, stored.from_address) == (
            "<1@x>",
            b"",
            None,
            None,
        )
        assert session.exec(select(MailAttachment)).all() == []


def test_what_never_became_a_case_is_kept_thirty_days(settings: Settings) -> None:
    now = at(2025, 6, 1)
    with session_scope(settings.database_url) as session:
        for day, key in ((1, "old"), (20, "new")):
            received = now - timedelta(days=31 if key == "old" else 29)
            session.add(_mail(f"<{day}@x>", received, None))
            session.add(
                Message(
                    channel="chat",
                    direction=Direction.inbound,
                    sender="customer",
                    body_text=f"hej {key}",
                    at=received,
                    conversation_id=f"chat-{key}",
                )
            )
    with session_scope(settings.database_url) as session:
        result = retention.purge(session, settings, now=now, today=now.date())
    with session_scope(settings.database_url) as session:
        left = [m.body_text for m in session.exec(select(Message))]
        mails = {m.message_id: m.size for m in session.exec(select(InboundMail))}
        actions = [e.action for e in session.exec(select(AuditEvent))]
    assert (result.caseless_messages, result.caseless_mails) == (1, 1)
    assert left == ["hej new"]
    assert mails["<1@x>"] == 0 and mails["<20@x>"] > 0
    assert actions.count("retention.caseless_deleted") == 1
