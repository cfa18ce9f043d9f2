"""Helpers for the browser tests (fixtures in tests/browser/conftest.py)."""

from __future__ import annotations

from support import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT = 15_000  # ms: the longest any page may take to show what a test waits for


def shot(page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def go(page, path: str) -> None:
    page.goto(page.server + path)


def explore(page, query: str = "") -> None:
    go(page, "/explore" + query)
    page.wait_for_selector("body[data-ready=true]")


def wait_until(page, expression: str, arg=None, timeout: float = TIMEOUT) -> None:
    """page.wait_for_function, polled from here: Playwright's own poller evaluates the predicate with
    eval inside the page, which the service's Content-Security-Policy (no 'unsafe-eval') refuses;
    page.evaluate goes through the DevTools protocol, which the page's CSP does not govern."""
    import time

    deadline = time.monotonic() + timeout / 1000
    from playwright.sync_api import Error

    while True:
        try:
            if page.evaluate(expression, arg) if arg is not None else page.evaluate(expression):
                return
        except Error:  # not there yet (a null element): keep polling, as wait_for_function does not
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout / 1000:g} s: {expression}")
        time.sleep(0.1)
