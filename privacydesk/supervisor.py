"""``privacydesk run``: the whole assistant on its embedded defaults, stopped as one by Ctrl-C."""

from __future__ import annotations

import signal
import sys
import time
from types import FrameType
from urllib.parse import urlparse

from privacydesk import paths, services, training
from workflows.db import migrate
from workflows.settings import Settings, get_settings


def _say(message: str) -> None:
    print(message, flush=True)


def run() -> int:
    settings = get_settings()
    _say("==> migrating the database")
    migrate()
    if settings.seed_demo_customers:
        _seed_demo_customers()
    model = training.train()
    stack = services.Stack()
    stopping = False

    def _stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    env = services.our_env()
    rasa_port = urlparse(settings.rasa_url).port or 5005
    try:
        stack.start(services.action_service(port=settings.action_port, env=env, log=None), say=_say)
        stack.start(
            services.rasa_service(
                model,
                port=rasa_port,
                action_url=f"http://127.0.0.1:{settings.action_port}/webhook",
                tracker_db=settings.var_dir / "tracker.db",
                log=None,
                tracker_url=settings.rasa_tracker_url,
                lock_store_url=settings.rasa_lock_store_url,
            ),
            say=_say,
        )
        stack.start(
            services.console_service(
                host=settings.console_host, port=settings.console_port, env=env, log=None
            ),
            say=_say,
        )
        stack.start(scheduler_service(env), wait=False, say=_say)
        if settings.mail_configured:
            stack.start(mail_service(env), wait=False, say=_say)
        _announce(settings, rasa_port)
        while not stopping:
            dead = stack.dead()
            if dead:
                _say(f"error: {', '.join(s.name for s in dead)} stopped unexpectedly; stopping the rest")
                return 1
            time.sleep(0.5)
        return 0
    except services.ServiceError as error:
        _say(f"error: {error}")
        return 1
    finally:
        _say("==> stopping every process started")
        stack.stop()


def _seed_demo_customers() -> None:
    # Issue #4: the demo customer register (fictitious people, workflows/register.py); idempotent.
    from workflows.db import session_scope
    from workflows.register import seed_demo_customers

    with session_scope() as session:
        added = seed_demo_customers(session)
    if added:
        _say(f"==> seeded {added} fictitious demo customers (PRIVACYDESK_SEED_DEMO_CUSTOMERS=false to skip)")


def scheduler_service(env: dict[str, str]) -> services.Service:
    command = [str(paths.VENV_BIN / "privacydesk"), "scheduler"]
    return services.Service("scheduler", command, "", env)


def mail_service(env: dict[str, str]) -> services.Service:
    command = [str(paths.VENV_BIN / "privacydesk"), "mail-gateway"]
    return services.Service("mail", command, "", env)


def _announce(settings: Settings, rasa_port: int) -> None:
    console = settings.public_base_url()
    mail = (
        f"mail gateway on {settings.imap_host}"
        if settings.mail_configured
        else "mail gateway: not started (set PRIVACYDESK_IMAP_HOST, _IMAP_USER and _IMAP_PASSWORD)"
    )
    _say(
        "\n".join(
            [
                "",
                "PrivacyDesk is running:",
                f"  customers' chat   {console}/chat   (try: Hej, jag vill ha ett registerutdrag)",
                f"  staff console     {console}/",
                f"  Rasa REST channel http://localhost:{rasa_port}/webhooks/rest/webhook (HTTP API enabled)",
                f"  action server     http://localhost:{settings.action_port}/webhook",
                f"  database          {settings.database_url}",
                f"  {mail}",
                "Press Ctrl-C to stop everything.",
                "",
            ]
        )
    )
    sys.stdout.flush()
