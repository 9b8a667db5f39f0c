"""The scheduler process: APScheduler runs one periodic sweep (not one job per case).

Each run is :func:`sweep_once`: the sweep (workflows/sweep.py) in one transaction, its notices in the
outbox for the mail gateway's sender; once a day, retention (workflows/retention.py) in its own
transaction. Two scheduler processes on one PostgreSQL database are safe (SKIP LOCKED and unique notice
keys); so is a crash mid-sweep (the transaction rolls back).

``python -m workflows.scheduler --once [--drain] [--now ISO]`` runs sweeps without APScheduler (cron,
tests, replays at a given time); ``privacydesk scheduler --once`` is the same on the real clock.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler

from workflows import retention
from workflows.db import migrate, session_scope
from workflows.settings import Settings, get_settings
from workflows.sweep import SweepResult, sweep

log = logging.getLogger("privacydesk.scheduler")

_last_retention: dict[str, date] = {}  # per database URL: the day retention last ran in this process


def sweep_once(settings: Settings, *, now: datetime | None = None) -> SweepResult:
    now = now or datetime.now(ZoneInfo(settings.timezone))
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    with session_scope(settings.database_url) as session:
        result = sweep(session, settings, today, now=now)
    if result.total:
        log.info(
            "sweep: %d escalated, %d past due, %d reminded, %d closed for silence, %d consent overdue",
            len(result.escalated), len(result.breached), len(result.reminded), len(result.closed),
            len(result.consent_escalated),
        )
    if _last_retention.get(settings.database_url) != today:
        run_retention(settings, now=now)
        _last_retention[settings.database_url] = today
    return result


def run_retention(settings: Settings, *, now: datetime) -> retention.RetentionResult:
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    with session_scope(settings.database_url) as session:
        result = retention.purge(session, settings, now=now, today=today)
    # Files go only after the rows' deletion committed.
    refused = retention.remove_files(result.files, settings.var_dir)
    if result.cases or result.attachments:
        log.info(
            "retention: %d cases' transcripts deleted (%d messages, %d attachments, %d kept by law)",
            len(result.cases), result.messages, result.attachments, result.kept,
        )
    if refused:
        log.error("retention: %d attachment paths outside var_dir were not removed", len(refused))
    return result


def run_forever(settings: Settings, interval_seconds: int = 60) -> None:
    migrate(settings.database_url)
    scheduler = BlockingScheduler(timezone=settings.timezone)
    # max_instances=1 and coalesce: a slow sweep is never run twice at once in one process.
    scheduler.add_job(
        sweep_once, "interval", seconds=interval_seconds, args=[settings],
        next_run_time=datetime.now(ZoneInfo(settings.timezone)), max_instances=1, coalesce=True,
    )
    log.info("scheduler started: sweeping every %d s", interval_seconds)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")


def run_once(settings: Settings, *, now: datetime | None = None, drain: bool = False) -> int:
    """One sweep (or, with ``drain``, sweeps until one finds nothing due); returns the notices' count."""
    migrate(settings.database_url)
    total = 0
    while True:
        result = sweep_once(settings, now=now)
        total += result.total
        if not drain or not result.total:
            return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflows.scheduler")
    parser.add_argument("--once", action="store_true", required=True, help="sweep once and exit")
    parser.add_argument("--drain", action="store_true", help="sweep until nothing is due")
    parser.add_argument("--now", type=datetime.fromisoformat, help="the sweep's clock (ISO, with offset)")
    args = parser.parse_args(argv)
    if args.now is not None and args.now.tzinfo is None:
        parser.error("--now needs a UTC offset, e.g. 2025-04-08T09:00+02:00")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_once(get_settings(), now=args.now, drain=args.drain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
