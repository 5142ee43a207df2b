import json
from pathlib import Path

from index.readers import content_id, read_articles


def test_txt_with_date_header_and_dateline(sample_path: Path, sample_text: str) -> None:
    [article], failures = read_articles([sample_path])
    assert failures == []
    assert article.text == sample_text
    assert article.id == content_id(sample_text) == "86d868735b54c7d8"
    assert article.date == "2026-02-04"
    assert article.source == "IANS"
    assert article.title.startswith("The events in Balochistan")


def test_markdown_title_and_html_main_text(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Budget passes\n\nThe budget passed on Monday.\n")
    (tmp_path / "b.html").write_text(
        "<html><head><title>Vote</title><script>var x = 'ignore me';</script><style>p{}</style></head>"
        "<body><nav>Home | About</nav><article><h1>Vote held</h1><p>The vote was held.</p>"
        "<p>It passed 5 to 4.</p></article><footer>Copyright</footer></body></html>"
    )
    articles, failures = read_articles([tmp_path])
    assert failures == []
    by_title = {a.title: a for a in articles}
    assert by_title["Budget passes"].text.startswith("# Budget passes")
    page = by_title["Vote"]
    assert page.text == "Vote held\n\nThe vote was held.\n\nIt passed 5 to 4."
    assert "ignore me" not in page.text and "Copyright" not in page.text and "Home" not in page.text


def test_jsonl_records_keep_ids_and_bad_lines_are_reported(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    good = {"id": "x1", "title": "T", "source": "nyt", "date": "2016-09-01", "author": "A", "text": "Hello there."}
    corpus.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({"id": "x2"}) + "\n\n")
    articles, failures = read_articles([corpus])
    assert [(a.id, a.source, a.date, a.author) for a in articles] == [("x1", "nyt", "2016-09-01", "A")]
    assert [f[0].rsplit(":", 1)[1] for f in failures] == ["2", "3"]
    assert "not valid JSON" in failures[0][1] and "'text'" in failures[1][1]


def test_folders_are_recursive_and_bad_files_do_not_stop_others(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "one.txt").write_text("One sentence.")
    (tmp_path / "deep" / "bad.txt").write_bytes(b"\x00\x01bad\xff")
    (tmp_path / "empty.txt").write_text("   ")
    (tmp_path / "notes.pdf").write_text("ignored in folders")
    articles, failures = read_articles([tmp_path, tmp_path / "notes.pdf", tmp_path / "missing.txt"])
    assert [a.text for a in articles] == ["One sentence."]
    reasons = dict(failures)
    assert reasons[str(tmp_path / "deep" / "bad.txt")] == "binary file (binary data), not text"
    assert reasons[str(tmp_path / "empty.txt")] == "the file has only white space"
    assert "unsupported file type" in reasons[str(tmp_path / "notes.pdf")]
    assert reasons[str(tmp_path / "missing.txt")] == "no such file or folder"
