"""Conflict-data exports (kg/conflict_data.py, docs/conflict-data.md): ACLED- and UCDP GED-shaped
CSV read back with the standard library's csv module, GeoJSON checked by the `geojson` package's
validator, over HTTP (/api/<name>) and from `kg export`; known answers from the seed articles."""

from __future__ import annotations

import csv
import io
import json

import geojson
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.querying import conflict_data
from support import BASE

A003, A004, A000 = "a003-battle-for-homs", "a004-keystone-ats-homs-exodus", "a000-france24-final-offensive"


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def acled(client) -> list[dict]:
    reply = client.get("/api/acled.csv")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    assert reply.text.splitlines()[0] == ",".join(conflict_data.ACLED_COLUMNS)
    return read_csv(reply.text)


@pytest.fixture
def ged(client) -> list[dict]:
    reply = client.get("/api/ged.csv")
    assert reply.status_code == 200
    assert reply.text.splitlines()[0] == ",".join(conflict_data.GED_COLUMNS)
    return read_csv(reply.text)


def rows_of(rows: list[dict], event: str) -> list[dict]:
    return [r for r in rows if f"event: {BASE}event/{event}" in r["tags"].split("; ")]


def test_acled_has_the_codebook_columns_in_order_and_a_unique_id_per_row(acled):
    assert list(acled[0]) == list(conflict_data.ACLED_COLUMNS)
    ids = [r["event_id_cnty"] for r in acled]
    assert len(ids) == len(set(ids)) and len(ids) > 50


def test_acled_shelling_of_khaldiyeh_with_the_codes_and_the_sum_of_disjoint_figures(acled):
    row, = [r for r in rows_of(acled, f"{A003}/khaldiyeh-shelling") if r["fatalities"] not in ("", "0")]
    assert row["event_date"] == "2012-02-03" and row["year"] == "2012"
    assert (row["disorder_type"], row["event_type"], row["sub_event_type"]) == \
        ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack")
    assert (row["actor1"], row["inter1"], row["inter2"], row["interaction"]) == ("Syrian Arab Army", "1", "7", "17")
    assert row["civilian_targeting"] == "Civilian targeting"
    # the Homs Revolutionary Council: 105 civilians and one rebel killed
    assert row["fatalities"] == "106" and "fatalities reported by: Homs Revolutionary Council" in row["tags"]
    assert (row["iso"], row["region"], row["country"], row["admin1"], row["location"]) == \
        ("760", "Middle East", "Syria", "Homs Governorate", "Khaldiyeh")
    assert (row["latitude"], row["longitude"], row["geo_precision"]) == ("34.7458", "36.7167", "1")
    assert f"{BASE}article/{A003}" in row["source"]
    assert row["notes"] and row["notes"] in json.dumps(row["notes"], ensure_ascii=False)


def test_acled_one_row_per_source_with_the_lowest_figure(acled):
    aleppo = [r for r in rows_of(acled, f"{A004}/rebel-offensive") if r["location"] == "Aleppo"]
    by_source = {r["tags"].split("fatalities reported by: ")[1].split(";")[0]: r["fatalities"] for r in aleppo}
    # OSDH: 826 people (of them 111 civilians: not added); an NGO: "more than 800", at least 801
    assert by_source == {"Syrian Observatory for Human Rights": "826",
                         "an unnamed NGO (casualty count of more than 800 dead)": "801"}
    wednesday, = rows_of(acled, f"{A000}/wednesday-bombardment")
    assert wednesday["fatalities"] == "24"  # 24 civilians; the two journalists may be among them


def test_acled_keeps_a_vague_amount_as_words_and_no_number(acled):
    vague = [r for r in rows_of(acled, f"{A003}/khaldiyeh-shelling") if r["fatalities"] == ""]
    assert vague and all("fatalities as stated: " in r["tags"] for r in vague)


def test_acled_country_wide_event_has_the_coarsest_code_and_no_point(acled):
    row, = rows_of(acled, "a001-homs-city-army-advance/april-2011-crackdown")
    assert (row["location"], row["country"], row["geo_precision"]) == ("Syria", "Syria", "3")
    assert row["latitude"] == row["longitude"] == ""


def test_acled_leaves_out_what_did_not_happen(acled):
    assert rows_of(acled, f"{A000}/final-offensive") == []  # predicted, not reported as happened


def test_ged_rows_with_low_best_high_from_the_sources(ged):
    rows = {r["relid"]: r for r in ged}
    assert set(rows) == {f"{A003}/khaldiyeh-shelling", f"{A000}/wednesday-bombardment", f"{A004}/rebel-offensive"}
    offensive = rows[f"{A004}/rebel-offensive"]
    assert (offensive["low"], offensive["best"], offensive["high"]) == ("801", "801", "826")
    assert offensive["type_of_violence"] == "1" and offensive["side_a"].startswith("Syrian government")
    assert (offensive["where_prec"], offensive["latitude"], offensive["longitude"]) == ("6", "", "")
    shelling = rows[f"{A003}/khaldiyeh-shelling"]
    assert (shelling["type_of_violence"], shelling["deaths_civilians"], shelling["best"]) == ("3", "105", "106")
    assert (shelling["where_prec"], shelling["date_start"], shelling["date_end"], shelling["date_prec"]) == \
        ("1", "2012-02-03", "2012-02-04", "2")
    for r in ged:
        deaths = sum(int(r[k]) for k in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"))
        assert deaths == int(r["best"]) and int(r["low"]) <= int(r["best"]) <= int(r["high"])


@pytest.mark.parametrize("name", ["events.geojson", "places.geojson"])
def test_geojson_is_valid(client, name):
    reply = client.get(f"/api/{name}")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/geo+json"
    collection = geojson.loads(reply.text)
    assert collection.is_valid, collection.errors()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) > 40


def test_geojson_points_only_where_the_graph_has_them(client):
    events = client.get("/api/events.geojson").json()["features"]
    country = [f for f in events if f["properties"]["place"] == f"{BASE}place/syria"]
    assert country and all(f["geometry"] is None and f["properties"]["precision"] == "country" for f in country)
    baba_amr = [f for f in events if f["properties"]["place"] == f"{BASE}place/baba-amr"]
    assert baba_amr[0]["geometry"] == {"type": "Point", "coordinates": [36.688, 34.7175]}
    places = {f["properties"]["iri"]: f for f in client.get("/api/places.geojson").json()["features"]}
    assert places[f"{BASE}place/homs"]["geometry"]["coordinates"] == [36.7137, 34.7324]
    assert places[f"{BASE}place/old-homs-field-hospital"]["geometry"] is None  # no coordinates of its own


def test_kg_export_writes_the_same_csv(tmp_path, api_store, client):
    from kg.storage import opening as store_module

    folder = tmp_path / "kg-store"
    disk = store_module.open_store(folder)
    disk.bulk_extend(api_store.quads_for_pattern(None, None, None, None))
    disk.flush()
    del disk
    out = tmp_path / "acled.csv"
    result = CliRunner().invoke(main, ["export", "--format", "acled.csv", "--store", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read_csv(out.read_text(encoding="utf-8")) == read_csv(client.get("/api/acled.csv").text)
    bad = CliRunner().invoke(main, ["export", "--format", "ged.csv", "--graph", "entities", "--store", str(folder)])
    assert bad.exit_code != 0 and "leave out --graph" in bad.output
