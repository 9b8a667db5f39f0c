"""Where things are: the project, its two environments, the Rasa project files, the model cache."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RASA_BIN = ROOT / ".venv-rasa" / "bin"
CONFIG = ROOT / "config.yml"
BOT = ROOT / "bot"
NLU = ROOT / "nlu"
DOMAIN = BOT / "domain"
TRAINING_DATA = (BOT / "rules", BOT / "stories", NLU)
ENDPOINTS = BOT / "endpoints.yml"
CREDENTIALS = BOT / "credentials.yml"
RASA_LOCK = ROOT / "requirements" / "rasa-lock.txt"
# The held-out data beside the project: measured only, never trained on (docs/benchmarks.md, tests).
HELD_OUT = ROOT.parent / "shared" / "eval"


def model_cache() -> Path:
    """Trained models by fingerprint; outside the clone so a fresh clone reuses them."""
    explicit = os.environ.get("PRIVACYDESK_MODEL_CACHE")
    if explicit:
        return Path(explicit)
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "privacydesk" / "models"


def rasa_executable() -> Path:
    rasa = RASA_BIN / "rasa"
    if not rasa.exists():
        raise SystemExit(f"Rasa is not installed at {rasa}: run 'make setup' (it creates .venv-rasa).")
    return rasa


def rasa_server_command() -> list[str]:
    """``rasa …`` through bot/serve.py, Rasa's CLI with the action-response schema checked once."""
    rasa_executable()  # the same clear message when Rasa is missing
    return [str(RASA_BIN / "python"), "-m", "bot.serve"]
