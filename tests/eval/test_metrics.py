"""The scoring functions on hand-made inputs: each normalisation rule and each edge case
(no gold documents, nothing cited, refusals) that the summary relies on."""

from __future__ import annotations

import pytest

from eval import metrics


@pytest.mark.parametrize("text, expected", [
    ("Kenji Watanabe", "kenji watanabe"),
    ("“The Salt Archive”", "salt archive"),
    ("An apple a day", "apple day"),
    ("It’s 48,000 kettles [2].", "it s 48000 kettles"),
    ("$1.9 billion[1][3]", "1.9 billion"),
    ("1,900,000 and 12,34", "1900000 and 12 34"),
    ("2024–25 season at 9:30.", "2024-25 season at 9:30"),
    ("Lowell & Pike", "lowell and pike"),
    ("AT&T", "at and t"),
    ("ﬁnal\u00a0score", "final score"),
    ("  many   spaces\n", "many spaces"),
    ("snake_case", "snake case"),
])
def test_normalize(text: str, expected: str) -> None:
    assert metrics.normalize(text) == expected


def test_contains_answer_is_normalised_and_word_bounded() -> None:
    assert metrics.contains_answer("The winner was Mei-Lin Sato [1].", ["Sato"])
    assert metrics.contains_answer("Losses reached $1,900 million.", ["1.9 billion", "1,900 million"])
    assert metrics.contains_answer("Apple’s partner", ["Apple's partner"])
    assert metrics.contains_answer("Audited by LOWELL & PIKE.", ["Lowell & Pike"])
    assert metrics.contains_answer("The Philadelphia Eagles and the Kansas City Chiefs will meet.",
                                   ["Philadelphia Eagles & Kansas City Chiefs"])
    assert not metrics.contains_answer("Satoshi Nakamoto", ["Sato"])
    assert not metrics.contains_answer("19 billion", ["1.9 billion"])
    assert not metrics.contains_answer("anything", [""])
    assert not metrics.contains_answer("anything", [])


def test_token_f1_takes_the_best_accepted_answer() -> None:
    assert metrics.token_f1("Kenji Watanabe", ["Kenji Watanabe"]) == 1.0
    assert metrics.token_f1("Watanabe scored", ["Kenji Watanabe", "Watanabe"]) == pytest.approx(2 / 3)
    assert metrics.token_f1("The Mariners won", ["Kenji Watanabe"]) == 0.0
    assert metrics.token_f1("", ["x"]) == 0.0


def test_choice_correct_picks_the_choice_the_answer_names() -> None:
    choices = ["Pittsburgh Steelers", "Southwest Airlines", "Delta Air Lines"]
    assert metrics.choice_correct("Southwest is giving passengers miles.", choices, "Southwest Airlines") == 1.0
    assert metrics.choice_correct("Delta is giving passengers miles.", choices, "Southwest Airlines") == 0.0


def test_choice_correct_counts_ties_and_silence_as_wrong() -> None:
    choices = ["Buffalo Bills", "Buffalo Sabres"]
    assert metrics.choice_correct("A Buffalo team.", choices, "Buffalo Bills") == 0.0
    assert metrics.choice_correct("Nobody knows.", choices, "Buffalo Bills") == 0.0
    assert metrics.choice_correct("Buffalo Bills", [], "Buffalo Bills") is None


def test_recall_counts_documents_not_chunks() -> None:
    ranked = ["a", "a", "b", "c", "d"]
    assert metrics.recall_at_k(ranked, ["a"], 1) == 1.0
    assert metrics.recall_at_k(ranked, ["a", "c"], 3) == 0.5
    assert metrics.recall_at_k(ranked, ["a", "c"], 5) == 1.0
    assert metrics.recall_at_k(ranked, ["z"], 10) == 0.0
    assert metrics.recall_at_k(ranked, [], 5) is None


def test_reciprocal_rank_within_k() -> None:
    assert metrics.reciprocal_rank(["x", "a"], ["a"], 10) == 0.5
    assert metrics.reciprocal_rank(["x", "y", "a"], ["a", "y"], 10) == 0.5
    assert metrics.reciprocal_rank(["x", "y", "a"], ["a"], 2) == 0.0
    assert metrics.reciprocal_rank(["x"], [], 10) is None


def test_answer_bearing_looks_at_the_first_k_passages() -> None:
    passages = ["Nothing here.", "The Bills won.", "Buffalo Bills player recovers."]
    assert metrics.answer_bearing(passages, ["Buffalo Bills"], 3) == 1.0
    assert metrics.answer_bearing(passages, ["Buffalo Bills"], 2) == 0.0
    assert metrics.answer_bearing(passages, [], 5) is None


def test_citation_precision_accepts_gold_documents_or_answer_quotes() -> None:
    citations = [("gold", "unrelated"), ("other", "Kenji Watanabe scored"), ("other", "weather")]
    assert metrics.citation_precision(citations, ["gold"], ["Kenji Watanabe"]) == pytest.approx(2 / 3)
    assert metrics.citation_precision([("other", "x")], [], []) == 0.0
    assert metrics.citation_precision([], ["gold"], ["x"]) is None


def test_citation_recall() -> None:
    assert metrics.citation_recall(["a", "a", "c"], ["a", "b"]) == 0.5
    assert metrics.citation_recall([], ["a"]) == 0.0
    assert metrics.citation_recall(["a"], []) is None


def test_mean_skips_not_applicable_values() -> None:
    assert metrics.mean([1.0, None, 0.0]) == 0.5
    assert metrics.mean([None]) is None
    assert metrics.mean([]) is None


def test_percentile_interpolates_like_numpy() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert metrics.percentile(values, 50) == 25.0
    assert metrics.percentile(values, 95) == pytest.approx(38.5)
    assert metrics.percentile(values, 0) == 10.0
    assert metrics.percentile(values, 100) == 40.0
    assert metrics.percentile([7.0], 95) == 7.0
    assert metrics.percentile([], 50) is None
