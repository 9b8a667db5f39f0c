"""bot/serve.py: Rasa's CLI with the action-response schema checked once, run in Rasa's own environment.

The check runs there (Python 3.10, Rasa's jsonschema) against Rasa's own response schema and its own
``RemoteAction._validate_action_result``: a valid answer passes, an invalid one fails with the same
error as plain ``jsonschema.validate``, and the meta-schema check runs once for many answers.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from privacydesk import paths
from privacydesk.training import rasa_env

pytestmark = pytest.mark.rasa

SCRIPT = r"""
import json, jsonschema
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
import bot.serve as serve

original = jsonschema.validate
spec = RemoteAction.action_response_format_spec()
good = {"events": [{"event": "slot", "name": "language", "value": "sv"}], "responses": [{"text": "Hej"}]}
bad = {"events": [{"event": "slot", "name": 7}], "responses": "not a list"}

def error_of(function, instance):
    try:
        function(instance, spec)
    except ValidationError as error:
        return error.message
    return None

checks = []
klass = jsonschema.validators.validator_for(spec)
real_check = klass.check_schema
def counting(schema):
    checks.append(1)
    return real_check(schema)
klass.check_schema = staticmethod(counting)
jsonschema.validate = serve.validate  # what serve.main() does before starting Rasa
remote = RemoteAction("action_x", None)
result = {
    "good": remote._validate_action_result(dict(good)),
    "bad_ours": error_of(serve.validate, bad),
    "bad_theirs": error_of(original, bad),
}
try:
    remote._validate_action_result(bad)
    result["rasa_rejects"] = False
except ValidationError as error:
    result["rasa_rejects"] = "Failed to validate Action server response" in error.message
checks.clear()
for _ in range(20):
    serve.validate(good, RemoteAction.action_response_format_spec())
result["schema_checks_for_20"] = len(checks)
print(json.dumps(result))
"""


def test_answers_are_validated_as_before_and_the_schema_checked_once() -> None:
    done = subprocess.run(
        [str(paths.RASA_BIN / "python"), "-c", SCRIPT],
        cwd=paths.ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["good"] is True
    assert result["bad_ours"] is not None and result["bad_ours"] == result["bad_theirs"]
    assert result["rasa_rejects"] is True
    assert result["schema_checks_for_20"] == 0  # checked on the first call above, never again
