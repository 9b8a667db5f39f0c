"""The rasa-sdk action server, started with every log line redacted (domain.md R-F4, style rule 9).

rasa-sdk's own ``python -m rasa_sdk`` configures logging itself; Sanic then installs its handlers from
``LOGGING_CONFIG_DEFAULTS``. We add the redacting filter to both before the server starts.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.endpoint import run
from rasa_sdk.executor import ActionExecutor
from sanic.log import LOGGING_CONFIG_DEFAULTS

from privacydesk.logs import setup_logging
from workflows.redact import RedactingFilter


def _redact_sanic_logs(config: dict[str, Any]) -> None:
    config.setdefault("filters", {})["redact"] = {"()": RedactingFilter}
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), "redact"]


def serve(port: int) -> None:
    setup_logging()
    _redact_sanic_logs(LOGGING_CONFIG_DEFAULTS)
    executor = ActionExecutor()
    executor.register_package("actions")
    run(executor, port=port)
