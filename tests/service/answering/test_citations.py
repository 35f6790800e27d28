from service.answering.citations import CitationChecker
from service.answering.question import Question
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


def test_unsupported_sentences_and_wrong_figures_are_listed_not_cited() -> None:
    checked = CitationChecker().check(
        "The moon is made of cheese. Losses were raised to $2.4 billion [2].", _passages())
    assert checked.citations == [] and checked.text == ""
    assert checked.unsupported == ["The moon is made of cheese.", "Losses were raised to $2.4 billion."]
    assert not checked.supported


def test_an_invented_sentence_is_taken_out_of_the_answer_and_listed() -> None:
    invented = "A good recipe for sourdough bread includes mixing flour, water, and salt."
    checked = CitationChecker().check(f"Insured losses were raised to $1.9 billion. {invented}", _passages())
    assert checked.text == "Insured losses were raised to $1.9 billion [1]."
    assert checked.unsupported == [invented]


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
    checked = CitationChecker().check(answer, _race(), question=Question(question))
    assert not checked.supported and checked.unsupported == [answer.replace(" [1]", "")]


def test_an_answer_the_passage_gives_is_cited_whatever_it_repeats_of_the_question() -> None:
    question = "Who won the women's World Cup downhill in Valmora?"
    checked = CitationChecker().check("Lea Brunner won the women's downhill in Valmora.", _race(), question=Question(question))
    assert [c.quote for c in checked.citations] == ["Lea Brunner won the women's World Cup downhill in Valmora on Saturday."]
    restated = CitationChecker().check("The women's World Cup downhill was in Valmora.", _race(), question=Question(question))
    assert restated.supported, "a sentence that only restates the question adds no claim to check"


QUAKE = ("A 6.1 magnitude quake hit the coast just after 4 a.m. on Monday. "
         "About 38,000 homes lost power at the peak of the storm that followed.")


def _quake(published: str = "2025-03-03") -> list[Passage]:
    return [Passage("c4", "quake", "Quake hits the coast", QUAKE, 0, len(QUAKE), None, "Coast Wire", published)]


def test_an_answer_that_restates_the_question_in_its_own_words_rests_on_what_it_adds() -> None:
    question = "What was the magnitude of the earthquake that struck the coastline?"
    answer = "The magnitude of the earthquake that struck the coastline was 6.1."
    checked = CitationChecker().check(answer, _quake(), question=Question(question))
    assert [c.quote for c in checked.citations] == ["A 6.1 magnitude quake hit the coast just after 4 a.m. on Monday."]
    strict = CitationChecker(min_restated_support=0.5).check(answer, _quake(), question=Question(question))
    assert not strict.supported, "2 of its 5 words are in the quote"
    wrong = CitationChecker().check(answer.replace("6.1", "7.4"), _quake(), question=Question(question))
    assert not wrong.supported


def test_figures_from_the_question_need_no_evidence_but_its_years_do() -> None:
    question = "A 6.1 quake hit which stretch of land early on Monday, cutting power to 40,000 homes?"
    checked = CitationChecker().check("The 6.1 quake hit the coast, cutting power to 40,000 homes.",
                                      _quake(), question=Question(question))
    assert checked.supported, "40,000 is the question's own figure"
    year = CitationChecker().check("The 2026 quake hit the coast.", _quake(),
                                   question=Question("Which stretch of land did the 2026 quake hit?"))
    assert not year.supported, "the passage is from 2025 and names no 2026"


def test_a_figure_must_count_what_its_quote_counts() -> None:
    question = "How many people died in the storm?"
    died = CitationChecker().check("38,000 people died in the storm.", _quake(), question=Question(question))
    assert not died.supported
    homes = CitationChecker().check("38,000 homes lost power in the storm.", _quake(),
                                    question=Question("How many homes lost power in the storm?"))
    assert homes.supported


def test_a_quote_that_gives_another_figure_for_the_same_thing_does_not_support_it() -> None:
    """The audit mentions the first figure only to correct it; the claim rests on the July
    report that states it, so the reader sees which report the figure came from."""
    audit = "Harborfest drew 168,000 visitors this year, not the record 212,000 that organizers announced."
    july = "Harborfest drew a record 212,000 visitors over four days, beating the 185,000 set in 2023."
    passages = [Passage("a1", "audit", "Attendance cut", audit, 0, len(audit), None, "Metro Wire", "2025-08-02"),
                Passage("j1", "july", "Record crowd", july, 0, len(july), None, "Harbor Ledger", "2025-07-14")]
    question = "How many visitors attended Harborfest 2025?"
    stale = CitationChecker().check("Harborfest drew a record 212,000 visitors.", passages, question=Question(question))
    assert [c.doc_id for c in stale.citations] == ["july"]
    current = CitationChecker().check("Harborfest drew 168,000 visitors.", passages, question=Question(question))
    assert [c.doc_id for c in current.citations] == ["audit"]
    both = CitationChecker().check("Harborfest drew 168,000 visitors, not 212,000.", passages, question=Question(question))
    assert [c.doc_id for c in both.citations] == ["audit"]
