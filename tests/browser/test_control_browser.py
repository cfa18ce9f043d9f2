"""The /explore page for issue 13, as a person uses it in headless Chromium against a real `kg serve`
(the fixtures of tests/test_browser_ui.py): the control slider colours places by who held them on a
day; an event with one date bound is on the timeline; a shared event is one entry with its articles."""

from __future__ import annotations

import pytest

from support import BASE
from support.browser import explore, shot, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.server]

OLD_HOMS, HAMA = f"{BASE}place/old-homs", f"{BASE}place/hama"


def control_on(page, day: str) -> list[dict]:
    """Set the slider to `day` as the URL does, and read the coloured places."""
    page.wait_for_selector("body[data-control]")
    page.evaluate("""day => { const s = document.getElementById('control-day');
        const first = Date.parse(document.getElementById('control-out').dataset.first);
        s.value = String(Math.round((Date.parse(day) - first) / 86400000) + 1);
        s.dispatchEvent(new Event('input')); }""", day)
    wait_until(page, "d => document.getElementById('control-out').textContent === d", arg=day)
    return page.locator("path.control-place").evaluate_all(
        "els => els.map(e => ({place: e.dataset.place, controller: e.dataset.controller, certainty: e.dataset.certainty}))")


def test_the_slider_colours_old_homs_by_who_held_it_before_and_after_the_truce(page):
    explore(page, "?control=2014-04-15")
    wait_until(page, "document.getElementById('control-out').textContent === '2014-04-15'")
    before = page.locator("path.control-place").evaluate_all(
        "els => els.map(e => [e.dataset.place, e.dataset.controller, e.dataset.certainty])")
    assert [OLD_HOMS, "rebels in Old Homs", "certain"] in before
    assert "control=2014-04-15" in page.url
    shot(page, "control-2014-04-15")
    after = control_on(page, "2014-06-15")
    old_homs = {(c["controller"], c["certainty"]) for c in after if c["place"] == OLD_HOMS}
    assert old_homs == {("Syrian government", "no end reported")}
    legend = page.locator("#control-legend").inner_text()
    assert "Syrian government" in legend
    # December 2024: Hama held by the rebel coalition that captured it
    hama = {c["controller"] for c in control_on(page, "2024-12-06") if c["place"] == HAMA}
    assert any(who.startswith("HTS-led") for who in hama)
    shot(page, "control-2024-12-06")


def test_the_slider_at_its_left_end_is_off(page):
    explore(page, "?control=2014-04-15")
    page.wait_for_selector("path.control-place")
    page.evaluate("() => { const s = document.getElementById('control-day'); s.value = '0'; s.dispatchEvent(new Event('input')); }")
    wait_until(page, "document.getElementById('control-out').textContent === 'off'")
    assert page.locator("path.control-place").count() == 0 and "control=" not in page.url


def test_an_event_known_only_to_have_ended_by_a_day_is_on_the_timeline(page):
    explore(page, "?place=old-homs")
    item = page.locator(f"#timeline li.item[data-item='{BASE}event/a002-syria-direct-fall-of-homs/rebel-defections']")
    assert item.count() == 1 and item.locator(".when").inner_text().startswith("by ")


def test_the_hama_massacre_is_one_entry_reported_by_two_articles(page):
    explore(page, "?place=hama")
    reports = page.locator(f"#timeline li.item[data-item='{BASE}event/a000-france24-final-offensive/hama-1982']")
    assert reports.count() == 1 and reports.get_attribute("data-reports") == "2"
    assert "reported by 2 articles" in reports.inner_text()
    assert page.locator(f"#timeline li.item[data-item='{BASE}event/a004-keystone-ats-homs-exodus/hama-massacre-1982']").count() == 0
