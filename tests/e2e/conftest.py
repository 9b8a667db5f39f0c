"""The real stack for end-to-end tests: Rasa server, action server and console as separate processes,
started once per test session on free ports, with a database of their own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from privacydesk import services, training
from workflows.db import migrate


@dataclass(frozen=True)
class RunningStack:
    rasa_url: str
    action_url: str
    console_url: str
    database_url: str
    model: Path
    env: dict[str, str]
    logs: Path


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    model = training.train()
    tmp = tmp_path_factory.mktemp("stack")
    database_url = f"sqlite:///{tmp / 'privacydesk.db'}"
    migrate(database_url)
    rasa_port, action_port, console_port = (services.free_port() for _ in range(3))
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    env = services.our_env({"PRIVACYDESK_DATABASE_URL": database_url, "PRIVACYDESK_RASA_URL": rasa_url})
    running = services.Stack()
    try:
        running.start(services.action_service(port=action_port, env=env, log=tmp / "actions.log"))
        running.start(
            services.rasa_service(
                model,
                port=rasa_port,
                action_url=action_url,
                tracker_db=tmp / "tracker.db",
                log=tmp / "rasa.log",
            )
        )
        running.start(
            services.console_service(host="127.0.0.1", port=console_port, env=env, log=tmp / "console.log")
        )
        yield RunningStack(
            rasa_url, action_url, f"http://127.0.0.1:{console_port}", database_url, model, env, tmp
        )
    finally:
        running.stop()
