"""``privacydesk nlu evaluate``: how well the model tells the request types apart (issue #3).

``--data FILE`` scores a YAML list of ``{id, text, label, lang, subject?}`` items (Swedish and English
only) through the same cleaning and classification path as ``privacydesk classify``; ``--cross-validate K``
trains K models on K-1 folds of our own training data (nlu/) and scores the held-out fold.

Output: per-type precision, recall and F1, macro-F1 overall and per language, and the confusion matrix.
Errors: :class:`EvaluationError` for an unreadable data file (a user error: message, exit status 2);
a failed training or Rasa start propagates (a system error).
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from privacydesk import paths, proctree
from privacydesk.classify import LABELS, Classification, Classifier, parsing_server
from privacydesk.folds import ALWAYS_TRAINED, family, file_folds
from privacydesk.training import rasa_env
from workflows.models import RequestType

TYPES = [kind.value for kind in RequestType]
ALL_LABELS = [*TYPES, "other"]
LANGUAGES = ("sv", "en")


class EvaluationError(ValueError):
    """The data file cannot be used (a user error)."""


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    label: str
    lang: str
    subject: str | None = None
    intent: str | None = None  # for our training examples: the intent they are written for


@dataclass
class Report:
    gold: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    # What the model alone said; differs from `predicted` where a rule decided (privacydesk/classify.py).
    model_predicted: list[str] = field(default_factory=list)

    def add(self, item: Item, predicted: str, model_said: str | None = None) -> None:
        self.gold.append(item.label)
        self.predicted.append(predicted)
        self.model_predicted.append(model_said or predicted)
        self.langs.append(item.lang)
        self.ids.append(item.id)

    def ruled(self) -> int:
        return sum(1 for p, m in zip(self.predicted, self.model_predicted, strict=True) if p != m)

    def model_alone(self) -> Report:
        """The same items as the model alone read them, without the rule."""
        said = list(self.model_predicted)
        return Report(list(self.gold), said, list(self.langs), list(self.ids), list(said))

    def per_label(self, lang: str | None = None) -> dict[str, tuple[float, float, float, int]]:
        rows = zip(self.gold, self.predicted, self.langs, strict=True)
        pairs = [(g, p) for g, p, lg in rows if lang in (None, lg)]
        result = {}
        for label in ALL_LABELS:
            tp = sum(1 for g, p in pairs if g == label and p == label)
            fp = sum(1 for g, p in pairs if g != label and p == label)
            fn = sum(1 for g, p in pairs if g == label and p != label)
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            result[label] = (precision, recall, f1, tp + fn)
        return result

    def macro_f1(self, lang: str | None = None) -> float:
        """Mean F1 over the labels present in the gold data (of that language)."""
        scores = [f1 for f1, support in ((v[2], v[3]) for v in self.per_label(lang).values()) if support]
        return sum(scores) / len(scores) if scores else 0.0

    def confusion(self) -> dict[str, Counter[str]]:
        matrix: dict[str, Counter[str]] = defaultdict(Counter)
        for g, p in zip(self.gold, self.predicted, strict=True):
            matrix[g][p] += 1
        return matrix

    def serious_misses(self) -> int:
        """Access or erasure requests classified as `other`: the customer would get no case at all."""
        rows = zip(self.gold, self.predicted, strict=True)
        return sum(1 for g, p in rows if g in ("access", "erasure") and p == "other")

    def markdown(self) -> str:
        lines = ["| type | precision | recall | F1 | n |", "|---|---:|---:|---:|---:|"]
        for label, (precision, recall, f1, support) in self.per_label().items():
            if support or label in self.predicted:
                lines.append(f"| {label} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {support} |")
        lines.append("")
        by_lang = ", ".join(
            f"{lang} {self.macro_f1(lang):.3f} (n={self.langs.count(lang)})"
            for lang in LANGUAGES
            if lang in self.langs
        )
        lines.append(f"**macro-F1 {self.macro_f1():.3f}** (n={len(self.gold)}); per language: {by_lang}")
        lines.append(f"access/erasure classified as other: {self.serious_misses()}")
        if self.ruled():
            alone = self.model_alone()
            lines.append(
                f"{self.ruled()} item(s) labelled other by the automatic-subject rule (the gateway never "
                f"gives such mail to the bot); the model alone: macro-F1 {alone.macro_f1():.3f}, "
                f"access/erasure classified as other {alone.serious_misses()}"
            )
        lines.append("")
        present = [label for label in ALL_LABELS if label in self.gold or label in self.predicted]
        lines.append("Confusion matrix (rows: true type, columns: predicted):")
        lines.append("")
        lines.append("| true \\ predicted | " + " | ".join(present) + " |")
        lines.append("|---|" + "---:|" * len(present))
        matrix = self.confusion()
        for gold in present:
            if gold in self.gold:
                lines.append(f"| {gold} | " + " | ".join(str(matrix[gold][p]) for p in present) + " |")
        return "\n".join(lines)


def load_items(path: Path) -> list[Item]:
    """The Swedish and English items of an evaluation file (other languages are left out)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise EvaluationError(f"cannot read {path}: {error}") from error
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        raise EvaluationError(f"{path}: expected a YAML list of {{id, text, label, lang}} items")
    items = []
    for number, raw in enumerate(data, 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or "label" not in raw:
            raise EvaluationError(f"{path}: item {number} needs a text and a label")
        lang = str(raw.get("lang") or "")
        if lang not in LANGUAGES:
            continue
        label = str(raw["label"])
        if label not in ALL_LABELS:
            raise EvaluationError(f"{path}: item {number} has unknown label {label!r}")
        subject = raw.get("subject")
        subject = subject if isinstance(subject, str) else None
        items.append(Item(str(raw.get("id", number)), raw["text"], label, lang, subject))
    return items


def score(items: Sequence[Item], classify: Callable[[str, str | None], Classification]) -> Report:
    report = Report()
    for item in items:
        result = classify(item.text, item.subject)
        report.add(item, result.request_type, result.model_type)
    return report


def score_with_rasa(items: Sequence[Item], rasa_url: str) -> Report:
    """The `privacydesk classify` path: cleaning (subject, quotes, signature), then Rasa's parse."""
    classifier = Classifier(rasa_url)
    try:
        return score(items, classifier.classify)
    finally:
        classifier.close()


@contextmanager
def rasa_server(model: Path) -> Iterator[tuple[str, int]]:
    """The classify path's parse-only server; yields its URL and its resident memory (MiB) once loaded."""
    with parsing_server(model) as (url, service):
        pid = service.process.pid if service.process else None
        yield url, proctree.rss_mib(pid) if pid else 0


# ---------------------------------------------------------------- training (cross-validation, benchmarks)


@dataclass(frozen=True)
class Trained:
    model: Path
    seconds: float
    peak_rss_mib: int


def train_nlu(
    config: Path, nlu_files: Sequence[Path], out: Path, *, extra_env: dict[str, str] | None = None
) -> Trained:
    """`rasa train nlu` into ``out``, timed, with the peak resident memory of the training process."""
    out.mkdir(parents=True, exist_ok=True)
    command = [
        str(paths.rasa_executable()), "train", "nlu", "--config", str(config),
        "--nlu", *(str(p) for p in nlu_files), "--out", str(out), "--fixed-model-name", "nlu",
    ]  # fmt: skip
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=paths.ROOT,
        env={**rasa_env(), **(extra_env or {})},  # Rasa's training cache is off there (training.py)
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, proctree.rss_mib(process.pid))
            time.sleep(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, stderr = process.communicate()
    done.set()
    watcher.join()
    seconds = time.monotonic() - started
    if process.returncode != 0:
        detail = stderr.decode(errors="replace")[-2000:]
        raise RuntimeError(f"rasa train nlu failed ({process.returncode}): {detail}")
    return Trained(out / "nlu.tar.gz", seconds, peak)


def training_examples() -> list[Item]:
    """Our own examples (nlu/<lang>/*.yml), labelled by the case label their intent maps to."""
    items = []
    for path in sorted(paths.NLU.glob("*/*.yml")):
        lang = path.parent.name
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent")
            if not intent:
                continue
            for number, line in enumerate(str(block.get("examples") or "").splitlines()):
                text = line.strip()
                if text.startswith("- "):
                    label = LABELS.get(intent, "other")
                    items.append(Item(f"{path.stem}:{intent}:{number}", text[2:], label, lang, intent=intent))
    return items


def _write_nlu(items: Sequence[Item], path: Path) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for item in items:
        by_intent[str(item.intent)].append(item.text)
    blocks = [
        {"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
        for intent, texts in sorted(by_intent.items())
    ]
    document = yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False)
    path.write_text(document, encoding="utf-8")


def folds(items: Sequence[Item], k: int, seed: int = 7) -> list[list[Item]]:
    """Stratified by intent: every fold gets its share of each intent."""
    by_intent: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_intent[str(item.intent)].append(item)
    result: list[list[Item]] = [[] for _ in range(k)]
    rng = random.Random(seed)  # noqa: S311 (a reproducible split, not security)
    offset = 0
    for intent in sorted(by_intent):
        group = by_intent[intent][:]
        rng.shuffle(group)
        for index, item in enumerate(group):
            result[(index + offset) % k].append(item)
        offset += len(group)
    return result


def cross_validate(
    k: int, config: Path = paths.CONFIG, log: Callable[[str], None] = print, *, by_file: bool = False
) -> Report:
    """K-fold cross-validation on nlu/: stratified by intent, or (``by_file``) whole files held out."""
    if k < 2:
        raise EvaluationError("--cross-validate needs K >= 2")
    items = training_examples()
    if by_file:
        trained_always, parts = _file_folds(items, k)
    else:
        trained_always, parts = [], folds(items, k)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="privacydesk-cv-") as tmp:
        for index, held_out in enumerate(parts):
            others = [item for j, part in enumerate(parts) if j != index for item in part]
            train_items = trained_always + others
            fold_dir = Path(tmp) / f"fold{index}"
            fold_dir.mkdir()
            _write_nlu(train_items, fold_dir / "train.yml")
            families = sorted({family(_stem(item)) for item in held_out}) if by_file else []
            held = f" ({', '.join(families)})" if families else ""
            log(f"==> fold {index + 1}/{k}: training on {len(train_items)}, testing on {len(held_out)}{held}")
            trained = train_nlu(config, [fold_dir / "train.yml"], fold_dir / "model")
            with rasa_server(trained.model) as (url, _):
                fold = score_with_rasa(held_out, url)
            for item, predicted in zip(held_out, fold.predicted, strict=True):
                report.add(item, predicted)
            shutil.rmtree(fold_dir, ignore_errors=True)
    return report


