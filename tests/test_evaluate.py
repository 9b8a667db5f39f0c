"""privacydesk.evaluate: the scores `privacydesk nlu evaluate` prints (issue #3). No Rasa needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacydesk import evaluate
from privacydesk.classify import Classification
from privacydesk.evaluate import EvaluationError, Item, Report


def report(rows: list[tuple[str, str, str]]) -> Report:
    result = Report()
    for number, (gold, predicted, lang) in enumerate(rows):
        result.add(Item(str(number), "text", gold, lang), predicted)
    return result


def test_precision_recall_f1_and_macro():
    r = report(
        [
            ("access", "access", "sv"),
            ("access", "other", "sv"),
            ("erasure", "erasure", "en"),
            ("other", "access", "en"),
        ]
    )
    precision, recall, f1, support = r.per_label()["access"]
    assert (precision, recall, support) == (0.5, 0.5, 2) and f1 == pytest.approx(0.5)
    # Macro over the labels in the gold data: access 0.5, erasure 1.0, other 0.0.
    assert r.macro_f1() == pytest.approx(0.5)
    assert r.macro_f1("en") == pytest.approx(0.5)  # erasure 1.0, other 0.0
    assert r.serious_misses() == 1
    assert r.confusion()["access"]["other"] == 1


def test_markdown_has_the_table_the_languages_and_the_matrix():
    text = report([("access", "access", "sv"), ("complaint", "other", "en")]).markdown()
    assert "| access | 1.000 | 1.000 | 1.000 | 1 |" in text
    assert "per language: sv 1.000 (n=1), en 0.000 (n=1)" in text
    assert "| true \\ predicted |" in text


def test_load_items_keeps_swedish_and_english(tmp_path: Path):
    data = tmp_path / "items.yml"
    data.write_text(
        "- {id: 1, text: hej, label: other, lang: sv}\n"
        "- {id: 2, text: hallo, label: access, lang: de}\n"
        "- {id: 3, text: delete me, label: erasure, lang: en, subject: GDPR}\n",
        encoding="utf-8",
    )
    items = evaluate.load_items(data)
    assert [(i.id, i.lang, i.subject) for i in items] == [("1", "sv", None), ("3", "en", "GDPR")]


def test_load_items_refuses_bad_files(tmp_path: Path):
    bad = tmp_path / "bad.yml"
    bad.write_text("- {id: 1, text: hej, label: refund, lang: sv}\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match="unknown label"):
        evaluate.load_items(bad)
    with pytest.raises(EvaluationError):
        evaluate.load_items(tmp_path / "missing.yml")


def test_folds_are_stratified_by_intent_and_cover_everything():
    items = evaluate.training_examples()
    parts = evaluate.folds(items, 3)
    assert sorted(i.id for part in parts for i in part) == sorted(i.id for i in items)
    for intent in ("request_access", "inform"):
        counts = [sum(1 for i in part if i.intent == intent) for part in parts]
        assert max(counts) - min(counts) <= 1
    assert {i.label for i in items} == set(evaluate.ALL_LABELS)


def test_score_uses_the_given_classifier():
    items = [Item("1", "radera mig", "erasure", "sv"), Item("2", "hej", "other", "sv", "Re: x")]
    seen = []
    r = evaluate.score(
        items, lambda text, subject: seen.append(subject) or Classification("erasure", 0.9, "sv")
    )
    assert r.predicted == ["erasure", "erasure"] and seen == [None, "Re: x"]


def test_items_a_rule_decided_are_counted_and_the_model_alone_is_scored_too():
    items = [Item("1", "radera mig", "erasure", "sv"), Item("2", "bounce", "other", "en", "Undeliverable: x")]

    def classify(text: str, subject: str | None) -> Classification:
        if subject:  # the rule overrules the model's "erasure"
            return Classification("other", 1.0, "en", rule="automatic subject", model_type="erasure")
        return Classification("erasure", 0.9, "sv")

    r = evaluate.score(items, classify)
    assert r.predicted == ["erasure", "other"] and r.ruled() == 1
    assert r.macro_f1() == pytest.approx(1.0)
    assert r.model_alone().predicted == ["erasure", "erasure"]
    assert r.model_alone().macro_f1() == pytest.approx(1 / 3)  # erasure 2/3, other 0
    assert "1 item(s) labelled other by the automatic-subject rule" in r.markdown()
    assert "labelled other by the automatic-subject rule" not in report([("other", "other", "sv")]).markdown()
