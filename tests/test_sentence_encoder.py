"""The sentence encoders: MiniLM in NumPy (bot/components/minilm.py) against the reference
implementation, the multilingual e5 encoder (bot/components/e5.py) by what its vectors must do, and the
featurizer and its vector cache with both.

tests/data/minilm_reference.json holds token ids and sentence vectors computed once with Hugging Face
transformers and PyTorch from the same model.zip (see its "how"). The encoder runs in Rasa's
environment, so the check runs there, on the real weights from the installed package.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from privacydesk import paths

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"

CHECK = """
import json, sys
import numpy as np
from bot.components.minilm import SentenceEncoder
reference = json.load(open(sys.argv[1]))["items"]
encoder = SentenceEncoder()
out = []
for item in reference:
    ids = encoder.tokenizer.encode(item["text"])
    vector = encoder.encode(item["text"])
    out.append({"ids_equal": ids == item["ids"], "n": len(ids),
                "max_diff": float(np.abs(vector - np.array(item["vector"])).max()),
                "norm": float(np.linalg.norm(vector))})
huge = encoder.tokenizer.encode("radera " * 500_000 + "tack")  # a pasted megabyte: cut, not choked on
print(json.dumps({"items": out, "huge": [len(huge), huge[0], huge[-1]], "cls_sep": [101, 102]}))
"""


def test_numpy_encoder_reproduces_the_reference_tokens_and_vectors():
    python = paths.ROOT / ".venv-rasa" / "bin" / "python"
    result = subprocess.run(
        [str(python), "-c", CHECK, str(REFERENCE)],
        cwd=paths.ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    rows = answer["items"]
    assert answer["huge"] == [256, *answer["cls_sep"]]
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    assert len(rows) == len(reference) >= 5
    for row, item in zip(rows, reference, strict=True):
        assert row["ids_equal"], item["text"][:60]
        assert row["max_diff"] < 1e-5, (item["text"][:60], row["max_diff"])
        assert abs(row["norm"] - 1.0) < 1e-5
    # The long item is cut at the model's 256 tokens, as sentence-transformers does.
    assert max(row["n"] for row in rows) == 256


FEATURIZER_CHECK = """
import json, os, sys
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.components.sentence_featurizer import SentenceEmbeddingFeaturizer, cache_path

config = {**SentenceEmbeddingFeaturizer.get_default_config(), "encoder": sys.argv[1]}
featurizer = SentenceEmbeddingFeaturizer(config, "sentence_vectors")
texts = ["radera mina uppgifter", "what data do you hold about me?", "radera mina uppgifter"]
data = TrainingData([Message.build(text=t, intent="x") for t in texts])
featurizer.process_training_data(data)
shapes = [m.get_dense_features("text")[1].features.shape for m in data.training_examples]
first = data.training_examples[0].get_dense_features("text")[1].features.tolist()

# The second training must come from the cache: an encoder that fails proves it is not called.
def refuse(texts):
    raise AssertionError(f"encoded again: {texts}")
live_encode = featurizer.encoder.encode
featurizer.encoder.encode = featurizer.encoder.encode_many = refuse
again = TrainingData([Message.build(text=t, intent="x") for t in texts[:2]])
featurizer.process_training_data(again)
cached = again.training_examples[0].get_dense_features("text")[1].features.tolist()

# A live message is encoded, never cached (it may hold personal data).
featurizer.encoder.encode = live_encode
import sqlite3
before = sqlite3.connect(str(cache_path())).execute("SELECT count(*) FROM vectors").fetchone()[0]
live = featurizer.process([Message.build(text="my number is 070-1740605, delete me")])[0]
after = sqlite3.connect(str(cache_path())).execute("SELECT count(*) FROM vectors").fetchone()[0]
print(json.dumps({"shapes": shapes, "same": first == cached, "rows": [before, after],
                  "live": list(live.get_dense_features("text")[1].features.shape)}))
