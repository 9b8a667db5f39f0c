"""One typed settings object per process, read from ``PRIVACYDESK_*`` environment variables.

Built by :func:`get_settings` (cached) at process start, never at import, so tests can override it
with :func:`override_settings`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRIVACYDESK_", extra="ignore")

    # Embedded default: one SQLite file under var/ (the source of truth for cases and schedules).
    database_url: str = Field(default_factory=lambda: f"sqlite:///{PROJECT_ROOT / 'var' / 'privacydesk.db'}")
    var_dir: Path = PROJECT_ROOT / "var"
    timezone: str = "Europe/Stockholm"
    # domain.md §6: Midsummer Eve, Christmas Eve and New Year's Eve are not public holidays by law;
    # counting them as non-working is a configuration decision (open point §9).
    eves_as_holidays: bool = False
    escalate_working_days: int = 5
    # Issue #4: where the sweep's escalations (near the deadline) and breaches (past it) go.
    agents_mailbox: str = "dataskydd-agenter@komteknik.example"
    managers_mailbox: str = "dataskydd-chefer@komteknik.example"
    # Policy (domain.md §0): transcripts and attachments are kept one year after the case closed.
    retention_days: int = 365
    # Messages that never became a case (customer service, auto-replies, abandoned chats): a product
    # decision, documented in the README; nothing in the policy needs them kept longer.
    caseless_retention_days: int = 30
    # The sweep takes at most this many rows per step in one transaction; the next sweep takes the rest.
    sweep_batch: int = 500
    # `privacydesk run` seeds the fictitious demo customers (workflows/register.py); off in production.
    seed_demo_customers: bool = True

    rasa_url: str = "http://localhost:5005"
    # Rasa's tracker store: a SQLite file under var/ unless this is a postgresql:// URL.
    rasa_tracker_url: str | None = None
    # Rasa's lock store: Redis (redis://host:port/db) when several Rasa servers share the load.
    rasa_lock_store_url: str | None = None
    action_port: int = 5055
    console_host: str = "127.0.0.1"
    console_port: int = 8000
    # The console's address as customers see it (behind a proxy, with TLS), e.g. https://integritet.komteknik.se
    public_url: str | None = None
    # Chat messages longer than this are refused before they reach Rasa.
    chat_max_chars: int = 5000

    # Group companies a customer may have a contract with (configuration, not code).
    legal_entities: list[str] = [
        "KomTeknik Bredband AB",
        "KomTeknik Mobil AB",
        "KomTeknik Företag AB",
    ]

    imap_host: str | None = None
    imap_port: int = 993
    imap_user: str | None = None
    imap_password: str | None = None
    imap_folder: str = "INBOX"
    imap_tls: str = "ssl"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: str = "starttls"
    mail_from: str | None = None
    # Mail gateway (issue #5): a case keeps PDF/JPEG/PNG attachments up to this size; others are kept
    # unopened. Loop protection: at most this many replies per correspondent an hour (RFC 3834 §2).
    mail_attachment_max_bytes: int = 10_000_000
    mail_replies_per_hour: int = 10
    mail_batch_size: int = 100
    # Conversations answered at once: enough that Rasa always has the next turn waiting (benchmark).
    mail_workers: int = 8
    mail_poll_seconds: float = 30.0
    # RFC 2177: servers may drop an IDLE after 30 minutes; re-issue well before.
    mail_idle_seconds: float = 25 * 60
    mail_processed_flag: str = "$PrivacyDeskProcessed"

    def public_base_url(self) -> str:
        """Where customers reach the console (links in chat and e-mail); the local address by default."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.console_host in ("127.0.0.1", "0.0.0.0") else self.console_host  # noqa: S104
        return f"http://{host}:{self.console_port}"

    @property
    def mail_configured(self) -> bool:
        return bool(self.imap_host and self.imap_user and self.imap_password)


_override: Settings | None = None


@lru_cache(maxsize=1)
def _from_environment() -> Settings:
    return Settings()


def get_settings() -> Settings:
    return _override if _override is not None else _from_environment()


def override_settings(settings: Settings | None) -> None:
    """Use ``settings`` instead of the environment (tests); ``None`` reads the environment again."""
    global _override
    _override = settings
    _from_environment.cache_clear()
