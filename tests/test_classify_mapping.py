"""How a Rasa parse becomes a request type (unit level; the real model is tested in tests/e2e)."""

from privacydesk.classify import interpret


def test_request_intents_map_to_types_and_the_rest_to_other() -> None:
    parse = {
        "intent": {"name": "nlu_fallback", "confidence": 0.2},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.2},
            {"name": "request_erasure", "confidence": 0.18},
            {"name": "greet", "confidence": 0.1},
        ],
        "entities": [{"entity": "language", "value": "en"}],
    }
    result = interpret(parse)
    assert (result.request_type, result.confidence, result.language) == ("erasure", 0.18, "en")


def test_non_request_intent_is_other_and_language_defaults_to_swedish() -> None:
    parse = {"intent_ranking": [{"name": "customer_service", "confidence": 0.9}], "entities": []}
    result = interpret(parse)
    assert (result.request_type, result.language) == ("other", "sv")
