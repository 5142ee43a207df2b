"""Issue 15 rules on hand-written fixtures: zero-width spaces in names, namesakes sharing a
surname, section headings that look like speaker labels, ``“…?” he said.`` split after the
question mark, and a name the parser mistakes for an auxiliary."""

from __future__ import annotations

from spacy.tokens import Span as SpacySpan

from index.attribution import extract_attributions, parse_text
from index.attribution.resolve import resolve_source
from index.attribution.speakers import SpeakerBook
from index.segment import split_sentences
from index.types import Article, Sentence
from tests.index.test_attribution import extract, speaker_of


def test_parse_text_keeps_offsets() -> None:
    text = "Ruth Okafor\u200b said it"
    assert len(parse_text(text)) == len(text) and "\u200b" not in parse_text(text)


def test_zero_width_space_after_a_name(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Ruth Okafor leads the nurses' union.\n"
        "As well as wages, Okafor\u200b said she expects the union to bargain over shifts.\n"
    )
    assert "Ruth Okafor" in speaker_of(extract(text, nlp), "bargain over shifts")


def test_bare_shared_name_goes_to_its_own_surname_else_the_first_introduced() -> None:
    book = SpeakerBook()
    first = book.add_person_id("Park Min-jun")
    book.add_person_id("Park Seo-yeon")
    assert book.add_person_id("Park") == first  # not the latest namesake
    smith = book.add_person_id("Alan Smith")
    assert book.add_person_id("Smith") == smith  # a surname match beats a given-name match


def test_caps_heading_is_not_a_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "MARKET MOOD: Stocks slipped early in the day. "
        '"We are in no rush," central bank governor Ana Ruiz said. "The data will guide us."\n'
        "Bonds were flat.\n"
    )
    attrs = extract(text, nlp)
    assert "Ana Ruiz" in speaker_of(attrs, "data will guide us")
    assert not any(a.speaker.isupper() for a in attrs)


def test_heading_with_a_cue_in_its_own_sentence(nlp) -> None:  # type: ignore[no-untyped-def]
    attrs = extract("PROFITS: Acme Foods said its quarterly profit fell by a third.\n", nlp)
    assert "Acme" in speaker_of(attrs, "profit fell")


def test_transcript_label_still_holds_its_paragraph(nlp) -> None:  # type: ignore[no-untyped-def]
    attrs = extract("WALLACE: Will she be there? I doubt it.\n", nlp)
    assert speaker_of(attrs, "doubt it") == "WALLACE"


def test_said_split_off_after_a_question_mark(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        'Paul Meyer, the union president, spoke to reporters.\n"Why should the cooks pay for it?"\nhe said.\n'
    )
    text = text.replace('?"\nhe', '?" he')
    assert "Paul Meyer" in speaker_of(extract(text, nlp), "cooks pay")


def test_name_parsed_as_auxiliary_is_the_source(nlp) -> None:  # type: ignore[no-untyped-def]
    text = 'Coach Peter Vandermolen spoke after the game.\n"You can see what he brings," Vandermolen said of the veteran.\n'
    attrs = extract(text, nlp)
    assert "Vandermolen" in speaker_of(attrs, "what he brings")


def test_transcript_label_keeps_its_words_with_a_cue_inside(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "BAKER: Will the mayor attend the hearing?\n"
        "OKAFOR: The mayor will not attend. Tom Reyes was using the hearing to attack a plan "
        "that voters approved.\n"
        "BAKER: Why not?\n"
        "OKAFOR: The real question is why the council invited a critic who has mocked the plan.\n"
    )
    attrs = extract(text, nlp)
    assert speaker_of(attrs, "will not attend") == "OKAFOR"
    assert speaker_of(attrs, "real question") == "OKAFOR"


