"""Citation marker parsing and renumbering."""

from __future__ import annotations

import pytest

from assistant.citations import Claim, first_use_numbering, parse_answer, render


@pytest.mark.parametrize(
    ("draft", "markers"),
    [
        ("The BLA claimed it [1].", (1,)),
        ("The BLA claimed it [1, 3].", (1, 3)),
        ("The BLA claimed it [1; 3].", (1, 3)),
        ("The BLA claimed it [1][3].", (1, 3)),
        ("The BLA claimed it [2-4].", (2, 3, 4)),
        ("The BLA claimed it [2–4].", (2, 3, 4)),
        ("The BLA claimed it. [2]", (2,)),
        ("The BLA claimed it.[2][1]", (2, 1)),
        ("The BLA [3] claimed it [1].", (3, 1)),
    ],
)
def test_marker_forms(draft: str, markers: tuple[int, ...]) -> None:
    sentences = parse_answer(draft, n_offered=5)
    assert sentences == [Claim("The BLA claimed it.", markers)]


def test_markers_after_punctuation_stay_with_their_sentence() -> None:
    sentences = parse_answer("Asif admitted it. [2] The BLA lost 35 fighters. [1] Done.", 3)
    assert [(s.text, s.markers) for s in sentences] == [
        ("Asif admitted it.", (2,)),
        ("The BLA lost 35 fighters.", (1,)),
        ("Done.", ()),
    ]


def test_unknown_ids_are_dropped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO"):
        sentences = parse_answer("One [0][2]. Two [7].", n_offered=3)
    assert [s.markers for s in sentences] == [(2,), ()]
    assert "7" in caplog.text


def test_duplicates_removed_order_kept() -> None:
    assert parse_answer("X [3][1][3, 1].", 3)[0].markers == (3, 1)


def test_abbreviations_decimals_and_bullets() -> None:
    draft = "Mr. Smith said 40.5 per cent [1].\n- U.S. officials agreed [2]\n- Nothing else"
    sentences = parse_answer(draft, 2)
    assert [s.text for s in sentences] == [
        "Mr. Smith said 40.5 per cent.",
        "U.S. officials agreed.",
        "Nothing else.",
    ]
    assert [s.markers for s in sentences] == [(1,), (2,), ()]


def test_marker_only_pieces_are_skipped() -> None:
    assert parse_answer("[1]", 1) == []
    assert parse_answer("", 1) == []


def test_renumbering_by_first_use() -> None:
    sentences = [Claim("A.", (4, 2)), Claim("B.", (2, 5)), Claim("C.")]
    numbering = first_use_numbering(sentences)
    assert numbering == {4: 1, 2: 2, 5: 3}
    assert render(sentences, numbering) == "A [1][2]. B [2][3]. C."


def test_render_skips_numbers_missing_from_numbering_and_handles_quotes() -> None:
    sentences = [Claim('He said "no."', (3, 9)), Claim("Ends without stop", (9,))]
    assert render(sentences, {9: 1}) == 'He said "no." [1] Ends without stop [1]'


def test_parse_then_render_round_trip() -> None:
    draft = "The BLA claimed it killed 280 personnel [4]. It lost 35 fighters [2]."
    assert render(parse_answer(draft, 6)) == (
        "The BLA claimed it killed 280 personnel [1]. It lost 35 fighters [2]."
    )
