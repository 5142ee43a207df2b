"""The parser process: the batched ingest parses in a child beside the encoder, with the same
attributions as in-process, and falls back to in-process parsing when the child fails or is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from parse_fakes import FailingExtractor, PidExtractor

import index.batch_ingest as batch_ingest
from index.embed import HashEmbedder, encoder_threads
from index.ingest import SpacyExtractor, ingest
from index.parse_worker import ParserProcess, ParserStopped
from index.segment import segment
from index.store import SentenceStore
from index.types import Article

TOWNS = ["Quetta", "Gwadar", "Turbat", "Sibi", "Zhob", "Chaman", "Loralai", "Kalat", "Kharan", "Panjgur", "Hub"]


def _articles(folder: Path, n: int = len(TOWNS)) -> Path:
    folder.mkdir()
    for i, town in enumerate(TOWNS[:n]):
        (folder / f"{i:02d}.txt").write_text(
            f"# Blast in {town}\n\nA blast hit the market in {town} on Tuesday. "
            f"\u201cWe will find those responsible,\u201d said Ali Khan, the police chief of {town}. "
            f"He said 4{i} people were hurt.\n"
        )
    return folder


def _pairs(n: int = 3) -> list[tuple[Article, list]]:
    articles = [Article(f"a{i}", f"t{i}", f"Ali Khan said {i} people were hurt. He said it again.") for i in range(n)]
    return [(a, segment(a)) for a in articles]


def test_the_child_extracts_what_this_process_would(tmp_path: Path) -> None:
    pairs = _pairs()
    with ParserProcess(SpacyExtractor()) as parser:
        assert parser.busy()  # starting
        found = parser.submit(pairs).result(timeout=120)
    assert found == SpacyExtractor(in_child=False).many(pairs)
    assert found[0][0][0].speaker == "Ali Khan"


def test_a_failure_in_the_child_fails_its_chunk_only() -> None:
    with ParserProcess(FailingExtractor()) as parser:
        bad = parser.submit([(Article("b", "bad", "It broke."), segment(Article("b", "bad", "It broke.")))])
        good = parser.submit(_pairs(1))
        with pytest.raises(RuntimeError, match="cannot parse the bad article"):
            bad.result(timeout=60)
        assert good.result(timeout=60)[0][1][0] != str(os.getpid())  # extracted in the child
        assert not parser.busy()


def test_a_dead_child_fails_what_is_pending_and_refuses_more() -> None:
    parser = ParserProcess(PidExtractor())
    parser.kill()
    with pytest.raises(ParserStopped):
        parser.submit(_pairs(1)).result(timeout=30)
    assert not parser.busy()


def test_the_ingest_parses_in_the_child_with_the_same_attributions(tmp_path: Path) -> None:
    folder = _articles(tmp_path / "articles")
    here = SentenceStore(tmp_path / "here", HashEmbedder())
    ingest(here, [folder], extractor=SpacyExtractor(in_child=False))
    child = SentenceStore(tmp_path / "child", HashEmbedder())
    report = ingest(child, [folder], extractor=SpacyExtractor())
    assert len(report.added) == len(TOWNS) and not report.failed
    assert child.attributions() == here.attributions()
    assert all(a.speaker.startswith("Ali Khan") for a in child.attributions())
    assert len(child.attributions()) == 2 * len(TOWNS)


def test_more_than_one_chunk_goes_to_the_child_and_a_failed_chunk_is_parsed_here(tmp_path: Path) -> None:
    folder = _articles(tmp_path / "articles")
    (folder / "00.txt").write_text("# bad\n\nThis article cannot be parsed in the child.\n")
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    report = ingest(store, [folder], extractor=FailingExtractor())
    # the bad article's chunk failed in the child, then in this process: only that article fails
    assert len(report.added) == len(TOWNS) - 1 and [r for _p, r in report.failed] == ["ValueError: cannot parse the bad article"]
    by_title = {info.title: info.id for info in store.articles()}
    speakers = store.speakers((i, 0) for i in by_title.values())
    first = {speakers[(by_title[f"Blast in {t}"], 0)] for t in TOWNS[1:8]}
    second = {speakers[(by_title[f"Blast in {t}"], 0)] for t in TOWNS[8:]}
    assert first == {str(os.getpid())}  # the failed chunk's good articles, parsed here
    assert len(second) == 1 and second != first  # the next chunk, parsed in the child


def test_one_chunk_or_a_child_that_cannot_start_parses_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SentenceStore(tmp_path / "one", HashEmbedder())
    ingest(store, [_articles(tmp_path / "few", 3)], extractor=PidExtractor())
    assert set(store.speakers((a.id, 0) for a in store.articles()).values()) == {str(os.getpid())}

    def cannot_start(_extractor: object) -> None:
        raise OSError("no processes here")

    monkeypatch.setattr(batch_ingest, "ParserProcess", cannot_start)
    store = SentenceStore(tmp_path / "many", HashEmbedder())
    report = ingest(store, [_articles(tmp_path / "articles")], extractor=PidExtractor())
    assert len(report.added) == len(TOWNS)
    assert set(store.speakers((a.id, 0) for a in store.articles()).values()) == {str(os.getpid())}


def test_a_child_that_dies_mid_ingest_leaves_the_rest_to_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = batch_ingest._store_chunk
    killed: list[bool] = []

    def store_then_kill(chunk, vectors, store_many, failed, meter) -> None:  # type: ignore[no-untyped-def]
        real(chunk, vectors, store_many, failed, meter)
        if not killed:
            killed.append(True)
            parsers[0].kill()

    parsers: list[ParserProcess] = []
    monkeypatch.setattr(batch_ingest, "ParserProcess", lambda e: parsers.append(ParserProcess(e)) or parsers[0])
    monkeypatch.setattr(batch_ingest, "_store_chunk", store_then_kill)
    monkeypatch.setattr(batch_ingest, "CHUNK_ARTICLES", 2)
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    report = ingest(store, [_articles(tmp_path / "articles")], extractor=PidExtractor())
    assert len(report.added) == len(TOWNS) and not report.failed
    pids = set(store.speakers((a.id, 0) for a in store.articles()).values())
    assert str(os.getpid()) in pids and len(pids) == 2  # the child's chunks, then this process's


def test_an_interrupted_ingest_stops_the_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Stop(BaseException):
        pass

    parsers: list[ParserProcess] = []
    monkeypatch.setattr(batch_ingest, "ParserProcess", lambda e: parsers.append(ParserProcess(e)) or parsers[0])
    real = batch_ingest._embed
    calls: list[int] = []

    def embed(store, chunk, busy=None):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise Stop  # Ctrl-C while the second chunk is encoded
        return real(store, chunk, busy)

    monkeypatch.setattr(batch_ingest, "_embed", embed)
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    with pytest.raises(Stop):
        ingest(store, [_articles(tmp_path / "articles")], extractor=PidExtractor())
    assert parsers and not parsers[0].alive()  # the child is gone
    assert len(store.articles()) == batch_ingest.CHUNK_ARTICLES  # the first chunk was stored


def test_a_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """multiprocessing's spawn would re-run such a script in its child; ours never does."""
    folder = _articles(tmp_path / "articles")
    script = tmp_path / "plain.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path[:0] = {[p for p in sys.path if p]!r}
        from index.embed import HashEmbedder
        from index.ingest import ingest
        from index.store import SentenceStore
        from parse_fakes import PidExtractor
        print("ran", flush=True)
        store = SentenceStore({str(tmp_path / "idx")!r}, HashEmbedder())
        print(ingest(store, [{str(folder)!r}], extractor=PidExtractor()).summary().splitlines()[0])
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines() == ["ran", f"{len(TOWNS)} added, 0 unchanged, 0 replaced, 0 failed"]


