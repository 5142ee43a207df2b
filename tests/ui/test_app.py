"""The web app's handlers without a browser: per-tab sessions, chips, the source view, escaping, the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, InputError

pytest.importorskip("gradio")

from assistant.ui.app import build_app, describe, parse_auth
from assistant.ui.handlers import Views
from assistant.ui.render import esc

ASIF = "Khawaja Asif, admitted that the Pakistani security forces were handicapped"
NEED = "He also said that there is a need to deploy a massive amount of forces"


def turn(views: Views, message: str, chat: list[Any], session: Any) -> tuple[list[Any], Any]:
    *_, (box, chat, session) = views.respond(message, chat, session, 6, "extractive")
    assert box == ""
    return chat, session


def test_each_tab_session_keeps_its_own_history(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    views = Views(attribution_assistant)
    chat, tab1 = turn(views, "What did Khawaja Asif admit?", [], None)
    assert ASIF in chat[-1]["content"] and 'class="cite" href="#cite-0-1"' in chat[-1]["content"]
    chat, tab1 = turn(views, "What else did he say?", chat, tab1)
    last = chat[-1]["content"]
    assert 'class="understood"' in last and "What else did Khawaja Asif say?" in last and NEED in last
    _, tab2 = turn(views, "What else did he say?", [], None)  # another tab: no referent for "he"
    assert tab2 is not tab1 and len(tab2.history) == 1 and len(tab1.history) == 2
    assert tab2.history[0][1].standalone_question == "What else did he say?"


def test_a_chip_opens_the_article_with_the_cited_sentence_marked(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    views = Views(attribution_assistant)
    _, session = turn(views, "What did Khawaja Asif admit?", [], None)
    page = views.open_ref("cite-0-1", session)
    assert '<mark class="focus"' in page and ASIF.split(",")[0] in page.split('<mark class="focus"')[1]
    assert "Click a citation" in views.open_ref("cite-5-1", session)  # no such turn: the empty view
    cited = session.history[0][1].citations[0]
    claim = views.open_ref(f"claim-{cited.start}-{cited.end}-{cited.article_id}", None)
    assert "Attributed claim" in claim and '<mark class="focus"' in claim


def test_untrusted_text_is_escaped_everywhere(dense_assistant: Assistant, tmp_path: Path) -> None:
    # the cosine cut-off, so that the hash embedder's answer (not a refusal) shows the article text
    bad = tmp_path / "bad.txt"
    bad.write_text("<b>Bold</b> title\n\nThe mayor said <script>alert(1)</script> it was [1](javascript:x).\n")
    dense_assistant.add([bad])
    views = Views(dense_assistant)
    table, choices = views.library()
    assert "<script>" not in table and "&lt;b&gt;Bold&lt;/b&gt;" in table and choices
    chat, session = turn(views, "What did the mayor say about the script?", [], None)
    assert "<script>" not in chat[-1]["content"] and "&lt;script&gt;" in chat[-1]["content"]
    view = views.open_ref("cite-0-1", session)
    assert "<script>" not in view and "&lt;script&gt;alert(1)&lt;/script&gt;" in view
    assert esc("[1](javascript:x)") == "&#91;1&#93;&#40;javascript:x&#41;"


def test_upload_reports_each_file(fake_assistant: Assistant, sample_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF")
    views = Views(fake_assistant)
    report = views.upload([str(sample_path), str(bad), str(sample_path)])
    assert report.count("<tr") == 4 and 'class="added"' in report and 'class="failed"' in report
    assert 'class="unchanged"' in report
    [info] = fake_assistant.articles()
    assert "Deleted" in views.delete(info.id) and not fake_assistant.articles()


def test_api_functions_return_the_cli_json(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    views = Views(attribution_assistant)
    first = views.api_ask("What did Khawaja Asif admit?", [])
    follow = views.api_ask("What else did he say?", [["What did Khawaja Asif admit?", first]])
    assert follow["standalone_question"] == "What else did Khawaja Asif say?"
    assert all(ASIF not in c["sentence"] for c in follow["citations"])  # "what else" skips the cited one
    assert "Khawaja Asif" in views.api_claims("Asif")
    assert views.api_articles("balochistan")[0]["n_sentences"] > 10 and views.api_articles("nothing-like-it") == []


def test_the_app_builds_with_named_endpoints(fake_assistant: Assistant) -> None:
    demo = build_app(fake_assistant)
    names = {d.api_name: getattr(d.fn, "__name__", "") for d in demo.fns.values()}
    assert [names[n] for n in ("ask", "claims", "articles")] == ["api_ask", "api_claims", "api_articles"]
    assert describe(fake_assistant).startswith("0 article(s) indexed.")
    assert parse_auth("ana:pw") == ("ana", "pw")
    with pytest.raises(SystemExit):
        parse_auth("no-password")


TWO_SOURCES = Path(__file__).resolve().parent.parent / "fixtures" / "ui" / "two-sources.jsonl"  # cnn.com 2022, theweek 2023
UNION = "What did the union leader say about the harbour authority?"


def two_sources(assistant: Assistant) -> Views:
    assistant.add([TWO_SOURCES])
    return Views(assistant)


def test_filters_limit_the_answer_and_are_shown_with_it(fake_assistant: Assistant) -> None:
    views = two_sources(fake_assistant)
    assert views.sources() == ["cnn.com", "theweek.co.uk"]
    _, unfiltered = turn(views, UNION, [], None)
    assert {c.title for c in unfiltered.history[0][1].citations} == {"Gwadar port strike ends", "Port workers strike in Gwadar"}
    for values, kept in (((["theweek.co.uk"], "", "", [], ""), "Gwadar port strike ends"),
                         (([], "2022-01", "2022", [], ""), "Port workers strike in Gwadar")):  # fmt: skip
        *_, (_, chat, session) = views.respond(UNION, [], None, 6, "extractive", *values)
        assert {c.title for c in session.history[0][1].citations} == {kept}
        assert '<div class="filtered">filtered: ' in chat[-1]["content"]
    *_, (_, chat, _) = views.respond(UNION, [], None, 6, "extractive", ["theweek.co.uk"])
    assert chat[-1]["content"].startswith('<div class="filtered">filtered: source=theweek.co.uk</div>')
    assert "filtered:" not in turn(views, UNION, [], None)[0][-1]["content"]


def test_a_bad_date_is_explained_in_the_settings_and_in_the_chat(fake_assistant: Assistant) -> None:
    views = two_sources(fake_assistant)
    settings_line, chat_line = views.filter_lines([], "June 2022", "", [], "")
    assert 'class="filter-error"' in settings_line and "Since: write dates as YYYY" in settings_line
    assert chat_line == settings_line
    assert "No filters" in views.filter_lines()[0] and views.filter_lines()[1] == ""
    [cnn] = [a.id for a in fake_assistant.articles() if a.source == "cnn.com"]
    line, _ = views.filter_lines(["cnn.com"], "2022-06", "", [cnn], "")
    assert "filtered: source=cnn.com, since 2022-06, article=“Port workers strike in Gwadar”" in line
    for since, until, message in (("2022-13", "", "not &quot;2022-13&quot;"), ("2022-02-30", "", "2022-02-30"),
                                  ("2023", "2022", "The date range is empty")):  # fmt: skip
        *_, (_, chat, session) = views.respond(UNION, [], None, 6, "extractive", [], since, until, [], "")
        assert '<div class="refusal"><b>Error.</b>' in chat[-1]["content"] and message in chat[-1]["content"]
        assert "Traceback" not in chat[-1]["content"] and not session.history


def test_the_api_takes_the_same_filters(fake_assistant: Assistant) -> None:
    views = two_sources(fake_assistant)
    answer = views.api_ask(UNION, [], ["theweek"], "", "2023-12-31")
    assert {c["title"] for c in answer["citations"]} == {"Gwadar port strike ends"}
    assert answer["filters"]["sources"] == ["theweek"] and answer["filters"]["until"] == "2023-12-31"
    assert "filters" not in views.api_ask(UNION, [])
    with pytest.raises(InputError, match="Until: write dates"):
        views.api_ask(UNION, [], None, "", "yesterday")


def test_speaker_and_article_filters_from_the_settings(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path, TWO_SOURCES])
    views = Views(attribution_assistant)
    asif = [c["sentence"] for c in views.api_claims("Khawaja Asif")["Khawaja Asif"]]
    question = "What was said about the security forces?"
    *_, (_, chat, session) = views.respond(question, [], None, 6, "extractive", [], "", "", [], "Khawaja Asif")
    cites = session.history[0][1].citations
    assert cites and all(any(claim in c.sentence for claim in asif) for c in cites)
    assert "filtered: speaker=Khawaja Asif" in chat[-1]["content"]
    [week] = [a.id for a in attribution_assistant.articles() if a.source == "theweek.co.uk"]
    *_, (_, chat, session) = views.respond(UNION, [], None, 6, "extractive", None, None, None, [week], None)
    assert {c.article_id for c in session.history[0][1].citations} == {week}
    assert "filtered: article=“Gwadar port strike ends”" in chat[-1]["content"]
