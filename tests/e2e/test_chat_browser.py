"""The customers' chat page in a real browser (Debian's chromium), talking to the real stack."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import RunningStack
from workflows import transcript
from workflows.db import session_scope

pytestmark = [pytest.mark.rasa, pytest.mark.browser]


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail(
            "Debian's chromium and chromium-driver are needed: apt-get install chromium chromium-driver"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="privacydesk-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def bot_messages(browser: WebDriver) -> list[str]:
    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#log li.bot p")]


def send(browser: WebDriver, text: str) -> str:
    seen = len(bot_messages(browser))
    box = browser.find_element(By.ID, "message")
    box.send_keys(text)
    browser.find_element(By.ID, "send").click()
    WebDriverWait(browser, 60).until(lambda b: len(bot_messages(b)) > seen)
    return "\n".join(bot_messages(browser)[seen:])


def click_choice(browser: WebDriver, title: str) -> str:
    seen = len(bot_messages(browser))
    buttons = [
        b for b in browser.find_elements(By.CSS_SELECTOR, "#log li.bot button.choice") if b.text == title
    ]
    assert buttons, f"no button {title!r}"
    buttons[-1].click()
    WebDriverWait(browser, 60).until(lambda b: len(bot_messages(b)) > seen)
    return "\n".join(bot_messages(browser)[seen:])


def test_access_request_from_the_chat_page(stack: RunningStack, browser: WebDriver) -> None:
    browser.get(f"{stack.console_url}/chat")
    # R-T6: the reference and D1 come at once, then the questions.
    first = send(browser, "Hej, jag vill ha ett registerutdrag")
    reference = re.search(r"DSR-\d{4}-\d{6}", first)
    assert reference and "svarar senast" in first and "Vad heter du" in first, first
    assert "folkbokföringsadress" in send(browser, "Maja Lindgren, 811218-9876")
    assert "telefonnummer" in send(browser, "Storgatan 12, 411 38 Göteborg")
    assert "kundnummer" in send(browser, "maja.lindgren@example.se")
    assert "bolag" in click_choice(browser, "Vet inte")
    assert "Vilka uppgifter" in send(browser, "KomTeknik Mobil AB")
    assert "post" in click_choice(browser, "Alla uppgifter")
    assert "formulär" in click_choice(browser, "Post")
    answer = click_choice(browser, "Nej")
    assert reference.group() in answer and "svarar senast" in answer, answer
    browser.save_screenshot(str(stack.logs / "chat.png"))

    # The staff console lists the new case.
    browser.get(stack.console_url + "/")
    assert reference.group() in browser.find_element(By.ID, "cases").text

    # The transcript is kept on the case, with the personnummer masked (R-F4).
    with session_scope(stack.database_url) as session:
        lines = transcript.transcript(session, reference.group())
    texts = [line.body_text for line in lines]
    assert texts[0] == "Hej, jag vill ha ett registerutdrag"
    assert "Maja Lindgren, 811218-****" in texts
    assert not any("9876" in text for text in texts)
    assert {line.direction.value for line in lines} == {"inbound", "outbound"}


def test_low_confidence_offers_the_five_requests_as_buttons(stack: RunningStack, browser: WebDriver) -> None:
    browser.get(f"{stack.console_url}/chat")
    send(browser, "/nlu_fallback")
    titles = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#log li.bot button.choice")]
    assert titles == [
        "Registerutdrag",
        "Rätta uppgifter",
        "Radera uppgifter",
        "Stoppa marknadsföring / återkalla samtycke",
        "Lämna klagomål",
    ]
    answer = click_choice(browser, "Radera uppgifter")
    assert re.search(r"DSR-\d{4}-\d{6}", answer), answer


def test_markup_in_chat_is_shown_as_text_not_run(stack: RunningStack, browser: WebDriver) -> None:
    browser.get(f"{stack.console_url}/chat")
    send(browser, "<img src=x onerror=\"document.title='pwned'\"> hej")
    shown = browser.find_elements(By.CSS_SELECTOR, "#log li.customer p")[-1].text
    assert "<img" in shown
    assert browser.title != "pwned"
    assert not browser.find_elements(By.CSS_SELECTOR, "#log img")


def test_an_agent_hands_a_conversation_back_from_the_staff_page(
    stack: RunningStack, browser: WebDriver
) -> None:
    browser.get(f"{stack.console_url}/chat")
    send(browser, "Jag vill prata med en människa")
    browser.get(stack.console_url + "/")
    # The newest hand-off (listed last) is this conversation's; other tests may have left theirs.
    button = browser.find_elements(By.CSS_SELECTOR, "#handoffs button.resolve")[-1]
    item_id = button.find_element(By.XPATH, "..").get_attribute("id")
    button.click()
    prompt = WebDriverWait(browser, 10).until(lambda b: b.switch_to.alert)
    prompt.send_keys("Anna")
    prompt.accept()
    WebDriverWait(browser, 30).until(lambda b: "Done." in b.find_element(By.ID, item_id).text)
    # Handed back: the hand-off is resolved and the bot answers the customer again.
    browser.get(stack.console_url + "/")
    assert item_id not in [
        e.get_attribute("id") for e in browser.find_elements(By.CSS_SELECTOR, "#handoffs li")
    ]
    browser.get(f"{stack.console_url}/chat")
    assert send(browser, "hej")
