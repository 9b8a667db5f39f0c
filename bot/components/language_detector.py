"""Rasa NLU component: tells Swedish from English, per message, as a `language` entity.

Runs inside Rasa's own environment (Python 3.10), so it uses the standard library only. It emits the
entity only on clear evidence: a bare personnummer or "ok" leaves the conversation's language as it was.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

SWEDISH = frozenset(
    """jag du ni vi han hon det den de mig dig oss er mina mitt min dina ditt din era ert och att som
    inte är har hade vill ska skulle kan kunna om på för med till från av eller men hej hejsan tack
    snälla vänligen uppgifter personuppgifter registerutdrag radera ta bort glöm glom ändra rätta
    fel vad vem varför hur när finns ett en alla allt mer mycket också bara sluta skicka vilka
    hälsningar mvh är ar pa fran ocksa nagon något någon mej dom era kund abonnemang""".split()
)
ENGLISH = frozenset(
    """you we he she it they me my mine your our the a an and or but to of in on for with from
    is are was were be been have has had want would could should can will please thanks thank hi
    hello dear data personal delete erase remove correct wrong what who why how when all any
    information request regards sincerely stop send do don't not this that these those""".split()
)
WORD = re.compile(r"[a-zåäöéü']+", re.IGNORECASE)


def detect_language(text: str) -> Optional[str]:
    """'sv', 'en', or None when the text gives no clear evidence."""
    written = WORD.findall(text)
    words = [w.lower() for w in written]
    # å/ä/ö count only in lower-case words: a capitalised one is usually a name ("Göteborg", "KomTeknik
    # Företag AB"), which an English speaker writes too.
    marked = sum(1 for w in written if w[:1].islower() and re.search("[åäö]", w))
    sv = sum(1 for w in words if w in SWEDISH) + 2 * marked
    en = sum(1 for w in words if w in ENGLISH)
    if sv == en:
        return None
    return "sv" if sv > en else "en"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            language = detect_language(text)
            if language is None:
                continue
            entity = {
                "entity": "language",
                "value": language,
                "start": 0,
                "end": len(text),
                "confidence": 1.0,
                "extractor": "LanguageDetector",
            }
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages
