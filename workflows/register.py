"""The customer register the identity details are matched against (R-F3, R-F4, domain.md §2).

:class:`CustomerRegister` is the interface a real CRM implements; :class:`DatabaseRegister` is the demo
implementation on the assistant's own database (the ``customers`` table), seeded by
:func:`seed_demo_customers` with FICTITIOUS people (valid-Luhn personnummer computed for the demo;
811218-9876 is domain.md's test vector).

Matching is pure (:func:`match`): a personnummer identifies but does not authenticate (R-F4), so the
other details must agree too. A mismatch or an unknown person goes to a human, never to an automatic
refusal (§2); protected personal data ("skyddade personuppgifter") always goes to a human (R-F4).
Errors: none of its own; database errors propagate.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from workflows import audit
from workflows.cases import Subject
from workflows.models import Case, Customer


class MatchOutcome(enum.StrEnum):
    verified = "verified"  # the number is on file and every detail given agrees
    mismatch = "mismatch"  # on file, but a detail given differs: a person looks (§2)
    not_found = "not_found"  # no such customer: a person looks (never an automatic refusal)
    protected = "protected"  # skyddade personuppgifter: always a person (R-F4)
    insufficient = "insufficient"  # no identity number, or nothing to corroborate it with


@dataclass(frozen=True)
class MatchResult:
    outcome: MatchOutcome
    # Which details agreed and which did not, by name only (R-F4: never the values).
    agreed: tuple[str, ...] = ()
    differed: tuple[str, ...] = ()

    @property
    def needs_human(self) -> bool:
        return self.outcome is not MatchOutcome.verified


class CustomerRegister(Protocol):
    """What the assistant needs from a customer register (a real CRM can implement this)."""

    def lookup(self, identity_number: str) -> Customer | None:
        """The customer with this canonical personnummer/samordningsnummer (YYYYMMDD-NNNC), if any."""
        ...


def _norm(text: str | None) -> str:
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(folded.replace(",", " ").split())


def _digits(text: str | None) -> str:
    digits = "".join(ch for ch in text or "" if ch.isdigit())
    return "0" + digits[2:] if digits.startswith("46") else digits  # +46 70… and 070… agree


def match(subject: Subject, customer: Customer | None, *, legal_entity: str | None = None) -> MatchResult:
    """R-F3/R-F4: compare the details given with the register's record."""
    if not subject.identity_number:
        return MatchResult(MatchOutcome.insufficient)
    if customer is None:
        return MatchResult(MatchOutcome.not_found)
    if customer.protected_identity:
        return MatchResult(MatchOutcome.protected)
    checks = {
        "full_name": (_norm(subject.full_name), _norm(customer.full_name)),
        "address": (_norm(subject.address), _norm(customer.address)),
        "email": (_norm(subject.email), _norm(customer.email)),
        "phone": (_digits(subject.phone), _digits(customer.phone)),
        "customer_number": (_norm(subject.customer_number), _norm(customer.customer_number)),
    }
    agreed = tuple(name for name, (given, held) in checks.items() if given and given == held)
    differed = tuple(name for name, (given, held) in checks.items() if given and given != held)
    if legal_entity:
        if legal_entity in customer.legal_entities:
            agreed += ("legal_entity",)
        else:
            differed += ("legal_entity",)
    if differed:
        return MatchResult(MatchOutcome.mismatch, agreed, differed)
    # R-F4: the number alone does not authenticate; something else on file must agree.
    if not any(name != "legal_entity" for name in agreed):
        return MatchResult(MatchOutcome.insufficient, agreed, differed)
    return MatchResult(MatchOutcome.verified, agreed, differed)


