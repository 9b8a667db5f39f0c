"""The closing sentences of a long message, encoded as a second sentence vector (sentence_featurizer.py).

Why: a customer's e-mail often tells its story first and asks last ("... so please delete everything
you have on me"). One vector of the whole mail is mostly the story, and in our data long stories are
mostly complaints: held out by file, long access, rectification and erasure mails were read as
complaints a third of the time. A second vector of the mail's last sentences lets the classifier weigh
the request itself. It also reads the end of a mail longer than the encoder's 2,000-character window.

Pure and free of Python 3.11 syntax: the probe (scripts/compare_encoders.py) runs it in Rasa's Python.
"""

from __future__ import annotations

import re

# A sentence ends at ., ! or ? followed by white space.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def tail(text: str, limit: int) -> str:
    """The last whole sentences of ``text`` that fit in ``limit`` characters; a text that fits is itself.

    At least one sentence is kept; one longer than ``2 * limit`` is cut to its last ``2 * limit``
    characters (a mail without full stops)."""
    if len(text) <= limit:
        return text
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    picked: list[str] = []
    for sentence in reversed(sentences):
        if picked and len(" ".join([sentence, *picked])) > limit:
            break
        picked.insert(0, sentence)
    return " ".join(picked)[-2 * limit :]
