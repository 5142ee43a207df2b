"""20 chat sessions at once (threads through the Python API) with an ingest running beside them:
no errors, no cross-talk between histories, and the same answers as one after the other."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from tests.conftest import GARDEN, SAMPLE
from tests.conftest import TWO_TURN_CHATS as QUESTIONS

pytestmark = pytest.mark.integration



def _turns(assistant: Assistant, questions: tuple[str, str]) -> list[tuple[str, str, list[str]]]:
    chat = assistant.chat()
    turns = []
    for q in questions:
        answer = chat.ask(q)
        turns.append((q, answer.text, [c.sentence for c in answer.citations]))
    assert [q for q, _ in chat.history] == list(questions)  # this session's own turns, in order
    return turns


def test_twenty_sessions_beside_an_ingest_match_the_sequential_run(tmp_path: Path) -> None:
    assistant = Assistant.open(tmp_path / "data", Settings(generator="extractive"))
    assistant.add([SAMPLE])
    sessions = [QUESTIONS[i % len(QUESTIONS)] for i in range(20)]
    sequential = [_turns(assistant, qs) for qs in sessions]

    garden = tmp_path / "garden"
    garden.mkdir()
    for n in range(6):
        (garden / f"garden-{n}.txt").write_text(GARDEN.format(n=n) * 3, encoding="utf-8")
    start = threading.Barrier(21)
    reports = []

    def ingest_beside() -> None:
        start.wait()
        reports.append(assistant.add([garden]))

    def session(qs: tuple[str, str]) -> list[tuple[str, str, list[str]]]:
        start.wait()
        return _turns(assistant, qs)

    with ThreadPoolExecutor(max_workers=21) as pool:
        ingesting = pool.submit(ingest_beside)
        futures = [pool.submit(session, qs) for qs in sessions]
        concurrent = [f.result(timeout=600) for f in futures]  # re-raises any error of a session
        ingesting.result(timeout=600)

    assert len(reports[0].added) == 6 and not reports[0].failed
    assert concurrent == sequential
