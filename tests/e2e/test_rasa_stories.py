"""Rasa's own test stories (tests/rasa/), run by `rasa test core` against the real action server."""

from __future__ import annotations

import subprocess

import pytest

from privacydesk import paths, services
from privacydesk.training import rasa_env
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.rasa


def test_rasa_test_stories_pass(stack: RunningStack) -> None:
    env = rasa_env()
    env.update(
        {
            "PRIVACYDESK_ACTION_URL": stack.action_url,
            **services.rasa_store_env(tracker_db=stack.logs / "t.db", tracker_url=None, lock_store_url=None),
        }
    )
    out = stack.logs / "rasa-test"
    result = subprocess.run(
        [
            str(paths.rasa_executable()),
            "test",
            "core",
            "--model",
            str(stack.model),
            "--stories",
            str(paths.ROOT / "tests" / "rasa"),
            "--endpoints",
            str(paths.ENDPOINTS),
            "--out",
            str(out),
            "--fail-on-prediction-errors",
        ],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    failed = out / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, detail
