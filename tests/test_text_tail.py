"""bot/components/text_tail.py: the closing sentences a long mail is also encoded by (issue #3)."""

from bot.components.text_tail import tail

STORY = (
    "Hej, vi flyttade till Umeå i våras och bredbandet har krånglat sedan dess. "
    "Teknikern kom två gånger och bytte routern, och nu fungerar det äntligen. "
    "Fakturan för maj var dessutom dubbel, men det har kundtjänst redan rättat. "
    "Nu till saken: jag vill att ni raderar alla uppgifter ni har om min gamla adress. "
    "Tack på förhand, Maja"
)


def test_a_short_message_is_its_own_tail() -> None:
    assert tail("radera mig", 500) == "radera mig"
    assert tail(STORY, len(STORY)) == STORY


def test_a_long_message_ends_in_its_last_whole_sentences() -> None:
    closing = tail(STORY, 120)
    assert closing == (
        "Nu till saken: jag vill att ni raderar alla uppgifter ni har om min gamla adress. "
        "Tack på förhand, Maja"
    )
    assert len(closing) <= 120
    assert STORY.endswith(closing)


def test_one_sentence_is_kept_even_when_it_is_longer_than_the_limit() -> None:
    assert tail(STORY, 15) == "Tack på förhand, Maja"


def test_text_without_full_stops_is_cut_to_twice_the_limit() -> None:
    words = "ord " * 400
    closing = tail(words, 100)
    assert len(closing) == 200
    assert words.rstrip().endswith(closing.rstrip())
