"""API keys with scopes, and optionally the browser origins and the collections a key may
be used for.

Only sha256 digests of the keys are kept, and a presented key is compared with every stored
digest through ``hmac.compare_digest``: a memory dump reveals no key, and the time a
comparison takes says nothing about how much of a guessed key was right. Error messages
name line numbers and positions, never key values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ingest.store.collection_registry import CollectionNameError, check_name

Scope = Literal["admin", "query"]
SCOPES: tuple[str, ...] = get_args(Scope)
ALL_COLLECTIONS = "*"


def _collection_entry(name: str) -> str:
    return name if name == ALL_COLLECTIONS else check_name(name)


CollectionEntry = Annotated[str, AfterValidator(_collection_entry)]


class KeyConfigError(ValueError):
    """The key configuration cannot be used; the message says where, never which key."""


class KeyGrant(BaseModel):
    """What one key may do; ``origins`` None means any origin (server-to-server clients),
    ``collections`` None or ``["*"]`` every collection (what keys did before collections).
    The collections are those the key reads with ``query`` and writes with ``admin``."""

    model_config = ConfigDict(extra="forbid")
    scopes: list[Scope] = Field(min_length=1)
    origins: list[str] | None = None
    collections: list[CollectionEntry] | None = Field(None, min_length=1)


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def normalize_origin(origin: str) -> str:
    """Browsers send ``scheme://host[:port]`` in lower case without a trailing slash."""
    return origin.strip().rstrip("/").lower()


@dataclass(frozen=True)
class ApiKey:
    digest: bytes
    scopes: frozenset[str]
    origins: frozenset[str] | None
    collections: frozenset[str] | None = None

    @property
    def id(self) -> str:
        """A short, non-reversible name for rate-limit buckets."""
        return self.digest.hex()[:16]

    def allows_origin(self, origin: str | None) -> bool:
        """A request without ``Origin`` is not from a browser page, so the list does not apply."""
        return origin is None or self.origins is None or normalize_origin(origin) in self.origins

    def may_use(self, collection: str) -> bool:
        return self.collections is None or collection in self.collections


def _api_key(key: str, grant: KeyGrant) -> ApiKey:
    origins = None if grant.origins is None else frozenset(normalize_origin(o) for o in grant.origins)
    collections = None if grant.collections is None or ALL_COLLECTIONS in grant.collections \
        else frozenset(grant.collections)
    return ApiKey(digest(key), frozenset(grant.scopes), origins, collections)


def _check_key(key: str, where: str) -> None:
    if not key or key != key.strip() or any(c.isspace() for c in key):
        raise KeyConfigError(f"{where}: a key must be non-empty and contain no whitespace")


def parse_json(text: str, where: str) -> dict[str, KeyGrant]:
    """``{"key": ["query"], "other": {"scopes": ["query"], "origins": ["https://site"],
    "collections": ["archive"]}}``."""
    try:
        raw: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KeyConfigError(f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(raw, dict):
        raise KeyConfigError(f"{where}: expected a JSON object mapping each key to its scopes")
    grants: dict[str, KeyGrant] = {}
    for position, (key, value) in enumerate(raw.items(), start=1):
        entry = f"{where}, entry {position}"
        _check_key(key, entry)
        spec = {"scopes": value} if isinstance(value, list) else value
        try:
            grants[key] = KeyGrant.model_validate(spec)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}"
                                 for e in exc.errors())
            raise KeyConfigError(f"{entry}: {problems} (scopes are {', '.join(SCOPES)})") from None
    return grants


LINE_FORMAT = "`key scope,scope [origin,origin] [collections=name,name]`"
COLLECTIONS_FIELD = "collections="


def _line_collections(fields: list[str], entry: str) -> list[str] | None:
    """The ``collections=a,b`` field of a line, taken out of ``fields``; None without one."""
    named = [f for f in fields[2:] if f.startswith(COLLECTIONS_FIELD)]
    if not named:
        return None
    fields.remove(named[0])
    names = [n for n in named[0][len(COLLECTIONS_FIELD):].split(",") if n]
    if not names:
        raise KeyConfigError(f"{entry}: `{COLLECTIONS_FIELD}` names no collection ('*' for all)")
    try:
        return [_collection_entry(n) for n in names]
    except CollectionNameError as exc:
        raise KeyConfigError(f"{entry}: {exc}") from None


def parse_lines(text: str, where: str) -> dict[str, KeyGrant]:
    """One key per line (see ``LINE_FORMAT``); blank lines and ``#`` comments skipped."""
    grants: dict[str, KeyGrant] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        entry = f"{where}, line {number}"
        collections = _line_collections(fields, entry) if len(fields) in (3, 4) else None
        if len(fields) not in (2, 3):
            raise KeyConfigError(f"{entry}: expected {LINE_FORMAT}")
        scopes = [s for s in fields[1].split(",") if s]
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown or not scopes:
            raise KeyConfigError(f"{entry}: unknown scope {', '.join(unknown) or '(none)'}; "
                                 f"scopes are {', '.join(SCOPES)}")
        if fields[0] in grants:
            raise KeyConfigError(f"{entry}: this key is already defined above")
        origins = [o for o in fields[2].split(",") if o] if len(fields) == 3 else None
        grants[fields[0]] = KeyGrant(scopes=scopes, origins=origins,  # type: ignore[arg-type]
                                     collections=collections)
    return grants


def parse_file(path: Path) -> dict[str, KeyGrant]:
    """The same JSON as ``NEWSQA_API_KEYS``, or the line format."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyConfigError(f"{path}: cannot read the API key file ({type(exc).__name__})") from None
    if text.lstrip().startswith("{"):
        return parse_json(text, str(path))
    return parse_lines(text, str(path))


LOCAL_SCOPES = frozenset(SCOPES)


class KeyStore:
    """The configured keys. Empty means local open mode (see ``service.security.binding``).

    ``local`` keys are tokens that ``newsqa serve`` makes for one run and leaves in its data
    dir for the commands of the same machine (``service.data_dir_claim``): they grant every
    scope but do not count as configured, so they never close an open local service."""

    def __init__(self, keys: Iterable[ApiKey] = (), local: Iterable[ApiKey] = ()) -> None:
        self._keys = tuple(keys)
        self._local = tuple(local)

    def with_local_token(self, token: str) -> KeyStore:
        return KeyStore(self._keys, (*self._local, ApiKey(digest(token), LOCAL_SCOPES, None, None)))

    @classmethod
    def load(cls, inline: str, path: Path | None) -> KeyStore:
        """Keys from the ``NEWSQA_API_KEYS`` JSON and the ``NEWSQA_API_KEYS_FILE``, together."""
        grants = parse_json(inline, "NEWSQA_API_KEYS") if inline.strip() else {}
        if path is not None:
            from_file = parse_file(path)
            if grants.keys() & from_file.keys():
                raise KeyConfigError(f"{path}: a key is defined both there and in NEWSQA_API_KEYS")
            grants.update(from_file)
        return cls(_api_key(key, grant) for key, grant in grants.items())

    @property
    def configured(self) -> bool:
        return bool(self._keys)

    def find(self, presented: str) -> ApiKey | None:
        """Compares against every key, without stopping at a match, in constant time each."""
        wanted = digest(presented)
        found = None
        for key in (*self._keys, *self._local):
            if hmac.compare_digest(key.digest, wanted):
                found = key
        return found
