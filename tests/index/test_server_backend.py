"""Server mode: a real ``chroma run`` on 127.0.0.1 shared by two members, each with its own data dir."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant import Settings
from index.embed import HashEmbedder
from index.errors import StoreError
from index.store import SentenceStore

pytestmark = pytest.mark.slow

ASIF = ("Even Pakistan’s Defence Minister, Khawaja Asif, admitted that the Pakistani security forces were "
        "handicapped against the Baloch rebels.")  # fmt: skip


def _chroma() -> str:
    found = Path(sys.executable).with_name("chroma")
    if found.exists():
        return str(found)
    path = shutil.which("chroma")
    if path is None:  # pragma: no cover - chromadb installs it
        pytest.fail("the `chroma` command (chromadb's CLI) is not installed in this venv")
    return path


@pytest.fixture(scope="module")
def chroma_port(servers: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    port = servers.free_port()
    args = [_chroma(), "run", "--path", str(tmp_path_factory.mktemp("chroma-server")),
            "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    with servers.running(args, f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=60, **quiet) as proc:
        yield port
        assert proc.poll() is None  # still up when the tests end; `running` stops it by its PID


def test_two_members_share_one_server(chroma_port: int, shared_member: Any, tmp_path: Path, sample_path: Path) -> None:
    alice = shared_member(tmp_path / "alice", chroma_port, "team")
    (article_id,) = alice.add([sample_path]).added
    assert not (tmp_path / "alice" / "index" / "chroma").exists()  # the vectors are on the server
    answer = alice.ask("How many fighters did the BLA lose?")
    assert not answer.refused and "35" in answer.text

    bob = shared_member(tmp_path / "bob", chroma_port, "team")  # another data dir: adopts alice's article
    assert [a.id for a in bob.articles()] == [article_id] and bob.store.count() == 33
    who = bob.ask("Who admitted that the security forces were handicapped?")
    assert who.generator == "attribution" and [c.sentence for c in who.citations] == [ASIF]
    assert not bob.ask("How many fighters did the BLA lose?").refused  # BM25 + passages rebuilt from the pull

    alice.remove(article_id)
    assert alice.store.collection.count() == 0  # vectors gone from the server
    assert bob.ask("What did the BLA claim?").refused  # bob's next search pulls the removal
    assert bob.articles() == [] and bob.store.count() == 0
    assert alice.add([sample_path]).added == [article_id]  # and back: bob sees it again
    assert not bob.ask("How many fighters did the BLA lose?").refused  # and bob sees it again
    assert [a.id for a in bob.articles()] == [article_id]


def test_a_member_with_another_embedder_is_refused(chroma_port: int, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, store_backend="server", chroma_port=chroma_port, chroma_collection="dims")
    SentenceStore(tmp_path / "a", HashEmbedder(), settings.backend)
    with pytest.raises(StoreError, match="dim"):
        SentenceStore(tmp_path / "b", HashEmbedder(dim=64), settings.backend)


def test_an_unreachable_server_says_how_to_start_one(servers: Any, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, store_backend="server", chroma_port=servers.free_port())
    with pytest.raises(StoreError, match="chroma run --path"):
        SentenceStore(settings.index_dir, HashEmbedder(), settings.backend)


def test_server_mode_passes_the_consistency_checks_and_repairs_only_its_own_orphans(
    chroma_port: int, shared_member: Any, tmp_path: Path, sample_path: Path
) -> None:
    from index.consistency import problems
    from index.types import Article, Sentence

    alice = shared_member(tmp_path / "alice", chroma_port, "checks")
    alice.add([sample_path])
    assert problems(alice.store) == []
    # bob's add is in flight: his vectors are on the server, his record is not (yet)
    bob = SentenceStore(tmp_path / "bob" / "index", alice.store.embedder, alice.store.backend)
    text = "Bob wrote this. It is not published yet."
    pending = Article("pending", "", text)
    bob.add(pending, [Sentence("pending", 0, 0, 15, "Bob wrote this."), Sentence("pending", 1, 16, 40, text[16:])])
    bob.shared.retract("pending")  # type: ignore[union-attr]  # as if bob died before his record
    bob.forget_local("pending")
    assert problems(alice.store) == []  # another member's vectors are not alice's problem
    again = SentenceStore(tmp_path / "alice" / "index", alice.store.embedder, alice.store.backend)
    assert again.repairs == [] and len(again.collection.get(where={"article_id": "pending"})["ids"]) == 2
    reopened = SentenceStore(tmp_path / "bob" / "index", bob.embedder, bob.backend)  # bob's own orphans: his to delete
    assert reopened.repairs == ["deleted 2 vectors of articles that were never committed"]
    assert reopened.collection.get(where={"article_id": "pending"})["ids"] == []
    assert problems(reopened) == [] and problems(again) == []


def _two_sentences(aid: str) -> tuple[Any, list[Any]]:
    from index.types import Article, Sentence

    text = f"{aid} reported rain. Roads in {aid} closed."
    cut = text.index(".") + 1
    return Article(aid, f"Story {aid}", text), [Sentence(aid, 0, 0, cut, text[:cut]), Sentence(aid, 1, cut + 1, len(text), text[cut + 1 :])]


def test_a_batch_is_published_in_one_write_and_a_failed_publish_leaves_nothing(
    chroma_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.backend import ChromaBackend

    backend = ChromaBackend("server", port=chroma_port, collection="batched")
    alice = SentenceStore(tmp_path / "alice", HashEmbedder(), backend, sync_interval=0)
    assert alice.shared is not None
    calls: list[int] = []
    publish_many = alice.shared.publish_many
    monkeypatch.setattr(alice.shared, "publish_many", lambda records: (calls.append(len(records)), publish_many(records)))
    items = [(*_two_sentences(aid), [], {}, HashEmbedder().embed(["x", "y"])) for aid in ("Quetta", "Gwadar", "Turbat")]
    assert alice.add_many(items) == [None, None, None] and calls == [3]  # one write for the three records
    bob = SentenceStore(tmp_path / "bob", HashEmbedder(), backend, sync_interval=0)
    assert sorted(bob.article_ids()) == ["Gwadar", "Quetta", "Turbat"] and bob.count() == 6

    def down(records: Any) -> None:
        raise ConnectionError("server went away")

    monkeypatch.setattr(alice.shared, "publish_many", down)
    more = [(*_two_sentences(aid), [], {}, HashEmbedder().embed(["x", "y"])) for aid in ("Sibi", "Zhob")]
    assert [type(e).__name__ for e in alice.add_many(more)] == ["ConnectionError", "ConnectionError"]
    assert alice.collection.get(where={"article_id": {"$in": ["Sibi", "Zhob"]}})["ids"] == []  # no vectors left
    bob.refresh()
    assert sorted(bob.article_ids()) == ["Gwadar", "Quetta", "Turbat"] and sorted(alice.article_ids()) == sorted(bob.article_ids())
