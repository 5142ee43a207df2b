"""The web app in a real browser: Debian's Chromium driven by Playwright against the app started
here on 127.0.0.1 (over the test assistant: hash embedder, stand-in extractor, extractive answers).

The browser, the app's process and the screenshots are fixtures of tests/ui/conftest.py.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "samples" / "balochistan-ians-2026-02-04.txt"
BLA = "Who claimed that at least 280 Pakistani personnel were killed?"
BLA_SENTENCE = "has claimed that it killed at least 280 Pakistani personnel"

pytestmark = pytest.mark.app

SECOND = """date 2026-03-01 Gwadar, Mar 1 (Reuters) Port workers in Gwadar stopped loading ships on Monday in a strike over three months of unpaid wages.

The union leader, Amina Baloch, said that the harbour authority owed each worker about 90,000 rupees. The authority has not commented.

Shipping agents said that four cargo vessels were waiting outside the harbour.
"""

HOSTILE = """<script>window.__pwned = 'title'</script> Harbour <img src=x onerror="window.__pwned='img'"> report
date 2026-03-02 The harbour master said that <script>window.__pwned = 'body'</script> the cranes were idle.

A clerk said that <img src=x onerror="window.__pwned='onerror'"> the ledgers were missing, **bold** [1](javascript:alert(1)).
"""


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ui-browser")


@pytest.fixture(scope="module")
def app_url(out_dir: Path, start_app: Any) -> Iterator[str]:
    """The app over the sample article (SOURCED_TEST_APP_URL: use an app already running there,
    while working on these tests)."""
    if os.environ.get("SOURCED_TEST_APP_URL"):
        yield os.environ["SOURCED_TEST_APP_URL"]
        return
    with start_app(out_dir, SAMPLE) as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url: str, browser: Any, new_page: Any) -> Iterator[Any]:
    page = new_page(browser)
    page.goto(app_url, wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea")
    yield page
    page.close()


@pytest.fixture
def ask(chat_ui: Any) -> Any:
    return chat_ui.ask


@pytest.fixture
def pick(chat_ui: Any) -> Any:
    return chat_ui.pick


def upload(page: Any, path: Path, text: str) -> None:
    """Add one file in the Library tab and wait for its "added" line."""
    path.write_text(text, encoding="utf-8")
    page.click("button[role=tab]:has-text('Library')")
    page.set_input_files("input[type=file]", [str(path)])
    page.click("#add-articles")
    page.wait_for_selector(f"#ingest-results tr.added:has-text('{path.name}')")
    assert page.locator("#ingest-results tbody tr").count() == 1  # files added before are not added again


def test_a_citation_chip_opens_the_sentence_marked_in_its_article(page: Any, out_dir: Path, shot: Any, ask: Any) -> None:
    answer = ask(page, BLA)
    chip = page.locator("#chat .answer a.cite").last
    assert chip.inner_text().strip() == "1"
    assert "IANS" in answer.inner_text() and "2026-02-04" in answer.inner_text()  # source and date
    chip.click()
    mark = page.locator("#source-view mark.focus")
    mark.wait_for()
    assert BLA_SENTENCE in mark.inner_text()
    assert mark.evaluate("m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    shot(page, out_dir, "1-bla-answer-and-source.png")


def test_a_follow_up_shows_the_question_it_was_understood_as(page: Any, out_dir: Path, shot: Any, ask: Any) -> None:
    ask(page, "What did Khawaja Asif admit?")
    ask(page, "What else did he say?")
    assert "What else did Khawaja Asif say?" in page.locator("#chat .understood").last.inner_text()
    page.locator("#chat .answer a.cite").last.click()
    page.wait_for_function("document.querySelector('#source-view mark.focus')?.innerText.includes('need to deploy')")
    shot(page, out_dir, "2-follow-up.png")


def test_a_refusal_is_styled_and_its_notes_are_folded(page: Any, out_dir: Path, shot: Any, ask: Any) -> None:
    answer = ask(page, "Quantum chromodynamics lattice gluon mass?")  # no word in common with the article
    assert answer.evaluate("e => e.classList.contains('refusal')") and "Not in the articles" in answer.inner_text()
    notes = page.locator("#chat details.notes").last
    assert notes.locator("summary").inner_text().startswith("Notes (")
    assert not notes.evaluate("d => d.open") and not notes.locator("li").first.is_visible()
    shot(page, out_dir, "3-refusal.png")


def test_upload_ask_and_delete_a_second_article(page: Any, out_dir: Path, shot: Any, ask: Any, pick: Any) -> None:
    upload(page, out_dir / "gwadar-strike.txt", SECOND)
    assert "gwadar-strike.txt" in page.inner_text("#ingest-results")
    page.wait_for_function("document.querySelector('#article-list').innerText.includes('Port workers in Gwadar')")
    shot(page, out_dir, "4-library-after-upload.png")

    answer = ask(page, "Who said the harbour authority owed each worker 90,000 rupees?")
    assert "Amina Baloch" in answer.inner_text() and "Port workers in Gwadar" in answer.inner_text() and "2026-03-01" in answer.inner_text()
    shot(page, out_dir, "5-answer-from-uploaded-article.png")

    page.click("button[role=tab]:has-text('Library')")
    page.fill("#title-search input, #title-search textarea", "gwadar")
    page.wait_for_function("!document.querySelector('#article-list').innerText.includes('Balochistan')")
    pick(page, "#delete-choice", "Port workers in Gwadar")
    page.click("#delete")
    page.wait_for_function("document.body.innerText.includes('Deleted “Port workers in Gwadar')")
    page.fill("#title-search input, #title-search textarea", "")
    page.wait_for_function("document.querySelector('#article-list').innerText.includes('Balochistan')")
    assert "Gwadar" not in page.inner_text("#article-list")
    shot(page, out_dir, "6-library-after-delete.png")


def test_the_claims_browser_lists_khawaja_asif_and_opens_the_source(page: Any, out_dir: Path, shot: Any, pick: Any) -> None:
    page.click("button[role=tab]:has-text('Claims')")
    page.wait_for_selector("#claims-table td:has-text('Khawaja Asif')")
    pick(page, "#speaker-filter", "Khawaja Asif")
    page.wait_for_function("!document.querySelector('#claims-table').innerText.includes('Balochistan Liberation Army')")
    rows = page.locator("#claims-table tbody tr")
    assert rows.count() >= 2 and all("Khawaja Asif" in t for t in rows.all_inner_texts())
    assert "handicapped" in page.inner_text("#claims-table")
    rows.first.locator("a.cite").click()
    page.wait_for_function("document.querySelector('#source-view mark.focus')?.innerText.includes('handicapped')")
    shot(page, out_dir, "7-claims-browser.png")


def test_an_article_with_script_and_onerror_shows_as_text_and_runs_nothing(page: Any, out_dir: Path, shot: Any, ask: Any) -> None:
    upload(page, out_dir / "hostile.txt", HOSTILE)
    page.wait_for_function("document.querySelector('#article-list').innerText.includes('<script>')")
    answer = ask(page, "What did the clerk say about the ledgers?")
    assert "<img src=x onerror=" in answer.inner_text()
    page.locator("#chat .answer a.cite").last.click()
    page.wait_for_function("document.querySelector('#source-view mark.focus')?.innerText.includes('onerror')")
    view = page.inner_text("#source-view")
    assert "<script>window.__pwned = 'title'</script>" in view and "<script>window.__pwned = 'body'</script>" in view
    page.click("button[role=tab]:has-text('Claims')")
    page.wait_for_selector("#claims-table td:has-text('A clerk')")
    shot(page, out_dir, "8-hostile-article-as-text.png")
    time.sleep(1)  # give a broken image's onerror the chance to fire
    assert page.evaluate("window.__pwned") is None and page.dialogs == []
    injected = "#source-view img, #source-view script, #chat img[src='x'], #claims-table img, #article-list img"
    assert page.locator(injected).count() == 0


def test_api_ask_from_two_threads_keeps_their_histories_apart(app_url: str) -> None:
    from gradio_client import Client

    asif = [["What did Khawaja Asif admit?", "Khawaja Asif admitted that the forces were handicapped [1]."]]
    results: dict[str, Any] = {}

    def call(name: str, question: str, history: list[Any]) -> None:
        results[name] = Client(app_url, verbose=False).predict(question, history, api_name="/ask")

    threads = [threading.Thread(target=call, args=("asif", "What else did he say?", asif)),
               threading.Thread(target=call, args=("bla", BLA, []))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results["asif"]["standalone_question"] == "What else did Khawaja Asif say?"
    assert any("need to deploy" in c["sentence"] for c in results["asif"]["citations"])
    assert results["bla"]["standalone_question"] == BLA
    assert any(BLA_SENTENCE in c["sentence"] for c in results["bla"]["citations"])
    assert set(results["bla"]) >= {"answer", "refused", "citations", "notes", "generator"}

    client = Client(app_url, verbose=False)
    claims = client.predict("Khawaja Asif", "", api_name="/claims")
    assert list(claims) == ["Khawaja Asif"] and claims["Khawaja Asif"][0]["article_id"]
    titles = [a["title"] for a in client.predict("", api_name="/articles")]
    assert any("Balochistan" in t for t in titles)
