"""The per-sender rate limit counts replies to one address in the last hour through an index (0007),
not by reading the whole outbox for every e-mail answered; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, text
from sqlmodel import col, select

from workflows.db import get_engine, session_scope
from workflows.mailbox import REPLY_KIND, replies_since
from workflows.models import OutboxMessage
from workflows.settings import Settings
from workflows.types import utcnow


def _reply(n: int, to: str, *, age: timedelta = timedelta(0), kind: str = REPLY_KIND) -> OutboxMessage:
    return OutboxMessage(
        dedupe_key=f"test:{n}",
        kind=kind,
        to_address=to,
        subject="Re: test",
        body_text="Hej",
        message_id=f"<{n}@test.example>",
        created_at=utcnow() - age,
    )


def test_replies_in_the_last_hour_are_counted_per_address(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        session.add(_reply(1, "Kund@Example.se"))
        session.add(_reply(2, "kund@example.se", age=timedelta(minutes=30)))
        session.add(_reply(3, "kund@example.se", age=timedelta(hours=2)))  # outside the hour
        session.add(_reply(4, "kund@example.se", kind="notice.escalation"))  # not a reply
        session.add(_reply(5, "annan@example.se"))
    with session_scope(settings.database_url) as session:
        assert replies_since(session, "KUND@example.se", utcnow() - timedelta(hours=1)) == 2


def test_the_count_is_answered_from_the_index(settings: Settings) -> None:
    engine = get_engine(settings.database_url)
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.kind == REPLY_KIND)
        .where(func.lower(OutboxMessage.to_address) == "kund@example.se")
        .where(col(OutboxMessage.created_at) >= utcnow())
    )
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = " ".join(str(row) for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "ix_outbox_reply_rate" in plan and "SCAN outbox" not in plan
        else:
            # An empty table is scanned whatever the indexes; turn sequential scans off to ask whether
            # the index can answer at all.
            connection.execute(text("SET enable_seqscan = off"))
            plan = " ".join(str(row) for row in connection.exec_driver_sql("EXPLAIN " + sql))
            assert "ix_outbox_reply_rate" in plan
