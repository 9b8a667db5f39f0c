"""The case state machine (issue #4).

    received ─┬─> awaiting_identity ─┬─> in_progress ─┬─> responded
              │                      │                ├─> refused
              └──────────────────────┴────────────────┴─> withdrawn
    received ───> in_progress;  awaiting_identity ───> refused (R-T5: silence closes with a notice)

Extension and hand-off are recorded facts on the case, not states. Every change is audited.
"""

from __future__ import annotations

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


class IllegalTransition(ValueError):
    """A status change the process does not allow; the message says which and why."""

    def __init__(self, case: Case, target: CaseStatus) -> None:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[case.status])) or "none: the case is closed"
        super().__init__(
            f"case {case.reference} cannot go from {case.status.value} to {target.value} "
            f"(allowed from {case.status.value}: {allowed})"
        )


def transition(
    session: Session, case: Case, target: CaseStatus, *, actor: str, note: str | None = None
) -> Case:
    if target not in ALLOWED[case.status]:
        raise IllegalTransition(case, target)
    before = case.status
    case.status = target
    if target in CLOSED:
        case.closed_at = utcnow()
    session.add(case)
    audit.append(
        session,
        actor=actor,
        action="case.status",
        case_reference=case.reference,
        detail={"from": before.value, "to": target.value, **({"note": note} if note else {})},
    )
    return case
