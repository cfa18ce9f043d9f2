"""One count for a place (issue 16): the events and agreements located in it or anywhere inside it,
each once (an event several articles report counted once), as the canned query `place_events`
defines them. Its page, the `events` column of /api/places, the place filter of /explore (computed
from /api/event_map, as explore.js does) and the place's map all count the same items, for every
place of the seeds. (The explore page itself is checked in tests/browser/test_browser_place_map.py.)"""

from __future__ import annotations

import json
import re

import pytest

from support import BASE, select

HTML = {"accept": "text/html"}


def rows(client, path: str, **params) -> list[dict]:
    answer = client.get(path, params={"limit": 10000, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()["rows"]


def page_count(client, place: str) -> int:
    html = client.get(place[len(BASE) - 1:], headers=HTML).text
    found = re.search(r"(\d+) events? and agreements located in", html)
    return int(found.group(1)) if found else 0


def explore_counts(client) -> dict[str, int]:
    """What /explore's place filter says: an item per shared event (event_map's rows), counted for
    every place in its `places`."""
    places: dict[str, set] = {}
    for r in rows(client, "/api/event_map"):
        places.setdefault(r["item"], set()).update((r["places"] or "").split())
    counts: dict[str, int] = {}
    for located in places.values():
        for p in located:
            counts[p] = counts.get(p, 0) + 1
    return counts


def test_every_view_counts_the_same_events_for_every_place(client):
    listed = {r["place"]: r["events"] for r in rows(client, "/api/places")}
    explore = explore_counts(client)
    assert len(listed) > 30
    for place, events in sorted(listed.items()):
        items = rows(client, "/api/place_events", place=place)
        assert len(items) == len({r["item"] for r in items}) == events, place
        assert explore.get(place, 0) == events, place
        if events:
            assert page_count(client, place) == events, place
    assert listed[f"{BASE}place/homs"] == 92  # the seeds' answer, below


def test_the_count_is_of_events_and_agreements_inside_the_place_a_shared_event_once(client, api_store):
    located = select(api_store, """SELECT DISTINCT ?item ?shared WHERE {
        { ?item a hk:Event } UNION { ?item a hk:Agreement } ?item hk:locatedIn <%splace/homs>
        OPTIONAL { ?item hk:reportOf ?shared } }""" % BASE)
    reports = {r["item"] for r in located}
    events = {r["shared"] or r["item"] for r in located}
    assert len(events) == 92 < len(reports)  # the uprising and the civil war: one each, though reported thrice
    items = rows(client, "/api/place_events", place="homs")
    assert {r["sameEvent"] or r["item"] for r in items} == events
    assert f"{BASE}agreement/a002-syria-direct-fall-of-homs/old-homs-truce" in {r["item"] for r in items}
    # inside: Baba Amr's events are Homs's too
    inner = {r["item"] for r in rows(client, "/api/place_events", place="baba-amr")}
    assert inner and inner <= {r["item"] for r in items}


@pytest.mark.parametrize("slug", ["homs", "syria", "homs-governorate", "old-homs"])
def test_the_map_of_a_place_draws_or_lists_each_of_its_events(client, slug):
    html = client.get(f"/place/{slug}", headers=HTML).text
    data = re.search(r'<script type="application/json" id="place-map-data">(.*?)</script>', html, re.S)
    drawn = json.loads(data.group(1))
    placed = {i for p in drawn["points"] for i in p["items"]} | {i for a in drawn["apart"] for i in a["items"]}
    assert placed == set(drawn["items"]) and len(drawn["items"]) == page_count(client, f"{BASE}place/{slug}")


def test_events_of_a_country_or_a_governorate_are_listed_apart_not_drawn(client):
    html = client.get("/place/syria", headers=HTML).text
    data = re.search(r'<script type="application/json" id="place-map-data">(.*?)</script>', html, re.S)
    drawn = json.loads(data.group(1))
    points = {p["iri"] for p in drawn["points"]}
    apart = {a["iri"]: a for a in drawn["apart"]}
    for area in ("syria", "homs-governorate"):
        assert f"{BASE}place/{area}" not in points and f"{BASE}place/{area}" in apart
    assert apart[f"{BASE}place/syria"]["area"] == "country"
    # the page names them in its list apart, each linked
    section = html.split('id="apart"', 1)[1].split("</div>", 1)[0]
    assert "Not on the map" in html and 'href="/place/syria"' in section
    assert re.search(r'class="apart-item" href="/event/', section)
    # and the city's own events are points
    assert f"{BASE}place/homs" in points and f"{BASE}place/baba-amr" in points
