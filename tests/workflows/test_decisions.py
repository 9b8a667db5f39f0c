"""Decisions with their notices: refusal (R-T4), extension (R-T3), the identity pause (R-T5)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from tests.workflows.factories import MAJA, NOBODY, POST_ONLY, at, make_case, reload
from workflows import decisions
from workflows.db import session_scope
from workflows.decisions import DecisionError
from workflows.models import AuditEvent, CaseStatus, Notice, OutboxMessage, RequestType
from workflows.settings import Settings
from workflows.states import IllegalTransition, transition

NOW = datetime(2025, 3, 20, 9, tzinfo=UTC)


def _in_progress(settings: Settings, received: datetime, **kw) -> str:
    with session_scope(settings.database_url) as session:
        case = make_case(session, settings, received, **kw)
        transition(session, case, CaseStatus.in_progress, actor="agent:anna")
        return case.reference


def _outbox(session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_refusal_needs_reasons_and_writes_nothing_without(settings: Settings) -> None:
    ref = _in_progress(settings, at(2025, 3, 5))
    with session_scope(settings.database_url) as session:
        case = reload(session, ref)
        with pytest.raises(DecisionError, match=rf"case {ref}: a refusal needs its reasons \(R-T4"):
            decisions.refuse(session, settings, case, reasons="  ", actor="agent:anna", now=NOW)
        assert _outbox(session) == [] and case.status is CaseStatus.in_progress


def test_full_refusal_closes_and_sends_the_r_t4_notice_once(settings: Settings) -> None:
    ref = _in_progress(settings, at(2025, 3, 5), language="en")
    with session_scope(settings.database_url) as session:
        case = reload(session, ref)
        issued = decisions.refuse(
            session, settings, case, reasons="Manifestly unfounded (Art 12(5)).", actor="agent:anna", now=NOW
        )
        assert issued.new
    with session_scope(settings.database_url) as session:
        case = reload(session, ref)
        assert (case.status, case.outcome) == (CaseStatus.refused, "refused")
        assert case.refusal_notice_sent_at == NOW and case.closed_at == NOW
        [mail] = _outbox(session)
        [notice] = session.exec(select(Notice)).all()
        assert (notice.kind, notice.audience, notice.channel, notice.outbox_id) == (
            "refusal",
            "customer",
            "email",
            mail.id,
        )
        assert mail.to_address == MAJA.email and mail.kind == "notice.refusal"
        assert "Manifestly unfounded" in mail.body_text and "imy@imy.se" in mail.body_text
        assert "court" in mail.body_text
        # domain.md §0: no register data in the e-mail.
        assert (
            "Maja" not in mail.body_text
            and "9876" not in mail.body_text
            and "Storgatan" not in mail.body_text
        )
        with pytest.raises(DecisionError, match="closed"):
            decisions.refuse(session, settings, case, reasons="again", actor="agent:anna", now=NOW)


def test_partial_refusal_keeps_the_case_open_then_answered(settings: Settings) -> None:
    ref = _in_progress(settings, at(2025, 3, 5))
    with session_scope(settings.database_url) as session:
        case = reload(session, ref)
        decisions.refuse(
            session,
            settings,
            case,
            reasons="Samtalsuppgifter om andra personer maskeras (art. 15.4).",
            partial=True,
            actor="agent:anna",
            now=NOW,
        )
        assert case.status is CaseStatus.in_progress
        transition(session, case, CaseStatus.responded, actor="agent:anna", now=NOW)
        assert case.outcome == "partially_refused"
        [mail] = _outbox(session)
        assert "delvis" in mail.body_text and "Integritetsskyddsmyndigheten" in mail.body_text


def test_reasons_are_redacted_in_an_email_but_kept_on_the_case(settings: Settings) -> None:
    ref = _in_progress(settings, at(2025, 3, 5))
    with session_scope(settings.database_url) as session:
        case = reload(session, ref)
        decisions.refuse(
            session, settings, case, reasons="Numret 811218-9876 hör till någon annan.", actor="a", now=NOW
        )
        [mail] = _outbox(session)
        assert "811218-9876" not in mail.body_text and "[PNR]" in mail.body_text
        assert "811218-9876" in (case.refusal_reasons or "")


def test_refusal_by_post_when_no_email_and_refused_when_no_address(settings: Settings) -> None:
    by_post = _in_progress(settings, at(2025, 3, 5), subject=POST_ONLY)
    nowhere = _in_progress(settings, at(2025, 3, 5), subject=NOBODY)
    with session_scope(settings.database_url) as session:
        decisions.refuse(session, settings, reload(session, by_post), reasons="x", actor="a", now=NOW)
        [notice] = session.exec(select(Notice)).all()
        assert (notice.channel, notice.outbox_id) == ("post", None) and _outbox(session) == []
        with pytest.raises(DecisionError, match="no e-mail or postal address on file"):
            decisions.refuse(session, settings, reload(session, nowhere), reasons="x", actor="a", now=NOW)


def test_a_refusal_cannot_bypass_its_notice(settings: Settings) -> None:
    ref = _in_progress(settings, at(2025, 3, 5))
    with session_scope(settings.database_url) as session:
        with pytest.raises(IllegalTransition, match="needs its reasons and its notice"):
            transition(session, reload(session, ref), CaseStatus.refused, actor="agent:anna")


def test_extension_sets_d3_and_sends_its_notice(settings: Settings) -> None:
    # domain.md §8 example 11: R Wed 2025-10-01 → D1 Mon 2025-11-03, D3 Fri 2026-01-02.
    ref = _in_progress(settings, at(2025, 10, 1))
    with session_scope(settings.database_url) as session:
        case = reload(session, ref)
        now = datetime(2025, 11, 3, 15, tzinfo=UTC)  # on D1 itself: still in time
        decisions.extend(session, settings, case, reasons="Tio års samtalsdata.", actor="agent:anna", now=now)
    with session_scope(settings.database_url) as session:
        case = reload(session, ref)
        assert (case.due_date, case.extended_due_date) == (date(2025, 11, 3), date(2026, 1, 2))
        assert case.extension_reasons == "Tio års samtalsdata." and case.extension_notice_sent_at == now
        [mail] = _outbox(session)
        assert mail.kind == "notice.extension" and "2026-01-02" in mail.body_text
        assert [e.action for e in session.exec(select(AuditEvent))][-1] == "case.extended"
        # R-T3: allowed once.
        with pytest.raises(DecisionError, match="already extended once, to 2026-01-02"):
            decisions.extend(session, settings, case, reasons="more", actor="agent:anna", now=now)


def test_extension_refused_after_d1_without_reasons_or_without_a_way_to_notify(settings: Settings) -> None:
    ref = _in_progress(settings, at(2025, 10, 1))
    nowhere = _in_progress(settings, at(2025, 10, 1), subject=NOBODY)
    with session_scope(settings.database_url) as session:
        case = reload(session, ref)
        with pytest.raises(DecisionError, match=r"D1 \(2025-11-03\) has passed: R-T3"):
            decisions.extend(
                session, settings, case, reasons="x", actor="a", now=datetime(2025, 11, 4, 8, tzinfo=UTC)
            )
        with pytest.raises(DecisionError, match=r"an extension needs its reasons \(R-T3"):
            decisions.extend(session, settings, case, reasons="", actor="a", now=NOW)
        with pytest.raises(DecisionError, match="R-T3 notice cannot be sent"):
            decisions.extend(session, settings, reload(session, nowhere), reasons="x", actor="a", now=NOW)
        assert case.extended_due_date is None and _outbox(session) == []


def test_d1_is_read_in_stockholm_time(settings: Settings) -> None:
    # 23:30 UTC on D1 (Mon 2025-11-03) is already Tuesday in Stockholm: too late (R-T1 dates are local).
    ref = _in_progress(settings, at(2025, 10, 1))
    with session_scope(settings.database_url) as session:
        with pytest.raises(DecisionError, match="has passed"):
            decisions.extend(
                session,
                settings,
                reload(session, ref),
                reasons="x",
                actor="a",
                now=datetime(2025, 11, 3, 23, 30, tzinfo=UTC),
            )


def test_extension_and_refusal_are_separate_messages(settings: Settings) -> None:
    # EDPB §157: the R-T4 notice is a separate message from the extension notice.
    ref = _in_progress(settings, at(2025, 10, 1))
    with session_scope(settings.database_url) as session:
        case = reload(session, ref)
        decisions.extend(
            session, settings, case, reasons="Komplext.", actor="a", now=datetime(2025, 10, 20, tzinfo=UTC)
        )
        decisions.refuse(
            session, settings, case, reasons="Ogrundad.", actor="a", now=datetime(2025, 12, 1, tzinfo=UTC)
        )
        assert [m.kind for m in _outbox(session)] == ["notice.extension", "notice.refusal"]


def test_identity_pause_shifts_d1(settings: Settings) -> None:
    # domain.md §8 example 13: R Mon 2025-06-02, question Tue 06-03, reply Tue 06-10 → D1 Wed 2025-07-09.
    with session_scope(settings.database_url) as session:
        case = make_case(session, settings, at(2025, 6, 2), kind=RequestType.erasure)
        assert case.due_date == date(2025, 7, 2)
        decisions.request_identity(session, case, actor="assistant", now=at(2025, 6, 3))
        decisions.identity_answered(
            session, settings, case, verification="verified", actor="assistant", now=at(2025, 6, 10)
        )
        assert (case.pause_days, case.due_date, case.status) == (7, date(2025, 7, 9), CaseStatus.in_progress)
        assert case.identity_verification == "verified"
        with pytest.raises(IllegalTransition, match="no identity question is outstanding"):
            decisions.identity_answered(
                session, settings, case, verification="x", actor="a", now=at(2025, 6, 11)
            )


def test_assign_and_consent_applied_are_audited(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        case = make_case(session, settings, at(2025, 6, 2), kind=RequestType.consent_withdrawal)
        decisions.assign(session, case, "agent:anna", actor="manager:bo")
        decisions.consent_applied(session, case, actor="agent:anna", now=at(2025, 6, 2, 12))
        access = make_case(session, settings, at(2025, 6, 2))
        with pytest.raises(DecisionError, match="no consent withdrawal"):
            decisions.consent_applied(session, access, actor="agent:anna", now=at(2025, 6, 2, 12))
        actions = [e.action for e in session.exec(select(AuditEvent))]
        assert "case.assigned" in actions and "consent.applied" in actions
        assert case.assigned_agent == "agent:anna" and case.consent_applied_at == at(2025, 6, 2, 12)
