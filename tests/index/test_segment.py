from index.segment import body_start, segment, split_sentences
from index.types import Article


def texts(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_offsets_are_exact_on_the_sample(sample_text: str) -> None:
    sentences = segment(Article(id="s", title="t", text=sample_text))
    assert len(sentences) == 33
    for s in sentences:
        assert sample_text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
    assert [s.index for s in sentences] == list(range(33))


def test_date_header_and_dateline_are_not_part_of_the_first_sentence(sample_text: str) -> None:
    first = segment(Article(id="s", title="t", text=sample_text))[0]
    assert first.text.startswith("The events in Balochistan")
    assert sample_text[:body_start(sample_text)].strip() == "date 2026-02-04 New Delhi, Feb 4 (IANS)"


def test_wire_dateline_with_dash() -> None:
    text = "WASHINGTON (AP) — The Senate voted. It passed."
    assert texts(text[body_start(text):]) == ["The Senate voted.", "It passed."]


def test_abbreviations_do_not_end_sentences() -> None:
    text = "Gov. Ed Rendell told CNN on Jan. 5 that Sen. John McCain, R-Ariz., was wrong. Mr. Smith agreed."
    assert texts(text) == [
        "Gov. Ed Rendell told CNN on Jan. 5 that Sen. John McCain, R-Ariz., was wrong.",
        "Mr. Smith agreed.",
    ]


def test_quotes_stay_with_their_sentence() -> None:
    text = "“We will win,” he said. She replied: “No.” The U.S. Army said so."
    assert texts(text) == ["“We will win,” he said.", "She replied: “No.”", "The U.S. Army said so."]


def test_paragraphs_and_markdown_markers() -> None:
    text = "# A headline\n\nFirst para ends here.\n\n- a bullet point\n- another one\n> quoted line."
    assert texts(text) == ["A headline", "First para ends here.", "a bullet point", "another one", "quoted line."]


def test_empty_and_punctuation_only_text() -> None:
    assert texts("") == []
    assert texts("...\n\n--") == []


def test_clergy_titles_and_plural_senators_do_not_end_sentences() -> None:
    text = '"It is a good thing," said the Rev. Peter Wherry, of Mayfield. Sens. Jon Tester and Ben Sasse agreed.'
    assert texts(text) == [
        '"It is a good thing," said the Rev. Peter Wherry, of Mayfield.',
        "Sens. Jon Tester and Ben Sasse agreed.",
    ]


def test_party_state_tags_do_not_end_sentences() -> None:
    text = (
        "“He did not,” Sen. Claire McCaskill (D-Mo.) said. Rep. Elijah Cummings (D-Md.), the chair, agreed. "
        "Sen. Joe Manchin (D-W.Va.) left. It rained."
    )
    assert texts(text) == [
        "“He did not,” Sen. Claire McCaskill (D-Mo.) said.",
        "Rep. Elijah Cummings (D-Md.), the chair, agreed.",
        "Sen. Joe Manchin (D-W.Va.) left.",
        "It rained.",
    ]
