"""The scheduler process: APScheduler runs one periodic sweep (not one job per case).

Notices to the agents' and managers' mailboxes go through the outbox, which the case-workflow issue
adds; until then the sweep's effect is the escalation flag on the case and its audit event.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler

from workflows.db import migrate, session_scope
from workflows.settings import Settings
from workflows.sweep import sweep

log = logging.getLogger("privacydesk.scheduler")


def sweep_once(settings: Settings) -> None:
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    with session_scope(settings.database_url) as session:
        result = sweep(session, settings, today)
    if result.escalated or result.breached:
        log.info("sweep: %d escalated, %d past due", len(result.escalated), len(result.breached))


def run_forever(settings: Settings, interval_seconds: int = 60) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
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
