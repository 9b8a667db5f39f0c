"""Rasa's own command line (``python -m bot.serve run …``), with one cost removed (issue #5).

Runs inside Rasa's environment (Python 3.10). Rasa checks every action-server answer with
``jsonschema.validate(answer, schema)``, and that function first checks the *schema itself* against the
draft's meta-schema, on every call: about 4 ms of the 6 ms per call, three to five calls per turn
(measured with py-spy on the mail benchmark). Here the schema check runs once per distinct schema and
each answer is still validated in full, with the same validator class and the same error (the best
match) as ``jsonschema.validate``, so an invalid answer from the action server fails exactly as before
(tests/test_rasa_serve.py checks both against Rasa's own response schema).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import jsonschema
from jsonschema import exceptions, validators

_checked: dict[str, Any] = {}


def validate(instance: Any, schema: dict[str, Any], cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """``jsonschema.validate`` with the schema checked once (module doc)."""
    # Only the plain call is cached; a caller's own validator class or options check as before.
    key = json.dumps(schema, sort_keys=True, default=str) if cls is None and not args and not kwargs else None
    validator = _checked.get(key) if key else None
    if validator is None:
        klass = cls or validators.validator_for(schema)
        klass.check_schema(schema)
        validator = klass(schema, *args, **kwargs)
        if key:
            _checked[key] = validator
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def main() -> None:
    jsonschema.validate = validate  # Rasa imports it inside the call, so the module attribute is enough
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