def _stem(item: Item) -> str:
    return item.id.split(":", 1)[0]


def _file_folds(items: Sequence[Item], k: int) -> tuple[list[Item], list[list[Item]]]:
    """(always trained on, the k held-out parts) when whole file families are held out (folds.py)."""
    sizes = Counter(family(_stem(item)) for item in items)
    try:
        groups = file_folds(dict(sizes), k)
    except ValueError as error:
        raise EvaluationError(str(error)) from error
    parts = [[item for item in items if family(_stem(item)) in group] for group in groups]
    return [item for item in items if family(_stem(item)) in ALWAYS_TRAINED], parts


def run(
    data: str | None,
    cross: int | None,
    rasa_url: str | None,
    config: str | None = None,
    by_file: bool = False,
) -> int:
    """The CLI entry: prints Markdown to stdout; returns the exit status.

    ``config`` scores another pipeline (a trainer's experiment) on the same nlu/ data; without it the
    project's config.yml and its cached model are used.
    """
    if not data and not cross:
        print("error: give --data FILE or --cross-validate K", file=sys.stderr)
        return 2
    if config and rasa_url:
        print("error: --config trains a model; --rasa-url scores one already running", file=sys.stderr)
        return 2
    config_path = Path(config) if config else paths.CONFIG
    if not config_path.is_file():
        print(f"error: no such config file: {config_path}", file=sys.stderr)
        return 2

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        if data:
            items = load_items(Path(data))
            if rasa_url:
                report = score_with_rasa(items, rasa_url)
            elif config:
                with tempfile.TemporaryDirectory(prefix="privacydesk-eval-") as tmp:
                    log(f"==> training {config_path} on nlu/")
                    trained = train_nlu(config_path, [paths.NLU], Path(tmp))
                    log(f"    trained in {trained.seconds:.0f} s, peak {trained.peak_rss_mib} MiB")
                    with rasa_server(trained.model) as (url, _):
                        report = score_with_rasa(items, url)
            else:
                from privacydesk import training

                with rasa_server(training.train()) as (url, _):
                    report = score_with_rasa(items, url)
            print(f"## {data}: {len(items)} items (sv, en)\n\n{report.markdown()}\n")
        if cross:
            report = cross_validate(cross, config_path, log=log, by_file=by_file)
            split = ", whole files held out" if by_file else ""
            title = f"## {cross}-fold cross-validation on nlu/{split} ({len(report.gold)} examples)"
            print(f"{title}\n\n{report.markdown()}\n")
    except EvaluationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
