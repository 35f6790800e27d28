"""The ask service with its answers counted.

Every answer passes through ``AskService.stream`` (``ask`` collects that stream, and chat
completions call ``ask``), so observing the events there covers the JSON, SSE and
OpenAI-compatible paths alike: stage timings from ``done``, tokens, answers and refusals.
"""

from __future__ import annotations

from typing import Any, Iterator

from service.answering.ask_service import AskRequest, AskService, Event
from service.observability.metrics import Metrics


class MeteredAskService(AskService):
    def __init__(self, *args: Any, metrics: Metrics, collection: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metrics = metrics
        self._collection = collection

    def stream(self, request: AskRequest) -> Iterator[Event]:
        for event in super().stream(request):
            self._metrics.observe_event(event, self._collection)
            yield event
