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
