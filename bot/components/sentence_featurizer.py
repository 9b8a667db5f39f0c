"""Rasa NLU component: a dense sentence vector from a pre-trained encoder, chosen by the `encoder`
option: `e5` (multilingual-e5-small, bot/components/e5.py; the default) or `minilm` (all-MiniLM-L6-v2,
English only, bot/components/minilm.py; a third of the CPU per message).

Why: the sparse word and character n-grams only know the words of our own examples; a customer who
writes "purge my records" where the examples say "delete my data" needs a representation that knows
the two mean the same. The linear intent classifier (linear_classifier.py) takes this vector beside its
word and character n-grams.

Only sentence-level features: the classifier reads whole messages, so token vectors would cost time and
change nothing. With ``tail_chars`` above 0 a second vector follows the first: the encoding of the
message's closing sentences (text_tail.py), where a long mail usually makes its request. A message no
longer than ``tail_chars`` is its own tail, so short messages cost nothing more; the classifier reads
the two halves as separate views (``dense_views: 2``).

Training encodes every example; the vectors of training texts (all fictitious, nlu/) are kept in a
small SQLite cache keyed by the text's hash, so cross-validation folds and retraining after a small
change do not encode them again. Live messages are never written there: they may hold personal data.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from threadpoolctl import ThreadpoolController

from bot.components import e5, minilm, text_tail

logger = logging.getLogger(__name__)
DIMENSION = 384  # both encoders
ENCODERS = ("e5", "minilm")
# Part of every cache key: another model or pooling, other keys.
MODEL_IDS = {"e5": e5.MODEL_ID, "minilm": "all-MiniLM-L6-v2/mean/256"}


class _MiniLM:
    """all-MiniLM-L6-v2 behind the same two calls as the e5 encoder."""

    def __init__(self) -> None:
        self.encoder = minilm.SentenceEncoder()
        self.blas = ThreadpoolController()

    def encode(self, text: str) -> np.ndarray:
        # One BLAS thread for a live message: a second one costs half as much CPU again (measured: 63
        # instead of 42 ms per message) to save some wall time on a machine shared with other services.
        with self.blas.limit(limits=1, user_api="blas"):
            return self.encoder.encode(text)

    def encode_many(self, texts: List[str]) -> List[np.ndarray]:
        return [self.encoder.encode(text) for text in texts]


def cache_path() -> Path:
    """Beside the model cache (privacydesk/paths.py): outside the clone, so a fresh clone reuses it."""
    explicit = os.environ.get("PRIVACYDESK_EMBEDDING_CACHE")
    if explicit:
        return Path(explicit) / "embeddings.sqlite"
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "privacydesk" / "embeddings.sqlite"


class EmbeddingCache:
    """Vectors of training texts by sha256(model id, text). A damaged cache is set aside, not fatal."""

    def __init__(self, path: Path, model_id: str) -> None:
        self.model_id = model_id
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._open(path)
        except sqlite3.DatabaseError:
            logger.warning("embedding cache %s is unreadable; starting a new one", path)
            path.replace(path.with_suffix(".damaged"))
            self.db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path), timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        return db

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\0{text}".encode()).hexdigest()

    def get_many(self, texts: List[str]) -> Dict[str, np.ndarray]:
        found: Dict[str, np.ndarray] = {}
        keys = {self.key(t): t for t in texts}
        items = list(keys)
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, blob in self.db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
            ):  # noqa: S608 - only '?' marks
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape == (DIMENSION,):
                    found[keys[key]] = vector
        return found

    def close(self) -> None:
        self.db.close()

    def put_many(self, vectors: Dict[str, np.ndarray]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                [(self.key(t), v.astype(np.float32).tobytes()) for t, v in vectors.items()],
            )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "cache_training_vectors": True,
            "encoder": "e5",
            "tail_chars": 0,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if config.get("encoder", "e5") not in ENCODERS:
            raise ValueError(
                f"SentenceEmbeddingFeaturizer: encoder must be one of {ENCODERS}, not {config['encoder']!r}"
            )
        if int(config.get("tail_chars", 0)) < 0:
            raise ValueError(
                "SentenceEmbeddingFeaturizer: tail_chars must be 0 (off) or a number of characters"
            )

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)  # validates the config
        self.model_id = MODEL_IDS[self._config["encoder"]]
        self.encoder: Any = e5.MultilingualEncoder() if self._config["encoder"] == "e5" else _MiniLM()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEmbeddingFeaturizer":
        return cls(config, execution_context.node_name)

    def _texts(self, text: str) -> List[str]:
        """What is encoded for one message: the message, then (tail_chars > 0) its closing sentences."""
        limit = int(self._config["tail_chars"])
        return [text, text_tail.tail(text, limit)] if limit else [text]

    def _add(self, message: Message, vectors: List[np.ndarray]) -> None:
        features = np.concatenate(vectors).reshape(1, DIMENSION * len(vectors))
        self.add_features_to_message(None, features, TEXT, message)  # type: ignore[arg-type]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                parts = self._texts(text)
                encoded: Dict[str, np.ndarray] = {}
                for part in parts:
                    if part not in encoded:  # a short message is its own tail: encoded once
                        encoded[part] = self.encoder.encode(part)
                self._add(message, [encoded[part] for part in parts])
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        examples = [m for m in training_data.training_examples if m.get(TEXT)]
        texts = sorted({part for m in examples for part in self._texts(m.get(TEXT))})
        cache: Optional[EmbeddingCache] = None
        known: Dict[str, np.ndarray] = {}
        if self._config["cache_training_vectors"]:
            cache = EmbeddingCache(cache_path(), self.model_id)
            known = cache.get_many(texts)
        missing = [t for t in texts if t not in known]
        logger.info("sentence vectors: %d cached, %d to encode", len(known), len(missing))
        fresh: Dict[str, np.ndarray] = {}
        for start in range(0, len(missing), 256):
            chunk = missing[start : start + 256]
            fresh.update(zip(chunk, self.encoder.encode_many(chunk)))
            logger.info("sentence vectors: %d of %d encoded", len(fresh), len(missing))
        if cache is not None:
            if fresh:
                cache.put_many(fresh)
            cache.close()
        known.update(fresh)
        for message in examples:
            self._add(message, [known[part] for part in self._texts(message.get(TEXT))])
        return training_data
