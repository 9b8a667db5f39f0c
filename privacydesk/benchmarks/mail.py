"""The mail gateway end to end: a backlog of 2,000 mixed e-mails in a real Dovecot, fetched, parsed,
classified by the real Rasa server (with the action server opening cases), replies queued (issue #5).

Two measurements on a fresh database and mailbox each:

1. Backlog: 2,000 messages APPENDed first, then one ``--once`` round of the gateway in this process:
   messages per second from the start of the round to the last reply queued (target ≥ 20/s).
2. Latency with IDLE: the gateway loop running, messages APPENDed one by one at a steady rate; per
   message the time from APPEND to its reply in the outbox; p50/p95 (target p95 < 5 s).

The messages are built here from our own templates (never from ../shared/eval).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlalchemy import func
from sqlmodel import col, select

from mail_gateway import gateway
from mail_gateway.devservers import PASSWORD, USER, Dovecot, SmtpSink
from mail_gateway.rasa_client import BotMessage, RasaClient
from privacydesk import proctree, services, training
from workflows.db import get_engine, migrate, session_scope
from workflows.mailbox import InboundMail, InboundStatus
from workflows.models import Case, OutboxMessage
from workflows.settings import Settings

TITLE = "Mail gateway: 2,000-message backlog and APPEND-to-reply latency (real Dovecot + Rasa)"

BACKLOG = 2000
LATENCY_MESSAGES = 60
LATENCY_RATE = 1.0  # messages per second during the latency run (below the backlog rate)
TARGET_RATE = 20.0
TARGET_P95 = 5.0

# (weight, subject, body): requests in both languages, customer-service mail, and automatic mail.
_MIX: list[tuple[int, str, str, dict[str, str]]] = [
    (25, "Registerutdrag", "Hej, jag vill ha ett registerutdrag med alla uppgifter ni har om mig.", {}),
    (10, "Radera mina uppgifter", "Hej! Jag vill att ni raderar alla mina personuppgifter.", {}),
    (8, "Sluta skicka reklam", "Jag återkallar mitt samtycke till marknadsföring via sms och e-post.", {}),
    (
        6,
        "Fel adress",
        "Ni har fel adress registrerad på mig, rätta den till Storgatan 1, 111 22 Stockholm.",
        {},
    ),
    (5, "Klagomål", "Jag vill klaga på hur ni hanterar mina personuppgifter, ni delade dem utan lov.", {}),
    (12, "Copy of my data", "Hello, I would like a copy of all the personal data you hold about me.", {}),
    (6, "Delete my account data", "Please erase all personal data you have about me.", {}),
    (10, "Faktura", "Hej, min faktura för oktober verkar för hög. Kan ni kolla?", {}),
    (
        8,
        "Automatiskt svar: Registerutdrag",
        "Jag är ledig till och med 5 januari.",
        {"Auto-Submitted": "auto-replied"},
    ),
    (5, "Undelivered Mail Returned to Sender", "Delivery failed: mailbox full.", {"Return-Path": "<>"}),
    (
        5,
        "Nyhetsbrev november",
        "Veckans erbjudanden!",
        {"Precedence": "bulk", "List-Id": "<news.example.se>"},
    ),
]


def _message(rng: random.Random, n: int) -> bytes:
    weights = [w for w, *_ in _MIX]
    _, subject, body, headers = rng.choices(_MIX, weights=weights)[0]
    message = EmailMessage()
    sender = "mailer-daemon@mx.example.se" if "Return-Path" in headers else f"kund{n:05d}@example.se"
    message["From"] = sender
    message["To"] = "privacy@komteknik.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(idstring=f"bench{n}", domain="example.se")
    for key, value in headers.items():
        message[key] = value
    message.set_content(f"{body}\n\nMvh\nKund {n}\n")
    return message.as_bytes()


def _append_all(dovecot: Dovecot, messages: list[bytes]) -> None:
    client = dovecot.client()
    try:
        for raw in messages:
            client.append("INBOX", raw, msg_time=datetime.now(UTC))
    finally:
        client.logout()


def _settings(database_url: str, rasa_url: str, dovecot: Dovecot, smtp: SmtpSink, var: Path) -> Settings:
    return Settings(
        database_url=database_url,
        var_dir=var,
        rasa_url=rasa_url,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_user=USER,
        imap_password=PASSWORD,
        imap_tls="none",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_tls="none",
        mail_from="privacy@komteknik.example",
        mail_idle_seconds=60,
    )


def _counts(database_url: str) -> dict[str, int]:
    with session_scope(database_url) as session:
        rows = session.exec(select(InboundMail.status, func.count()).group_by(col(InboundMail.status))).all()
        cases = session.exec(select(func.count()).select_from(Case)).one()
        replies = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    counted = {str(status.value if isinstance(status, InboundStatus) else status): n for status, n in rows}
    counted["cases"] = int(cases)
    counted["replies"] = int(replies)
    return counted


class _StubBot(RasaClient):
    """Answers at once without Rasa: measures the gateway's own share (IMAP, parse, DB, compose)."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9")

    def send(self, sender: str, text: str, metadata: dict[str, object]) -> list[BotMessage]:
        return [{"text": "Tack, vi har tagit emot din begäran."}]

    def replay(self, sender: str, inbound_key: str) -> list[BotMessage] | None:
        return None


