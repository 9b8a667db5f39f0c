"""The hygiene rules of nlu/README.md, checked on every training file (they grow by many hands)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import yaml

from privacydesk import paths

PHONE = re.compile(r"(?<![\d-])0\d{1,2}-?\s?\d{5,8}(?![\d-])")
FICTION_PHONES = (range(701740605, 701740700), range(846500400, 846500500))  # PTS: reserved for fiction
EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")


def _examples() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(paths.NLU.glob("*/*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in document.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                if line.strip():
                    assert line.lstrip().startswith("- "), (path.name, line[:80])
                    found.append((f"{path.parent.name}/{path.name}", block["intent"], line.strip()[2:]))
    return found


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def test_no_example_appears_twice_in_any_intent():
    seen: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for where, intent, text in _examples():
        seen[_normal(text)].append((where, intent))
    twice = {text[:70]: places for text, places in seen.items() if len(places) > 1}
    assert not twice, twice


def test_phone_numbers_and_mail_addresses_are_the_fictitious_ones():
    wrong = []
    for where, _, text in _examples():
        for match in PHONE.findall(text):
            digits = int(re.sub(r"\D", "", match))
            if not any(digits in r for r in FICTION_PHONES):
                wrong.append((where, match))
        for domain in EMAIL.findall(text):
            domain = domain.lower()
            if domain not in {"example.se", "example.com"} and not domain.endswith(".example.se"):
                wrong.append((where, domain))
    assert not wrong, wrong


def _runs(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = _normal(text).split()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_the_development_set_shares_no_passage_with_the_training_data():
    """evaluation/*.yml choose configurations; a passage copied into nlu/ would flatter them.

    Runs of 20 words: two letters citing Art 17(1)(a) share its wording ("no longer necessary for the
    purposes for which it was collected", 14 words) without one being a copy of the other.
    """
    dev = [
        item
        for path in sorted((paths.ROOT / "evaluation").glob("*.yml"))
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))
    ]
    assert len(dev) >= 300
    training: set[tuple[str, ...]] = set()
    for _, _, text in _examples():
        training |= _runs(text, 20)
    shared = [item["id"] for item in dev if _runs(item["text"], 20) & training]
    assert not shared, shared


def test_the_held_out_set_shares_no_passage_with_the_training_data():
    """../shared/eval is for measuring only (the brief): no item may share two 8-word runs with nlu/.

    The same criterion as the before-stop hook (`../shared/hooks/eval_overlap.py`), run here so a leak
    fails the suite when a training file lands, not only when a session stops. Only the number of hits
    per item id is reported, never the held-out text.
    """
    files = sorted(paths.HELD_OUT.glob("*.y*ml"))
    if not files:
        pytest.skip(f"no held-out set at {paths.HELD_OUT}: nothing to compare")
    training: set[tuple[str, ...]] = set()
    for _, _, text in _examples():
        training |= _runs(text)
    leaks = {}
    for path in files:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            text = f"{item.get('subject') or ''} {item.get('text') or ''}"
            hits = len(_runs(text) & training)
            if hits >= 2:
                leaks[f"{path.name}:{item.get('id')}"] = hits
    assert not leaks, leaks
