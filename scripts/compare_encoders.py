"""Screen sentence encoders for the NLU pipeline with a linear probe, holding out one training file at a time.

Run in Rasa's environment (it has scikit-learn and the encoders):

    .venv-rasa/bin/python scripts/compare_encoders.py            # all feature sets
    .venv-rasa/bin/python scripts/compare_encoders.py sparse e5  # some of them
    .venv-rasa/bin/python scripts/compare_encoders.py --by-file 3 sparse+e5  # nlu evaluate's --by-file folds
    .venv-rasa/bin/python scripts/compare_encoders.py --by-file 3 --train-always mail_long_other sparse+e5
    .venv-rasa/bin/python scripts/compare_encoders.py --hold-out mail_long_other --bias 1.0 sparse+e5

``--train-always A,B`` trains on those file families in every fold and never scores them, so the folds and
test examples of the other families stay as they were: "does adding these files help on other writers'
text?". ``--hold-out A,B`` trains on everything else and scores only those families (or one language's
file, "en/A"): "how does the model do on this kind of text before it has seen any?". ``--bias B`` adds B
to the request intents' log-odds, as the shipped classifier's ``request_bias`` does (``--bias 0,0.5,1``
scores each head start on one fit). ``--rule grouped`` also scores the case label with the most
probability, `other` summing all its intents, beside the top intent's label. ``--without A,B``
leaves those families (or files) out altogether (the baseline before they were written).

Why this split: the files under nlu/ were written at different times, by different writers, in different
styles. Training on all files but one and scoring that one is a shift of writer and style, as new
customers are; a random k-fold split puts near-twins of every test example into training and flatters
every feature set alike (our development sets give 0.97 to plain tf-idf). Dialogue files are never held
out, only trained on.

The probe is logistic regression on tf-idf word and character n-grams ("sparse", a stand-in for the
CountVectorsFeaturizers) and/or the encoders' vectors. It ranks encoders in minutes; the pipeline itself
(DIET) is measured by `privacydesk nlu evaluate` and `make bench`. The label set is the case label the
intent maps to (request_* -> its type, everything else -> other), as in privacydesk/evaluate.py.
Prints macro-F1 overall and per language, and access/erasure requests labelled other.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FEATURE_SETS = ["sparse", "sparse+minilm", "sparse+e5", "e5", "minilm"]


def tail_chars() -> int:
    """``tail_chars`` of the featurizer in config.yml: "e5tail" encodes what the shipped pipeline encodes."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for step in config["pipeline"]:
        if step["name"].endswith("SentenceEmbeddingFeaturizer") and step.get("tail_chars"):
            return int(step["tail_chars"])
    raise SystemExit("e5tail needs tail_chars on the SentenceEmbeddingFeaturizer in config.yml")