def _gateway_alone(root: Path) -> float:
    url = f"sqlite:///{root / 'alone.db'}"
    migrate(url)
    rng = random.Random(5)  # noqa: S311
    dovecot, smtp = Dovecot().start(), SmtpSink().start()
    try:
        _append_all(dovecot, [_message(rng, n) for n in range(BACKLOG)])
        settings = _settings(url, "http://127.0.0.1:9", dovecot, smtp, root)
        started = time.monotonic()
        gateway.run(settings, once=True, database_url=url, rasa=_StubBot())
        return BACKLOG / (time.monotonic() - started)
    finally:
        smtp.stop()
        dovecot.cleanup()
        get_engine(url).dispose()


class _Stack:
    """Action server + Rasa server on free ports with their own database (as tests/e2e does)."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.database_url = database_url
        model = training.train()
        rasa_port, action_port = services.free_port(), services.free_port()
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        env = services.our_env(
            {"PRIVACYDESK_DATABASE_URL": database_url, "PRIVACYDESK_RASA_URL": self.rasa_url}
        )
        self.stack = services.Stack()
        self.stack.start(services.action_service(port=action_port, env=env, log=root / "actions.log"))
        self.stack.start(
            services.rasa_service(
                model,
                port=rasa_port,
                action_url=f"http://127.0.0.1:{action_port}/webhook",
                tracker_db=root / "tracker.db",
                log=root / "rasa.log",
            )
        )

    def stop(self) -> None:
        self.stack.stop()


def _backlog(root: Path) -> tuple[float, float, dict[str, int], float, dict[str, float]]:
    url = f"sqlite:///{root / 'backlog.db'}"
    migrate(url)
    rng = random.Random(5)  # noqa: S311 (a reproducible mix, not cryptography)
    dovecot, smtp = Dovecot().start(), SmtpSink().start()
    stack = _Stack(root / "backlog", url)
    try:
        started = time.monotonic()
        _append_all(dovecot, [_message(rng, n) for n in range(BACKLOG)])
        append_seconds = time.monotonic() - started
        settings = _settings(url, stack.rasa_url, dovecot, smtp, root)
        pids = {s.name: s.process.pid for s in stack.stack.services if s.process is not None}
        cpu_before = {name: proctree.cpu_seconds(pid) for name, pid in pids.items()}
        own_before = time.process_time()
        began = datetime.now(UTC)
        started = time.monotonic()
        gateway.run(settings, once=True, database_url=url)
        total = time.monotonic() - started
        cpu = {name: proctree.cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
        cpu["gateway"] = time.process_time() - own_before
        with session_scope(url) as session:
            last = session.exec(select(func.max(col(InboundMail.processed_at)))).one()
        last_at = last if isinstance(last, datetime) else datetime.fromisoformat(str(last))
        processed_seconds = (last_at.replace(tzinfo=last_at.tzinfo or UTC) - began).total_seconds()
        return processed_seconds, total, _counts(url), append_seconds, cpu
    finally:
        stack.stop()
        smtp.stop()
        dovecot.cleanup()
        get_engine(url).dispose()


def _latency(root: Path) -> list[float]:
    url = f"sqlite:///{root / 'latency.db'}"
    migrate(url)
    rng = random.Random(7)  # noqa: S311
    dovecot, smtp = Dovecot().start(), SmtpSink().start()
    stack = _Stack(root / "latency", url)
    stop = threading.Event()
    settings = _settings(url, stack.rasa_url, dovecot, smtp, root)
    loop = threading.Thread(
        target=gateway.run, kwargs={"settings": settings, "database_url": url, "stop": stop}
    )
    try:
        loop.start()
        time.sleep(3)  # connected and idling
        client = dovecot.client()
        appended: dict[str, float] = {}
        for n in range(LATENCY_MESSAGES):
            raw = _message(rng, 100_000 + n)
            message_id = raw.split(b"Message-ID: ", 1)[1].split(b"\n", 1)[0].strip().decode()
            appended[message_id] = time.time()
            client.append("INBOX", raw, msg_time=datetime.now(UTC))
            time.sleep(1 / LATENCY_RATE)
        client.logout()
        deadline = time.monotonic() + 120
        latencies: dict[str, float] = {}
        while time.monotonic() < deadline:
            with session_scope(url) as session:
                for key, created in session.exec(select(OutboxMessage.dedupe_key, OutboxMessage.created_at)):
                    message_id = key.removeprefix("mail-reply:")
                    if message_id in appended:
                        latencies[message_id] = created.timestamp() - appended[message_id]
                answered_or_done = session.exec(
                    select(func.count())
                    .select_from(InboundMail)
                    .where(col(InboundMail.processed_at).is_not(None))
                ).one()
            if answered_or_done >= LATENCY_MESSAGES:
                break
            time.sleep(0.5)
        return sorted(latencies.values())
    finally:
        stop.set()
        loop.join(timeout=60)
        stack.stop()
        smtp.stop()
        dovecot.cleanup()
        get_engine(url).dispose()


def run() -> str:
    with tempfile.TemporaryDirectory(prefix="pd-bench-mail-") as tmp:
        root = Path(tmp)
        alone = _gateway_alone(root)
        processed_seconds, total, counts, append_seconds, cpu = _backlog(root)
        latencies = _latency(root)
    rate = BACKLOG / processed_seconds
    p50 = statistics.median(latencies) if latencies else float("nan")
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)] if latencies else float("nan")
    rate_ok = "met" if rate >= TARGET_RATE else "**missed**"
    p95_ok = "met" if p95 < TARGET_P95 else "**missed**"
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    rows = "\n".join(
        [
            f"| backlog: messages/s, fetch → reply queued | **{rate:.1f}** ({processed_seconds:.0f} s) "
            f"| ≥ {TARGET_RATE:.0f} ({rate_ok}) |",
            f"| backlog: whole round incl. SMTP delivery | {total:.0f} s | |",
            f"| backlog, the gateway alone (bot stubbed, same mail, SMTP included) | {alone:.0f} msg/s | |",
            f"| IDLE: APPEND → reply queued, p50 / p95 ({len(latencies)} replies, {LATENCY_RATE:.0f}/s) "
            f"| {p50:.2f} s / **{p95:.2f} s** | p95 < {TARGET_P95:.0f} s ({p95_ok}) |",
            _cpu_rows(cpu, counts),
        ]
    )
    return f"""## {TITLE}

