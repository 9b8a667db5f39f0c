"""Decisions an agent records on a case, each with the notice the law ties to it (issue #4).

- :func:`refuse`: a full or partial refusal needs its reasons and sends the R-T4 notice (reasons, the
  right to complain to IMY, the right to a judicial remedy) through the outbox, in the same transaction.
- :func:`extend`: an extension by two further months (D3, R-T3) needs its reasons, is allowed once, only
  by D1, and only together with its notice; a separate message from any refusal (EDPB §157).
- :func:`request_identity` / :func:`identity_answered`: the R-T5 pause around the identity question.
- :func:`assign`, :func:`consent_applied`: recorded facts.

Errors: :class:`DecisionError` (a ``ValueError``) when the decision cannot be recorded as asked; its
message names the case, the rule and why. Nothing is written when it is raised. ``IllegalTransition``
from workflows.states for a status move the process does not allow. Database errors propagate.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from workflows import audit, deadlines, notices
from workflows.models import Case, CaseStatus, RequestType
from workflows.notify import Issued, customer_channel, issue
from workflows.redact import redact
from workflows.settings import Settings
from workflows.states import ALLOWED, OPEN, IllegalTransition, Outcome, transition


class DecisionError(ValueError):
    """The decision cannot be recorded as asked; the message says which case, which rule, and why."""

    def __init__(self, case: Case, why: str) -> None:
        super().__init__(f"case {case.reference}: {why}")


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def _reasons(case: Case, reasons: str, rule: str, what: str) -> str:
    cleaned = reasons.strip()
    if not cleaned:
        raise DecisionError(case, f"{what} needs its reasons ({rule})")
    return cleaned


def _for_email(case: Case, reasons: str) -> str:
    # domain.md §0 / R-F4: no register data in an e-mail; an agent's free text is redacted before it goes
    # into one (a letter by post may carry it).
    return redact(reasons) if customer_channel(case) == "email" else reasons


def _reachable(case: Case, rule: str) -> None:
    if customer_channel(case) == "none":
        raise DecisionError(
            case, f"no e-mail or postal address on file, so the {rule} notice cannot be sent; add one first"
        )


def refuse(
    session: Session,
    settings: Settings,
    case: Case,
    *,
    reasons: str,
    partial: bool = False,
    actor: str,
    now: datetime,
) -> Issued:
    """R-T4 (Art 12(4)): record a full or partial refusal and issue its notice.

    A full refusal closes the case (``refused``); a partial one (redaction included) is recorded on the
    open case, which is then answered (``responded``, outcome ``partially_refused``).
    """
    now = _aware(now)
    why = _reasons(case, reasons, "R-T4, Art 12(4)", "a refusal")
    if case.status not in OPEN:
        raise DecisionError(case, f"the case is closed ({case.status.value}); nothing left to refuse")
    if not partial and CaseStatus.refused not in ALLOWED[case.status]:
        raise IllegalTransition(case, CaseStatus.refused)
    if case.refusal_notice_sent_at is not None:
        raise DecisionError(case, "a refusal is already recorded, with its notice (R-T4)")
    _reachable(case, "R-T4")
    kind = notices.Kind.partial_refusal if partial else notices.Kind.refusal
    case.refusal_reasons = why
    case.refusal_notice_sent_at = now
    case.outcome = Outcome.partially_refused if partial else Outcome.refused
    issued = issue(
        session,
        settings,
        case,
        kind=kind,
        text=notices.refusal(case.language, case.reference, _for_email(case, why), partial=partial),
        audience="customer",
        dedupe_key=notices.dedupe_key(kind, case.reference),
        now=now,
        actor=actor,
    )
    today = deadlines.receipt_date(now, settings.timezone)
    deadline = case.extended_due_date or case.due_date
    audit.append(
        session,
        actor=actor,
        action="case.refused",
        case_reference=case.reference,
        # R-T4: by D1 (D3 if extended); a late notice still goes out, and the trail says it was late.
        detail={"partial": partial, "reasons": why, "late": today > deadline, "deadline": str(deadline)},
    )
    if not partial:
        transition(session, case, CaseStatus.refused, actor=actor, now=now)
    session.add(case)
    return issued


def extend(
    session: Session, settings: Settings, case: Case, *, reasons: str, actor: str, now: datetime
) -> Issued:
    """R-T3 (Art 12(3)): extend to D3 with reasons; once, by D1, together with the notice."""
    now = _aware(now)
    why = _reasons(case, reasons, "R-T3, Art 12(3)", "an extension")
    if case.status not in OPEN:
        raise DecisionError(case, f"the case is closed ({case.status.value}); it cannot be extended")
    if case.extended_due_date is not None:
        raise DecisionError(
            case,
            f"already extended once, to {case.extended_due_date.isoformat()}; "
            "R-T3 allows one extension of two further months",
        )
    today = deadlines.receipt_date(now, settings.timezone)
    if today > case.due_date:
        raise DecisionError(
            case,
            f"D1 ({case.due_date.isoformat()}) has passed: R-T3 requires the extension notice by D1, so an "
            "extension can no longer be recorded",
        )
    _reachable(case, "R-T3")
    received = deadlines.receipt_date(case.received_at, settings.timezone)
    d3 = deadlines.extended_due_date(
        received, pause_days=case.pause_days, eves_as_holidays=settings.eves_as_holidays
    )
    case.extended_due_date = d3
    case.extension_reasons = why
    case.extension_notice_sent_at = now
    # The near-D1 escalation is void once D3 applies; the sweep escalates again near D3.
    if case.escalation_level == 1:
        case.escalation_level = 0
        case.escalated_at = None
    session.add(case)
    issued = issue(
        session,
        settings,
        case,
        kind=notices.Kind.extension,
        text=notices.extension(case.language, case.reference, _for_email(case, why), d3),
        audience="customer",
        dedupe_key=notices.dedupe_key(notices.Kind.extension, case.reference),
        now=now,
        actor=actor,
    )
    audit.append(
        session,
        actor=actor,
        action="case.extended",
        case_reference=case.reference,
        detail={"d1": str(case.due_date), "d3": str(d3), "reasons": why},
    )
    return issued


def request_identity(session: Session, case: Case, *, actor: str, now: datetime) -> Case:
    """R-T5 / Art 12(6): the identity question went out (only with a genuine reasonable doubt)."""
    return transition(session, case, CaseStatus.awaiting_identity, actor=actor, now=_aware(now))


def identity_answered(
    session: Session, settings: Settings, case: Case, *, verification: str, actor: str, now: datetime
) -> Case:
    """R-T5: the reply arrived; D1 (and D3) shift by the pause, and the case goes to work."""
    now = _aware(now)
    if case.status is not CaseStatus.awaiting_identity or case.identity_question_sent_at is None:
        raise IllegalTransition(case, CaseStatus.in_progress, "no identity question is outstanding")
    tz, eves = settings.timezone, settings.eves_as_holidays
    received = deadlines.receipt_date(case.received_at, tz)
    pause = deadlines.pause_days(
        received,
        deadlines.receipt_date(case.identity_question_sent_at, tz),
        deadlines.receipt_date(now, tz),
        eves_as_holidays=eves,
    )
    case.pause_days += pause
    case.due_date = deadlines.due_date(received, pause_days=case.pause_days, eves_as_holidays=eves)
    if case.extended_due_date is not None:
        case.extended_due_date = deadlines.extended_due_date(
            received, pause_days=case.pause_days, eves_as_holidays=eves
        )
    case.identity_verification = verification
    transition(session, case, CaseStatus.in_progress, actor=actor, now=now, note=f"pause {pause} days")
    return case


def assign(session: Session, case: Case, agent: str, *, actor: str) -> Case:
    before = case.assigned_agent
    case.assigned_agent = agent
    session.add(case)
    audit.append(
        session, actor=actor, action="case.assigned", case_reference=case.reference,
        detail={"from": before, "to": agent},
    )
    return case


def consent_applied(session: Session, case: Case, *, actor: str, now: datetime) -> Case:
    """domain.md §3: the withdrawal / objection is in effect on every channel in every group company."""
    if case.request_type is not RequestType.consent_withdrawal:
        raise DecisionError(case, f"a {case.request_type.value} case has no consent withdrawal to apply")
    case.consent_applied_at = _aware(now)
    session.add(case)
    audit.append(
        session, actor=actor, action="consent.applied", case_reference=case.reference,
        detail={"at": now.isoformat()},
    )
    return case