"""


def _run_in_rasa_env(script: str, env_cache: Path, *args: str) -> dict:
    import os

    python = paths.ROOT / ".venv-rasa" / "bin" / "python"
    result = subprocess.run(
        [str(python), "-c", script, *args],
        cwd=paths.ROOT, capture_output=True, text=True, timeout=180,
        env={**os.environ, "PYTHONPATH": str(paths.ROOT), "PRIVACYDESK_EMBEDDING_CACHE": str(env_cache)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("encoder", ["e5", "minilm"])
def test_featurizer_adds_sentence_vectors_and_caches_only_training_texts(tmp_path, encoder):
    out = _run_in_rasa_env(FEATURIZER_CHECK, tmp_path, encoder)
    assert out["shapes"] == [[1, 384]] * 2  # TrainingData keeps one of the two equal examples
    assert out["same"] is True
    assert out["rows"] == [2, 2]  # two distinct training texts; the live message added nothing
    assert out["live"] == [1, 384]


def test_a_damaged_embedding_cache_is_set_aside_and_rebuilt(tmp_path):
    (tmp_path / "embeddings.sqlite").write_bytes(b"this is not a database" * 100)
    out = _run_in_rasa_env(FEATURIZER_CHECK, tmp_path, "e5")
    assert out["rows"] == [2, 2]
    assert (tmp_path / "embeddings.damaged").read_bytes().startswith(b"this is not")


def test_the_two_encoders_keep_their_vectors_apart_in_one_cache(tmp_path):
    _run_in_rasa_env(FEATURIZER_CHECK, tmp_path, "e5")
    out = _run_in_rasa_env(FEATURIZER_CHECK, tmp_path, "minilm")
    assert out["rows"] == [4, 4]  # the same two texts, once per model: keys carry the model id


E5_CHECK = """
import json, sys
import numpy as np
from bot.components.e5 import MultilingualEncoder, MAX_CHARS

encoder = MultilingualEncoder()
texts = ["radera alla mina personuppgifter", "ta bort allt ni har sparat om mig",
         "mitt bredband är jättelångsamt ikväll", "please delete all my personal data"]
batch = encoder.encode_many(texts)
single = [encoder.encode(t) for t in texts]
sim = lambda a, b: float(a @ b)
huge = encoder.encode("radera mig " * 50_000)  # 550,000 characters: cut, not a minute of tokenising
opening = "Hej! Jag vill att ni raderar alla mina uppgifter. " * 60
beyond = opening[:MAX_CHARS] + " Mitt bredband är långsamt och fakturan är fel. " * 200
print(json.dumps({
    "norms": [float(np.linalg.norm(v)) for v in single],
    "batch_vs_single": max(float(np.abs(a - b).max()) for a, b in zip(batch, single)),
    "paraphrase": sim(single[0], single[1]), "unrelated": sim(single[0], single[2]),
    "cross_lingual": sim(single[0], single[3]), "cross_unrelated": sim(single[3], single[2]),
    "huge_norm": float(np.linalg.norm(huge)),
    "beyond_cap": float(np.abs(encoder.encode(beyond) - encoder.encode(opening[:MAX_CHARS])).max()),
    "under_cap": float(np.abs(encoder.encode(opening[:1000]) - encoder.encode(opening[:900])).max()),
}))
"""


def test_multilingual_encoder_places_paraphrases_and_translations_closer_than_unrelated_text(tmp_path):
    out = _run_in_rasa_env(E5_CHECK, tmp_path)
    assert all(abs(n - 1.0) < 1e-4 for n in out["norms"])
    # A batch and one text at a time give the same vector (training encodes in batches, live one by one).
    assert out["batch_vs_single"] < 1e-4
    # Swedish paraphrase closer than a Swedish text on another subject; the English translation too.
    assert out["paraphrase"] > out["unrelated"]
    assert out["cross_lingual"] > out["cross_unrelated"]
    assert abs(out["huge_norm"] - 1.0) < 1e-4
    # Only the opening is encoded: what follows the cap changes nothing, what precedes it does.
    assert out["beyond_cap"] < 1e-6
    assert out["under_cap"] > 1e-3