def test_encoder_threads_restores_the_count() -> None:
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    with encoder_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with encoder_threads(None):
        assert torch.get_num_threads() == before


def test_the_child_exits_when_the_ingest_process_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path[:0] = {[p for p in sys.path if p]!r}
        from index.parse_worker import ParserProcess
        from parse_fakes import PidExtractor
        parser = ParserProcess(PidExtractor())
        print(parser.pid, flush=True)
        time.sleep(300)
    """))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{child}/stat") as stat:  # a zombie (exited, not yet reaped) counts as gone
                if stat.read().split(")")[-1].split()[0] == "Z":
                    return
        except FileNotFoundError:
            return
        time.sleep(0.2)
    raise AssertionError("the parser process outlived the killed ingest")


class _Refusing(HashEmbedder):
    """Fails on any batch holding a sentence about Sibi (the encoder ran out of memory, say)."""

    def embed(self, texts):  # type: ignore[no-untyped-def]
        if any("Sibi" in t for t in texts):
            raise MemoryError("no room for Sibi")
        return super().embed(texts)


@pytest.mark.parametrize("extractor", [PidExtractor(), lambda article, sentences: ([], {})], ids=["child", "here"])
def test_a_chunk_the_encoder_fails_on_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extractor: object) -> None:
    monkeypatch.setattr(batch_ingest, "CHUNK_ARTICLES", 2)  # Sibi (4th) shares its chunk with Turbat
    store = SentenceStore(tmp_path / "idx", _Refusing())
    report = ingest(store, [_articles(tmp_path / "articles")], extractor=extractor)  # type: ignore[arg-type]
    assert sorted(Path(p).name for p, _r in report.failed) == ["02.txt", "03.txt"]
    assert {r for _p, r in report.failed} == {"MemoryError: no room for Sibi"}
    assert len(report.added) == len(TOWNS) - 2


def test_a_refresh_parses_in_the_child_too_and_keeps_what_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from index.ingest import refresh_attributions

    monkeypatch.setattr(batch_ingest, "CHUNK_ARTICLES", 2)
    folder = _articles(tmp_path / "articles")
    (folder / "05.txt").write_text("# bad\n\nThis article cannot be parsed.\n")
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    ingest(store, [folder], extractor=lambda article, sentences: ([], {0: "before"}))
    ids = {info.title: info.id for info in store.articles()}
    done = refresh_attributions(store, FailingExtractor(), "v2")
    assert sorted(done) == sorted(i for title, i in ids.items() if title != "bad")
    speakers = store.speakers((i, 0) for i in ids.values())
    assert speakers[(ids["bad"], 0)] == "before"  # its old attributions stay
    pids = {speakers[(i, 0)] for title, i in ids.items() if title != "bad"}
    assert pids - {str(os.getpid())}  # the child refreshed some
    assert store.meta("extractor") == "v2"
