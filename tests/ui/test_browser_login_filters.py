"""The app behind a login (``--auth user:pass``) and the Settings tab's filters, in a real browser.

One app on 127.0.0.1 with two articles about one strike from two sources and years
(tests/fixtures/ui/two-sources.jsonl): cnn.com (2022-06-01) and theweek.co.uk (2023-01-05).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TWO_SOURCES = Path(__file__).resolve().parent.parent / "fixtures" / "ui" / "two-sources.jsonl"
CNN, WEEK = "Port workers strike in Gwadar", "Gwadar port strike ends"
UNION = "What did the union leader say about the harbour authority?"
USER, PASSWORD = "ana", "s3cret-13"

pytestmark = pytest.mark.app


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ui-login-filters")


@pytest.fixture(scope="module")
def app_url(out_dir: Path, start_app: Any) -> Iterator[str]:
    """The app over the two articles, behind the login (SOURCED_TEST_LOGIN_APP_URL: use one already
    running so, while working on these tests)."""
    if os.environ.get("SOURCED_TEST_LOGIN_APP_URL"):
        yield os.environ["SOURCED_TEST_LOGIN_APP_URL"]
        return
    with start_app(out_dir, TWO_SOURCES, auth=f"{USER}:{PASSWORD}") as url:
        yield url


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    """One cookie jar: a tab opened after the login is logged in too."""
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture(scope="module")
def page(context: Any, new_page: Any, app_url: str) -> Iterator[Any]:
    page = new_page(context)
    page.goto(app_url, wait_until="domcontentloaded")
    yield page
    page.close()


def log_in(page: Any, user: str, password: str) -> None:
    page.fill("input[data-testid=textbox]", user)
    page.fill("input[type=password]", password)
    page.click("button:has-text('Login')")


def test_the_login_refuses_a_wrong_password_and_the_right_one_reaches_the_chat(
    page: Any, out_dir: Path, shot: Any, chat_ui: Any
) -> None:
    page.wait_for_selector("input[type=password]")
    assert page.locator("#question").count() == 0
    shot(page, out_dir, "10-login-form.png")
    log_in(page, USER, "wrong")
    page.wait_for_selector("text=Incorrect Credentials")
    assert page.locator("#question").count() == 0 and page.locator("input[type=password]").is_visible()
    shot(page, out_dir, "11-login-refused.png")
    log_in(page, USER, PASSWORD)
    page.wait_for_selector("#question textarea")
    answer = chat_ui.ask(page, UNION)
    assert "The union leader said that the harbour authority" in answer.inner_text()
    assert CNN in answer.inner_text() and WEEK in answer.inner_text()  # no filter yet: both articles
    shot(page, out_dir, "12-logged-in-answer.png")


def test_gradio_client_calls_ask_only_with_the_login(app_url: str) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    with pytest.raises(AuthenticationError):
        Client(app_url, verbose=False)
    with pytest.raises(ValueError, match="Could not login"):
        Client(app_url, auth=(USER, "wrong"), verbose=False)
    client = Client(app_url, auth=(USER, PASSWORD), verbose=False)
    answer = client.predict(UNION, [], api_name="/ask")
    assert {c["title"] for c in answer["citations"]} == {CNN, WEEK} and "filters" not in answer
    answer = client.predict(UNION, [], ["theweek.co.uk"], "2023", api_name="/ask")
    assert {c["title"] for c in answer["citations"]} == {WEEK}
    assert answer["filters"]["sources"] == ["theweek.co.uk"] and answer["filters"]["since"] == "2023"


def test_a_source_filter_keeps_the_answer_to_that_source(page: Any, out_dir: Path, shot: Any, chat_ui: Any) -> None:
    page.click("button[role=tab]:has-text('Settings')")
    chat_ui.pick(page, "#filter-sources", "theweek.co.uk")
    page.wait_for_selector("#filter-status:has-text('filtered: source=theweek.co.uk')")
    shot(page, out_dir, "13-settings-source-filter.png")
    answer = chat_ui.ask(page, UNION)
    assert page.locator("#chat .filtered").last.inner_text() == "filtered: source=theweek.co.uk"
    assert "had paid the wages" in answer.inner_text() and WEEK in answer.inner_text()
    assert CNN not in answer.inner_text() and "cnn.com" not in answer.inner_text()
    assert "filtered: source=theweek.co.uk" in page.inner_text("#chat-filters")  # said before asking, too
    page.locator("#chat .answer a.cite").last.click()
    page.wait_for_function("document.querySelector('#source-view mark.focus')?.innerText.includes('had paid the wages')")
    shot(page, out_dir, "14-filtered-answer.png")


def test_another_tab_keeps_its_own_filters(context: Any, new_page: Any, app_url: str, chat_ui: Any) -> None:
    other = new_page(context)
    other.goto(app_url, wait_until="domcontentloaded")
    other.wait_for_selector("#question textarea")  # logged in by the first tab's cookie
    answer = chat_ui.ask(other, UNION)
    assert CNN in answer.inner_text() and WEEK in answer.inner_text()
    assert other.locator("#chat .filtered").count() == 0
    other.close()


def test_an_invalid_date_shows_its_message_not_a_traceback(page: Any, out_dir: Path, shot: Any, chat_ui: Any) -> None:
    message = 'Since: write dates as YYYY, YYYY-MM or YYYY-MM-DD (like 2022 or 2022-06-30), not "June 2022".'
    page.click("button[role=tab]:has-text('Settings')")
    since = page.locator("#filter-since input, #filter-since textarea").first
    since.fill("June 2022")
    since.press("Tab")  # checked when the field is left
    page.wait_for_selector("#filter-status .filter-error")
    assert page.inner_text("#filter-status").strip() == message
    shot(page, out_dir, "15-invalid-date-in-settings.png")
    answer = chat_ui.ask(page, UNION)
    assert answer.evaluate("e => e.classList.contains('refusal')") and message in answer.inner_text()
    assert message in page.inner_text("#chat-filters") and "Traceback" not in page.inner_text("body")
    shot(page, out_dir, "16-invalid-date-in-chat.png")
