"""Real mail servers on loopback for the tests, the mail benchmark and trying the gateway on one machine:
Dovecot IMAP (Debian's ``dovecot-imapd``) and an SMTP server that keeps what it receives (aiosmtpd).

Not used by the gateway itself. Dovecot runs in the foreground from a configuration generated in a
temporary folder (plaintext login on 127.0.0.1 only, no SSL), so nothing on the machine is changed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from imapclient import IMAPClient

DOVECOT = Path("/usr/sbin/dovecot")
USER, PASSWORD = "privacy", "test-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


@dataclass
class Dovecot:
    """``dovecot -F -c <conf>`` in the foreground; mail in a Maildir under a temporary folder."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pd-dovecot-")))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        # Dovecot refuses to keep mail as root: the mailbox belongs to an unprivileged system user.
        account = pwd.getpwnam("nobody")
        self.root.chmod(0o755)
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(exist_ok=True)
        os.chown(self.root / "mail", account.pw_uid, account.pw_gid)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (self.root / "dovecot.conf").write_text(
            f"""protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = nobody
default_login_user = nobody
default_internal_group = nogroup
mail_location = maildir:{self.root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={account.pw_uid} gid={account.pw_gid} home={self.root}/mail/%u
}}
"""
        )

    def start(self) -> Dovecot:
        self.process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        client.login(USER, PASSWORD)
        client.normalise_times = False
        return client

    def append(self, raw: bytes, when: datetime, folder: str = "INBOX") -> None:
        """Deliver ``raw`` as the server would, with an explicit INTERNALDATE (R-T1)."""
        client = self.client()
        try:
            client.append(folder, raw, msg_time=when)
        finally:
            client.logout()

    def env(self) -> dict[str, str]:
        return {
            "PRIVACYDESK_IMAP_HOST": "127.0.0.1",
            "PRIVACYDESK_IMAP_PORT": str(self.port),
            "PRIVACYDESK_IMAP_USER": USER,
            "PRIVACYDESK_IMAP_PASSWORD": PASSWORD,
            "PRIVACYDESK_IMAP_TLS": "none",
        }


class SmtpSink:
    """An SMTP server on loopback that keeps every message it receives (aiosmtpd in a thread)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.content
        parsed = message_from_bytes(raw if isinstance(raw, bytes) else raw.encode(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(parsed)
        return "250 OK"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        controller = Controller(self, hostname="127.0.0.1", port=self.port)
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)

    def env(self) -> dict[str, str]:
        return {
            "PRIVACYDESK_SMTP_HOST": "127.0.0.1",
            "PRIVACYDESK_SMTP_PORT": str(self.port),
            "PRIVACYDESK_SMTP_TLS": "none",
            "PRIVACYDESK_MAIL_FROM": "privacy@komteknik.example",
        }
