"""Prompt templates from ``prompts/``, read once at start-up; code never holds prompt text."""

from __future__ import annotations

from pathlib import Path

REQUIRED = ("answer_system", "answer_user", "condense", "refusal", "unanswered_part")


class PromptLibrary:
    def __init__(self, folder: Path) -> None:
        self._templates = {p.stem: p.read_text(encoding="utf-8").strip()
                           for p in sorted(folder.glob("*.txt"))}
        missing = [name for name in REQUIRED if name not in self._templates]
        if missing:
            raise FileNotFoundError(f"prompt templates missing in {folder}: {', '.join(missing)}")

    def render(self, name: str, **values: str) -> str:
        return self._templates[name].format(**values)

    def text(self, name: str) -> str:
        return self._templates[name]
