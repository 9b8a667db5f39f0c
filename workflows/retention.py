"""Retention of the assistant's own data: transcripts and attachments of closed cases (issue #4).

Policy (domain.md §0): customer data is kept one year after the case closed (``retention_days``), longer
where the law requires. What goes: the case's messages (chat and e-mail transcript) and attachments.
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

from sqlalchemy import delete
from sqlmodel import Session, col, or_, select

from workflows import audit
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
                # §3: accounting records stay until Bokföringslagen lets them go.
                "kept": [{"attachment": a.id, "until": str(a.retain_until)} for a in kept],
                "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            },
        )
        result.cases.append(case.reference)
        result.messages += n_messages
        result.kept += len(kept)
    _expired_accounting_records(session, today, batch, result)
    return result


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
