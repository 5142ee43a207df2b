"""Hostile and broken input: every case gets a specific reason or a sensible article; nothing crashes."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from index.decode import InputLimits, decode_bytes
from index.readers import read_articles
from index.segment import segment
from index.types import Article

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56)
NEWS = "The minister said on Tuesday that the bridge would reopen in March. Engineers disagreed."


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", NEWS)
    return buf.getvalue()


def _one(path: Path, limits: InputLimits | None = None) -> tuple[list[Article], dict[str, str]]:
    articles, failures = read_articles([path], limits) if limits else read_articles([path])
    return articles, dict(failures)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b"  \n\t\r\n   \n", "the file has only white space"),
        ("image.txt", PNG, "binary file (a PNG image), not text"),
        ("archive.md", _zip(), "binary file (a zip archive), not text"),
        ("program.txt", ELF, "binary file (an ELF executable), not text"),
        ("nul.txt", b"abc\x00\x00\x00def", "binary file (binary data), not text"),
        ("doc.html", b"%PDF-1.7\n...", "binary file (a PDF document), not text"),
        ("script.html", b"<html><head><style>p{}</style></head><body><script>alert(1)</script></body></html>",
         "no readable text in the page (only markup, scripts or styles)"),
        ("empty.html", b"", "no readable text in the page (only markup, scripts or styles)"),
        ("controls.txt", b"\x01\x02\x03\x04\x05\x06\x07\x08", "the file has only white space"),
    ],
)  # fmt: skip
def test_unusable_files_get_a_specific_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    articles, failures = _one(path)
    assert articles == [] and failures == {str(path): reason}


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (NEWS.replace("minister", "ministre déçu").encode("cp1252"), "cp1252"),
        (("Le président a déclaré que l’économie « va bien ». " * 6).encode("cp1252"), "cp1252"),
        (("Der Bürgermeister sagte, die Brücke öffne im März. " * 6).encode("latin-1"), "cp1252"),
        (NEWS.encode("utf-16"), "utf-16"),
        (NEWS.encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16"),
        (NEWS.encode("utf-8-sig"), "utf-8-sig"),
        (NEWS.encode("utf-32"), "utf-32"),
        (("Путин заявил, что экономика растет. Мы ждем результатов. " * 5).encode("cp1251"), "cp1251"),
    ],
)
def test_legacy_and_bom_encodings_are_decoded_and_recorded(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes(data)
    (article,), failures = _one(path)
    assert failures == {} and article.encoding == encoding
    assert "\ufffd" not in article.text and "Ã" not in article.text
    assert article.text.strip() == decode_bytes(data)[0].strip()


def test_mixed_utf8_and_cp1252_lines_are_each_decoded(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes("Zoë said “yes”.\n".encode() + "Renée said no – twice.\n".encode("cp1252"))
    (article,), _ = _one(path)
    assert article.text == "Zoë said “yes”.\nRenée said no – twice.\n"
    assert article.encoding == "utf-8+cp1252"


def test_control_characters_become_spaces_and_offsets_hold(tmp_path: Path) -> None:
    path = tmp_path / "ctl.txt"
    path.write_bytes(b"Bell\x07 rang.\x1b[31m Red text said\x01 hi. \x7fDone.\x0c")
    (article,), _ = _one(path)
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in article.text)
    sentences = segment(article)
    assert sentences and all(article.text[s.start : s.end] == s.text for s in sentences)


def test_a_100_mb_file_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: 100 MB on paper, nothing written
        handle.truncate(100 * 1024 * 1024)
    reads: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        reads.append(1)
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", counting_open)
    articles, failures = _one(path)
    assert articles == [] and reads == []
    assert failures[str(path)] == "file is 104.9 MB; the limit is 21.0 MB (setting max_file_mb, SOURCED_MAX_FILE_MB)"


def test_the_file_size_limit_is_a_parameter(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(NEWS * 20)
    assert _one(path, InputLimits(max_file_bytes=100))[1][str(path)].startswith("file is 0.0 MB; the limit is 0.0 MB")
    assert len(_one(path, InputLimits(max_file_bytes=10_000))[0]) == 1


def test_malformed_html_still_yields_its_text(tmp_path: Path) -> None:
    path = tmp_path / "bad.html"
    path.write_text("<html><title>Bridge</title><body><p>The minister said <b>it would <i>reopen.</p><p>Engineers "
                    "<div>disagreed.</span></body", encoding="utf-8")  # fmt: skip
    (article,), _ = _one(path)
    assert article.title == "Bridge" and "reopen." in article.text and "disagreed." in article.text


def test_html_in_cp1252_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "old.html"
    path.write_bytes("<p>Le ministre a déclaré « oui ».</p>".encode("cp1252"))
    (article,), _ = _one(path)
    assert article.text == "Le ministre a déclaré « oui »." and article.encoding == "cp1252"


def test_jsonl_broken_lines_wrong_types_and_duplicate_ids(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": NEWS}),
        '{"id": "b", "text": "unterminated',
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "text": ["not", "a", "string"]}),
        json.dumps({"id": "e", "text": NEWS + " More.", "title": {"nested": True}}),
        json.dumps({"id": "a", "text": "Another text under the same id."}),
        json.dumps({"id": "a", "text": NEWS}),  # an exact repeat: skipped quietly
        json.dumps([1, 2, 3]),
        json.dumps({"id": 7, "text": "Numeric ids are fine."}),
        json.dumps({"id": "f", "text": "   "}),
        json.dumps({"id": True, "text": "A boolean id is not."}),
        "\x00\x01\x02",
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, failures = read_articles([path])
    assert [a.id for a in articles] == ["a", "7"]
    by_line = {int(p.rsplit(":", 1)[1]): r for p, r in failures}
    assert by_line[2].startswith("not valid JSON")
    assert by_line[3] == "missing 'text' field"
    assert by_line[4] == "'text' must be a string, not list"
    assert by_line[5] == "'title' must be a string, not dict"
    assert by_line[6] == "duplicate id 'a' (first used on line 1); this record is skipped"
    assert by_line[8] == "each line must be a JSON object"
    assert by_line[10] == "empty 'text' field"
    assert by_line[11] == "'id' must be a string, not bool"
    assert by_line[12] == "binary file (binary data), not text"
    assert 7 not in by_line


def test_jsonl_line_over_the_limit_is_refused_and_the_next_line_read(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "big", "text": "x " * 5000}) + "\n" + json.dumps({"id": "ok", "text": NEWS}) + "\n")
    articles, failures = read_articles([path], InputLimits(max_file_bytes=1000))
    assert [a.id for a in articles] == ["ok"]
    assert failures[0][0].endswith(":1") and "line longer than the limit" in failures[0][1]


@pytest.mark.parametrize("name", ["../escape.txt", "naïve café – ünïcødé.txt", "with  spaces and 'quotes'.md",
                                  "日本語のニュース.txt", "-dash-first.txt"])  # fmt: skip
def test_odd_file_names_are_read_with_their_path(tmp_path: Path, name: str) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    path = inner / name
    path.write_text(NEWS, encoding="utf-8")
    (article,), failures = _one(path)
    assert failures == {} and article.path == str(path) and article.text == NEWS


def test_symlink_loops_and_broken_links_are_reported_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "ok.txt").write_text(NEWS)
    (folder / "loop").symlink_to(folder, target_is_directory=True)  # a folder loop: not followed
    (folder / "self.txt").symlink_to(folder / "self.txt")  # a link to itself
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    articles, failures = read_articles([folder, folder / "self.txt"])
    assert [a.path for a in articles] == [str(folder / "ok.txt")]
    reasons = dict(failures)
    assert reasons[str(folder / "self.txt")] == "symbolic link loop"
    assert reasons[str(folder / "gone.txt")] == "broken symbolic link"


def test_unreadable_files_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(NEWS)
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: simulate the refusal the kernel gives others
        def denied(self: Path, *args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "open", denied)
    articles, failures = _one(path)
    assert articles == [] and failures == {str(path): "permission denied (the file is not readable)"}


def test_a_folder_named_like_an_article_and_a_fifo(tmp_path: Path) -> None:
    (tmp_path / "dir.txt").mkdir()
    os.mkfifo(tmp_path / "pipe.txt")
    articles, failures = read_articles([tmp_path / "dir.txt", tmp_path / "pipe.txt"])
    reasons = dict(failures)
    assert articles == []
    assert reasons[str(tmp_path / "dir.txt")] == "folder has no .txt, .md, .html or .jsonl files"
    assert reasons[str(tmp_path / "pipe.txt")] == "not a regular file"


def test_a_huge_single_sentence_is_cut_into_bounded_pieces() -> None:
    text = " ".join(f"word{i}" for i in range(40_000))  # ~300 kB, no punctuation at all
    article = Article("long", "t", text)
    sentences = segment(article, max_sentence_chars=2000)
    assert len(sentences) > 100 and max(len(s.text) for s in sentences) <= 2000
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert " ".join(s.text for s in sentences) == text  # nothing lost between pieces


def test_a_long_run_without_spaces_is_cut_hard() -> None:
    article = Article("run", "t", "x" * 5000 + ". Then a normal sentence.")
    sentences = segment(article, max_sentence_chars=1000)
    assert [len(s.text) for s in sentences[:5]] == [1000] * 5
    assert sentences[-1].text == "Then a normal sentence."
