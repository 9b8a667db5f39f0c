"""The linear intent classifier (bot/components/linear_classifier.py), in Rasa's environment with the
real multilingual encoder in front of it: it learns, ranks, survives a save and load, and keeps no pickle.
"""

from __future__ import annotations

from tests.test_sentence_encoder import _run_in_rasa_env

CHECK = """
import json, sys, tempfile
from pathlib import Path
import numpy as np
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.components.sentence_featurizer import SentenceEmbeddingFeaturizer
from bot.components.linear_classifier import LinearIntentClassifier

examples = {
    "request_erasure": ["radera mina uppgifter", "ta bort allt om mig", "please delete my data",
                        "erase my account and everything you hold", "glöm mig", "jag vill bli raderad"],
    "request_access": ["vill ha ett registerutdrag", "vad har ni sparat om mig", "send me a copy of my data",
                       "what personal data do you hold about me", "begär utdrag", "show me my data"],
    "customer_service": ["mitt bredband är långsamt", "fakturan är för hög", "my router is broken",
                         "i want to change my plan", "när kommer teknikern", "the app will not start"],
}
featurizer = SentenceEmbeddingFeaturizer(SentenceEmbeddingFeaturizer.get_default_config(), "vectors")
data = TrainingData([Message.build(text=t, intent=i) for i, ts in examples.items() for t in ts])
featurizer.process_training_data(data)

storage_dir = Path(tempfile.mkdtemp())
storage = LocalModelStorage(storage_dir)
resource = Resource("linear")
classifier = LinearIntentClassifier.create({}, storage, resource, None)
classifier.train(data)

probe = ["kan ni radera allt ni vet om mig", "I'd like a copy of the data you keep on me",
         "internet funkar inte", "radera mig " * 50_000]
def classify(component):
    messages = featurizer.process([Message.build(text=t) for t in probe])
    component.process(messages)
    return [(m.get("intent")["name"], [r["confidence"] for r in m.get("intent_ranking")]) for m in messages]

before = classify(classifier)
loaded = LinearIntentClassifier.load({}, storage, resource, None)
after = classify(loaded)
unbiased = classify(LinearIntentClassifier.load({"request_bias": 0.0}, storage, resource, None))
overwhelming = classify(LinearIntentClassifier.load({"request_bias": 50.0}, storage, resource, None))
files = sorted(p.name for p in storage_dir.rglob("*") if p.is_file())
print(json.dumps({"before": before, "after": after, "files": files, "unbiased": unbiased,
                  "overwhelming": overwhelming}))
"""


def test_linear_classifier_learns_ranks_and_survives_save_and_load(tmp_path):
    out = _run_in_rasa_env(CHECK, tmp_path)
    names = [name for name, _ in out["before"]]
    # The last is a pasted 550,000 characters: read up to the cap, and classified all the same.
    assert names == ["request_erasure", "request_access", "customer_service", "request_erasure"]
    for _, confidences in out["before"]:
        assert abs(sum(confidences) - 1.0) < 1e-6  # every intent ranked: a probability distribution
        assert confidences == sorted(confidences, reverse=True)
    # The loaded model gives the same answers with the same confidences.
    assert [n for n, _ in out["after"]] == [n for n, _ in out["before"]]
    for (_, a), (_, b) in zip(out["after"], out["before"], strict=True):
        assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-9
    # The head start of request intents moves confidence towards them, and a huge one overrules the text.
    assert out["before"][0][1][0] > out["unbiased"][0][1][0]
    assert [n for n, _ in out["overwhelming"]][2].startswith("request_")
    # Plain arrays and JSON, no pickle: loading a model runs no code from it.
    assert out["files"] == ["linear.json", "linear.npz"]


CHECK_TAIL = """
import json, tempfile
from pathlib import Path
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.components.sentence_featurizer import SentenceEmbeddingFeaturizer
from bot.components.linear_classifier import LinearIntentClassifier

story = ("Hej, vi flyttade i våras och bredbandet har krånglat sedan dess. Teknikern kom två gånger. "
         "Fakturan för maj var dubbel men den är rättad nu. ")
examples = {
    "request_erasure": ["radera mina uppgifter", "ta bort allt om mig", story + "Radera allt ni har om mig."],
    "request_access": ["vill ha ett registerutdrag", "vad har ni sparat om mig",
                       story + "Skicka ett registerutdrag."],
    "customer_service": ["mitt bredband är långsamt", "fakturan är för hög", story + "Tack för hjälpen!"],
}
config = {**SentenceEmbeddingFeaturizer.get_default_config(), "tail_chars": 40,
          "cache_training_vectors": False}
featurizer = SentenceEmbeddingFeaturizer(config, "vectors")
data = TrainingData([Message.build(text=t, intent=i) for i, ts in examples.items() for t in ts])
featurizer.process_training_data(data)
widths = sorted({m.get_dense_features("text")[1].features.shape[1] for m in data.training_examples})
short, long = featurizer.process([Message.build(text="radera mig"),
                                  Message.build(text=story + "Radera mig.")])
halves = [m.get_dense_features("text")[1].features.reshape(2, -1) for m in (short, long)]

storage = LocalModelStorage(Path(tempfile.mkdtemp()))
classifier = LinearIntentClassifier.create({"dense_views": 2}, storage, Resource("linear"), None)
classifier.train(data)
loaded = LinearIntentClassifier.load({"dense_views": 2}, storage, Resource("linear"), None)
loaded.process([long])
try:
    LinearIntentClassifier.load({"dense_views": 5}, storage, Resource("linear"), None).process(
        featurizer.process([Message.build(text="hej")]))
    mismatch = ""
except ValueError as error:
    mismatch = str(error)
print(json.dumps({"widths": widths, "short_halves_equal": bool((halves[0][0] == halves[0][1]).all()),
                  "long_halves_equal": bool((halves[1][0] == halves[1][1]).all()),
                  "long_intent": long.get("intent")["name"], "mismatch": mismatch}))
"""


def test_closing_sentences_are_a_second_view_a_short_message_is_its_own_tail(tmp_path):
    out = _run_in_rasa_env(CHECK_TAIL, tmp_path)
    assert out["widths"] == [768]  # the message's vector, then its closing sentences' vector
    assert out["short_halves_equal"] is True  # shorter than tail_chars: its own tail
    assert out["long_halves_equal"] is False
    assert out["long_intent"].startswith("request_")
    assert "do not split into 5 views" in out["mismatch"]
