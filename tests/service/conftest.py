"""Playwright settings shared by the service's browser tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import CHROMIUM, CHROMIUM_FLAGS


@pytest.fixture(scope="session")
def base_url() -> None:
    """Pages open the full address of the server a test starts. Defined here, it replaces
    pytest-playwright's fallback fixture, an instance method that pytest deprecates."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """The system Chromium, with the flags that keep it from calling out on its own."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}
