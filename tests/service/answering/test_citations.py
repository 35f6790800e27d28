from service.answering.citations import CitationChecker
from service.retrieval.passages import Passage

ARTICLE = ("Apple first picked Baidu as its partner. Baidu's models fell short of Apple's standards. "
           "Apple then chose Alibaba for its data on shopping and payment habits.")
OTHER = "Storm Delphine insured losses were raised to $1.9 billion on Tuesday."


def _passages() -> list[Passage]:
    # The first passage starts mid-article so offsets must be translated.
    start = ARTICLE.index("Baidu's")
    return [
        Passage("c1", "apple", "Apple picks Alibaba", ARTICLE[start:], start, len(ARTICLE), None, "Tech Dispatch", "2025-02-12"),
        Passage("c2", "storm", "Storm estimate raised", OTHER, 0, len(OTHER), None, "Harbor Ledger", "2024-11-05"),
    ]


def test_invented_and_placeholder_markers_are_removed() -> None:
    checked = CitationChecker().check("Apple chose Alibaba for its shopping data [9]. Losses hit $1.9 billion [n].", _passages())
    assert "[9]" not in checked.text and "[n]" not in checked.text
    assert checked.removed_markers == ["[9]", "[n]"]
    assert checked.text == "Apple chose Alibaba for its shopping data [1]. Losses hit $1.9 billion [2]."


def test_wrong_marker_moves_to_the_supporting_passage() -> None:
    checked = CitationChecker().check("Insured losses were raised to $1.9 billion [1].", _passages())
    assert checked.text == "Insured losses were raised to $1.9 billion [1]."
    assert [c.doc_id for c in checked.citations] == ["storm"]


def test_quotes_are_exact_article_slices_with_offsets() -> None:
    checked = CitationChecker().check("Baidu's models fell short of Apple's standards.", _passages())
    (citation,) = checked.citations
    assert citation.quote == "Baidu's models fell short of Apple's standards."
    assert ARTICLE[citation.start:citation.end] == citation.quote


def test_unsupported_sentences_and_wrong_figures_are_flagged_not_cited() -> None:
    checked = CitationChecker().check(
        "The moon is made of cheese. Losses were raised to $2.4 billion [2].", _passages())
    assert checked.citations == []
    assert checked.unsupported == ["The moon is made of cheese.", "Losses were raised to $2.4 billion."]
    assert not checked.supported


def test_only_used_sources_are_listed_and_numbered_in_order() -> None:
    checked = CitationChecker().check("Losses were raised to $1.9 billion.", _passages())
    assert [(c.n, c.doc_id) for c in checked.citations] == [(1, "storm")]


RACE = ("Lea Brunner won the women's World Cup downhill in Valmora on Saturday. "
        "The men's race was cancelled because of fog.")


def _race() -> list[Passage]:
    return [Passage("c3", "race", "Brunner wins at home", RACE, 0, len(RACE), None, "Alpine Wire", "2024-12-14")]


def test_a_name_the_passages_never_give_is_unsupported_however_much_of_the_question_it_repeats() -> None:
    question = "Who won the men's World Cup downhill in Valmora?"
    answer = "Tadesse Bekele won the men's World Cup downhill in Valmora [1]."
    assert CitationChecker().check(answer, _race()).supported, "by shared words alone it passes"
    checked = CitationChecker().check(answer, _race(), question=question)
    assert not checked.supported and checked.unsupported == [answer.replace(" [1]", "")]


def test_an_answer_the_passage_gives_is_cited_whatever_it_repeats_of_the_question() -> None:
    question = "Who won the women's World Cup downhill in Valmora?"
    checked = CitationChecker().check("Lea Brunner won the women's downhill in Valmora.", _race(), question=question)
    assert [c.quote for c in checked.citations] == ["Lea Brunner won the women's World Cup downhill in Valmora on Saturday."]
    restated = CitationChecker().check("The women's World Cup downhill was in Valmora.", _race(), question=question)
    assert restated.supported, "a sentence that only restates the question adds no claim to check"
