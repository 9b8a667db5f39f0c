"""The command-line contract (issue #2 point 6): deadline and cases list."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from privacydesk.cli import main
from workflows.cases import Subject, open_case
from workflows.db import session_scope
from workflows.models import Channel, RequestType
from workflows.settings import Settings


def test_deadline_prints_d1_and_d3(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", "2025-03-05", "2028-01-30", "2025-10-01"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2025-03-05 2025-04-07",
        "2028-01-30 2028-02-29",
        "2025-10-01 2025-11-03",
    ]
    assert main(["deadline", "--extended", "2025-10-31"]) == 0
    assert capsys.readouterr().out.strip() == "2025-10-31 2026-02-02"


def test_deadline_rejects_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", "2025-02-30"]) == 2
    assert "not an ISO date" in capsys.readouterr().err


def test_cases_list_json(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    with session_scope(settings.database_url) as session:
        open_case(
            session,
            settings,
            request_type=RequestType.erasure,
            channel=Channel.email,
            language="en",
            received_at=datetime(2025, 8, 31, 10, tzinfo=UTC),
            subject=Subject(full_name="Ann Berg"),
        )
    assert main(["cases", "list", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["reference"] == "DSR-2025-000001"
    assert (row["request_type"], row["status"], row["channel"], row["language"]) == (
        "erasure",
        "received",
        "email",
        "en",
    )
    assert row["received_at"] == "2025-08-31T12:00:00+02:00"
    assert (row["due_date"], row["extended_due_date"]) == ("2025-09-30", None)
