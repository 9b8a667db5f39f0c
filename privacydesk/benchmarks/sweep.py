"""The scheduler's sweep over 10^5 and 10^6 cases (10 % open), on SQLite and PostgreSQL (issue #4).

Rows are bulk-loaded (SQLite ``executemany``, PostgreSQL ``COPY``) into a freshly migrated database, so
the indexes are the ones migration 0005w creates. Then the number of due cases K is set by updating
the deadlines of K open cases (half past D1, half within the escalation window) and the sweep's
look-ups (workflows.sweep.queries: all steps, rows claimed FOR UPDATE SKIP LOCKED) are timed, then
rolled back; the median of five runs is reported. A full sweep (claims, notices, outbox, audit)
with the default batch is timed once per size as well, also rolled back.

Fictitious data only. PostgreSQL is the server at PRIVACYDESK_BENCH_POSTGRES (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres); each run creates and drops its own database.
"""

from __future__ import annotations

import io
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from psycopg import sql as psql
from sqlalchemy import create_engine, event, text
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from workflows.db import migrate
from workflows.models import Case
from workflows.settings import Settings
from workflows.sweep import queries, sweep

TITLE = "Scheduler sweep: query time over 10^5 and 10^6 cases (10 % open), SQLite and PostgreSQL"
SIZES = (100_000, 1_000_000)
DUE_COUNTS = (0, 100, 1_000, 10_000)
TODAY = date(2025, 6, 16)  # a Monday
NOW = datetime(2025, 6, 16, 8, 0, tzinfo=UTC)
FAR = date(2025, 7, 16)  # beyond the escalation window
PAST, NEAR = date(2025, 6, 13), date(2025, 6, 18)
_ADMIN = os.environ.get("PRIVACYDESK_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

COLUMNS = (
    "id", "reference", "request_type", "status", "channel", "language", "received_at", "due_date",
    "pause_days", "signed_request", "needs_human", "escalation_level", "created_at", "closed_at",
    "transcript_deleted_at", "identity_question_sent_at", "consent_applied_at",
)


def _rows(n: int) -> Iterator[tuple[Any, ...]]:
    """90 % closed (over five years), 10 % open and received in the last ten days (nothing due yet)."""
    closed = n - n // 10
    start = datetime(2020, 6, 1, 9, tzinfo=UTC)
    span = (NOW - timedelta(days=40) - start).total_seconds()
    for i in range(1, n + 1):
        reference = f"DSR-{2000 + i // 1_000_000}-{i % 1_000_000:06d}"
        kind = ("access", "erasure", "rectification", "consent_withdrawal", "complaint")[i % 5]
        if i <= closed:
            received = start + timedelta(seconds=span * i / closed)
            closed_at = received + timedelta(days=20)
            purged = closed_at + timedelta(days=366) if closed_at + timedelta(days=366) < NOW else None
            due = (received + timedelta(days=31)).date()
            yield (i, reference, kind, "responded", "chat", "sv", received, due,
                   0, "requested", False, 0, received, closed_at, purged, None, received)
        else:
            received = NOW - timedelta(days=1 + i % 10, hours=1)
            status = ("received", "in_progress", "in_progress", "awaiting_identity")[i % 4]
            asked = received + timedelta(hours=1) if status == "awaiting_identity" else None
            applied = received + timedelta(hours=2)  # consent withdrawals applied in time
            yield (i, reference, kind, status, "email", "sv", received, FAR, 0, "requested", False, 0,
                   received, None, None, asked, applied)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as UTCDateTime stores it
    if isinstance(value, date):
        return value.isoformat()
    return value


def _load_sqlite(path: Path, n: int) -> None:
    conn = sqlite3.connect(path)
    table = Case.__table__  # type: ignore[attr-defined]
    compiled = table.insert().compile(dialect=sqlite_dialect.dialect(), column_keys=list(COLUMNS))
    order = [COLUMNS.index(key) for key in compiled.positiontup]  # the statement's column order
    with conn:
        conn.executemany(str(compiled), ([_sqlite_value(row[j]) for j in order] for row in _rows(n)))
    conn.execute("ANALYZE")
    conn.close()


def _copy_value(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _load_postgres(engine: Engine, n: int) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        statement = psql.SQL("COPY cases ({}) FROM STDIN").format(
            psql.SQL(", ").join(psql.Identifier(c) for c in COLUMNS)
        )
        with cursor.copy(statement) as copy:
            buffer = io.StringIO()
            for i, row in enumerate(_rows(n), 1):
                buffer.write("\t".join(_copy_value(v) for v in row) + "\n")
                if i % 50_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        cursor.execute("SELECT setval('cases_id_seq', %s)", (n,))
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE cases"))


def _set_due(engine: Engine, n: int, k: int, *, reset: bool = False) -> None:
    """Make K open in_progress/received cases due: even ids past D1, odd ids within the window."""
    first_open = n - n // 10 + 1
    with engine.begin() as conn:
        if reset:
            conn.execute(text("UPDATE cases SET due_date = :far WHERE id >= :a AND id < :b"),
                         {"far": FAR, "a": first_open, "b": first_open + 2 * k})
            return
        # Every 4th open case awaits identity (the deadline steps skip those: R-T5), so take 2K ids and
        # only the ones on the clock; K of them is close enough for the table's label.
        conn.execute(
            text(
                "UPDATE cases SET due_date = CASE WHEN id % 2 = 0 THEN :past ELSE :near END "
                "WHERE id >= :a AND id < :b AND status <> 'awaiting_identity'"
            ),
            {"past": PAST, "near": NEAR, "a": first_open, "b": first_open + k + k // 3},
        )


def _time_queries(engine: Engine, settings: Settings, batch: int = 1_000_000) -> tuple[float, int]:
    with Session(engine) as session:
        started = time.perf_counter()
        rows = 0
        for query in queries(settings, TODAY, NOW, batch=batch).values():
            rows += len(session.exec(query).all())
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed, rows


def _time_full_sweep(engine: Engine, settings: Settings) -> tuple[float, int]:
    with Session(engine) as session:
        started = time.perf_counter()
        result = sweep(session, settings, TODAY, now=NOW)
        session.flush()
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed, result.total


def _plan(engine: Engine, settings: Settings) -> list[str]:
    """The database's plan for the near-D1 look-up (captured statement, same parameters)."""
    captured: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        captured.append((statement, parameters))

    query = queries(settings, TODAY, NOW, batch=1_000_000)["near_d1"]
    with Session(engine) as session:
        event.listen(engine, "before_cursor_execute", grab)
        try:
            session.exec(query).all()
        finally:
            event.remove(engine, "before_cursor_execute", grab)
        statement, parameters = captured[-1]
        prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        if engine.dialect.name == "sqlite":
            statement = statement.replace(" FOR UPDATE SKIP LOCKED", "")
        plan = session.connection().exec_driver_sql(prefix + statement, parameters).all()
        session.rollback()
    return [str(row[-1]) for row in plan]


@contextmanager
def _database(backend: str, workdir: Path) -> Iterator[tuple[str, Callable[[Engine, int], None]]]:
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite:///{path}", lambda _engine, n: _load_sqlite(path, n)
        return
    name = f"pd_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _ADMIN.rsplit("/", 1)[0] + f"/{name}", _load_postgres
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _postgres_available() -> bool:
    engine = create_engine(_ADMIN)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure means: skip PostgreSQL, and say so in the report
        return False
    finally:
        engine.dispose()


def measure(backend: str, n: int, workdir: Path) -> dict[str, Any]:
    with _database(backend, workdir) as (url, load):
        migrate(url)
        engine = create_engine(url)
        started = time.perf_counter()
        load(engine, n)
        load_s = time.perf_counter() - started
        settings = Settings(database_url=url, var_dir=workdir)
        by_due: dict[int, tuple[float, int]] = {}
        for k in DUE_COUNTS:
            _set_due(engine, n, k)
            runs = [_time_queries(engine, settings) for _ in range(5)]
            by_due[k] = (statistics.median(r[0] for r in runs), runs[0][1])
            if k == 1_000:
                full = _time_full_sweep(engine, settings)
                plan = _plan(engine, settings)
            if k == DUE_COUNTS[-1]:
                # What one sweep really reads: at most one batch per step.
                batched = [_time_queries(engine, settings, settings.sweep_batch) for _ in range(5)]
                by_batch = (statistics.median(r[0] for r in batched), batched[0][1])
            _set_due(engine, n, k, reset=True)
        engine.dispose()
    return {"load_s": load_s, "by_due": by_due, "by_batch": by_batch, "full": full, "plan": plan}


def run() -> str:
    backends = ["sqlite"] + (["postgres"] if _postgres_available() else [])
    lines = [f"## {TITLE}", ""]
    plans: list[str] = []
    due_columns = " | ".join(f"K={k}" for k in DUE_COUNTS)
    header = (
        f"| backend | cases | load | {due_columns} | K={DUE_COUNTS[-1]}, batch 500 "
        "| full sweep (500 per step), K=1000 |"
    )
    lines += [
        "Time of one sweep's look-ups (all steps, the due rows claimed `FOR UPDATE SKIP LOCKED`, median of "
        "5), by the number of due cases K (rows returned in brackets; ORM objects built included). The "
        "full sweep claims one batch per step (500), writes the escalation/breach notices to `notices` and "
        "the outbox and the audit trail, and is rolled back. Load = bulk insert (executemany / COPY) with "
        "the indexes in place. The batch-500 column is what one sweep really reads (at most 500 rows per "
        "step; the next sweep takes the rest).",
        "",
        header,
        "|" + "---|" * (5 + len(DUE_COUNTS)),
    ]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pd-bench-") as tmp:
        for backend in backends:
            for n in SIZES:
                m = measure(backend, n, Path(tmp))
                cells = [f"{m['by_due'][k][0] * 1000:.1f} ms ({m['by_due'][k][1]})" for k in DUE_COUNTS]
                full_s, full_n = m["full"]
                batch_s, batch_n = m["by_batch"]
                lines.append(
                    f"| {backend} | {n:,} | {m['load_s']:.0f} s | " + " | ".join(cells)
                    + f" | {batch_s * 1000:.1f} ms ({batch_n}) | {full_s:.2f} s ({full_n} notices) |"
                )
                if n == SIZES[-1]:
                    plans += [f"{backend}, {n:,} cases, near-D1 look-up:", "", "```", *m["plan"], "```", ""]
    lines += [
        "",
        f"Load average (1 min) before / after the run: {load_before:.1f} / {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores, shared with other work: small timings are noisy.",
    ]
    if "postgres" not in backends:
        lines += ["", f"PostgreSQL at {_ADMIN.rsplit('@', 1)[-1]} was not reachable: not measured."]
    lines += [
        "",
        "Indexes (migration 0005w): `ix_case_sweep_due (status, escalation_level, due_date)`, "
        "`ix_case_sweep_extended (status, escalation_level, extended_due_date)`, "
        "`ix_case_identity_wait (status, identity_question_sent_at)`, "
        "`ix_case_consent (request_type, consent_applied_at, consent_escalated_at, received_at)`, "
        "`ix_case_retention "
        "(transcript_deleted_at, closed_at)`. Each look-up is exact (every row it returns is acted on), "
        "so at equal K the time does not depend on the table size, and it grows with K.",
        "",
        *plans,
    ]
    return "\n".join(lines)
