"""The map's canned queries over HTTP (issue 17): the box and period parameters typed at the edge,
pages of event_map linked, the aggregates' answers on the seeds."""

from __future__ import annotations

import pytest

from support import BASE

HOMS_BOX = {"south": 34.69, "west": 36.65, "north": 34.77, "east": 36.75}


@pytest.mark.parametrize("value", ["north", "1e", "", "nan", "inf"])
def test_a_box_edge_that_is_not_a_number_is_refused_before_the_store_is_asked(client, value):
    r = client.get("/api/event_map", params={**HOMS_BOX, "south": value})
    assert r.status_code in (400, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_event_map_pages_are_linked_and_follow_the_date_order(client):
    first = client.get("/api/event_map", params={"limit": 20})
    assert first.status_code == 200
    body = first.json()
    assert len(body["rows"]) == 20 and body["next"] and 'rel="next"' in first.headers["link"]
    second = client.get(body["next"]).json()["rows"]
    everything = client.get("/api/event_map", params={"limit": 10000}).json()["rows"]
    assert [r["item"] for r in body["rows"] + second] == [r["item"] for r in everything[:40]]


def test_the_box_of_homs_counts_homs_and_its_neighbourhoods_by_place(client):
    body = client.get("/api/event_map_places", params=HOMS_BOX).json()
    assert body["parameters"]["south"] == 34.69  # bound as an xsd:decimal
    counts = {r["place"].rsplit("/", 1)[1]: int(r["items"]) for r in body["rows"]}
    assert {"homs", "old-homs", "baba-amr"} <= set(counts)
    assert "hama" not in counts and "aleppo" not in counts
    items = client.get("/api/event_map", params={**HOMS_BOX, "limit": 10000}).json()["rows"]
    assert sum(counts.values()) == len({(r["item"], r["place"]) for r in items})
    assert counts["old-homs"] == len({r["item"] for r in items if r["place"] == f"{BASE}place/old-homs"})


def test_the_months_of_2014_count_the_fall_of_old_homs_in_may(client):
    rows = client.get("/api/event_map_months", params={"from": "2014-01-01", "to": "2014-12-31"}).json()["rows"]
    months = {r["month"]: int(r["items"]) for r in rows}
    assert months.get("2014-05", 0) >= 3
    assert None not in months, "a period leaves the undated out"