Backlog: {BACKLOG} mixed e-mails (Swedish and English requests of every type, customer-service mail,
auto-replies, bounces, newsletters) APPENDed to a real Dovecot ({append_seconds:.0f} s), then one
`mail-gateway --once` round: UID FETCH in batches → store → parse → loop guard → threading → the real
Rasa server (REST channel) with the real action server opening cases in SQLite → one reply per e-mail
composed and queued in the outbox (→ SMTP delivery to a local sink, inside the same round).

| measure | value | target |
|---|---|---|
{rows}

Outcome of the backlog: {statuses}.
{HISTORY}"""


def _cpu_rows(cpu: dict[str, float], counts: dict[str, int]) -> str:
    """Where the CPU went, per message: the 2 cores are the limit, so this is what to make cheaper."""
    turns = max(1, counts.get("answered", 0) + counts.get("silent", 0) + counts.get("agent", 0))
    parts = [
        ("Rasa server (per turn sent to the bot)", cpu.get("rasa", 0.0) / turns),
        ("action server (per turn)", cpu.get("actions", 0.0) / turns),
        ("gateway: IMAP, parse, threading, compose, SMTP (per e-mail)", cpu.get("gateway", 0.0) / BACKLOG),
    ]
    return "\n".join(f"| CPU, {name} | {seconds * 1000:.0f} ms | |" for name, seconds in parts)


HISTORY = """
**What moved it from 3.5 to about 20 messages/s** (py-spy on each process, 2026-11-26): Rasa checked
every action-server answer with `jsonschema.validate`, which re-validates the schema itself on each
call: 50 ms a call under jsonschema 4.17, three calls a turn, 76% of Rasa's CPU. jsonschema 3.2 (inside
Rasa's own range) and `bot/serve.py` (the schema checked once, every answer still validated) took a
case-opening turn from about 155 to 45 ms of Rasa CPU; opening a case stopped clearing 15 empty slots
(fewer events to validate and store); the per-sender rate limit got an index (it read the whole outbox
per e-mail); the gateway prepares the next batch while the bot answers the current one, in short
transactions, with 8 conversations in flight. What is left is CPU, shared on 2 cores by Rasa, the
action server, the gateway and Dovecot. On the machine of the first of these runs (2026-11-26 09:42,
Rasa 46 ms a turn) the rows added up to about 85 ms per e-mail and runs landed between about 17 and 23
messages/s; a later machine of the same kind runs the same code at about 55 ms per e-mail (Rasa 30 ms a
turn, the 2,000 APPENDs in 6 s instead of 17 s), 26 messages/s before and about 30 after the gateway
stopped two look-ups on turns where they cannot matter (the waiting-attachment join, the per-sender
count): the gateway's own CPU went from about 20 to 17 ms per e-mail there. The NLU model's switch to
DIET (issue #3, config.yml) then cost Rasa about 5 ms a turn (35 instead of 30 ms; 26.8 messages/s on
2026-11-26 11:12). The sentence encoder (issue #3, session 4: a pre-trained vector for every message,
computed in NumPy inside the Rasa server) took Rasa to 90 ms a turn with NumPy's two BLAS threads and
53 ms with one (the featurizer now limits itself to one for live messages); throughput 20.7 messages/s
either way, because Rasa answers on one event loop and is now the bottleneck: at 53 ms of its CPU a
turn, one Rasa server caps the backlog at about 20 messages/s. This is the narrowest margin so far. More
headroom needs several Rasa servers (the Redis lock store and PostgreSQL tracker store are supported
and tested for that), a cheaper encoder turn (cutting it at 128 instead of 256 word pieces, to be
checked on the development sets first), or a cheaper Rasa turn otherwise (tracker store, form round
trips).
**Session 5** (2026-12-01): the multilingual sentence encoder (issue #3: multilingual-e5-small, twelve
layers where MiniLM has six, about 150 ms of one core for a 70-word-piece message) took Rasa to 121 ms
of CPU a turn and the backlog to 9.0 messages/s: the target of 20 is now missed. This machine is also
slower than the last one: the gateway alone did 29 instead of 73 messages/s with no change to its code
(34 instead of 16 ms of CPU an e-mail). The trade is deliberate and reversible: e5 lifted held-out
macro-F1 from 0.736 to 0.802 (Swedish 0.417 to 0.667) and the leave-one-file-out probe from 0.889 to
0.922 (NLU section); `encoder: minilm` in config.yml restores the old cost (not re-measured on this
machine). More Rasa servers do not help on 2 cores, since the limit is CPU. The ways back to 20/s with
e5 are a cheaper encoder turn, or more cores: e5 cut to 6 layers is half the cost at 0.909 in the probe,
and long texts could be cut at fewer word pieces.
**Session 6** (2026-12-01): the NLU classifier became logistic regression in place of DIET (issue #3),
with the same e5 encoder: 12.0 messages/s, Rasa 94 ms of CPU a turn, on another machine of the same kind
(Intel; the gateway alone 51 messages/s, 21 ms an e-mail); 11.5 and 98 ms in the run above, after the
encoder was limited to a message's first 2,000 characters (the benchmark's mails are shorter: noise). The
encoder is now nearly all of Rasa's turn; the target of 20 stays missed for the reasons above.
"""
