"""Settings read from PRIVACYDESK_* variables."""

import pytest

from workflows.settings import Settings


def test_public_url_defaults_to_the_local_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRIVACYDESK_PUBLIC_URL", raising=False)
    assert Settings().public_base_url() == "http://localhost:8000"
    monkeypatch.setenv("PRIVACYDESK_PUBLIC_URL", "https://integritet.example.se/")
    monkeypatch.setenv("PRIVACYDESK_CONSOLE_PORT", "9000")
    assert Settings().public_base_url() == "https://integritet.example.se"
