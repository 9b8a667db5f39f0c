"""privacydesk/training.py: the model cache keeps the newest models and deletes the rest."""

from __future__ import annotations

import os
from pathlib import Path

from privacydesk.training import prune_cache


def test_prune_keeps_the_newest_models_and_nothing_else_is_touched(tmp_path: Path) -> None:
    models = []
    for age in range(7):  # privacydesk-0 is the newest
        model = tmp_path / f"privacydesk-{age}.tar.gz"
        model.write_bytes(b"model")
        os.utime(model, (1_000_000 - age * 60, 1_000_000 - age * 60))
        models.append(model)
    other = tmp_path / "notes.txt"
    other.write_text("not a model")

    removed = prune_cache(tmp_path, keep=5)

    assert sorted(removed) == sorted(models[5:])
    assert [m.exists() for m in models] == [True] * 5 + [False] * 2
    assert other.exists()
    assert prune_cache(tmp_path, keep=5) == []
