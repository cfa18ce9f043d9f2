"""The city-scale background of the maps (issue 16): at city zoom over Homs, the shipped rivers and
lakes (api/static/vendor/basemap/water.json, GSHHG) are drawn under the neighbourhoods, credited in
the attribution, and fetched from the server itself (tests/browser/conftest.py fails a test whose
page sends a request anywhere but 127.0.0.1)."""

from __future__ import annotations

import pytest

from support.browser import explore, go, shot, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.server]

# The paths of a kind that cross the map's box on screen, with the widest stroke among them.
IN_VIEW = """([map, kind]) => {
  const box = document.querySelector(map).getBoundingClientRect();
  const paths = [...document.querySelectorAll(`${map} path.${kind}`)];
  const seen = paths.filter((p) => { const r = p.getBoundingClientRect();
    return r.width + r.height > 0 && r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom; });
  return { drawn: paths.length, inView: seen.length,
           width: Math.max(0, ...seen.map((p) => parseFloat(p.getAttribute("stroke-width")))) };
}"""


def test_the_place_map_of_homs_draws_the_river_through_the_city_under_its_neighbourhoods(page):
    go(page, "/place/homs")
    page.wait_for_selector("#place-map[data-ready=true]")
    rivers = page.evaluate(IN_VIEW, ["#place-map", "kg-river"])
    assert rivers["inView"] >= 1, rivers  # the Orontes and the canal, across the city's view
    assert rivers["width"] >= 2, rivers  # a visible stroke at city zoom, not the country's hairline
    labels = page.locator("#place-map .kg-place-label").all_inner_texts()
    assert {"al-Waer", "Baba Amr", "Khaldiyeh"} <= set(labels)  # the neighbourhoods, named over it
    attribution = page.locator("#place-map .leaflet-control-attribution").inner_text()
    assert "GSHHG" in attribution and "Natural Earth" in attribution
    shot(page, "city-map-homs")

    for _ in range(3):  # out to the city's surroundings: Lake Qattinah, 12 km south-west, where the Orontes leaves it
        page.locator("#place-map .leaflet-control-zoom-out").click()
        page.wait_for_timeout(400)  # Leaflet ignores a click on a zoom button while it animates (250 ms)
    wait_until(page, f"(arg) => ({IN_VIEW})(arg).inView > 0", ["#place-map", "kg-lake"])
    rivers_out = page.evaluate(IN_VIEW, ["#place-map", "kg-river"])
    assert rivers_out["width"] < rivers["width"], (rivers_out, rivers)  # thinner as the view widens
    shot(page, "city-map-homs-lake")


def test_the_explore_map_draws_the_rivers_under_homs_at_city_zoom(page):
    explore(page)
    assert page.evaluate(IN_VIEW, ["#map", "kg-river"])["drawn"] > 20  # the country's rivers, under everything
    page.evaluate("window.kgExplore.map.setView([34.7324, 36.7137], 13, { animate: false })")  # Homs (seeds/entities.yaml)
    wait_until(page, f"(arg) => ({IN_VIEW})(arg).width >= 2", ["#map", "kg-river"])
    rivers = page.evaluate(IN_VIEW, ["#map", "kg-river"])
    assert rivers["inView"] >= 1 and rivers["width"] >= 2, rivers
    assert "GSHHG" in page.locator("#map .leaflet-control-attribution").inner_text()
    shot(page, "city-map-explore-homs")
