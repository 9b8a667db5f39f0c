"""The customer register: matching (R-F3, R-F4, §2), the demo register and its idempotent seeding."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from tests.workflows.factories import at, make_case
from workflows.cases import Subject
from workflows.db import session_scope
from workflows.identity import parse_identity_number
from workflows.models import AuditEvent, Customer
from workflows.register import (
    DEMO_CUSTOMERS,
    CustomerRegister,
    DatabaseRegister,
    MatchOutcome,
    match,
    seed_demo_customers,
    verify_identity,
)
from workflows.settings import Settings

MAJA_ON_FILE = Customer(
    identity_number="19811218-9876",
    full_name="Maja Lindgren",
    address="Storgatan 12, 111 22 Stockholm",
    email="maja.lindgren@example.se",
    phone="070-123 45 67",
    customer_number="KT-100001",
    legal_entities=["KomTeknik Mobil AB"],
)


def test_every_demo_customer_has_a_valid_number() -> None:
    for row in DEMO_CUSTOMERS:
        number = parse_identity_number(str(row["identity_number"]), today=date(2026, 1, 1))
        assert number.canonical() == row["identity_number"]


@pytest.mark.parametrize(
    ("subject", "entity", "outcome", "differed"),
    [
        (Subject("maja  LINDGREN", "19811218-9876"), None, MatchOutcome.verified, ()),
        (
            Subject("Maja Lindgren", "19811218-9876", phone="+46 70 123 45 67"),
            "KomTeknik Mobil AB",
            MatchOutcome.verified,
            (),
        ),
        (
            Subject("Maja Lindgren", "19811218-9876", address="Annan väg 1"),
            None,
            MatchOutcome.mismatch,
            ("address",),
        ),
        (
            Subject("Maja Lindgren", "19811218-9876"),
            "KomTeknik Företag AB",
            MatchOutcome.mismatch,
            ("legal_entity",),
        ),
        # R-F4: the number alone identifies but does not authenticate.
        (Subject(None, "19811218-9876"), None, MatchOutcome.insufficient, ()),
        (Subject("Maja Lindgren", None), None, MatchOutcome.insufficient, ()),
    ],
)
def test_match(
    subject: Subject, entity: str | None, outcome: MatchOutcome, differed: tuple[str, ...]
) -> None:
    result = match(subject, MAJA_ON_FILE, legal_entity=entity)
    assert (result.outcome, result.differed) == (outcome, differed)
    assert result.needs_human is (outcome is not MatchOutcome.verified)


def test_unknown_and_protected_people_go_to_a_person() -> None:
    assert match(Subject("Ny Kund", "19900315-1231"), None).outcome is MatchOutcome.not_found
    protected = Customer(
        identity_number="19650101-2345", full_name="Lars Nilsson", address="-", protected_identity=True
    )
    assert match(Subject("Lars Nilsson", "19650101-2345"), protected).outcome is MatchOutcome.protected


def test_seeding_is_idempotent_and_the_database_register_finds_maja(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        assert seed_demo_customers(session) == len(DEMO_CUSTOMERS)
    with session_scope(settings.database_url) as session:
        assert seed_demo_customers(session) == 0
        assert len(session.exec(select(Customer)).all()) == len(DEMO_CUSTOMERS)
        register: CustomerRegister = DatabaseRegister(session)
        found = register.lookup("19811218-9876")
        assert found is not None and found.full_name == "Maja Lindgren"
        assert register.lookup("19811218-9877") is None


def test_verify_identity_records_the_outcome_and_a_mismatch_goes_to_a_person(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        seed_demo_customers(session)
        register = DatabaseRegister(session)
        good = make_case(session, settings, at(2025, 3, 5), subject=Subject("Maja Lindgren", "19811218-9876"))
        bad = make_case(
            session,
            settings,
            at(2025, 3, 5),
            subject=Subject("Maja Lindgren", "19811218-9876", address="Fel gata 9"),
        )
        assert verify_identity(session, register, good).outcome is MatchOutcome.verified
        assert verify_identity(session, register, bad).outcome is MatchOutcome.mismatch
        assert (good.identity_verification, good.identity_verified_by, good.needs_human) == (
            "verified",
            "customer register",
            False,
        )
        # §2: a mismatch goes to a human, never to an automatic refusal.
        assert bad.needs_human and bad.status.value == "received"
        details = [
            e.detail for e in session.exec(select(AuditEvent).where(AuditEvent.action == "identity.checked"))
        ]
        assert len(details) == 2 and "Fel gata" not in details[1] and '"differed": ["address"]' in details[1]
