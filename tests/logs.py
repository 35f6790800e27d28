"""Logs captured as the service writes them, for tests that check what a line may carry."""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager
from typing import Iterator

from service.observability.logs import CHATTY_CLIENTS, configure_logging


@contextmanager
def captured_logs(level: str) -> Iterator[io.StringIO]:
    """The service's JSON logging at ``level`` into a buffer; afterwards the root logger and
    the HTTP clients' loggers are as they were."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging(level, "json", stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name in CHATTY_CLIENTS:
            logging.getLogger(name).setLevel(logging.NOTSET)
