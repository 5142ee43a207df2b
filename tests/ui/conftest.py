"""Browser-test fixtures: Debian's Chromium driven by Playwright, the app started in a child process
on a free port of 127.0.0.1 (tests/ui/serve.py: the real app over the test assistant) and stopped
by its PID, and screenshots saved in the test's output folder and copied for a human to look at
(to $SOURCED_UI_SHOTS, /tmp/ui-shots by default).

`make test` installs Chromium (apt-get) and sets SOURCED_REQUIRE_BROWSER, so there a missing
browser fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = Path(os.environ.get("SOURCED_CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path(os.environ.get("SOURCED_UI_SHOTS", "/tmp/ui-shots"))

StartApp = Callable[..., AbstractContextManager[str]]


@pytest.fixture(scope="session")
def start_app(servers: Any) -> StartApp:
    """``with start_app(out_dir, *articles, auth="user:pass") as url``: the app on a free port of
    127.0.0.1 over a fresh index in ``out_dir/data`` holding ``articles``, its log in
    ``out_dir/app.log``; stopped by its PID on leaving. (Up in a minute alone; a shared, loaded
    machine has taken over five minutes to import Gradio and Chroma, hence the long timeout.)"""

    @contextmanager
    def start(out_dir: Path, *articles: Path, auth: str | None = None) -> Iterator[str]:
        port = servers.free_port()
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        url = f"http://127.0.0.1:{port}/"
        args: Sequence[str] = [sys.executable, str(ROOT / "tests" / "ui" / "serve.py"), str(out_dir / "data"),
                               str(port), *map(str, articles), *(["--auth", auth] if auth else [])]  # fmt: skip
        with (out_dir / "app.log").open("w") as log, servers.running(
            args, url, timeout=900, stdout=log, stderr=subprocess.STDOUT, env=env
        ):
            yield url

    return start


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's, never one downloaded by Playwright)."""
    if not CHROMIUM.exists():
        if os.environ.get("SOURCED_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test does it)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])  # fmt: skip
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def new_page() -> Callable[[Any], Any]:
    """``new_page(browser_or_context)``: a 1400×900 tab whose alert()s are recorded in ``page.dialogs``
    (tabs of one context share its cookies, e.g. a login)."""

    def make(owner: Any) -> Any:
        page = owner.new_page()
        page.set_viewport_size({"width": 1400, "height": 900})
        page.set_default_timeout(60_000)
        page.dialogs = []  # an alert() from article text would land here
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        return page

    return make


@pytest.fixture(scope="session")
def shot() -> Callable[[Any, Path, str], Path]:
    """``shot(page, out_dir, name)``: a screenshot in ``out_dir``, copied to :data:`SHOTS`."""

    def take(page: Any, out_dir: Path, name: str) -> Path:
        path = out_dir / name
        page.screenshot(path=str(path))
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS / name)
        return path

    return take


@pytest.fixture(scope="session")
def chat_ui() -> Any:
    """Helpers that drive the app's page (see :class:`ChatUI`)."""
    return ChatUI


class ChatUI:
    """What a user does on the page: ask in the Chat tab, pick from a dropdown."""

    @staticmethod
    def ask(page: Any, question: str) -> Any:
        """Ask in the chat tab; the last answer once its sources are in (or its refusal/error)."""
        page.click("button[role=tab]:has-text('Chat')")
        answers = page.locator("#chat ol.sources, #chat .refusal")
        before = answers.count()
        page.fill("#question textarea", question)
        page.click("#ask")
        page.wait_for_function(f"document.querySelectorAll('#chat ol.sources, #chat .refusal').length > {before}")
        return answers.nth(before)

    @staticmethod
    def pick(page: Any, dropdown: str, label: str) -> None:
        page.click(f"{dropdown} input")
        page.locator("[role=listbox] [role=option]", has_text=label).first.click()
