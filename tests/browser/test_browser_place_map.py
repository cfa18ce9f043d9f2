"""Place pages with a map, one count, events of a whole country apart, and the editor's columns
(issue 16), in Debian's headless Chromium against a real `kg serve` (fixtures: tests/browser/conftest.py:
every request stays on 127.0.0.1 and no script fails, so the map is drawn from shipped files only)."""

from __future__ import annotations

import re

import pytest

from support import BASE
from support.browser import explore, go, shot, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.server]

HOMS, SYRIA, GOVERNORATE = f"{BASE}place/homs", f"{BASE}place/syria", f"{BASE}place/homs-governorate"


def page_count(page) -> int:
    return int(re.search(r"(\d+) events? and agreements located in", page.locator("main").inner_text()).group(1))


def test_a_place_page_leads_with_a_map_of_its_places_and_their_events(page):
    go(page, "/place/homs")
    page.wait_for_selector("#place-map[data-ready=true]")
    assert page.locator("#place-map .leaflet-overlay-pane path").count() > 50  # the shipped outlines
    pins = dict(page.locator("#place-map .pin[data-place]").evaluate_all(
        "els => els.map(e => [e.dataset.place, Number(e.dataset.count)])"))
    assert pins[f"{BASE}place/baba-amr"] == 8 and pins[f"{BASE}place/khaldiyeh"] == 6
    assert SYRIA not in pins and GOVERNORATE not in pins
    labels = page.locator("#place-map .kg-place-label").all_inner_texts()
    assert {"Baba Amr", "Khaldiyeh", "Old Homs", "Bab Sbaa"} <= set(labels)  # neighbourhoods named, events or not
    box = page.locator("#place-map").bounding_box()
    assert box["height"] > 300 and page.locator("#place-map").is_visible()
    assert box["y"] < page.locator("#events").bounding_box()["y"]  # the map first, then the list
    shot(page, "place-map-homs")

    page.locator(f"#place-map .pin[data-place='{BASE}place/baba-amr']").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "8 events placed here" in popup.inner_text() and popup.locator("li a").count() == 8


def test_events_of_the_whole_country_are_listed_apart_not_drawn(page):
    go(page, "/place/syria")
    page.wait_for_selector("#place-map[data-ready=true]")
    places = page.locator("#place-map .pin[data-place]").evaluate_all("els => els.map(e => e.dataset.place)")
    assert HOMS in places and SYRIA not in places and GOVERNORATE not in places
    apart = page.locator("#apart")
    assert apart.is_visible() and "Not on the map" in apart.inner_text()
    assert apart.get_by_role("link", name="Syria", exact=True).is_visible()
    assert apart.locator("a.apart-item").count() >= 8
    shot(page, "place-map-syria")


def test_the_map_counts_a_place_as_its_page_does(page):
    go(page, "/place/homs")
    count = page_count(page)
    explore(page)
    option = page.locator(f"#f-place option[value='{HOMS}']").inner_text()
    assert option == f"Homs ({count})"
    page.locator("#f-place").select_option(value=HOMS)
    wait_until(page, f"document.querySelector('#f-count').innerText.startsWith('{count} of')")
    # nothing is drawn at the centre of Syria or of a governorate; those events are counted apart
    places = page.locator("#map .pin[data-place]").evaluate_all("els => els.map(e => e.dataset.place)")
    assert places and SYRIA not in places and GOVERNORATE not in places
    page.locator("#f-place").select_option(value=SYRIA)
    wait_until(page, "document.querySelector('#f-apart') !== null")
    assert "placed no closer than a country or a governorate" in page.locator("#f-apart").inner_text()
    pins = page.locator("#map .pin[data-place]").evaluate_all("els => els.map(e => e.dataset.place)")
    assert SYRIA not in pins


def test_the_editor_shows_the_label_column_it_was_asked_for(page):
    go(page, "/editor")
    page.wait_for_selector("#row-count")  # the first example: SELECT ?truce ?label ?status
    assert "SELECT ?truce ?label ?status" in page.locator(".cm-content").inner_text()
    headers = page.locator("#result-table th").all_inner_texts()
    assert headers == ["truce", "label", "status"]
    cells = page.locator("#result-table tr.data").first.locator("td").all_inner_texts()
    assert cells[0].startswith("agreement/a002-syria-direct-fall-of-homs/")  # the IRI, not its label again
    assert cells[1] and not cells[1].startswith("agreement/")  # the label, in its own column
    shot(page, "editor-label-column")
