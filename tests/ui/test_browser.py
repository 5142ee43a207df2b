"""The web app in a real browser: Debian's Chromium driven by Playwright against the app started
here on 127.0.0.1 (over the test assistant: hash embedder, stand-in extractor, extractive answers).

Screenshots go to the test's output folder and are copied to /tmp/ui-shots/ for a human to look at.
`make test` installs Chromium (apt-get) and sets SOURCED_REQUIRE_BROWSER, so there a missing
browser fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "samples" / "balochistan-ians-2026-02-04.txt"
CHROMIUM = Path(os.environ.get("SOURCED_CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path("/tmp/ui-shots")
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
def app_url(out_dir: Path, servers: Any) -> Iterator[str]:
    """The app in a child process on a free port of 127.0.0.1, stopped by its PID afterwards
    (SOURCED_TEST_APP_URL: use an app already running there, while working on these tests)."""
    if os.environ.get("SOURCED_TEST_APP_URL"):
        yield os.environ["SOURCED_TEST_APP_URL"]
        return
    port = servers.free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    url = f"http://127.0.0.1:{port}/"
    with (out_dir / "app.log").open("w") as log, servers.running(
        [sys.executable, str(ROOT / "tests" / "ui" / "serve.py"), str(out_dir / "data"), str(port), str(SAMPLE)],
        url, timeout=240, stdout=log, stderr=subprocess.STDOUT, env=env,
    ):  # fmt: skip
        yield url


@pytest.fixture(scope="module")
def page(app_url: str, out_dir: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("SOURCED_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test does it)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])  # fmt: skip
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)
        page.dialogs = []  # an alert() from article text would land here
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.goto(app_url, wait_until="domcontentloaded")
        page.wait_for_selector("#question textarea")
        yield page
        browser.close()


def shot(page: Any, out_dir: Path, name: str) -> None:
    path = out_dir / name
    page.screenshot(path=str(path))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / name)


def ask(page: Any, question: str) -> Any:
    """Ask in the chat tab; the last answer once its sources are in."""
    page.click("button[role=tab]:has-text('Chat')")
    answers = page.locator("#chat ol.sources, #chat .refusal")
    before = answers.count()
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(f"document.querySelectorAll('#chat ol.sources, #chat .refusal').length > {before}")
    return answers.nth(before)


def upload(page: Any, path: Path, text: str) -> None:
    """Add one file in the Library tab and wait for its "added" line."""
    path.write_text(text, encoding="utf-8")
    page.click("button[role=tab]:has-text('Library')")
    page.set_input_files("input[type=file]", [str(path)])
    page.click("#add-articles")
    page.wait_for_selector(f"#ingest-results tr.added:has-text('{path.name}')")
    assert page.locator("#ingest-results tbody tr").count() == 1  # files added before are not added again


def pick(page: Any, dropdown: str, label: str) -> None:
    page.click(f"{dropdown} input")
    page.locator("[role=listbox] [role=option]", has_text=label).first.click()


def test_a_citation_chip_opens_the_sentence_marked_in_its_article(page: Any, out_dir: Path) -> None:
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


def test_a_follow_up_shows_the_question_it_was_understood_as(page: Any, out_dir: Path) -> None:
    ask(page, "What did Khawaja Asif admit?")
    ask(page, "What else did he say?")
    assert "What else did Khawaja Asif say?" in page.locator("#chat .understood").last.inner_text()
    page.locator("#chat .answer a.cite").last.click()
    page.wait_for_function("document.querySelector('#source-view mark.focus')?.innerText.includes('need to deploy')")
    shot(page, out_dir, "2-follow-up.png")


def test_a_refusal_is_styled_and_its_notes_are_folded(page: Any, out_dir: Path) -> None:
    answer = ask(page, "Quantum chromodynamics lattice gluon mass?")  # no word in common with the article
    assert answer.evaluate("e => e.classList.contains('refusal')") and "Not in the articles" in answer.inner_text()
    notes = page.locator("#chat details.notes").last
    assert notes.locator("summary").inner_text().startswith("Notes (")
    assert not notes.evaluate("d => d.open") and not notes.locator("li").first.is_visible()
    shot(page, out_dir, "3-refusal.png")


def test_upload_ask_and_delete_a_second_article(page: Any, out_dir: Path) -> None:
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


def test_the_claims_browser_lists_khawaja_asif_and_opens_the_source(page: Any, out_dir: Path) -> None:
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


def test_an_article_with_script_and_onerror_shows_as_text_and_runs_nothing(page: Any, out_dir: Path) -> None:
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
