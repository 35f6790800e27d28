"""Articles are data, never instructions: sentences in an article that address the model
("ignore previous instructions", "you are now ...") are kept out of prompts and out of
extractive answers, whatever else the article says."""

from __future__ import annotations

import re

_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompts?|rules|guidelines|context)\b"
    r"|\byou are now\b|\bsystem prompt\b|\bas an ai\b|\bact as\b.{0,30}\b(assistant|model|ai)\b"
    r"|\b(tell|instruct) (the )?(readers?|users?)\b.{0,60}\b(safe|buy|recommend)\b",
    re.IGNORECASE,
)


def looks_like_instruction(sentence: str) -> bool:
    return bool(_INSTRUCTION.search(sentence))
