"""Starting and stopping the assistant's processes: Rasa, the action server, the console, the scheduler.

Used by ``privacydesk run``, ``privacydesk classify`` and the tests, so that every one of them runs the
same real processes. Each child gets its own process group; :meth:`Stack.stop` ends them all.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlparse

from privacydesk import paths
from privacydesk.training import rasa_env


class ServiceError(RuntimeError):
    """A process did not start or died; the message says which and where its log is."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback URL we built)
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Service:
    name: str
    command: list[str]
    ready_url: str
    env: dict[str, str]
    log_path: Path | None = None
    startup_seconds: float = 180.0
    process: subprocess.Popen[bytes] | None = None
    _pump: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        output: int | IO[bytes]
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            output = self.log_path.open("ab")
        else:
            output = subprocess.PIPE
        self.process = subprocess.Popen(
            self.command,
            cwd=paths.ROOT,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if output is subprocess.PIPE:
            self._pump = threading.Thread(target=self._prefix_output, daemon=True)
            self._pump.start()

    def _prefix_output(self) -> None:
        assert self.process and self.process.stdout
        for line in iter(self.process.stdout.readline, b""):
            sys.stdout.write(f"[{self.name}] {line.decode(errors='replace')}")
            sys.stdout.flush()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise ServiceError(
                    f"{self.name} exited with status {self.process.returncode}{self._log_hint()}"
                )
            if http_ok(self.ready_url):
                return
            time.sleep(0.5)
        raise ServiceError(f"{self.name} not ready after {self.startup_seconds:.0f} s{self._log_hint()}")

    def _log_hint(self) -> str:
        return f" (log: {self.log_path})" if self.log_path else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        if not self.alive():
            return
        assert self.process
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def our_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra or {})
    return env


def rasa_store_env(
    *, tracker_db: Path, tracker_url: str | None, lock_store_url: str | None
) -> dict[str, str]:
    """The variables bot/endpoints.yml reads: tracker store (SQLite or PostgreSQL) and lock store."""
    env: dict[str, str] = {}
    if tracker_url:
        if not tracker_url.startswith(("postgresql://", "postgres://")):
            raise ServiceError(
                f"Rasa's tracker store URL must be postgresql://…, not {tracker_url.split(':')[0]}"
            )
        env |= {"PRIVACYDESK_TRACKER_DIALECT": "postgresql", "PRIVACYDESK_TRACKER_HOST": tracker_url}
        env["PRIVACYDESK_TRACKER_DB"] = tracker_url.rsplit("/", 1)[-1]
    else:
        tracker_db.parent.mkdir(parents=True, exist_ok=True)
        env |= {"PRIVACYDESK_TRACKER_DIALECT": "sqlite", "PRIVACYDESK_TRACKER_HOST": ""}
        env["PRIVACYDESK_TRACKER_DB"] = str(tracker_db)
    if lock_store_url:
        redis = urlparse(lock_store_url)
        if redis.scheme != "redis" or not redis.hostname:
            raise ServiceError("the lock store URL must look like redis://host:port/db")
        env |= {
            "PRIVACYDESK_LOCK_STORE": "redis",
            "PRIVACYDESK_REDIS_HOST": redis.hostname,
            "PRIVACYDESK_REDIS_PORT": str(redis.port or 6379),
            "PRIVACYDESK_REDIS_DB": (redis.path.strip("/") or "1"),
        }
    else:
        env |= {
            "PRIVACYDESK_LOCK_STORE": "in_memory",
            "PRIVACYDESK_REDIS_HOST": "",
            "PRIVACYDESK_REDIS_PORT": "0",
            "PRIVACYDESK_REDIS_DB": "0",
        }
    return env


def rasa_service(
    model: Path,
    *,
    port: int,
    action_url: str,
    tracker_db: Path,
    log: Path | None,
    tracker_url: str | None = None,
    lock_store_url: str | None = None,
    name: str = "rasa",
) -> Service:
    env = rasa_env()
    env["PRIVACYDESK_ACTION_URL"] = action_url
    env |= rasa_store_env(tracker_db=tracker_db, tracker_url=tracker_url, lock_store_url=lock_store_url)
    command = [
        *paths.rasa_server_command(),
        "run",
        "--model",
        str(model),
        "--enable-api",
        "--endpoints",
        str(paths.ENDPOINTS),
        "--credentials",
        str(paths.CREDENTIALS),
        "--port",
        str(port),
        "--interface",
        "127.0.0.1",
    ]
    return Service(name, command, f"http://127.0.0.1:{port}/status", env, log)


def action_service(*, port: int, env: dict[str, str], log: Path | None) -> Service:
    command = [str(paths.VENV_BIN / "privacydesk"), "actions", "--port", str(port)]
    return Service("actions", command, f"http://127.0.0.1:{port}/health", env, log, startup_seconds=60)


def console_service(*, host: str, port: int, env: dict[str, str], log: Path | None) -> Service:
    command = [
        str(paths.VENV_BIN / "uvicorn"),
        "console.app:create_app",
        "--factory",
        "--host",
        host,
        "--port",
        str(port),
        # Access lines would carry the request form's token (a capability) in clear.
        "--no-access-log",
    ]
    return Service("console", command, f"http://{host}:{port}/healthz", env, log, startup_seconds=60)


@dataclass
class Stack:
    """Processes started together and stopped together (in reverse order)."""

    services: list[Service] = field(default_factory=list)

    def start(self, service: Service, *, wait: bool = True, say: Callable[[str], None] | None = None) -> None:
        self.services.append(service)
        if say:
            say(f"==> starting {service.name}")
        service.start()
        if wait:
            service.wait_ready()

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def dead(self) -> list[Service]:
        return [s for s in self.services if not s.alive()]
