"""Browser helpers: Playwright driving Debian's chromium, and axe-core for accessibility audits.

The browser tests skip, saying why, when /usr/bin/chromium is missing (`apt-get install -y
chromium`) or axe-core is not installed (`npm install` in tests/e2e; `make install` does it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("STAGEFIT_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless chromium, open for the `with` block only.

    Use the database before or after the block, not inside it: Playwright's sync API runs an
    asyncio loop on this thread, and the app refuses database calls made on an event loop.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def audited_context(browser: Any, **options: Any) -> Any:
    """A browser context whose every page carries axe-core from its first script on.

    Handed to chromium once per context (an init script), rather than sent into every page
    audited: that was half of each audit's time. CSP is bypassed only so that axe-core's script
    can run."""
    context = browser.new_context(bypass_csp=True, **options)
    context.add_init_script(path=str(AXE))
    return context


def require_axe() -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `npm install` in tests/e2e (or `make install`)")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now (a page of an
    `audited_context`)."""
    results = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "wcag22aa", "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    # An audit that checked nothing would pass vacuously.
    assert len(results["passes"]) > 10, "axe-core did not run its checks"
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def scroll_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))
