import shutil
from pathlib import Path

import pytest

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.files import expand_sources, load_file
from ingest.loaders.jsonl import FieldMap

FIXTURES = Path(__file__).parent / "fixtures"


def load(path: Path, **kwargs: object) -> list[Article | LoadFailure]:
    return list(load_file(path, **kwargs))  # type: ignore[arg-type]


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "suffix", "count", "first_title"),
    [
        ("seed_article.txt", ".txt", 1, "Lakeside town opens its first floating solar farm"),
        ("article.md", ".markdown", 1, "Orchard growers test frost-warning drones"),
        ("page.html", ".htm", 1, "Ferry strike ends after pay deal"),
        ("articles.json", ".json", 2, "Record rainfall floods river market"),
        ("articles.jsonl", ".ndjson", 4, "Bakery wins regional bread prize"),
        ("rss.xml", ".rss", 2, "Cable car closed for inspection"),
        ("atom.xml", ".atom", 2, "Seal pups counted on the sandbank"),
    ],
)
def test_dispatch_by_suffix(tmp_path: Path, name: str, suffix: str, count: int,
                            first_title: str) -> None:
    for path in (FIXTURES / name, shutil.copy(FIXTURES / name, tmp_path / f"copy{suffix}")):
        results = load(Path(path))
        assert len(results) == count
        first = results[0]
        assert isinstance(first, Article)
        assert first.title.startswith(first_title)
        assert first.origin.startswith(str(path))


def test_field_map_is_passed_to_json(tmp_path: Path) -> None:
    path = write(tmp_path / "x.jsonl", b'{"headline": "H", "story": "S"}\n')
    (article,) = load(path, fields=FieldMap.parse("title=headline,text=story"))
    assert isinstance(article, Article)
    assert (article.title, article.text) == ("H", "S")


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", b'\xef\xbb\xbf{"title": "T", "text": "Body."}')
    (article,) = load(path)
    assert isinstance(article, Article) and article.title == "T"


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(LoadError, match="^binary file, not text$"):
        load(path)


def test_invalid_utf8_names_the_byte(tmp_path: Path) -> None:
    path = write(tmp_path / "latin.txt", "Caf\u00e9 opens\n\nNew caf\u00e9.".encode("latin-1"))
    with pytest.raises(LoadError, match=r"^not valid UTF-8 at byte 3; re-save the file as UTF-8$"):
        load(path)


def test_html_in_legacy_encoding_is_accepted(tmp_path: Path) -> None:
    body = "<p>" + "Le caf\u00e9 du port rouvre apr\u00e8s des travaux de r\u00e9novation. " * 5
    path = write(tmp_path / "old.html", f"<html><body>{body}</p></body></html>".encode("cp1252"))
    (article,) = load(path)
    assert isinstance(article, Article) and "caf\u00e9 du port" in article.text


def test_utf16_file(tmp_path: Path) -> None:
    path = write(tmp_path / "notepad.txt", "Title\n\nBody".encode("utf-16"))
    with pytest.raises(LoadError, match="UTF-16 text; re-save the file as UTF-8"):
        load(path)


@pytest.mark.parametrize("content", [b"", b"  \n\n ", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(LoadError, match="^file is empty$"):
        load(write(tmp_path / "empty.md", content))


def test_file_over_the_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(LoadError, match=r"^file is 50\.0 MB, over the 10\.0 MB limit$"):
        load(path)
    with pytest.raises(LoadError, match=r"^file is 50\.0 MB, over the 1\.0 MB limit$"):
        load(path, max_bytes=1024 * 1024)


def test_unknown_suffix(tmp_path: Path) -> None:
    path = write(tmp_path / "report.pdf", b"%PDF-1.7")
    with pytest.raises(LoadError, match=r"^unsupported file type '\.pdf' \(supported: \.txt, \.md, "):
        load(path)
    with pytest.raises(LoadError, match=r"unsupported file type \(no suffix\)"):
        load(write(tmp_path / "README", b"text"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        load(tmp_path / "gone.txt")


def test_expand_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("news/b.md", "news/a.txt", "news/deep/c.jsonl", "news/skip.pdf",
                 "news/.hidden.txt", "news/.git/d.txt", "single.pdf", "other/e.json",
                 "other/f.html", "empty/.keep.txt"):
        write(tmp_path / name, b"x")
    expanded = expand_sources([
        "news", "single.pdf", "other/*.json", "https://example.com/feed", "missing.txt",
        "news/a.txt", "empty", "nothing/*.txt", "other/*",
    ])
    assert expanded.targets == [
        Path("news/a.txt"), Path("news/b.md"), Path("news/deep/c.jsonl"), Path("single.pdf"),
        Path("other/e.json"), "https://example.com/feed", Path("other/f.html"),
    ]
    assert expanded.skipped == [Path("news/skip.pdf")]  # named alone, single.pdf is a target
    assert expanded.failures == [
        LoadFailure("missing.txt", "no such file or folder"),
        LoadFailure("empty", "folder has no supported files (.txt, .md, .markdown, .html, "
                             ".htm, .json, .jsonl, .ndjson, .xml, .rss, .atom)"),
        LoadFailure("nothing/*.txt", "no supported files match this pattern"),
    ]


def test_expand_sources_recursive_glob(tmp_path: Path) -> None:
    for name in ("x/1.txt", "x/y/2.txt", "x/y/3.md"):
        write(tmp_path / name, b"x")
    expanded = expand_sources([f"{tmp_path}/**/*.txt"])
    assert expanded.targets == [tmp_path / "x/1.txt", tmp_path / "x/y/2.txt"]
    assert expanded.failures == [] and expanded.skipped == []


def test_files_of_unsupported_types_in_folders_and_patterns_are_skipped_not_lost(tmp_path: Path) -> None:
    for name in ("x/story.txt", "x/scan.pdf", "x/y/notes.docx", "x/y/.hidden.pdf", "x/README"):
        write(tmp_path / name, b"x")
    expanded = expand_sources([str(tmp_path / "x"), f"{tmp_path}/x/y/*"])
    assert expanded.targets == [tmp_path / "x/story.txt"]
    assert expanded.skipped == [tmp_path / "x/README", tmp_path / "x/scan.pdf", tmp_path / "x/y/notes.docx"]
    only_pdfs = expand_sources([str(tmp_path / "x" / "*.pdf")])
    assert only_pdfs.skipped == [tmp_path / "x/scan.pdf"]
    assert only_pdfs.failures == [LoadFailure(str(tmp_path / "x" / "*.pdf"),
                                              "no supported files match this pattern")]
