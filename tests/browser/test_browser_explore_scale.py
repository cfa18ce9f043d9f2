"""/explore fetching only what its view needs (issue 17): the counts by place and by month first,
every item at once only for a small graph, and beyond (forced here with `?full=0`) the items of the
visible box when zoomed in. Requests are recorded; the answers are the seeds'."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from support import BASE
from support.browser import explore, wait_until


def _record(page) -> list[str]:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
    return asked


def _bars(page) -> int:
    """The year bars with events (an empty year is drawn 1 px high in grey)."""
    return page.locator("#spark rect.bar").evaluate_all("els => els.filter(e => !e.getAttribute('style')).length")


def test_explore_draws_points_and_bars_on_the_seeds_without_the_places_list(page):
    asked = _record(page)
    explore(page)
    assert page.evaluate("document.body.dataset.mode") == "all"
    assert page.locator("#map .pin[data-place], #map .pin[data-cluster]").count() > 0, "points on the map"
    assert _bars(page) >= 5
    assert page.locator("#timeline li.item").count() > 100
    paths = [urlsplit(u).path for u in asked]
    assert "/api/event_map_counts" in paths and "/api/event_map_months" in paths and "/api/event_map" in paths
    assert "/api/places" not in paths
    assert "/api/event_map_places" not in paths, "the first view reads no place's dates (event_map_counts)"


def test_zoomed_out_beyond_the_threshold_explore_draws_counts_then_fetches_the_box_it_zooms_to(page):
    asked = _record(page)
    explore(page, "?full=0")
    assert page.evaluate("document.body.dataset.mode") == "view"
    paths = [urlsplit(u).path for u in asked]
    assert "/api/event_map" not in paths, "no items while zoomed out"
    counts = page.locator("#map .pin[data-place], #map .pin[data-cluster]")
    assert counts.count() > 0 and _bars(page) >= 5
    assert page.locator("#zoom-to-list").count() == 1
    assert "/api/event_map_counts" in paths and "/api/event_map_places" not in paths
    page.evaluate("void window.kgExplore.map.setView([34.7297, 36.7197], 14, { animate: false })")  # Old Homs
    wait_until(page, "document.querySelectorAll('#timeline li.item').length > 0")
    boxes = [parse_qs(urlsplit(u).query) for u in asked if urlsplit(u).path == "/api/event_map"]
    assert boxes and all(k in boxes[-1] for k in ("south", "west", "north", "east"))
    b = {k: float(boxes[-1][k][0]) for k in ("south", "west", "north", "east")}
    assert b["south"] < 34.7297 < b["north"] and b["west"] < 36.7197 < b["east"] and b["north"] - b["south"] < 0.2
    shown = set(page.locator("#timeline li.item").evaluate_all("els => els.map(e => e.dataset.item)"))
    rows = httpx.get(f"{page.server}/api/event_map", params={**{k: v[0] for k, v in boxes[-1].items()}}).json()["rows"]
    assert {r["item"] for r in rows if r["earliest"] or r["latest"]} == shown
    assert f"{BASE}event/a002-syria-direct-fall-of-homs/fall-of-old-homs" in shown
    assert page.locator(f"#map .pin[data-place='{BASE}place/old-homs']").count() == 1


def test_the_control_periods_are_asked_for_when_the_slider_is_first_touched_not_with_the_page(page):
    """control_timeline for Syria is a heavy query at scale: a visitor who never moves the slider does
    not hold a query worker with it (issue 17, the zoom that waited for it)."""
    asked = _record(page)
    explore(page)
    page.wait_for_timeout(300)
    assert "/api/control_timeline" not in [urlsplit(u).path for u in asked]
    assert page.evaluate("document.body.dataset.control") is None
    page.focus("#control-day")
    page.wait_for_selector("body[data-control]")
    assert [urlsplit(u).path for u in asked].count("/api/control_timeline") == 1
    assert int(page.evaluate("document.getElementById('control-day').max")) > 1000, "the slider spans the periods' days"
    page.evaluate("() => { const s = document.getElementById('control-day'); s.value = '4000'; s.dispatchEvent(new Event('input')); }")
    wait_until(page, "document.getElementById('control-out').textContent.startsWith('20')")
    assert page.locator("path.control-place").count() > 0
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    assert [urlsplit(u).path for u in asked].count("/api/control_timeline") == 1, "asked once"
