"""The browser tests' fixtures: one real `kg serve` and one headless Chromium (Debian's, driven by
Playwright) per module, and a new tab per test that checks no request left 127.0.0.1 and no
script failed."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from support.browser import ARGS, CHROMIUM, TIMEOUT
from support.servers import running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("browser")) as url:
        yield url


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' installs playwright")
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail(f"no {CHROMIUM}: install Debian's chromium (`apt-get install chromium`; .ci/run does)")
    with sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1400, "height": 900}, accept_downloads=True)
        ctx.set_default_timeout(TIMEOUT)
        yield ctx
        ctx.close()


@pytest.fixture
def page(context, server):
    """A new tab; after the test: every request it made stayed on 127.0.0.1, and no script failed."""
    tab = context.new_page()
    requests, errors, failed = [], [], []
    tab.on("request", lambda r: requests.append(r.url))
    tab.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error"
           and not m.text.startswith("Failed to load resource") else None)  # those are in `failed`
    tab.server, tab.expected_statuses = server, set()  # a test that provokes an error answer says which
    yield tab
    tab.close()
    assert requests, "the page made no request at all"
    outside = [u for u in requests if urlsplit(u).scheme not in ("data", "blob")
               and urlsplit(u).hostname != "127.0.0.1"]
    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert not errors, f"script errors: {errors}"
    assert all(status in tab.expected_statuses for status, _ in failed), f"failed requests: {failed}"
