#!/usr/bin/env bash
# Runs the pytest suite. pytest exits 5 when it collected nothing: that is a failure here, not a pass.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
