"""Issue 15, second round: unnamed speakers taken up again (``a person familiar with …`` /
``the person``; ``he`` after an unnamed speaker), subjects of ``although`` clauses kept in the
background, gender evidence only from a sentence's first non-object pronoun, and claim contents
that keep what the claim says (``called X a Y``, ``…, a neighbour told reporters``, ``…,” says
my daughter``, ``X, according to Y, …``, ``Her year has been “hard,” she said``). Hand-written
fixtures."""

from __future__ import annotations

from index.attribution.anaphora import Introduced, Introductions
from tests.index.test_attribution import extract, speaker_of


def content_with(text: str, words: str, nlp) -> str:  # type: ignore[no-untyped-def]
    """The content of the attribution whose content holds ``words``."""
    return next(a.content.text for a in extract(text, nlp) if words in a.content.text)


def test_definite_description_takes_up_the_indefinite_one(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "A person familiar with the talks says the club traded Ray Lind to Boston.\n"
        "The deal was done to save money, according to the person, who spoke on condition of anonymity."
    )
    assert speaker_of(extract(text, nlp), "save money") == "a person familiar with the talks"


def test_plural_definite_takes_up_the_described_reports(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Adviser Tom Ruiz denied reports by newspapers including the Daily Post saying the mine would close.\n"
        "The reports said the talks had failed."
    )
    assert "Daily Post" in speaker_of(extract(text, nlp), "talks had failed")


def test_take_up_needs_the_same_head_within_two_paragraphs() -> None:
    intro = Introductions([Introduced(0, 0, "person", "a person close to the team")])
    assert intro.take_up("person", pos=50, paragraph=2) == "a person close to the team"
    assert intro.take_up("person", pos=90, paragraph=3) is None
    assert intro.take_up("official", pos=50, paragraph=1) is None


def test_pronoun_continues_an_unnamed_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Mayor Tom Cole opened the session on Monday.\n"
        "The crowd left early, a city official told reporters. Then the doors were locked.\n"
        "The room was empty by noon, he said."
    )
    assert speaker_of(extract(text, nlp), "empty by noon") == "a city official"


def test_pronoun_after_an_unnamed_speaker_goes_to_a_person_named_since(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The crowd left early, a city official told reporters.\n"
        "Mayor Tom Cole arrived at noon.\n"
        "The room was empty, he said."
    )
    assert "Tom Cole" in speaker_of(extract(text, nlp), "room was empty")


def test_subject_of_an_although_clause_does_not_take_over(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "University spokesman Tom Hale said the list drew 3,000 votes.\n"
        "Although Mayor Ray Dunn has often said the word was overused, the vote was not political.\n"
        "Voters were just tired of hearing it, he said."
    )
    assert "Tom Hale" in speaker_of(extract(text, nlp), "tired of hearing")


def test_object_pronoun_gives_no_gender_evidence(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Jake Moss grabbed her by the arm.\n"
        "Police said Mary Smith heard a shot. She ran to a neighbour.\n"
        "He told detectives he had planned it for weeks."
    )
    assert "Jake Moss" in speaker_of(extract(text, nlp), "planned it")


def test_stance_content_keeps_the_object_predicate(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Farm groups called the plan a costly mistake that would hurt growers."
    assert "costly mistake" in content_with(text, "the plan", nlp)


def test_hearer_object_is_not_the_content(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "One team entered a nearby shop, where they left a parcel in the hall, "
        "a private security professional present during the raid told Reuters."
    )
    assert "entered a nearby shop" in content_with(text, "parcel", nlp)


def test_inverted_subject_is_not_the_content(nlp) -> None:  # type: ignore[no-untyped-def]
    attrs = extract("“No, that’s the dog,” says my daughter.", nlp)
    assert [a.speaker for a in attrs if "the dog" in a.content.text] == ["my daughter"]


def test_medial_according_to_keeps_the_subject(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Some of those costs, according to the auditors, fall on tenants in the east end."
    assert content_with(text, "tenants", nlp).startswith("Some of those costs")


def test_quoted_phrase_ending_an_indirect_claim_keeps_its_start(nlp) -> None:  # type: ignore[no-untyped-def]
    text = 'Lena Park joined the board in May.\nHer year has been "hard, tiring and truly rewarding," she said.'
    assert content_with(text, "rewarding", nlp).startswith("Her year")


def test_untagged_name_tagged_as_organisation_elsewhere_is_an_organisation(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Apple closed off Facebook's efforts to sidestep its rules. Apple said the rules protect users.\n"
        'In a statement, Facebook said it is "in the process of getting our apps up and running." '
        "The company noted that the issue had no impact on its consumer services."
    )
    assert speaker_of(extract(text, nlp), "no impact") == "Facebook"
