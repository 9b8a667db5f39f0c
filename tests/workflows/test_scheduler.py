"""The scheduler process: two real schedulers on one PostgreSQL database send every notice exactly once.

Each process runs ``python -m workflows.scheduler --once --drain`` with a small batch, so both sweep at
the same time over the same due cases; SKIP LOCKED, the re-checked conditions and the unique notice
keys must leave one notice per case and kind (issue #4), and an intact audit chain.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from privacydesk.cli import main as cli_main
from tests.workflows.factories import at, make_case
from workflows import audit
from workflows.db import migrate, session_scope
from workflows.models import AuditEvent, Case, CaseStatus, Notice, OutboxMessage, RequestType
from workflows.settings import Settings
from workflows.states import transition

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOW = "2025-04-08T09:00:00+02:00"  # Tue 8 April 2025, Stockholm
PER_KIND = 40


def _seed(settings: Settings) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {k: [] for k in ("breach", "near", "remind", "close", "consent")}
    with session_scope(settings.database_url) as session:
        for _ in range(PER_KIND):
            groups["breach"].append(make_case(session, settings, at(2025, 3, 5)).reference)  # D1 04-07
            groups["near"].append(make_case(session, settings, at(2025, 3, 12)).reference)  # D1 04-14
            for key, asked in (("remind", at(2025, 3, 20)), ("close", at(2025, 2, 7))):
                case = make_case(session, settings, asked, language="en")
                transition(session, case, CaseStatus.awaiting_identity, actor="assistant", now=asked)
                groups[key].append(case.reference)
            consent = make_case(session, settings, at(2025, 4, 6), kind=RequestType.consent_withdrawal)
            groups["consent"].append(consent.reference)
    return groups


def _expected(groups: dict[str, list[str]]) -> set[str]:
    keys = {f"notice:breach:{r}:2025-04-07" for r in groups["breach"]}
    keys |= {f"notice:escalation:{r}:2025-04-14" for r in groups["near"]}
    keys |= {f"notice:identity_reminder:{r}:2025-03-20" for r in groups["remind"]}
    keys |= {f"notice:identity_closed:{r}" for r in groups["close"]}
    # Received 7 Feb, D1 Fri 7 March: no breach while the identity question is outstanding (R-T5 pause).
    keys |= {f"notice:consent_overdue:{r}" for r in groups["consent"]}
    return keys


@pytest.mark.postgres
def test_two_scheduler_processes_send_each_notice_exactly_once(postgres_url: str, tmp_path) -> None:
    migrate(postgres_url)
    settings = Settings(database_url=postgres_url, var_dir=tmp_path)
    groups = _seed(settings)
    env = {
        **os.environ,
        "PRIVACYDESK_DATABASE_URL": postgres_url,
        "PRIVACYDESK_VAR_DIR": str(tmp_path),
        "PRIVACYDESK_SWEEP_BATCH": "7",
    }
    command = [sys.executable, "-m", "workflows.scheduler", "--once", "--drain", "--now", NOW]
    procs = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    with session_scope(postgres_url) as session:
        notices = session.exec(select(Notice)).all()
        mails = session.exec(select(OutboxMessage)).all()
        count, breaks = audit.verify_stored(session)
        cases = {c.reference: c for c in session.exec(select(Case))}
        escalation_events = Counter(
            (e.case_reference, e.action)
            for e in session.exec(select(AuditEvent))
            if e.action in ("case.breached", "case.escalated", "consent.escalated")
        )
    keys = [n.dedupe_key for n in notices]
    assert sorted(_expected(groups) - set(keys)) == [], outputs
    assert len(keys) == len(set(keys)) == len(_expected(groups))
    assert set(keys) == _expected(groups)
    # Every notice here is an e-mail (the cases have an address on file): one outbox row each.
    assert sorted(m.dedupe_key for m in mails) == sorted(keys)
    assert max(escalation_events.values()) == 1
    assert all(cases[r].status is CaseStatus.refused for r in groups["close"])
    assert breaks == [] and count > 0
    # Both processes swept (their log lines), so the race was real.
    assert all("sweep:" in out for out in outputs), outputs


def test_sweep_once_runs_retention_once_a_day(settings: Settings) -> None:
    # scheduler.sweep_once: retention rides on the sweep, once per day per process (issue #4 point 4).
    from workflows import scheduler
    from workflows.models import Message

    with session_scope(settings.database_url) as session:
        case = make_case(session, settings, at(2024, 1, 10))
        transition(session, case, CaseStatus.in_progress, actor="a", now=at(2024, 1, 10))
        transition(session, case, CaseStatus.responded, actor="a", now=at(2024, 1, 20))
        session.add(
            Message(
                case_reference=case.reference,
                channel="chat",
                direction="inbound",
                sender="customer",
                body_text="hej",
                at=at(2024, 1, 10),
            )
        )
    scheduler._last_retention.clear()
    now = datetime.fromisoformat(NOW)
    scheduler.sweep_once(settings, now=now)
    with session_scope(settings.database_url) as session:
        assert session.exec(select(Message)).all() == []
        assert reload_case(session, case.reference).transcript_deleted_at == now
        session.add(
            Message(
                case_reference=case.reference,
                channel="chat",
                direction="inbound",
                sender="customer",
                body_text="late",
                at=at(2024, 1, 10),
            )
        )
    scheduler.sweep_once(settings, now=now + timedelta(minutes=1))  # same day: retention does not run again
    with session_scope(settings.database_url) as session:
        assert len(session.exec(select(Message)).all()) == 1


def reload_case(session, reference: str) -> Case:
    return session.exec(select(Case).where(Case.reference == reference)).one()


def test_cli_scheduler_once(settings: Settings) -> None:
    # `privacydesk scheduler --once` sweeps on the real clock and exits 0.
    assert cli_main(["scheduler", "--once"]) == 0
