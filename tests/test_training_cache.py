"""privacydesk/training.py: the model cache keeps the newest models; what counts as a model input."""

from __future__ import annotations

import os
from pathlib import Path

from privacydesk.training import model_input, prune_cache


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


def test_yaml_inputs_count_by_their_data_not_comments_or_layout(tmp_path: Path) -> None:
    first, second, changed = tmp_path / "a.yml", tmp_path / "b.yml", tmp_path / "c.yml"
    first.write_text('version: "3.1"\n# why C=10\npipeline:\n- name: X\n  C: 10\n')
    second.write_text('# another comment\nversion: "3.1"\npipeline:\n  - name: X\n    C: 10   # weak\n')
    changed.write_text('version: "3.1"\npipeline:\n- name: X\n  C: 3\n')

    assert model_input(first) == model_input(second)
    assert model_input(first) != model_input(changed)


def test_code_counts_by_its_bytes(tmp_path: Path) -> None:
    code = tmp_path / "component.py"
    code.write_text("x = 1  # a comment\n")
    before = model_input(code)
    code.write_text("x = 1  # another comment\n")
    assert model_input(code) != before
