"""Attribution extraction on hand-written sentences, one construction each, and on the sample."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.attribution import Attribution, extract_attributions, extract_many, load_nlp
from index.attribution.cues import colon_source, quote_spans
from index.attribution.speakers import SpeakerBook, clean_name, find_acronyms
from index.errors import ModelUnavailableError
from index.types import Article, Sentence

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "balochistan-ians-2026-02-04.txt"
FIXTURE = ROOT / "tests" / "fixtures" / "attribution" / "constructions.txt"


def split(article_id: str, text: str) -> list[Sentence]:
    """Tiny test splitter: lines, then whitespace after . ! ? (optionally a closing quote)."""
    out: list[Sentence] = []
    for line in re.finditer(r"[^\n]+", text):
        pos = line.start()
        for part in re.split(r"(?<=[.!?])\s+|(?<=[.!?][”\"])\s+", line.group()):
            if not part.strip():
                continue
            start = text.index(part, pos)
            out.append(Sentence(article_id, len(out), start, start + len(part), part))
            pos = start + len(part)
    return out


def extract(text: str, nlp) -> list[Attribution]:  # type: ignore[no-untyped-def]
    return extract_attributions(Article("t", "", text), split("t", text), nlp)


def speaker_of(attrs: list[Attribution], words: str) -> str:
    """The speaker of the attribution whose content holds ``words``."""
    return next(a.speaker for a in attrs if words in a.content.text)


def only(attrs: list[Attribution]) -> Attribution:
    assert len(attrs) == 1, attrs
    return attrs[0]


def test_offsets_are_exact(nlp) -> None:  # type: ignore[no-untyped-def]
    text = FIXTURE.read_text(encoding="utf-8")
    attrs = extract(text, nlp)
    assert len(attrs) >= 5
    for a in attrs:
        for span in (a.source, a.cue, a.content):
            if span is not None:
                assert text[span.start : span.end] == span.text


def test_direct_quote_inverted_named(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("“We will win this war,” said Maria Lopez, the party leader.", nlp))
    assert "We will win this war" in a.content.text
    assert "Maria Lopez" in a.speaker and a.speaker_kind == "named"
    assert a.cue.text == "said"


def test_indirect_that_clause(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("John Carter said that the bridge would reopen in May.", nlp))
    assert a.source is not None and a.source.text == "John Carter"
    assert a.content.text == "the bridge would reopen in May"
    assert a.speaker == "John Carter"


def test_according_to(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("The factory will close next year, according to the Ministry of Labour.", nlp))
    assert a.cue.text == "according to"
    assert a.content.text == "The factory will close next year"
    assert "Ministry of Labour" in a.speaker and a.speaker_kind == "named"


def test_inverted_anonymous_keeps_qualifier(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("Prices will rise again, an analyst said.", nlp))
    assert a.content.text == "Prices will rise again"
    assert (a.speaker, a.speaker_kind) == ("an analyst", "anonymous")


def test_passive_with_agent_and_without(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("It was announced by the Health Ministry that the clinics would reopen.", nlp))
    assert "Health Ministry" in a.speaker and a.content.text == "the clinics would reopen"
    b = only(extract("It was reported that the talks had failed.", nlp))
    assert b.source is None and (b.speaker, b.speaker_kind) == ("", "unresolved")


def test_pronoun_resolves_to_previous_person(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("Khawaja Asif spoke in parliament. The province is vast, he said.", nlp))
    assert a.source is not None and a.source.text == "he"
    assert a.speaker == "Khawaja Asif" and a.cue_sentence == 1


def test_pronoun_without_antecedent_is_unresolved(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("The province is vast, he said.", nlp))
    assert (a.speaker, a.speaker_kind) == ("", "unresolved")


def test_role_noun_resolves_to_titled_person(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Defence Minister Khawaja Asif visited Quetta on Monday. The minister said the army would stay."
    a = only(extract(text, nlp))
    assert "Khawaja Asif" in a.speaker and a.speaker_kind == "named"


def test_short_name_resolves_to_fullest_mention(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Pakistan's Defence Minister Khawaja Asif spoke first. Asif told reporters that the army was stretched."
    a = only(extract(text, nlp))
    assert a.source is not None and a.source.text == "Asif"
    assert "Khawaja Asif" in a.speaker and "Defence Minister" in a.speaker


def test_quote_spanning_sentences(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("“We are not leaving. The town is ours,” the mayor said.", nlp))
    assert a.content_sentences == (0, 1)
    assert a.content.text.startswith("“We are not leaving.") and "The town is ours" in a.content.text


def test_quote_continues_in_next_sentence(nlp) -> None:  # type: ignore[no-untyped-def]
    first, rest = extract("“We are staying,” said Ana Ruiz. “Nobody can make us leave.”", nlp)
    assert first.content_sentences == (0,) and first.speaker == "Ana Ruiz"
    # the continuation is a claim of its own (cited alone), with the speaker inherited and no cue
    assert rest.content_sentences == (1,) and rest.cue_sentence == 1 and rest.cue.text == ""
    assert "Nobody can make us leave" in rest.content.text and rest.speaker == "Ana Ruiz"


def test_plain_next_sentence_is_not_inherited(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("Ana Ruiz said the town would hold. The river rose two metres overnight.", nlp))
    assert a.content_sentences == (0,)


def test_organisation_acronym_resolves_to_definition(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The Balochistan Liberation Army (BLA) attacked a camp. The BLA said it lost 35 fighters."
    a = only(extract(text, nlp))
    assert a.speaker == "Balochistan Liberation Army (BLA)"
    assert a.content.text == "it lost 35 fighters"


def test_unattributed_claim_has_no_attribution(nlp) -> None:  # type: ignore[no-untyped-def]
    assert extract("The army lost 40 soldiers in the attack.", nlp) == []


def test_colon_label_takes_the_paragraph(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "WALLACE: Will she be there? Tell me now.\nPENCE: No."
    attrs = [a for a in extract(text, nlp) if a.cue.text == ":"]
    assert [a.speaker for a in attrs] == ["WALLACE", "PENCE"]
    assert attrs[0].content.text == "Will she be there? Tell me now."


def test_fixture_speakers(nlp) -> None:  # type: ignore[no-untyped-def]
    text = FIXTURE.read_text(encoding="utf-8")
    by_content = {a.content.text: a for a in extract(text, nlp)}
    vast = next(a for c, a in by_content.items() if c.startswith("The province is vast"))
    assert "Ana Ruiz" in vast.speaker  # "she" → the last named person quoted
    talks = next(a for c, a in by_content.items() if "talks with the union" in c)
    assert talks.speaker == "another official"
    mayor = next(a for c, a in by_content.items() if "council would pay" in c)
    assert "Ana Ruiz" in mayor.speaker  # "The mayor" → "Mayor Ana Ruiz"


# --- constructions added for PolNeAR recall ------------------------------------------


def test_mined_stance_verb_with_object(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("Senator Ann Lee blasted the new tax plan.", nlp))
    assert a.cue.text == "blasted" and a.source is not None and a.source.text == "Senator Ann Lee"
    assert a.content.text == "the new tax plan"


def test_as_clause_takes_the_main_clause(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("As the Washington Post observed, Republicans now control both chambers.", nlp))
    assert a.source is not None and a.source.text == "the Washington Post"
    assert a.content.text == "Republicans now control both chambers"


def test_cue_ending_in_colon_takes_next_sentence(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Senator Cruz added:\nThe deal is bad for America."
    a = only(extract(text, nlp))
    assert a.source is not None and a.source.text == "Senator Cruz"
    assert a.content.text == "The deal is bad for America."


def test_nested_stance_inside_a_claim_is_dropped(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("Hillary Clinton says she wants to expand the standards to hedge funds.", nlp))
    assert a.cue.text == "says" and "wants to expand" in a.content.text


def test_poll_shows_with_object(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("A Fox News poll shows Sanders with 47 percent.", nlp))
    assert a.cue.text == "shows" and a.source is not None and a.source.text == "A Fox News poll"


def test_nearest_of_two_subjects(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "MACAU (Reuters) – Top donor Sheldon Adelson said on Friday he met Donald Trump this week."
    a = only(extract(text, nlp))
    assert a.source is not None and "Sheldon Adelson" in a.source.text and "MACAU" not in a.source.text


def test_in_a_named_poll(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "In a new CNN poll released Monday, 50 percent of respondents chose Clinton."
    a = only(extract(text, nlp))
    assert a.cue.text == "In" and a.source is not None and "CNN poll" in a.source.text
    assert "50 percent of respondents chose Clinton" in a.content.text
    assert extract("He slid in the polls behind his rivals.", nlp) == []


def test_passive_agent_takes_subject_as_content(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("The senator's resignation was first reported by MSNBC.", nlp))
    assert a.source is not None and a.source.text == "MSNBC"
    assert a.content.text == "The senator's resignation"


def test_section_label_is_not_a_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    assert [a for a in extract("UPDATE: The bridge reopened on Monday.", nlp) if a.cue.text == ":"] == []
    assert [a for a in extract("The Latest: Voters head to the polls.", nlp) if a.cue.text == ":"] == []


def test_participle_after_a_relative_clause_belongs_to_the_main_subject(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Trump was defensive when forced to defend not paying an architect who said he was stiffed, "
        "saying, “Maybe he didn’t do a good job.”"
    )
    saying = [a for a in extract(text, nlp) if a.cue.text == "saying"]
    assert [(a.speaker, a.content.text) for a in saying] == [("Trump", "“Maybe he didn’t do a good job.”")]


def test_subject_through_likely_to(nlp) -> None:  # type: ignore[no-untyped-def]
    a = only(extract("Democratic voters are more likely to say that Clinton represents them.", nlp))
    assert a.source is not None and a.source.text == "Democratic voters"


# --- the sample article -------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(nlp) -> tuple[str, list[Sentence], list[Attribution]]:  # type: ignore[no-untyped-def]
    text = SAMPLE.read_text(encoding="utf-8")
    sents = split("sample", text)
    return text, sents, extract_attributions(Article("sample", "", text), sents, nlp)


def _cue_sentence(sample, needle: str) -> list[Attribution]:  # type: ignore[no-untyped-def]
    _text, sents, attrs = sample
    return [a for a in attrs if needle in sents[a.cue_sentence].text]


def test_sample_asif_admitted(sample) -> None:  # type: ignore[no-untyped-def]
    (a,) = _cue_sentence(sample, "admitted that the Pakistani security forces")
    assert "Khawaja Asif" in a.speaker and a.speaker_kind == "named"
    assert a.content.text == "the Pakistani security forces were handicapped against the Baloch rebels"


def test_sample_he_said_is_asif(sample) -> None:  # type: ignore[no-untyped-def]
    (a,) = _cue_sentence(sample, "sheer size of the Balochistan province, he said")
    assert "Khawaja Asif" in a.speaker


def test_sample_bla_claims(sample) -> None:  # type: ignore[no-untyped-def]
    _text, _sents, attrs = sample
    bla = [a.content.text for a in attrs if a.speaker == "Balochistan Liberation Army (BLA)"]
    assert any("280 Pakistani personnel" in c for c in bla)
    assert any("lost 35 of its fighters" in c for c in bla)
    assert any("kill members of the Army" in c for c in bla)


def test_sample_intelligence_bureau_official_stays_anonymous(sample) -> None:  # type: ignore[no-untyped-def]
    (a,) = _cue_sentence(sample, "an Intelligence Bureau official said")
    assert (a.speaker, a.speaker_kind) == ("an Intelligence Bureau official", "anonymous")


def test_extract_many_matches_single(nlp, sample) -> None:  # type: ignore[no-untyped-def]
    text, sents, attrs = sample
    ((_art, many),) = list(extract_many([(Article("sample", "", text), sents)], nlp))
    assert many == attrs


# --- helpers without spaCy ------------------------------------------------------------


def test_quote_spans_pairs_and_runs_on() -> None:
    text = "“A b.\n“C d,” he said. ''E f,'' she said. “Open\nNot quoted."
    spans = [text[a:b] for a, b in quote_spans(text)]
    assert spans == ["“A b.\n“C d,”", "''E f,''", "“Open"]


def test_quote_spans_pair_mixed_straight_and_curly_marks() -> None:
    text = (
        'Her "work-related” emails went out.\n'
        '“No deals for the FBI," Jason Chaffetz said, calling them "candy."\n'
        '“He called it "fake" and left,” she said.\n'
        '"It is not about “Equal Justice” any more.'
    )
    spans = [text[a:b] for a, b in quote_spans(text)]
    assert spans == [
        '"work-related”', '“No deals for the FBI,"', '"candy."', '“He called it "fake" and left,”',
        '"It is not about “Equal Justice” any more.',
    ]  # fmt: skip


def test_quote_runs_on_only_into_a_paragraph_opening_with_the_same_mark() -> None:
    text = '"Trump walked on, chanting “U-S-A!”\n“That’s right,” Melanie said.\n“We won.\n“Again.”'
    spans = [text[a:b] for a, b in quote_spans(text)]
    assert spans == ['"Trump walked on, chanting “U-S-A!”', "“That’s right,”", "“We won.\n“Again.”"]


def test_colon_source_and_acronyms() -> None:
    assert colon_source("Pat Caddell: Voters are worried.") == (0, 11)
    assert colon_source("He listed three things: a, b and c.") is None
    assert find_acronyms("the Tehreek-e-Taliban Pakistan (TTP) and the Frontier Corps (FC)") == {
        "TTP": "Tehreek-e-Taliban Pakistan (TTP)",
        "FC": "Frontier Corps (FC)",
    }
    assert clean_name("Even Pakistan’s Defence Minister, Khawaja Asif,") == (
        "Pakistan’s Defence Minister Khawaja Asif"
    )


def test_speaker_book_surname_and_role() -> None:
    book = SpeakerBook()
    book.add_person("Khawaja Asif", "Defence Minister Khawaja Asif")
    assert book.add_person("Asif") == "Defence Minister Khawaja Asif"
    assert book.resolve_role("the Defence Minister") == "Defence Minister Khawaja Asif"
    assert book.resolve_role("the president") is None


def test_load_nlp_missing_model_raises_typed_error() -> None:
    with pytest.raises(ModelUnavailableError):
        load_nlp("no_such_spacy_model_xyz")
