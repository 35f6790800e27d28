"""The Dockerfile and docker-compose.yml cannot be run here (no container engine), so their
start commands and settings are checked against the code the other tests exercise: a
renamed flag or setting fails here instead of in someone's deployment."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from service.cli import build_parser
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _dockerfile_cmd() -> list[str]:
    line = next(line for line in DOCKERFILE.splitlines() if line.startswith("CMD "))
    return json.loads(line[len("CMD "):])


def _settings_env(env: dict[str, str]) -> dict[str, str]:
    """Compose's ``${VAR:-default}`` and ``${VAR:?message}`` filled in as a user would."""
    filled = {k: re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", v) for k, v in env.items()}
    filled["NEWSQA_API_KEYS"] = '{"change-me": ["admin", "query"]}'
    return filled


def test_image_and_compose_start_the_serve_command_the_tests_run() -> None:
    for command in (_dockerfile_cmd(), COMPOSE["services"]["api"]["command"]):
        assert command[:2] == ["newsqa", "serve"]
        args = build_parser().parse_args(command[1:])
        assert args.sample_if_empty
    assert build_parser().parse_args(COMPOSE["services"]["api"]["command"][1:]).workers == 2


def test_every_setting_the_deployments_name_exists() -> None:
    fields = {f"NEWSQA_{name.upper()}" for name in Settings.model_fields}
    compose_env = COMPOSE["services"]["api"]["environment"]
    docker_env = set(re.findall(r"\b(NEWSQA_\w+)=", DOCKERFILE))
    assert docker_env and set(compose_env) - {"NEWSQA_API_KEYS"}
    assert (docker_env | set(compose_env)) <= fields


def test_compose_settings_select_the_scale_out_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in _settings_env(COMPOSE["services"]["api"]["environment"]).items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert settings.chroma_mode == "server" and settings.chroma_host == "chroma"
    assert settings.catalog_url is not None
    assert settings.catalog_url.get_secret_value().startswith("postgresql://")
    assert set(COMPOSE["services"]) >= {"api", "chroma", "postgres", "llm"}
    assert COMPOSE["services"]["llm"]["profiles"] == ["llm"]
