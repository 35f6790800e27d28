from ingest.chunking import Chunker, sentence_spans
from ingest.cleaning import clean_text
from ingest.embedder import Embedder


def test_sentence_spans_keep_abbreviations_and_paragraphs() -> None:
    text = "Mr. Lee met U.S. officials. He left at 5 p.m. on Friday.\n\nA new paragraph"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Mr. Lee met U.S. officials.", "He left at 5 p.m. on Friday.", "A new paragraph"]


def _article(sentences: int) -> str:
    return clean_text(" ".join(
        f"Sentence number {i} reports that the harbour authority moved {i * 7} containers "
        f"through terminal {i % 4} during the storm." for i in range(sentences)))


def test_chunks_are_exact_slices_within_the_token_window(embedder: Embedder) -> None:
    text = _article(60)
    chunker = Chunker(embedder.count_tokens, max_tokens=embedder.max_tokens,
                      target_tokens=120, overlap_tokens=40)
    chunks = chunker.split("Harbour traffic during the storm", text)
    assert len(chunks) > 3
    for chunk in chunks:
        assert text[chunk.start:chunk.end] == chunk.text
        assert chunk.embed_text == "Harbour traffic during the storm\n" + chunk.text
        assert embedder.count_tokens([chunk.embed_text])[0] <= embedder.max_tokens
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_neighbouring_chunks_overlap_by_a_sentence(embedder: Embedder) -> None:
    chunker = Chunker(embedder.count_tokens, max_tokens=embedder.max_tokens,
                      target_tokens=120, overlap_tokens=40)
    chunks = chunker.split("T", _article(20))
    assert all(b.start < a.end for a, b in zip(chunks, chunks[1:]))


def test_an_overlong_sentence_is_split_not_truncated(embedder: Embedder) -> None:
    text = " ".join(f"word{i}" for i in range(900)) + "."
    chunker = Chunker(embedder.count_tokens, max_tokens=embedder.max_tokens,
                      target_tokens=200, overlap_tokens=0)
    chunks = chunker.split("A very long title " * 30, text)
    assert len(chunks) > 3
    assert "".join(c.text + " " for c in chunks).strip() == text
    for chunk in chunks:
        assert embedder.count_tokens([chunk.embed_text])[0] <= embedder.max_tokens