def test_unnamed_source_keeps_the_words_that_say_who_it_is(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Another member of the public, whose name is withheld, wrote that the payments were a disgrace.\n"
        "People arrested last week said that officers pulled them from the gate.\n"
        "All those involved say the problem cannot be fixed by one agency.\n"
        "Officials said the road would reopen.\n"
    )
    attrs = extract(text, nlp)
    assert speaker_of(attrs, "a disgrace") == "another member of the public"
    assert speaker_of(attrs, "pulled them") == "people arrested last week"
    assert speaker_of(attrs, "one agency") == "all those involved"
    assert speaker_of(attrs, "road would reopen") == "officials"


def test_her_statement_is_the_person_who_issued_it(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "On Monday, Health Minister Carla Ruiz cancelled the town hall meetings.\n"
        '"I have heard from nurses who were shouted at in the street," her statement read.\n'
        "Union leader Tom Baker disagreed. His letter said the meetings should go ahead.\n"
    )
    attrs = extract(text, nlp)
    assert "Carla Ruiz" in speaker_of(attrs, "shouted at")
    assert "Tom Baker" in speaker_of(attrs, "should go ahead")


def test_surname_tagged_as_an_organisation_is_the_person_named_before(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("Redcloud said she would go.")
    doc.ents = [SpacySpan(doc, 0, 1, label="ORG")]  # the NER's mistake, made certain
    book = SpeakerBook()
    book.add_person_id("Maya Redcloud")
    found = resolve_source([doc[0]], book, 100)
    assert found.speaker == "Maya Redcloud" and found.is_person


def test_age_description_goes_to_the_person_just_introduced(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        '"We stay patient," coach Ana Ruiz said.\n\n'
        "Erik Lund has four goals since the trade. The 26-year-old right wing said his teammates "
        "have been creating chances.\n\n"
        '"They are great passers," he said.\n'
    )
    attrs = extract(text, nlp)
    assert "Erik Lund" in speaker_of(attrs, "creating chances")
    assert "Erik Lund" in speaker_of(attrs, "great passers")


def test_mixed_quote_marks_do_not_swallow_the_next_cue(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        'Her lawyer sorted the "work-related” emails.\n'
        '“Immunity deals should not be handed out," Jason Chaffetz said in a statement.\n'
    )
    assert "Jason Chaffetz" in speaker_of(extract(text, nlp), "Immunity deals")


def test_a_cue_inside_the_quotation_leaves_the_reporters_cue(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The president met historians after the election.\n"
        'Douglas Brinkley, a historian who attended the session, recalled, "Out of nowhere, he said, '
        "'If we don't act on the climate, all bets are off.'\"\n"
    )
    attrs = extract(text, nlp)
    assert "Douglas Brinkley" in speaker_of(attrs, "Out of nowhere")
    assert [a.cue.text for a in attrs] == ["recalled"]


def test_an_organisation_named_with_a_clause_keeps_its_whole_name(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Three reporters were jailed this year, according to the Committee to Protect Journalists.\n"
        "Obama Sees 'Personal Insult' if Blacks Don't Rally for Hillary Clinton\n"
    )
    attrs = extract(text, nlp)
    assert "Committee to Protect Journalists" in speaker_of(attrs, "reporters were jailed")
    assert speaker_of(attrs, "Personal Insult") == "Obama"  # a name tagged over the cue stops at it


def test_named_speaker_split_off_after_a_question_mark(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Melanie Austin watched the rally on television.\n"
        "“Who would have believed that we would win so many votes?” Trump said, looking out on the crowd.\n"
    )
    attrs = extract(text, nlp)
    assert speaker_of(attrs, "Who would have believed") == "Trump"


def test_party_state_tag_is_not_part_of_the_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "“He did not tell the committee the truth,” Sen. Claire McCaskill (D-Mo.) said. "
        "Rep. Jim Jordan (R-Ohio) said the committee would meet again.\n"
    )
    spans = split_sentences(text)
    sentences = [Sentence("t", i, a, b, text[a:b]) for i, (a, b) in enumerate(spans)]
    attrs = extract_attributions(Article("t", "", text), sentences, nlp)
    assert speaker_of(attrs, "did not tell") == "Sen. Claire McCaskill"
    assert speaker_of(attrs, "committee would meet") == "Rep. Jim Jordan"
