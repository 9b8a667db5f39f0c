"""The staff's view of the SLA queue: open cases, nearest deadline first. Identity details stay out."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from console import case_page
from workflows.cases import list_cases
from workflows.db import session_scope
from workflows.handoff import open_handoffs
from workflows.models import Channel, Handoff
from workflows.settings import Settings


def render_case_list(settings: Settings) -> str:
    with session_scope(settings.database_url) as session:
        # Issue #4: escalated (near the deadline) and breached (past it) cases go to the top.
        cases = sorted(
            list_cases(session), key=lambda c: (-c.escalation_level, not c.needs_human, c.due_date)
        )
        waiting = open_handoffs(session)
    rows = "\n".join(
        "<tr>"
        f'<td><a href="/cases/{quote(c.reference)}">{escape(c.reference)}</a></td>'
        f"<td>{escape(c.request_type.value)}</td>"
        f"<td>{escape(c.status.value)}</td><td>{escape(c.channel.value)}</td><td>{escape(c.language)}</td>"
        f"<td>{c.received_at:%Y-%m-%d %H:%M} UTC</td><td>{c.due_date.isoformat()}</td>"
        f"<td>{'⚑ ' + escape('needs a person') if c.needs_human else ''}</td>"
        "</tr>"
        for c in cases
    )
    empty = "" if cases else '<p class="empty">No cases yet.</p>'
    handoffs = _render_handoffs(waiting)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PrivacyDesk — cases</title>
<link rel="stylesheet" href="/static/console.css"></head>
<body><header><h1>PrivacyDesk</h1>
<nav><a href="/">Cases</a> · <a href="/chat">Customer chat</a></nav></header>
<main>{handoffs}<h2>Cases ({len(cases)})</h2>
<table id="cases"><thead><tr><th>Reference</th><th>Type</th><th>Status</th><th>Channel</th><th>Lang</th>
<th>Received</th><th>Due (D1)</th><th></th></tr></thead><tbody>
{rows}
</tbody></table>{empty}</main><script src="/static/staff.js"></script></body></html>"""


def _render_handoffs(waiting: list[Handoff]) -> str:
    """Conversations handed to a person: hand back to the bot; e-mail ones can be answered in-thread."""
    if not waiting:
        return ""
    items = []
    for handoff in waiting:
        case = (
            f' · <a href="/cases/{quote(handoff.case_reference)}">{escape(handoff.case_reference)}</a>'
            if handoff.case_reference
            else ""
        )
        answer = (
            f'<form class="answer" data-handoff="{handoff.id}"><textarea name="text" rows="2" required '
            'placeholder="Answer in the e-mail thread"></textarea><button>Send answer</button></form>'
            if handoff.channel is Channel.email
            else ""
        )
        items.append(
            f'<li id="handoff-{handoff.id}"><strong>{escape(handoff.channel.value)}</strong> '
            f"{escape(handoff.language)} · {handoff.requested_at:%Y-%m-%d %H:%M} UTC{case} · "
            f"{escape(handoff.reason)} "
            f'<button class="resolve" data-handoff="{handoff.id}">Hand back to the bot</button>{answer}</li>'
        )
    return f'<h2>Waiting for a person ({len(waiting)})</h2><ul id="handoffs">{"".join(items)}</ul>'


def render_case(settings: Settings, reference: str, *, viewer: str = "console") -> str | None:
    """One case for staff, identity numbers masked (R-F4); the viewing itself is audited (issue #4)."""
    return case_page.render(settings, reference, viewer=viewer)