def examples() -> list[tuple[str, str, str, str]]:
    """(text, intent, lang, file) for every training example; the first line of a block scalar is data."""
    rows = []
    for path in sorted((ROOT / "nlu").glob("*/*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in document.get("nlu", []):
            for line in (block.get("examples") or "").splitlines():
                if line.startswith("- "):
                    lang = path.parent.name
                    rows.append((line[2:], block["intent"], lang, f"{lang}/{path.stem}"))
    return rows


def label(intent: str) -> str:
    return intent.removeprefix("request_") if intent.startswith("request_") else "other"


def vectors(name: str, texts: list[str]) -> np.ndarray:
    """The encoder's vectors, from the featurizer's cache where training already computed them."""
    from bot.components.sentence_featurizer import MODEL_IDS, EmbeddingCache, cache_path

    started = time.monotonic()
    cache = EmbeddingCache(cache_path(), MODEL_IDS[name])
    known = cache.get_many(texts)
    missing = sorted({t for t in texts if t not in known})
    if missing:
        if name == "e5":
            from bot.components.e5 import MultilingualEncoder

            fresh = dict(zip(missing, MultilingualEncoder().encode_many(missing), strict=True))
        else:
            from bot.components.minilm import SentenceEncoder

            encoder = SentenceEncoder()
            fresh = {t: encoder.encode(t) for t in missing}
        cache.put_many(fresh)
        known.update(fresh)
    cache.close()
    matrix = np.vstack([known[t] for t in texts])
    print(f"  {name}: {len(texts)} texts in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    centred = matrix - matrix.mean(0)
    return centred / np.linalg.norm(centred, axis=1, keepdims=True)


def main(
    chosen: list[str],
    by_file: int | None = None,
    train_always: frozenset[str] = frozenset(),
    hold_out: frozenset[str] = frozenset(),
    biases: tuple[float, ...] = (0.0,),
    without: frozenset[str] = frozenset(),
    rules: tuple[str, ...] = (),
) -> None:
    from privacydesk.folds import family, file_folds

    rows = [
        row for row in examples() if family(row[3].split("/", 1)[1]) not in without and row[3] not in without
    ]
    texts = [r[0] for r in rows]
    intents = np.array([r[1] for r in rows])
    langs = np.array([r[2] for r in rows])
    files = np.array([r[3] for r in rows])
    gold = np.array([label(i) for i in intents])
    needed = {part for spec in chosen for part in spec.split("+")} - {"sparse"}
    dense = {name: vectors(name, texts) for name in sorted(needed - {"e5tail"})}
    if "e5tail" in needed:
        from bot.components.text_tail import tail

        limit = tail_chars()
        dense["e5tail"] = vectors("e5", [tail(text, limit) for text in texts])
    families = np.array([family(f.split("/", 1)[1]) for f in files])
    if hold_out:
        # A family ("mail_long_requests") or one language's file of it ("en/mail_long_requests").
        held = np.isin(families, sorted(hold_out)) | np.isin(files, sorted(hold_out))
        files = np.where(held, "held", "train")
        held_out = ["held"]
    elif by_file:
        # The folds of `privacydesk nlu evaluate --cross-validate K --by-file`, for comparison with DIET.
        sizes = Counter(name for name in families.tolist() if name not in train_always)
        groups = file_folds(dict(sizes), by_file)
        fold_of = {name: f"fold{n}" for n, group in enumerate(groups) for name in group}
        files = np.array([fold_of.get(name, "train") for name in families])
        held_out = [f"fold{n}" for n in range(by_file)]
    else:
        held_out = [f for f in sorted(set(files)) if not f.endswith("/dialogue")]

    for spec in chosen:
        parts = spec.split("+")
        # One fit per fold, scored under every head start and decision rule asked for.
        predicted = {
            (b, rule): np.full(len(rows), "", dtype=object) for b in biases for rule in ("intent", *rules)
        }
        for group in held_out:
            test, train = np.where(files == group)[0], np.where(files != group)[0]
            train_parts, test_parts = [], []
            if "sparse" in parts:
                for vectorizer in (
                    TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)),
                    TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=2),
                ):
                    vectorizer.fit([texts[i] for i in train])
                    train_parts.append(vectorizer.transform([texts[i] for i in train]))
                    test_parts.append(vectorizer.transform([texts[i] for i in test]))
            for name in parts:
                if name in dense:
                    train_parts.append(csr_matrix(dense[name][train]))
                    test_parts.append(csr_matrix(dense[name][test]))
            model = LogisticRegression(C=10, max_iter=3000)
            model.fit(hstack(train_parts).tocsr(), intents[train])
            raw = model.decision_function(hstack(test_parts).tocsr())
            classes = model.classes_.astype(str)
            for (b, rule), into in predicted.items():
                scores = raw + b * np.char.startswith(classes, "request_")
                into[test] = decide(scores, classes) if rule == "grouped" else [
                    label(classes[i]) for i in scores.argmax(axis=1)
                ]
        for (b, rule), into in predicted.items():
            report(f"{spec} bias {b:g} {rule}", into, gold, langs, len(held_out))


def decide(scores: np.ndarray, classes: np.ndarray) -> list[str]:
    """The case label with the most probability: `other` sums its many intents (dialogue, service, ...)."""
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities = exp / exp.sum(axis=1, keepdims=True)
    labels = np.array([label(c) for c in classes])
    names = sorted(set(labels))
    grouped = np.stack([probabilities[:, labels == name].sum(axis=1) for name in names], axis=1)
    return [names[i] for i in grouped.argmax(axis=1)]


def report(title: str, predicted: np.ndarray, gold: np.ndarray, langs: np.ndarray, folds: int) -> None:
    scored = predicted != ""
    y, p, lg = gold[scored], predicted[scored].astype(str), langs[scored]

    def f1(mask: np.ndarray, y: np.ndarray = y, p: np.ndarray = p) -> float:
        return float(f1_score(y[mask], p[mask], average="macro"))

    misses = int(np.sum(np.isin(y, ["access", "erasure"]) & (p == "other")))
    everything = np.ones(len(y), dtype=bool)
    print(
        f"{title:28s} macro-F1 {f1(everything):.3f}  sv {f1(lg == 'sv'):.3f}  en {f1(lg == 'en'):.3f}  "
        f"access/erasure -> other {misses}  (n={len(y)}, {folds} parts held out in turn)",
        flush=True,
    )
    labels = sorted(set(y))
    print(
        "  recall "
        + "  ".join(f"{g} {np.mean(p[y == g] == g):.2f}" for g in labels)
        + "  | other read as a request "
        + f"{int(np.sum((y == 'other') & (p != 'other')))}/{int(np.sum(y == 'other'))}",
        flush=True,
    )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    options: dict[str, str] = {}
    while arguments[:1] and arguments[0].startswith("--"):
        options[arguments[0]], arguments = arguments[1], arguments[2:]
    if options.get("--rule", "grouped") != "grouped":
        raise SystemExit(f"--rule {options['--rule']}: the only other rule is 'grouped'")
    main(
        arguments or FEATURE_SETS,
        int(options["--by-file"]) if "--by-file" in options else None,
        frozenset(options.get("--train-always", "").split(",")) - {""},
        frozenset(options.get("--hold-out", "").split(",")) - {""},
        tuple(float(b) for b in options.get("--bias", "0").split(",")),
        frozenset(options.get("--without", "").split(",")) - {""},
        ("grouped",) if options.get("--rule") == "grouped" else (),
    )
