"""Which training files are held out together when cross-validating by file (a shift of writer and style).

A random k-fold split puts near-twins of every test example into training: the examples of one file were
written together, by one writer in one style, and flatter every pipeline alike. Holding out whole files
asks what new customers ask of the model: text by someone else. Files of one family (the same stem in
nlu/sv and nlu/en, and the ``_a``/``_b`` halves of one file) go to the same fold; dialogue files are
always trained on, never held out. Pure, and free of Python 3.11 syntax: the encoder probe
(scripts/compare_encoders.py) runs it in Rasa's Python 3.10.
"""

from __future__ import annotations

import re

ALWAYS_TRAINED = ("dialogue",)


def family(stem: str) -> str:
    """``requests_email_a`` -> ``requests_email``: one writer's file split in halves is one family."""
    return re.sub(r"_[a-z]$", "", stem)


def file_folds(sizes: dict[str, int], k: int) -> list[set[str]]:
    """Families (name -> number of examples) into k folds of similar size, largest first; deterministic."""
    families = sorted((name for name in sizes if name not in ALWAYS_TRAINED), key=lambda n: (-sizes[n], n))
    if len(families) < k:
        raise ValueError(f"{len(families)} file families cannot fill {k} folds")
    folds: list[set[str]] = [set() for _ in range(k)]
    totals = [0] * k
    for name in families:
        smallest = totals.index(min(totals))
        folds[smallest].add(name)
        totals[smallest] += sizes[name]
    return folds
