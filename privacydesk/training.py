"""Training the Rasa model, cached by a fingerprint of its inputs (issue #2).

The fingerprint covers config.yml, the domain, rules, stories and components under bot/, nlu/, and the
pinned Rasa environment, so unchanged inputs are never retrained and any change is. YAML files count by
their data, not their bytes: a comment in config.yml or a README under nlu/ does not retrain.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from privacydesk import paths


def fingerprint() -> str:
    digest = hashlib.sha256()
    files = [paths.CONFIG, paths.RASA_LOCK]
    # Endpoints and credentials are run-time settings, not model inputs; READMEs are for people.
    for folder in (paths.DOMAIN, *paths.TRAINING_DATA, paths.BOT / "components"):
        files += sorted(
            p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".md"
        )
    for file in files:
        digest.update(str(file.relative_to(paths.ROOT)).encode())
        digest.update(b"\0")
        digest.update(model_input(file))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_input(file: Path) -> bytes:
    """What training reads of a file: a YAML file's data (so a comment or re-indent does not retrain), else
    its bytes."""
    if file.suffix not in (".yml", ".yaml"):
        return file.read_bytes()
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()


def cached_model() -> Path:
    return paths.model_cache() / f"privacydesk-{fingerprint()}.tar.gz"


def rasa_env() -> dict[str, str]:
    """Environment for Rasa's processes: our custom NLU component is importable as `bot.components`."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(paths.ROOT)
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # No telemetry or crash reports: this machine must not call home, and nothing personal may leave it.
    env["RASA_TELEMETRY_ENABLED"] = "false"
    # Rasa's own training cache off. Our model cache (fingerprint of every input, components' code
    # included) decides when to train; Rasa's keys a step's output on message fingerprints that can be
    # taken before later featurizers add their features, and knows nothing of our components' code, so
    # it could hand back a classifier trained on other features. It also kept ~1 GB in .rasa/.
    env["RASA_MAX_CACHE_SIZE"] = "0"
    return env


def train(*, force: bool = False) -> Path:
    """Return the model for the current inputs, training it only if it is not cached."""
    target = cached_model()
    if target.exists() and not force:
        os.utime(target)  # recently used: the last to be pruned (prune_cache)
        print(
            f"==> model up to date ({target.name}, inputs unchanged): not retraining",
            file=sys.stderr,
            flush=True,
        )
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"==> training the Rasa model ({target.name}); this takes a minute", file=sys.stderr, flush=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="privacydesk-train-") as out:
        command = [
            str(paths.rasa_executable()),
            "train",
            "--config",
            str(paths.CONFIG),
            "--domain",
            str(paths.DOMAIN),
            "--data",
            *(str(p) for p in paths.TRAINING_DATA),
            "--out",
            out,
            "--fixed-model-name",
            "model",
        ]
        # Rasa prints its own progress (components, trackers); it goes to stderr as it comes, so that
        # commands whose stdout is data (classify) stay clean.
        result = subprocess.run(command, cwd=paths.ROOT, env=rasa_env(), check=False, stdout=sys.stderr)
        if result.returncode != 0:
            raise SystemExit(f"rasa train failed with exit status {result.returncode}")
        produced = Path(out) / "model.tar.gz"
        # Move into place atomically: a crash never leaves a half-written model under the cache name.
        # (a name of its own per process: two trainings of the same inputs may race).
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        shutil.copyfile(produced, partial)
        partial.replace(target)
    print(f"==> trained in {time.monotonic() - started:.0f} s: {target}", file=sys.stderr, flush=True)
    prune_cache(target.parent, keep=KEEP_MODELS)
    return target


# A model is about 10 MB (n-gram vocabularies): a trainer changing examples all day would otherwise fill the
# disk. The newest few stay, so switching back and forth between branches does not retrain.
KEEP_MODELS = 5


def prune_cache(folder: Path, *, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest models in ``folder``; returns what was deleted."""
    models = sorted(folder.glob("privacydesk-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for old in models[keep:]:
        old.unlink(missing_ok=True)  # another process may have pruned it first
        removed.append(old)
    return removed


# Responses our custom actions send are invisible to Rasa's story check; tests/test_bot_texts.py checks
# instead that every one of them is used by an action and exists in Swedish and English.
_USED_BY_ACTIONS = re.compile(r"The utterance 'utter_\w+' is not used in any story or rule")


def validate() -> None:
    """`rasa data validate`: fails on errors and on every warning but the one above."""
    command = [
        str(paths.rasa_executable()),
        "data",
        "validate",
        "--config",
        str(paths.CONFIG),
        "--domain",
        str(paths.DOMAIN),
        "--data",
        *(str(p) for p in paths.TRAINING_DATA),
    ]
    result = subprocess.run(
        command, cwd=paths.ROOT, env=rasa_env(), check=False, capture_output=True, text=True
    )
    output = result.stdout + result.stderr
    warnings = [
        line.split("UserWarning: ", 1)[1]
        for line in output.splitlines()
        if "UserWarning: " in line and not _USED_BY_ACTIONS.search(line)
    ]
    for warning in warnings:
        print(f"warning: {warning}")
    if result.returncode != 0:
        print(output)
        sys.exit(result.returncode)
    if warnings:
        sys.exit(f"rasa data validate: {len(warnings)} warning(s), see above")
    print("==> rasa data validate: no errors, no warnings")
