"""Several Rasa servers sharing the load: the tracker store on the real PostgreSQL and the lock store on
the real Redis, so one conversation can move between servers without losing its state."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text

from privacydesk import services
from tests.conftest import POSTGRES_ADMIN
from tests.e2e.conftest import RunningStack

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]


@pytest.fixture
def tracker_database() -> Iterator[str]:
    name = f"pd_tracker_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def two_rasa_servers(stack: RunningStack, tracker_database: str) -> Iterator[list[str]]:
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at 127.0.0.1:6379 is not reachable: {error}")
    running = services.Stack()
    urls = []
    try:
        for number in (1, 2):
            port = services.free_port()
            running.start(
                services.rasa_service(
                    stack.model,
                    port=port,
                    action_url=stack.action_url,
                    tracker_db=stack.logs / "unused.db",
                    log=stack.logs / f"rasa-shared-{number}.log",
                    tracker_url=tracker_database,
                    lock_store_url="redis://127.0.0.1:6379/3",
                    name=f"rasa-{number}",
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        running.stop()


def test_a_conversation_moves_between_two_rasa_servers(
    two_rasa_servers: list[str], tracker_database: str
) -> None:
    sender = f"scaled-{uuid.uuid4().hex}"
    turns = ["Hej, jag vill ha ett registerutdrag", "Maja Lindgren", "811218-9876"]
    answers = []
    for number, message in enumerate(turns):
        server = two_rasa_servers[number % 2]  # 1, 2, 1: each turn on the other server
        response = httpx.post(
            f"{server}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        answers.append(" ".join(m.get("text", "") for m in response.json()))
    # The last server only knows the name given on the other one through the shared tracker store.
    assert re.search(r"DSR-\d{4}-\d{6}", " ".join(answers)), answers
    engine = create_engine(tracker_database.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}
        ).scalar_one()
    engine.dispose()
    assert stored > 5
