"""One chromium per browser test module (Debian's, driven by Playwright; skips where absent)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chromium_support import CHROMIUM, CHROMIUM_ARGS, sync_playwright_or_skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = sync_playwright_or_skip()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