class DatabaseRegister:
    """The demo register: the ``customers`` table on the assistant's own database."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def lookup(self, identity_number: str) -> Customer | None:
        return self._session.exec(select(Customer).where(Customer.identity_number == identity_number)).first()


def verify_identity(
    session: Session, register: CustomerRegister, case: Case, *, actor: str = "assistant"
) -> MatchResult:
    """Match the case's identity details against the register; record the outcome on the case."""
    subject = Subject(
        full_name=case.subject_name,
        identity_number=case.subject_identity_number,
        address=case.subject_address,
        email=case.subject_email,
        phone=case.subject_phone,
        customer_number=case.customer_number,
    )
    customer = register.lookup(case.subject_identity_number) if case.subject_identity_number else None
    result = match(subject, customer, legal_entity=case.legal_entity)
    case.identity_verification = result.outcome.value
    case.identity_verified_by = "customer register" if result.outcome is MatchOutcome.verified else None
    if result.needs_human:
        # §2: a mismatch goes to a human, never to an automatic refusal.
        case.needs_human = True
        case.human_reason = f"identity check: {result.outcome.value}"
    session.add(case)
    audit.append(
        session,
        actor=actor,
        action="identity.checked",
        case_reference=case.reference,
        detail={
            "outcome": result.outcome.value,
            "agreed": list(result.agreed),
            "differed": list(result.differed),
        },
    )
    return result


# FICTITIOUS demo people: names, addresses and numbers are made up; every number passes Luhn.
DEMO_CUSTOMERS: tuple[dict[str, object], ...] = (
    {
        "identity_number": "19811218-9876", "full_name": "Maja Lindgren",
        "address": "Storgatan 12, 111 22 Stockholm", "email": "maja.lindgren@example.se",
        "phone": "070-123 45 67", "customer_number": "KT-100001",
        "legal_entities": ["KomTeknik Mobil AB", "KomTeknik Bredband AB"],
    },
    {
        "identity_number": "19900315-1231", "full_name": "Erik Johansson",
        "address": "Kungsgatan 5, 411 19 Göteborg", "email": "erik.johansson@example.se",
        "phone": "073-555 01 02", "customer_number": "KT-100002", "legal_entities": ["KomTeknik Mobil AB"],
    },
    {
        "identity_number": "19750622-4562", "full_name": "Sara Ek",
        "address": "Södra Förstadsgatan 40, 211 43 Malmö", "email": "sara.ek@example.com",
        "phone": "076-987 65 43", "customer_number": "KT-100003", "legal_entities": ["KomTeknik Bredband AB"],
    },
    {
        "identity_number": "19880930-5553", "full_name": "Aisha Khalil",
        "address": "Dragarbrunnsgatan 20, 753 20 Uppsala", "email": "aisha.khalil@example.org",
        "phone": "072-111 22 33", "customer_number": "KT-100004",
        "legal_entities": ["KomTeknik Mobil AB", "KomTeknik Företag AB"],
    },
    {
        # A samordningsnummer (day + 60): domain.md §6's valid example.
        "identity_number": "19701063-2391", "full_name": "Tomas Berg",
        "address": "Hamngatan 3, 582 26 Linköping", "email": None,
        "phone": "013-12 34 56", "customer_number": "KT-100005", "legal_entities": ["KomTeknik Bredband AB"],
    },
    {
        # R-F4: protected personal data; the assistant always hands this person to a human.
        "identity_number": "19650101-2345", "full_name": "Lars Nilsson",
        "address": "(skyddad adress)", "email": None, "phone": None, "customer_number": "KT-100006",
        "legal_entities": ["KomTeknik Mobil AB"], "protected_identity": True,
    },
)


def seed_demo_customers(session: Session) -> int:
    """Insert the fictitious demo customers that are missing (idempotent); returns how many were added."""
    added = 0
    for row in DEMO_CUSTOMERS:
        number = str(row["identity_number"])
        if session.exec(select(Customer).where(Customer.identity_number == number)).first():
            continue
        try:
            with session.begin_nested():
                session.add(Customer.model_validate(row))
                session.flush()
            added += 1
        except IntegrityError:
            continue  # seeded concurrently by another process: theirs stands
    return added
