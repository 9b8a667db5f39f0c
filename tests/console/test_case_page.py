"""The staff's case page (issue #4): linked from the list, identity number masked, viewing audited."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from console.app import create_app
from tests.workflows.factories import MAJA, at, make_case
from workflows.db import session_scope
from workflows.models import AuditEvent, Direction, Message
from workflows.settings import Settings


def test_case_page_masks_the_number_and_audits_the_view(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        ref = make_case(session, settings, at(2025, 3, 5), subject=MAJA).reference
        session.add(
            Message(
                case_reference=ref,
                channel="chat",
                direction=Direction.inbound,
                sender="customer",
                body_text="mitt personnummer är 811218-9876",
                at=at(2025, 3, 5),
            )
        )
    client = TestClient(create_app(settings))
    listing = client.get("/")
    assert f'href="/cases/{ref}"' in listing.text
    page = client.get(f"/cases/{ref}")
    assert page.status_code == 200
    assert "811218-****" in page.text and "9876" not in page.text  # R-F4
    assert "2025-04-07" in page.text  # D1
    with session_scope(settings.database_url) as session:
        viewed = session.exec(select(AuditEvent).where(AuditEvent.action == "case.viewed")).all()
    assert [(e.case_reference, e.actor) for e in viewed] == [(ref, "console")]
    assert client.get("/cases/DSR-2025-999999").status_code == 404
