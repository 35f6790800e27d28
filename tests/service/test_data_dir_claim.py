"""One holder per data dir: the lock dies with its process, a stale holder file is ignored
and removed, and a waiter hears once whom it waits for."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from service.data_dir_claim import (HOLDER_NAME, Claim, DataDirBusy, Holder, claim_for_service,
                                    current_holder, local_url, take_or_find_service)

HOLD = ("import sys, time\nfrom pathlib import Path\nfrom service.data_dir_claim import Claim, Holder\n"
        "claim = Claim.take(Path(sys.argv[1]))\nclaim.publish(Holder(12345678, 'ingest'))\n"
        "print('held', flush=True)\ntime.sleep(600)\n")


def test_one_claim_at_a_time_and_the_holder_file_goes_with_it(tmp_path: Path) -> None:
    claim = Claim.take(tmp_path / "data")
    assert claim is not None
    claim.publish(Holder(os.getpid(), "serve", url="http://127.0.0.1:8000", token="t0k"))
    assert Claim.take(tmp_path / "data") is None
    holder_file = tmp_path / "data" / HOLDER_NAME
    assert holder_file.stat().st_mode & 0o777 == 0o600
    assert current_holder(tmp_path / "data") == Holder(os.getpid(), "serve", "http://127.0.0.1:8000", "t0k")
    claim.release()
    assert not holder_file.exists()
    again = Claim.take(tmp_path / "data")
    assert again is not None
    again.release()


def test_a_killed_holder_leaves_a_stale_file_that_the_next_claim_removes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(data)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert Claim.take(data) is None
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (data / HOLDER_NAME).exists()
    assert current_holder(data) is None  # pid 12345678 is not running
    claim = Claim.take(data)
    assert claim is not None and not (data / HOLDER_NAME).exists()
    claim.release()


@pytest.mark.parametrize("content", ["{not json", json.dumps({"pid": os.getpid(), "role": "janitor"}),
                                     json.dumps({"role": "serve"})])
def test_a_holder_file_that_says_nothing_usable_names_no_holder(tmp_path: Path, content: str) -> None:
    (tmp_path / HOLDER_NAME).write_text(content)
    assert current_holder(tmp_path) is None


def test_a_command_waits_for_another_command_and_is_told_once(tmp_path: Path) -> None:
    first = Claim.take(tmp_path)
    assert first is not None
    first.publish(Holder(os.getpid(), "ingest"))
    heard: list[str] = []
    threading.Timer(0.6, first.release).start()
    started = time.monotonic()
    found = take_or_find_service(tmp_path, heard.append)
    assert isinstance(found, Claim) and time.monotonic() - started >= 0.5
    assert heard == [f"waiting for newsqa ingest (pid {os.getpid()}) to finish with {tmp_path} ..."]
    found.release()


def test_a_service_is_found_not_waited_for(tmp_path: Path) -> None:
    claim = Claim.take(tmp_path)
    assert claim is not None
    serving = Holder(os.getpid(), "serve", url="http://127.0.0.1:8123", token="t")
    claim.publish(serving)
    try:
        assert take_or_find_service(tmp_path, pytest.fail) == serving
        with pytest.raises(DataDirBusy, match=r"already served by newsqa serve \(pid \d+\) at http://127.0.0.1:8123"):
            claim_for_service(tmp_path, pytest.fail)
        claim.publish(Holder(os.getpid(), "worker"))
        with pytest.raises(DataDirBusy, match="several workers need Chroma as a server"):
            claim_for_service(tmp_path, pytest.fail)
    finally:
        claim.release()


@pytest.mark.parametrize(("host", "url"), [
    ("127.0.0.1", "http://127.0.0.1:8000"), ("0.0.0.0", "http://127.0.0.1:8000"),
    ("::", "http://[::1]:8000"), ("[::1]", "http://[::1]:8000"), ("localhost", "http://localhost:8000"),
])
def test_the_address_a_local_client_uses(host: str, url: str) -> None:
    assert local_url(host, 8000) == url
