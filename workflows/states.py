"""The case state machine (issue #4).

    received ─┬─> awaiting_identity ─┬─> in_progress ─┬─> responded
              │                      │                ├─> refused
              └──────────────────────┴────────────────┴─> withdrawn
    received ───> in_progress;  awaiting_identity ───> refused (R-T5: silence closes with a notice)

Extension and hand-off are recorded facts on the case, not states (workflows/decisions.py records them
with their notices). Every change is audited.

Errors: :class:`IllegalTransition` (a ``ValueError``) for a move the process does not allow, saying
which and why; it is raised before anything is written.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlmodel import Session

from workflows import audit
from workflows.models import Case, CaseStatus
from workflows.types import utcnow

S = CaseStatus
ALLOWED: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.received: frozenset({S.awaiting_identity, S.in_progress, S.withdrawn}),
    S.awaiting_identity: frozenset({S.in_progress, S.refused, S.withdrawn}),
    S.in_progress: frozenset({S.responded, S.refused, S.withdrawn}),
    S.responded: frozenset(),
    S.refused: frozenset(),
    S.withdrawn: frozenset(),
}
CLOSED = frozenset({S.responded, S.refused, S.withdrawn})


OPEN = frozenset({S.received, S.awaiting_identity, S.in_progress})


class Outcome(enum.StrEnum):
    """How a case ended (``Case.outcome``)."""

    responded = "responded"
    partially_refused = "partially_refused"  # R-T4: a partial refusal (redaction included), then answered
    refused = "refused"  # R-T4
    closed_no_identity = "closed_no_identity"  # R-T5: two months without an answer to the identity question
    withdrawn = "withdrawn"


class IllegalTransition(ValueError):
    """A status change the process does not allow; the message says which and why."""

    def __init__(self, case: Case, target: CaseStatus, why: str | None = None) -> None:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[case.status])) or "none: the case is closed"
        super().__init__(
            f"case {case.reference} cannot go from {case.status.value} to {target.value} "
            + (f"({why})" if why else f"(allowed from {case.status.value}: {allowed})")
        )


def transition(
    session: Session,
    case: Case,
    target: CaseStatus,
    *,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
) -> Case:
    if target not in ALLOWED[case.status]:
        raise IllegalTransition(case, target)
    if target is S.refused and (not case.refusal_reasons or case.refusal_notice_sent_at is None):
        # R-T4 / R-T5: never a refusal without its reasons and its written notice; decisions.refuse and
        # the sweep's silence close record both first.
        raise IllegalTransition(
            case, target, "a refusal needs its reasons and its notice: use decisions.refuse (R-T4)"
        )
    now = now or utcnow()
    before = case.status
    case.status = target
    if target is S.awaiting_identity:
        # R-T5: the pause and the 14-day/2-month clocks count from the day the question went out.
        case.identity_question_sent_at = now
        case.identity_reminder_sent_at = None
    if target in CLOSED:
        case.closed_at = now
        if target is S.withdrawn:
            case.outcome = Outcome.withdrawn
        elif case.outcome is None:
            # A partial refusal (R-T4) stays the outcome of the answered case; a refusal's outcome
            # (refused, closed_no_identity) is set by whoever recorded it with its notice.
            case.outcome = Outcome.responded if target is S.responded else Outcome.refused
    session.add(case)
    audit.append(
        session,
        actor=actor,
        action="case.status",
        case_reference=case.reference,
        detail={"from": before.value, "to": target.value, **({"note": note} if note else {})},
    )
    return case
