"""``newsqa`` end to end on a temporary data dir: a batch with every kind of bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from eval.bench.common import free_port
from ingest.article import Article
from service import cli
from service.assembly import Components
from service.settings import Settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _bad_batch(folder: Path) -> None:
    folder.mkdir()
    (folder / "good.md").write_text(
        "---\nid: good-1\ntitle: Tram depot opens\ndate: 2025-05-02\nsource: Metro Wire\n---\n"
        "The new tram depot opened on Friday with space for 40 trams.\n")
    (folder / "also_good.txt").write_text(
        "date 2024-09-09 Library extends opening hours\n\nThe central library will open until "
        "9 pm on weekdays from October.\n\nReporting by Ada Kim\n")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (folder / "latin1.txt").write_bytes("Caf\xe9 owners protest new rules.".encode("latin-1"))
    (folder / "empty.md").write_bytes(b"")
    (folder / "export.jsonl").write_text(
        json.dumps({"id": "j1", "title": "Bridge reopens", "text": "The bridge reopened."}) + "\n"
        "{not json\n"
        + json.dumps({"id": "j2", "title": "Pool closes", "text": "The pool closed for repairs."}) + "\n")
    with (folder / "huge.txt").open("wb") as big:
        big.truncate(50 * 1024 * 1024)


def test_ingest_reports_each_bad_input_and_keeps_the_rest(tmp_path: Path, data_dir: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "batch"
    _bad_batch(folder)
    url = f"http://127.0.0.1:{free_port()}/story.html"
    code = cli.main(["ingest", "--quiet", str(folder), url])
    out, err = capsys.readouterr()
    assert code == 1
    assert "added 4, updated 0, unchanged 0, failed 6" in out
    reasons = {line.split(": ", 2)[1]: line.split(": ", 2)[2] for line in err.splitlines()
               if line.strip().startswith("failed:")}
    by_name = {Path(k.split(":")[0] if not k.startswith("http") else k).name: v for k, v in reasons.items()}
    assert "binary" in by_name["image.txt"]
    assert "UTF-8" in by_name["latin1.txt"]
    assert "empty" in by_name["empty.md"]
    assert "50.0 MB" in by_name["huge.txt"]
    assert "invalid JSON" in reasons[f"{folder / 'export.jsonl'}:2"]
    assert "connect" in reasons[url]

    assert cli.main(["ingest", "--quiet", str(folder / "good.md")]) == 0
    assert "unchanged 1" in capsys.readouterr().out


def test_docs_list_show_delete_and_stats(tmp_path: Path, data_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "batch"
    _bad_batch(folder)
    cli.main(["ingest", "--quiet", str(folder / "good.md"), str(folder / "export.jsonl")])
    capsys.readouterr()

    assert cli.main(["docs", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {d["id"] for d in listed["documents"]} == {"good-1", "j1", "j2"} and listed["total"] == 3

    assert cli.main(["docs", "show", "good-1"]) == 0
    shown = capsys.readouterr().out
    assert "title: Tram depot opens" in shown and "space for 40 trams" in shown

    assert cli.main(["stats"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["documents"] == 3 and stats["vectors"] == stats["chunks"] == 3

    assert cli.main(["docs", "delete", "j1"]) == 0
    assert cli.main(["docs", "delete", "j1"]) == 2
    assert "no document with id 'j1'" in capsys.readouterr().err
    assert cli.main(["docs", "show", "nope"]) == 2


def test_docs_list_pages_and_says_how_many_it_leaves_out(data_dir: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    articles = [Article(title=f"Council meeting {i:02d}", text=f"The council met for the {i}th time.",
                        id=f"council-{i:02d}", published=f"2025-01-{i + 1:02d}", source="Metro Wire")
                for i in range(7)]
    components = Components(Settings())
    components.corpus().indexer.ingest(articles)
    components.close()

    assert cli.main(["docs", "list", "--limit", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[-1] for line in lines[:-1]] == ["council-06", "council-05", "council-04"]
    assert lines[-1] == "showing 3 of 7; next page: --offset 3"

    assert cli.main(["docs", "list", "--limit", "3", "--offset", "6"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[-1] for line in lines[:-1]] == ["council-00"]
    assert lines[-1] == "showing 1 of 7 (from #7)"

    assert cli.main(["docs", "list", "--limit", "2", "--offset", "2", "--json"]) == 0
    page = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in page["documents"]] == ["council-04", "council-03"]
    assert (page["total"], page["limit"], page["offset"]) == (7, 2, 2)

    assert cli.main(["docs", "list", "--source", "Harbor Ledger"]) == 0
    assert capsys.readouterr().out == "showing 0 of 0\n"
    with pytest.raises(SystemExit):
        cli.main(["docs", "list", "--limit", "0"])
    assert "must be from 1" in capsys.readouterr().err


def test_an_article_without_a_source_shows_its_site_and_no_none(data_dir: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    components = Components(Settings())
    components.corpus().indexer.ingest([
        Article(title="Harbour cranes arrive", text="Four cranes arrived.", id="cranes",
                url="https://www.harbour.example/cranes"),
        Article(title="Bakery reopens", text="The bakery reopened on Friday.", id="bakery")])
    components.close()

    assert cli.main(["docs", "list"]) == 0
    rows = {line.split()[-1]: line for line in capsys.readouterr().out.splitlines()[:-1]}
    assert "harbour.example" in rows["cranes"]
    assert cli.main(["docs", "show", "cranes"]) == 0
    shown = capsys.readouterr().out
    assert "source: harbour.example" in shown and "None" not in shown
    assert cli.main(["docs", "show", "bakery"]) == 0
    shown = capsys.readouterr().out
    fields = [line.split(":")[0] for line in shown.split("\n\n")[0].splitlines()]
    assert "None" not in shown and "url" not in fields and "source" not in fields
    assert "title: Bakery reopens" in shown and "date_source: none" in shown


def test_main_in_process_leaves_the_callers_signals_alone(data_dir: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The test run calls ``main`` in-process; with SIGPIPE at its default there, a later
    write to a socket a client had closed killed the whole run."""
    before = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        assert cli.main(["docs", "list", "--json"]) == 0
        assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGPIPE, before)


def test_the_program_ends_quietly_on_a_closed_pipe() -> None:
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "newsqa"]
    assert script.value == "service.cli:run"
    reader, writer = os.pipe()
    os.close(reader)
    code = "import sys; sys.argv = ['newsqa', '--help']; from service.cli import run; run()"
    done = subprocess.run([sys.executable, "-c", code], stdout=writer, stderr=subprocess.PIPE,
                          timeout=120, check=False)
    os.close(writer)
    assert done.returncode == -signal.SIGPIPE and b"Traceback" not in done.stderr


def test_ingest_counts_skipped_files_and_its_bar_knows_the_total_from_the_start(
        tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "batch"
    _bad_batch(folder)
    for name in ("scan.pdf", "photo.JPG", "notes.pdf", "README"):
        (folder / name).write_bytes(b"not an article")
    assert cli.main(["ingest", str(folder / "good.md"), str(folder / "also_good.txt"),
                     str(folder / "*.pdf"), str(folder / "*.JPG"), str(tmp_path / "nothing")]) == 1
    out, err = capsys.readouterr()
    assert ("added 2, updated 0, unchanged 0, failed 3, skipped 3 of unsupported types "
            "(.pdf 2, .jpg 1)") in out
    assert "0/2 doc" in err and "2/2 doc" in err
    assert f"  skipped: {folder / 'scan.pdf'}: unsupported file type" in err.splitlines()
