"""Retention of the assistant's own data: transcripts and attachments of closed cases (issue #4).

Policy (domain.md §0): customer data is kept one year after the case closed (``retention_days``), longer
where the law requires. What goes: the case's messages (chat and e-mail transcript) and attachments.
The e-mail gateway's copies (raw message, body, attachments) of the case's mail go with it. Messages
that never became a case (customer service, auto-replies, spam, abandoned chats) are kept only
``caseless_retention_days`` (a product decision: they are no request, so nothing needs them longer).
What stays: the case row, its notices and the audit trail (the proof that the request was answered in
time), and attachments marked as accounting records until their ``retain_until`` (Bokföringslagen
7 kap. 2 §, domain.md §3: until 1 January of the financial-year-end year + 8), when a later run deletes
them. Every deletion is audited, with counts, never content.

Rows are claimed with ``FOR UPDATE SKIP LOCKED`` like the sweep's; files named by an attachment's
``path`` are removed only after the transaction committed (:func:`remove_files`), so a rollback never
leaves a row pointing at a deleted file. Errors: database errors propagate; a file already gone is fine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, delete, update
from sqlmodel import Session, col, or_, select

from workflows import audit
from workflows.mailbox import InboundMail, MailAttachment
from workflows.models import Attachment, Case, Message
from workflows.settings import Settings

ACTOR = "retention"


def accounting_retain_until(financial_year_end: date) -> date:
    """Bokföringslagen 7 kap. 2 §: kept until the end of the seventh year after the financial year ended;
    deletable from 1 January of that year + 8 (domain.md §3)."""
    return date(financial_year_end.year + 8, 1, 1)


@dataclass
class RetentionResult:
    cases: list[str] = field(default_factory=list)
    messages: int = 0
    attachments: int = 0
    kept: int = 0
    mails: int = 0
    caseless_messages: int = 0
    caseless_mails: int = 0
    files: list[str] = field(default_factory=list)


def purge(
    session: Session, settings: Settings, *, now: datetime, today: date, batch: int = 500
) -> RetentionResult:
    """Delete what is due; the caller commits, then calls :func:`remove_files` with ``result.files``."""
    result = RetentionResult()
    cutoff = now - timedelta(days=settings.retention_days)
    due_cases = session.exec(
        select(Case)
        .where(col(Case.transcript_deleted_at).is_(None))
        .where(col(Case.closed_at) < cutoff)
        .order_by(col(Case.closed_at))
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    for case in due_cases:
        deletable = or_(col(Attachment.retain_until).is_(None), col(Attachment.retain_until) <= today)
        attachments = session.exec(
            select(Attachment).where(Attachment.case_reference == case.reference).where(deletable)
        ).all()
        kept = session.exec(
            select(Attachment).where(Attachment.case_reference == case.reference).where(~deletable)
        ).all()
        messages = session.execute(delete(Message).where(col(Message.case_reference) == case.reference))
        n_messages = int(messages.rowcount)  # type: ignore[attr-defined]
        _delete_attachments(session, attachments, result)
        n_mails = _scrub_mail(session, col(InboundMail.case_reference) == case.reference)
        session.execute(delete(MailAttachment).where(col(MailAttachment.case_reference) == case.reference))
        case.transcript_deleted_at = now
        session.add(case)
        audit.append(
            session,
            actor=ACTOR,
            action="retention.deleted",
            case_reference=case.reference,
            detail={
                "messages": n_messages,
                "attachments": len(attachments),
                "mails": n_mails,
                # §3: accounting records stay until Bokföringslagen lets them go.
                "kept": [{"attachment": a.id, "until": str(a.retain_until)} for a in kept],
                "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            },
        )
        result.cases.append(case.reference)
        result.messages += n_messages
        result.mails += n_mails
        result.kept += len(kept)
    _expired_accounting_records(session, today, batch, result)
    _caseless(session, now - timedelta(days=settings.caseless_retention_days), result)
    return result


def _scrub_mail(session: Session, which: ColumnElement[bool]) -> int:
    """Empty the stored copies of matching e-mails. The row itself stays (without content) so that a
    re-delivered message is still recognised by its Message-ID and never answered twice."""
    scrubbed = session.execute(
        update(InboundMail)
        .where(which)
        .where(col(InboundMail.size) > 0)
        .values(raw=b"", size=0, body_text=None, subject=None, from_address=None)
    )
    return int(scrubbed.rowcount)  # type: ignore[attr-defined]


def _caseless(session: Session, cutoff: datetime, result: RetentionResult) -> None:
    """Chat lines and e-mails that never became a case, older than ``cutoff``."""
    messages = session.execute(
        delete(Message).where(col(Message.case_reference).is_(None)).where(col(Message.at) < cutoff)
    )
    old_caseless = (col(InboundMail.case_reference).is_(None)) & (col(InboundMail.internal_date) < cutoff)
    attachments = session.execute(
        delete(MailAttachment).where(
            col(MailAttachment.inbound_id).in_(select(InboundMail.id).where(old_caseless))
        )
    )
    result.caseless_messages = int(messages.rowcount)  # type: ignore[attr-defined]
    result.caseless_mails = _scrub_mail(session, old_caseless)
    deleted_attachments = int(attachments.rowcount)  # type: ignore[attr-defined]
    if result.caseless_messages or result.caseless_mails or deleted_attachments:
        audit.append(
            session,
            actor=ACTOR,
            action="retention.caseless_deleted",
            case_reference=None,
            detail={
                "messages": result.caseless_messages,
                "mails": result.caseless_mails,
                "attachments": deleted_attachments,
                "before": cutoff.isoformat(),
            },
        )


def _delete_attachments(
    session: Session, attachments: Sequence[Attachment], result: RetentionResult
) -> None:
    for attachment in attachments:
        if attachment.path:
            result.files.append(attachment.path)
        session.delete(attachment)
    result.attachments += len(attachments)
    session.flush()


def _expired_accounting_records(session: Session, today: date, batch: int, result: RetentionResult) -> None:
    """Accounting records kept past the transcript's deletion, now past their ``retain_until``."""
    expired = session.exec(
        select(Attachment)
        .join(Case, col(Case.reference) == col(Attachment.case_reference))
        .where(col(Case.transcript_deleted_at).is_not(None))
        .where(col(Attachment.retain_until) <= today)
        .limit(batch)
        .with_for_update(skip_locked=True, of=Attachment)
    ).all()
    by_case: dict[str, list[Attachment]] = {}
    for attachment in expired:
        by_case.setdefault(attachment.case_reference, []).append(attachment)
    for reference, attachments in by_case.items():
        _delete_attachments(session, attachments, result)
        audit.append(
            session,
            actor=ACTOR,
            action="retention.deleted",
            case_reference=reference,
            detail={"messages": 0, "attachments": len(attachments), "accounting_records": True},
        )


def remove_files(paths: list[str], var_dir: Path) -> list[str]:
    """Remove attachment files under ``var_dir`` (after commit); returns the paths that were refused."""
    refused: list[str] = []
    root = var_dir.resolve()
    for raw in paths:
        path = (root / raw).resolve()
        if not path.is_relative_to(root):
            refused.append(raw)  # never delete outside var/, whatever the row says
            continue
        path.unlink(missing_ok=True)
    return refused
