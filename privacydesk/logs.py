"""Logging for our processes: every line passes the redacting filter (style rule 9; domain.md R-F4)."""

from __future__ import annotations

import logging
import sys

from workflows.redact import RedactingFilter

FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def setup_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic announces its plugins at INFO on import; that is noise in every process.
    logging.getLogger("alembic").setLevel(logging.WARNING)
