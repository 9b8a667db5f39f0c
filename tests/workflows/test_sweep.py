"""The scheduler's sweep: escalation near D1, breach after it, each exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from tests.workflows.factories import NOBODY, at, make_case, reload
from workflows import decisions, notify, outbox
from workflows.cases import Subject, open_case
from workflows.db import session_scope
from workflows.models import AuditEvent, Case, CaseStatus, Channel, Notice, OutboxMessage, RequestType
from workflows.settings import Settings
from workflows.states import transition
from workflows.sweep import sweep


def _case(settings: Settings, received: datetime) -> str:
    with session_scope(settings.database_url) as session:
        return open_case(
            session, settings, request_type=RequestType.access, channel=Channel.chat, language="sv",
            received_at=received, subject=Subject(),
        ).reference


def test_escalates_within_five_working_days_then_breaches_once(settings: Settings) -> None:
    near = _case(settings, datetime(2025, 3, 5, 10, tzinfo=UTC))  # D1 Mon 2025-04-07
    far = _case(settings, datetime(2025, 3, 20, 10, tzinfo=UTC))  # D1 Tue 2025-04-22
    with session_scope(settings.database_url) as session:
        # Mon 31 March: D1 is 5 working days away.
        first = sweep(session, settings, date(2025, 3, 31))
    with session_scope(settings.database_url) as session:
        again = sweep(session, settings, date(2025, 3, 31))
    with session_scope(settings.database_url) as session:
        late = sweep(session, settings, date(2025, 4, 8))
    with session_scope(settings.database_url) as session:
        once_more = sweep(session, settings, date(2025, 4, 9))
        levels = {c.reference: c.escalation_level for c in session.exec(select(Case))}
        actions = [e.action for e in session.exec(select(AuditEvent))]
    assert (first.escalated, first.breached) == ([near], [])
    assert (again.escalated, again.breached) == ([], [])
    assert (late.breached, once_more.breached) == ([near], [])
    assert levels == {near: 2, far: 0}
    assert actions.count("case.escalated") == 1 and actions.count("case.breached") == 1


def test_a_case_six_working_days_out_is_left_alone(settings: Settings) -> None:
    _case(settings, datetime(2025, 3, 5, 10, tzinfo=UTC))  # D1 Mon 2025-04-07
    with session_scope(settings.database_url) as session:
        result = sweep(session, settings, date(2025, 3, 28))  # Fri: 6 working days before D1
    assert (result.escalated, result.breached) == ([], [])


# --- issue #4: notices through the outbox, identity silence, consent, exactly once ---



def _outbox(session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_escalation_mails_the_agents_and_breach_the_managers_once(settings: Settings) -> None:
    near = _case(settings, datetime(2025, 3, 5, 10, tzinfo=UTC))  # D1 Mon 2025-04-07
    for today in (date(2025, 3, 31), date(2025, 4, 1), date(2025, 4, 8), date(2025, 4, 9)):
        with session_scope(settings.database_url) as session:
            sweep(session, settings, today)
    with session_scope(settings.database_url) as session:
        mails = _outbox(session)
        case = reload(session, near)
    assert [(m.kind, m.to_address) for m in mails] == [
        ("notice.escalation", settings.agents_mailbox),
        ("notice.breach", settings.managers_mailbox),
    ]
    assert near in mails[0].subject and "2025-04-07" in mails[1].body_text
    # The outbox is the interface to the mail gateway's sender: the notices are due for delivery.
    with session_scope(settings.database_url) as session:
        due = outbox.claim_due(session, now=datetime(2025, 4, 10, tzinfo=UTC))
        assert [m.kind for m in due] == ["notice.escalation", "notice.breach"]
    # The SLA queue: level 2 and the time it was marked.
    assert case.escalation_level == 2 and case.sla_breached_at is not None


def test_an_extended_case_escalates_near_d3_not_d1(settings: Settings) -> None:
    # domain.md §8 example 11: D1 Mon 2025-11-03, D3 Fri 2026-01-02.
    with session_scope(settings.database_url) as session:
        case = make_case(session, settings, at(2025, 10, 1))
        decisions.extend(session, settings, case, reasons="Komplext.", actor="a", now=at(2025, 10, 20))
        ref = case.reference
    with session_scope(settings.database_url) as session:
        assert sweep(session, settings, date(2025, 10, 31)).escalated == []  # near D1: no longer the deadline
        assert sweep(session, settings, date(2025, 11, 4)).breached == []
    with session_scope(settings.database_url) as session:
        assert sweep(session, settings, date(2025, 12, 22)).escalated == []  # 6 working days out
    with session_scope(settings.database_url) as session:
        assert sweep(session, settings, date(2025, 12, 23)).escalated == [ref]  # 5: 23, 24, 29, 30, 31 Dec
    with session_scope(settings.database_url) as session:
        assert sweep(session, settings, date(2026, 1, 5)).breached == [ref]
        keys = [n.dedupe_key for n in session.exec(select(Notice).where(Notice.audience != "customer"))]
    assert keys == [f"notice:escalation:{ref}:2026-01-02", f"notice:breach:{ref}:2026-01-02"]


def _awaiting(settings: Settings, asked: datetime, **kw) -> str:
    with session_scope(settings.database_url) as session:
        case = make_case(session, settings, asked, **kw)
        transition(session, case, CaseStatus.awaiting_identity, actor="assistant", now=asked)
        return case.reference


def test_identity_silence_reminds_after_14_days_and_closes_after_2_months(settings: Settings) -> None:
    # R-T5 [U]: question Thu 2025-03-06 → reminder from Thu 03-20, closed from Tue 05-06.
    ref = _awaiting(settings, at(2025, 3, 6), language="en")
    results = {}
    days = (date(2025, 3, 19), date(2025, 3, 20), date(2025, 3, 21), date(2025, 5, 5), date(2025, 5, 6))
    for today in days:
        with session_scope(settings.database_url) as session:
            results[today] = sweep(session, settings, today)
    assert results[date(2025, 3, 19)].reminded == []
    assert results[date(2025, 3, 20)].reminded == [ref]
    assert results[date(2025, 3, 21)].reminded == []
    assert results[date(2025, 5, 5)].closed == []
    assert results[date(2025, 5, 6)].closed == [ref]
    with session_scope(settings.database_url) as session:
        case = reload(session, ref)
        mails = [m for m in _outbox(session) if m.to_address == case.subject_email]
    assert (case.status, case.outcome) == (CaseStatus.refused, "closed_no_identity")
    assert [m.kind for m in mails] == ["notice.identity_reminder", "notice.identity_closed"]
    assert "Tuesday 6 May 2025" in mails[0].body_text
    assert "imy@imy.se" in mails[1].body_text and "Box 8114" in mails[1].body_text


def test_identity_close_without_any_address_goes_to_a_person(settings: Settings) -> None:
    ref = _awaiting(settings, at(2025, 3, 6), subject=NOBODY)
    with session_scope(settings.database_url) as session:
        sweep(session, settings, date(2025, 5, 6))
        case = reload(session, ref)
        [notice] = [n for n in session.exec(select(Notice)) if n.kind == "identity_closed"]
    assert notice.channel == "none" and case.needs_human
    assert "no e-mail or postal address" in (case.human_reason or "")


def test_consent_withdrawal_unapplied_after_24_hours_is_escalated_once(settings: Settings) -> None:
    received = at(2025, 3, 5, 10)
    with session_scope(settings.database_url) as session:
        pending = make_case(session, settings, received, kind=RequestType.consent_withdrawal).reference
        applied = make_case(session, settings, received, kind=RequestType.consent_withdrawal)
        decisions.consent_applied(session, applied, actor="agent:anna", now=received + timedelta(hours=3))
    with session_scope(settings.database_url) as session:
        early = sweep(session, settings, date(2025, 3, 6), now=received + timedelta(hours=23, minutes=59))
    with session_scope(settings.database_url) as session:
        due = sweep(session, settings, date(2025, 3, 6), now=received + timedelta(hours=24))
    with session_scope(settings.database_url) as session:
        again = sweep(session, settings, date(2025, 3, 6), now=received + timedelta(hours=30))
        mails = _outbox(session)
        case = reload(session, pending)
    assert (early.consent_escalated, due.consent_escalated, again.consent_escalated) == ([], [pending], [])
    assert [(m.kind, m.to_address) for m in mails] == [("notice.consent_overdue", settings.agents_mailbox)]
    assert case.needs_human and case.consent_escalated_at == received + timedelta(hours=24)


def test_a_crash_mid_sweep_leaves_nothing_and_the_rerun_sends_each_notice_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    refs = [_case(settings, datetime(2025, 3, 5, 10, tzinfo=UTC)) for _ in range(5)]
    real_issue = notify.issue
    calls = {"n": 0}

    def dying_issue(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("process killed mid-sweep")
        return real_issue(*args, **kwargs)

    monkeypatch.setattr("workflows.sweep.issue", dying_issue)
    with pytest.raises(RuntimeError), session_scope(settings.database_url) as session:
        sweep(session, settings, date(2025, 4, 8))
    with session_scope(settings.database_url) as session:
        assert _outbox(session) == [] and session.exec(select(Notice)).all() == []
        assert {reload(session, r).escalation_level for r in refs} == {0}
    monkeypatch.setattr("workflows.sweep.issue", real_issue)
    for _ in range(2):
        with session_scope(settings.database_url) as session:
            sweep(session, settings, date(2025, 4, 8))
    with session_scope(settings.database_url) as session:
        keys = sorted(n.dedupe_key for n in session.exec(select(Notice)))
        assert keys == sorted(f"notice:breach:{r}:2025-04-07" for r in refs)
        assert len(_outbox(session)) == 5


def test_the_batch_limit_leaves_the_rest_for_the_next_sweep(settings: Settings) -> None:
    refs = [_case(settings, datetime(2025, 3, 5, 10, tzinfo=UTC)) for _ in range(3)]
    with session_scope(settings.database_url) as session:
        first = sweep(session, settings, date(2025, 4, 8), batch=2)
    with session_scope(settings.database_url) as session:
        second = sweep(session, settings, date(2025, 4, 8), batch=2)
    assert sorted(first.breached + second.breached) == sorted(refs) and len(first.breached) == 2
