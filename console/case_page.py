"""The staff's page for one case (issue #4): the case, its notices, transcript and audit trail.

Viewing is itself an audited event (``case.viewed``), appended in the same transaction that reads the
case. Identity numbers never appear in clear (R-F4): the case's is shown as ``YYMMDD-****`` and the
transcript is redacted (workflows/redact.py) like a log line.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from workflows import audit
from workflows.db import session_scope
from workflows.models import AuditEvent, Case, Message, Notice
from workflows.redact import redact
from workflows.settings import Settings

_CANONICAL = re.compile(r"^\d{8}-\d{4}$")


def mask_identity_number(number: str | None) -> str:
    """``19811218-9876`` → ``811218-****`` (R-F4); anything else is hidden entirely."""
    if not number:
        return ""
    return f"{number[2:8]}-****" if _CANONICAL.match(number) else "****"


def render(settings: Settings, reference: str, *, viewer: str) -> str | None:
    local = ZoneInfo(settings.timezone)
    with session_scope(settings.database_url) as session:
        case = session.exec(select(Case).where(Case.reference == reference)).first()
        if case is None:
            return None
        audit.append(session, actor=viewer, action="case.viewed", case_reference=reference, detail={})
        notices = session.exec(
            select(Notice).where(Notice.case_reference == reference).order_by(col(Notice.id))
        ).all()
        messages = session.exec(
            select(Message).where(Message.case_reference == reference).order_by(col(Message.at))
        ).all()
        events = session.exec(
            select(AuditEvent).where(AuditEvent.case_reference == reference).order_by(col(AuditEvent.id))
        ).all()

    def when(value: datetime | None) -> str:
        return value.astimezone(local).strftime("%Y-%m-%d %H:%M") if value else ""

    facts = [
        ("Type", f"{case.request_type.value}{' / ' + case.subtype if case.subtype else ''}"),
        ("Status", case.status.value),
        ("Outcome", case.outcome or ""),
        ("Channel / language", f"{case.channel.value} / {case.language}"),
        ("Legal entity", case.legal_entity or ""),
        ("Received (R)", when(case.received_at)),
        ("Due (D1)", case.due_date.isoformat()),
        ("Extended (D3)", case.extended_due_date.isoformat() if case.extended_due_date else ""),
        ("Extension reasons", case.extension_reasons or ""),
        ("Extension notice sent", when(case.extension_notice_sent_at)),
        ("Refusal reasons", case.refusal_reasons or ""),
        ("Escalation", {0: "", 1: "near the deadline", 2: "past the deadline (SLA)"}[case.escalation_level]),
        ("Needs a person", case.human_reason or ("yes" if case.needs_human else "")),
        ("Assigned agent", case.assigned_agent or ""),
        ("Name", case.subject_name or ""),
        ("Personnummer", mask_identity_number(case.subject_identity_number)),
        ("Identity check", case.identity_verification or ""),
        ("Signed request", case.signed_request),
    ]
    fact_rows = "\n".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    notice_rows = "\n".join(
        f"<tr><td>{escape(n.kind)}</td><td>{escape(n.audience)}</td><td>{escape(n.channel)}</td>"
        f"<td>{when(n.sent_at)}</td></tr>"
        for n in notices
    )
    message_rows = "\n".join(
        f"<tr><td>{when(m.at)}</td><td>{escape(m.channel)}</td><td>{escape(m.direction.value)}</td>"
        f"<td>{escape(m.sender)}</td><td>{escape(redact(m.body_text))}</td></tr>"
        for m in messages
    )
    event_rows = "\n".join(
        f"<tr><td>{when(e.at)}</td><td>{escape(e.actor)}</td><td>{escape(e.action)}</td></tr>" for e in events
    )
    transcript = "<p>Deleted after the retention period.</p>" if case.transcript_deleted_at else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PrivacyDesk — {escape(reference)}</title>
<link rel="stylesheet" href="/static/console.css"></head>
<body><header><h1>PrivacyDesk</h1>
<nav><a href="/">Cases</a> · <a href="/chat">Customer chat</a></nav></header>
<main><h2>Case {escape(reference)}</h2>
<table id="case">{fact_rows}</table>
<h3>Notices</h3>
<table id="notices"><thead><tr><th>Kind</th><th>To</th><th>Channel</th><th>Sent</th></tr></thead>
<tbody>{notice_rows}</tbody></table>
<h3>Transcript</h3>{transcript}
<table id="transcript"><thead><tr><th>At</th><th>Channel</th><th>Direction</th><th>From</th><th>Text</th></tr>
</thead><tbody>{message_rows}</tbody></table>
<h3>Audit trail</h3>
<table id="audit"><thead><tr><th>At</th><th>Who</th><th>What</th></tr></thead>
<tbody>{event_rows}</tbody></table></main></body></html>"""
