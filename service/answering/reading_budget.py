"""How much evidence a model prompt may carry, from a time-to-first-token target and the
prompt-reading speed the model shows on this machine.

A CPU model reads the prompt before it writes a word, so the first token waits for every
prompt token: the same 1.5B model read 13 word pieces a second on one 2-core machine and
several times more on another. A fixed evidence size is either too slow on the first or
wastes the second's speed on passages cut short. The budget is therefore the target time
times the measured speed, less what the rest of the prompt costs, within bounds; each
answer's own first-token time refines the speed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

# Step the budget moves in: the speed estimate wanders by a few percent between answers,
# and a budget that followed it word piece by word piece would change prompts (and so
# answers) on every question.
STEP_TOKENS = 25


@dataclass(frozen=True)
class BudgetBounds:
    """``floor``: the fewest word pieces a prompt gets however slow the model (the best
    sentence goes in regardless): with 50 on a loaded machine, the 1.5B model answered
    0.58 of the sample gold set instead of 0.85; ``ceiling``: the most, since past a few
    passages more text only dilutes the answering sentence."""

    floor: int = 100
    ceiling: int = 600


class ReadingBudget:
    """Thread-safe: every answer reads the budget and reports its own reading time."""

    def __init__(self, *, target_s: float, prior_tokens_per_s: float, fixed_tokens: int = 0,
                 bounds: BudgetBounds = BudgetBounds(), smoothing: float = 0.3) -> None:
        """``fixed_tokens`` > 0 pins the budget (reproducible runs, or an operator's
        choice); ``prior_tokens_per_s`` is the speed assumed until one is measured."""
        self._target_s = target_s
        self._fixed = fixed_tokens
        self._bounds = bounds
        self._smoothing = smoothing
        self._speed = prior_tokens_per_s
        self._measured = False
        self._lock = threading.Lock()

    @property
    def tokens_per_s(self) -> float:
        return self._speed

    @property
    def measured(self) -> bool:
        return self._measured

    def tokens(self, other_prompt_tokens: int) -> int:
        """Word pieces of evidence: what the model reads in the target time, less the rest
        of the prompt (instructions, question, headers), rounded down to a step."""
        if self._fixed:
            return self._fixed
        room = self._speed * self._target_s - other_prompt_tokens
        stepped = int(room // STEP_TOKENS) * STEP_TOKENS
        return max(self._bounds.floor, min(self._bounds.ceiling, stepped))

    def observe(self, prompt_tokens: int, seconds: float) -> None:
        """One prompt of ``prompt_tokens`` word pieces took ``seconds`` to its first token.
        The first measurement replaces the prior; later ones move the estimate by
        ``smoothing`` of the difference, so one slow answer (another process took a
        core) does not halve the next prompt."""
        if prompt_tokens <= 0 or seconds <= 0:
            return
        speed = prompt_tokens / seconds
        with self._lock:
            if self._measured:
                speed = self._speed + self._smoothing * (speed - self._speed)
            self._speed = speed
            self._measured = True
