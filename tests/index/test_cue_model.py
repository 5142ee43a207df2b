"""The learned verb-cue model: scoring, its file, and how the extractor uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.attribution import extract_attributions
from index.attribution.cue_model import WEIGHTS_PATH, CueModel, default_model
from index.attribution.parse import find_candidates
from index.errors import ModelUnavailableError
from index.types import Article, Sentence

ACCEPT_ALL = CueModel({"b": 20.0}, threshold=0.5)
REJECT_ALL = CueModel({"b": -20.0}, threshold=0.5)


def test_probability_is_the_logistic_of_the_summed_weights() -> None:
    model = CueModel({"b": -1.0, "l=say": 3.0}, threshold=0.6)
    assert model.probability(["b", "l=say"]) == pytest.approx(1 / (1 + 2.718281828**-2.0))
    assert model.probability(["b", "never-seen"]) == pytest.approx(1 / (1 + 2.718281828))
    assert model.accepts(["b", "l=say"]) and not model.accepts(["b"])


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    CueModel({"b": 0.5, "l=say": 1.25, "tiny": 1e-9}, threshold=0.4).save(path, {"C": 0.3})
    back = CueModel.load(path)
    assert back.threshold == 0.4 and back.weights == {"b": 0.5, "l=say": 1.25}
    assert json.loads(path.read_text())["meta"] == {"C": 0.3}


@pytest.mark.parametrize("body", [None, "{not json", '{"weights": {}}'])
def test_missing_or_damaged_file_is_a_clear_error(tmp_path: Path, body: str | None) -> None:
    path = tmp_path / "m.json"
    if body is not None:
        path.write_text(body)
    with pytest.raises(ModelUnavailableError, match="cue model"):
        CueModel.load(path)


def test_shipped_model_loads_with_a_tuned_threshold() -> None:
    model = default_model()
    meta = json.loads(WEIGHTS_PATH.read_text())["meta"]
    assert 0.05 < model.threshold < 0.95 and "b" in model.weights
    assert "train" in meta["trained_on"] and meta["oof_source_f1"] > meta["rules_source_f1"]


def test_model_finds_a_cue_the_lexicon_lacks(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("The senator elaborated that the plan would cost billions.")
    assert find_candidates(doc, model=None) == []
    (cand,) = find_candidates(doc, default_model())
    assert (cand.cue_text, cand.source_text) == ("elaborated", "The senator")
    assert cand.content is not None and doc.text[slice(*cand.content)] == "the plan would cost billions"


def test_rejecting_model_drops_verb_cues_but_keeps_according_to(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("Asif said the war was lost.")
    assert [c.cue_text for c in find_candidates(doc, None)] == ["said"]
    assert find_candidates(doc, REJECT_ALL) == []
    doc = nlp("The plan failed, according to officials.")
    assert [c.cue_text for c in find_candidates(doc, REJECT_ALL)] == ["according to"]


def test_learned_cues_need_reported_content(nlp) -> None:  # type: ignore[no-untyped-def]
    assert find_candidates(nlp("Khawaja Asif spoke in parliament."), ACCEPT_ALL) == []
    cands = find_candidates(nlp("Clinton spoke about the economy."), ACCEPT_ALL)
    assert [(c.cue_text, c.source_text) for c in cands] == [("spoke", "Clinton")]


def test_physical_verbs_never_become_cues(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The Balochistan Liberation Army attacked a camp."
    assert find_candidates(nlp(text), ACCEPT_ALL) == []
    art = Article("t", "", text)
    assert extract_attributions(art, [Sentence("t", 0, 0, len(text), text)], nlp) == []
