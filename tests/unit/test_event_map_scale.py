"""The map's data at scale (issue 17): map places and points derived at load time
(kg.loading.map_points), event_map over them with a box and a period, and its two aggregates
(event_map_places, event_map_months). Known answers from the seeds; the old query text is kept
here, so the rewrite is compared with it row by row."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from pyoxigraph import Store

import support
from kg.executor.limits import Limits
from kg.executor.pool import ProcessPool
from kg.loading.load import load
from kg.namespaces import Iris
from kg.paths import SEEDS
from kg.querying import answers, catalogue
from kg.storage.opening import open_store
from support import BASE

HK = "https://w3id.org/homs-kg/ontology#"
HOMS_POINT = "POINT(36.7137 34.7324)"
HOMS_BOX = {"south": 34.69, "west": 36.65, "north": 34.77, "east": 36.75}  # Homs city and its neighbourhoods
FAR_BOX = {"south": 35.5, "west": 36.0, "north": 37.0, "east": 38.0}  # north of Hama: Aleppo, not Homs
LISTS = {"types": ", ", "classes": ", ", "places": " ", "actors": " ", "reports": " "}

# The query as it was before issue 17 (queries/event-map.rq at 134ec27): everything worked out at
# query time, per item. It did not finish in 300 s on 1,000 generated articles; on the seeds it is the
# reference the rewrite must equal.
OLD_EVENT_MAP = """
PREFIX hk: <https://w3id.org/homs-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <https://schema.org/>
SELECT ?item ?kind ?label ?category ?categoryLabel ?types ?classes ?earliest ?latest ?precision ?modality
       ?place ?placeLabel ?wkt ?places ?actors ?sameEvent ?reports ?article ?publisher ?published ?quote
WHERE {
  {
    SELECT ?item ?kind (GROUP_CONCAT(DISTINCT ?typeLabel; separator=", ") AS ?types)
    WHERE {
      VALUES (?top ?kind) { (hk:Event "event") (hk:Agreement "agreement") }
      ?item a ?top ; a ?type .
      ?type rdfs:label ?typeLabel ; rdfs:subClassOf* ?top .
      FILTER NOT EXISTS { ?item a ?sub FILTER(?sub != ?type) FILTER EXISTS { ?sub rdfs:subClassOf ?type } }
    }
    GROUP BY ?item ?kind
  }
  {
    SELECT ?item (SAMPLE(?cat) AS ?category) (GROUP_CONCAT(DISTINCT ?classLabel; separator=", ") AS ?classes) WHERE {
      VALUES ?top { hk:Event hk:Agreement }
      ?item a ?top .
      OPTIONAL {
        ?item a ?cat . ?cat rdfs:subClassOf ?top . FILTER(?cat != ?top)
        FILTER NOT EXISTS { ?cat rdfs:subClassOf ?mid . ?mid rdfs:subClassOf ?top . FILTER(?mid != ?cat && ?mid != ?top) }
      }
      OPTIONAL { ?item a ?class . ?class rdfs:subClassOf+ ?top ; rdfs:label ?classLabel . FILTER(?class != ?top) }
    }
    GROUP BY ?item
  }
  OPTIONAL { ?category rdfs:label ?categoryLabel FILTER(LANG(?categoryLabel) IN ("en", "")) }
  OPTIONAL {
    SELECT ?item (GROUP_CONCAT(DISTINCT STR(?in); separator=" ") AS ?places) WHERE {
      { ?item hk:locatedIn ?in } UNION { ?item hk:sameEventAs ?report . ?report hk:locatedIn ?in }
    } GROUP BY ?item
  }
  OPTIONAL {
    SELECT ?item (GROUP_CONCAT(DISTINCT STR(?actor); separator=" ") AS ?actors) WHERE { ?item hk:involves ?actor } GROUP BY ?item
  }
  ?item rdfs:label ?label .
  FILTER NOT EXISTS {
    ?item hk:sameEventAs ?other FILTER(?other != ?item)
    BIND(EXISTS { ?other hk:earliest|hk:latest ?otherDate } AS ?otherDated)
    BIND(EXISTS { ?item hk:earliest|hk:latest ?itemDate } AS ?itemDated)
    FILTER((?otherDated && !?itemDated) || (?otherDated = ?itemDated && STR(?other) < STR(?item)))
  }
  OPTIONAL { ?item hk:reportOf ?sameEvent }
  OPTIONAL {
    SELECT ?item (GROUP_CONCAT(DISTINCT STR(?reportArticle); separator=" ") AS ?reports)
    WHERE { ?item hk:sameEventAs ?report . ?report hk:evidence/oa:hasTarget/oa:hasSource ?reportArticle } GROUP BY ?item
  }
  OPTIONAL { ?item hk:earliest ?earliest }
  OPTIONAL { ?item hk:latest ?latest }
  OPTIONAL { ?item hk:datePrecision/rdfs:label ?precision }
  OPTIONAL { ?item hk:modality/rdfs:label ?modality }
  OPTIONAL { ?item hk:status/rdfs:label ?modality }
  OPTIONAL {
    ?item hk:locatedIn ?place . ?place rdfs:label ?placeLabel .
    FILTER NOT EXISTS { ?item hk:locatedIn ?inner FILTER EXISTS { ?place hk:hasPart ?inner } }
    OPTIONAL {
      SELECT ?place ?wkt WHERE {
        ?place a hk:Place ; hk:partOf* ?located . ?located geo:hasGeometry/geo:asWKT ?wkt .
        FILTER NOT EXISTS { ?place hk:partOf* ?closer . ?closer hk:partOf ?located ; geo:hasGeometry ?geometry }
      }
    }
  }
  {
    SELECT ?item (MIN(STR(?target)) AS ?first) WHERE { ?item hk:evidence/oa:hasTarget ?target } GROUP BY ?item
  }
  ?item hk:evidence/oa:hasTarget ?target . FILTER(STR(?target) = ?first)
  ?target oa:hasSource ?article ; oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?quote ] .
  OPTIONAL { ?article schema:publisher/rdfs:label ?publisher }
  OPTIONAL { ?article schema:datePublished ?published }
}
ORDER BY ?earliest ?latest ?item ?place
"""


# event_map_months as it was before each item's month was derived at load time (hk:mapMonth): every
# item joined with its dates, 3.4 s cold at 10,000 articles. The reference the rewrite must equal.
OLD_EVENT_MAP_MONTHS = """
PREFIX hk: <https://w3id.org/homs-kg/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

# The items are chosen as event_map chooses them (kept in step by tests/unit/test_event_map_scale.py).
SELECT ?month ?items
WHERE {
  LATERAL {
    SELECT ?south ?west ?north ?east ?from ?to ?month (COUNT(DISTINCT ?item) AS ?items) WHERE {
      {
        FILTER(?south > -90 || ?north < 90 || ?west > -180 || ?east < 180)  # a box: the places in it
        ?place hk:mapLatitude ?lat ; hk:mapLongitude ?long .
        FILTER(?lat >= ?south && ?lat <= ?north && ?long >= ?west && ?long <= ?east)
        ?item hk:mapPlace ?place .  # an item with a map place is an event or an agreement (map_points)
        OPTIONAL { ?item hk:earliest ?earliest }
        OPTIONAL { ?item hk:latest ?latest }
      } UNION {
        FILTER(?south <= -90 && ?north >= 90 && ?west <= -180 && ?east >= 180)  # the world: every item
        VALUES ?top { hk:Event hk:Agreement }
        ?item a ?top .
        # whole-predicate sub-selects: Oxigraph joins them by hash, not by a lookup per item
        OPTIONAL { SELECT ?item ?earliest WHERE { ?item hk:earliest ?earliest } }
        OPTIONAL { SELECT ?item ?latest WHERE { ?item hk:latest ?latest } }
      }
      FILTER((!BOUND(?latest) || ?latest >= ?from) && (!BOUND(?earliest) || ?earliest <= ?to))
      FILTER(BOUND(?earliest) || BOUND(?latest) || (?from <= "0001-01-01"^^xsd:date && ?to >= "9999-12-31"^^xsd:date))
      MINUS {  # one report per shared event: a dated one if any, then the first by IRI (few: hashed once)
        SELECT ?item WHERE {
          ?item hk:sameEventAs ?other FILTER(?other != ?item)
          BIND(EXISTS { ?other hk:earliest|hk:latest ?otherDate } AS ?otherDated)
          BIND(EXISTS { ?item hk:earliest|hk:latest ?itemDate } AS ?itemDated)
          FILTER((?otherDated && !?itemDated) || (?otherDated = ?itemDated && STR(?other) < STR(?item)))
        }
      }
      BIND(SUBSTR(STR(COALESCE(?earliest, ?latest)), 1, 7) AS ?month)
    }
    GROUP BY ?south ?west ?north ?east ?from ?to ?month
  }
}
ORDER BY ?month
"""
MONTH_CASES = [{}, HOMS_BOX, FAR_BOX, {"from": "2012-01-01", "to": "2012-12-31"}, {"to": "2013-01-01"},
               {**HOMS_BOX, "from": "2012-01-01"}]


def table(result) -> tuple[list[str], list[tuple]]:
    """Columns and rows as plain values; a GROUP_CONCAT list as a sorted tuple (its order is the engine's)."""
    columns = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = []
        for name in columns:
            term = solution[name]
            value = None if term is None else term.value
            if name in LISTS and value is not None:
                value = tuple(sorted(value.split(LISTS[name])))
            row.append(value)
        rows.append(tuple(row))
    return columns, rows


def canned(store: Store, name: str, **params) -> list[dict]:
    columns, rows = table(catalogue.run(store, catalogue.catalogue()[name], params, Iris(BASE)))
    return [dict(zip(columns, row)) for row in rows]


def test_event_map_gives_the_old_query_s_rows_on_the_seeds_in_its_order(store):
    old_columns, old = table(store.query(OLD_EVENT_MAP, use_default_graph_as_union=True))
    new_columns, new = table(catalogue.run(store, catalogue.catalogue()["event_map"], {}, Iris(BASE)))
    assert new_columns == old_columns
    assert len(old) > 150
    assert sorted(new) == sorted(old)
    assert [r[0] for r in new] == [r[0] for r in old]  # ordered by date, then item, then place


def test_an_item_s_most_specific_place_is_written_in_its_article_s_inferred_graph(store):
    item = f"{BASE}event/a002-syria-direct-fall-of-homs/fall-of-old-homs"
    q = f"SELECT ?g ?p {{ GRAPH ?g {{ <{item}> <{HK}mapPlace> ?p }} }}"
    assert [(r["g"].value, r["p"].value) for r in store.query(q)] == \
        [(f"{BASE}graph/inferred/a002-syria-direct-fall-of-homs", f"{BASE}place/old-homs")]
    fall = [r for r in canned(store, "event_map") if r["item"] == item]
    assert [(r["placeLabel"], r["wkt"]) for r in fall] == [("Old Homs", "POINT(36.7197 34.7297)")]
    # a shared place's point is in the entities' inferred graph
    q = f"SELECT ?g {{ GRAPH ?g {{ <{BASE}place/old-homs> <{HK}mapLatitude> ?lat }} }}"
    assert [r["g"].value for r in store.query(q)] == [f"{BASE}graph/inferred/entities"]


def test_a_box_that_excludes_homs_gives_none_of_homs_events(store):
    homs = f"{BASE}place/homs"
    everywhere = canned(store, "event_map")
    in_homs = {r["item"] for r in everywhere if r["places"] and homs in r["places"]}
    assert len(in_homs) > 40
    far = canned(store, "event_map", **FAR_BOX)
    assert far, "Aleppo's events are in the far box"
    assert not {r["item"] for r in far} & in_homs
    assert all(r["wkt"] and FAR_BOX["south"] <= _lat(r["wkt"]) <= FAR_BOX["north"] for r in far)


def test_a_box_around_homs_gives_the_rows_drawn_in_it_and_nothing_else(store):
    everywhere = canned(store, "event_map")
    expected = sorted((r["item"], r["place"]) for r in everywhere if r["wkt"] and _inside(r["wkt"], HOMS_BOX))
    rows = canned(store, "event_map", **HOMS_BOX)
    assert len(expected) > 30
    assert sorted((r["item"], r["place"]) for r in rows) == expected
    assert HOMS_POINT in {r["wkt"] for r in rows}


def test_a_period_keeps_the_items_whose_dates_meet_it_and_leaves_out_the_undated(store):
    rows = canned(store, "event_map", **{"from": "2014-05-01", "to": "2014-05-31"})
    items = {r["item"] for r in rows}
    assert f"{BASE}event/a002-syria-direct-fall-of-homs/fall-of-old-homs" in items
    for r in rows:
        assert r["earliest"] or r["latest"]
        assert not r["latest"] or r["latest"] >= "2014-05-01"
        assert not r["earliest"] or r["earliest"] <= "2014-05-31"
    assert len(items) < len({r["item"] for r in canned(store, "event_map")}) / 3


@pytest.mark.parametrize("params", [{}, HOMS_BOX, {"from": "2012-01-01", "to": "2012-12-31"}], ids=["world", "homs", "2012"])
def test_the_aggregate_by_place_counts_the_items_event_map_gives_there(store, params):
    rows = canned(store, "event_map", **params)
    expected: dict[str, set] = {}
    for r in rows:
        if r["place"]:
            expected.setdefault(r["place"], set()).add(r["item"])
    places = canned(store, "event_map_places", **params)
    assert {p["place"]: int(p["items"]) for p in places} == {k: len(v) for k, v in expected.items()}
    for p in places:
        firsts = [r["earliest"] for r in rows if r["place"] == p["place"] and r["earliest"]]
        lasts = [r["latest"] for r in rows if r["place"] == p["place"] and r["latest"]]
        assert (p["earliest"], p["latest"]) == (min(firsts, default=None), max(lasts, default=None))
    homs = next((p for p in places if p["place"] == f"{BASE}place/homs"), None)
    if params is HOMS_BOX or not params:
        assert homs["wkt"] == HOMS_POINT and homs["type"] == "city" and homs["placeLabel"] == "Homs"


@pytest.mark.parametrize("params", [{}, HOMS_BOX, FAR_BOX], ids=["world", "homs", "far"])
def test_the_counts_without_dates_are_the_aggregate_by_place_s(store, params):
    """event_map_counts (the map's first view: no date read) gives event_map_places' rows, dates aside."""
    places = canned(store, "event_map_places", **params)
    counts = canned(store, "event_map_counts", **params)
    assert places, "the comparison would prove nothing"
    assert sorted(counts, key=lambda r: r["place"]) == sorted(
        ({k: v for k, v in p.items() if k not in ("earliest", "latest")} for p in places), key=lambda r: r["place"])
    if not params:
        assert next(c for c in counts if c["place"] == f"{BASE}place/homs")["wkt"] == HOMS_POINT


@pytest.mark.parametrize("params", [{}, HOMS_BOX], ids=["world", "homs"])
def test_the_aggregate_by_month_counts_each_item_once_in_its_start_month(store, params):
    rows = canned(store, "event_map", **params)
    start: dict[str, str | None] = {}
    for r in rows:
        start.setdefault(r["item"], (r["earliest"] or r["latest"] or "")[:7] or None)
    months = canned(store, "event_map_months", **params)
    counted = {m["month"]: int(m["items"]) for m in months}
    expected: dict = {}
    for month in start.values():
        expected[month] = expected.get(month, 0) + 1
    assert counted == expected
    if not params:
        assert counted["2014-05"] >= 3 and counted[None] > 5  # the fall of Old Homs; the undated


def _months(store: Store, text: str | None, params: dict) -> list[tuple]:
    """event_map_months' rows (month, items), in order, by today's text or by `text`."""
    query = catalogue.catalogue()["event_map_months"]
    if text is not None:
        query = dataclasses.replace(query, sparql=text)
    return [(r["month"].value if r["month"] else None, int(r["items"].value))
            for r in catalogue.run(store, query, params, Iris(BASE))]


@pytest.mark.parametrize("params", MONTH_CASES, ids=["world", "homs", "far", "2012", "to-2013", "homs-from-2012"])
def test_the_months_from_the_load_time_month_are_the_old_query_s_on_the_seeds(store, params):
    old = _months(store, OLD_EVENT_MAP_MONTHS, params)
    assert _months(store, None, params) == old
    if not params:
        assert dict(old)[None] > 5 and sum(n for _, n in old) > 150


def test_the_months_from_the_load_time_month_are_the_old_query_s_on_a_generated_corpus(tmp_path):
    generated = support.generated_store(tmp_path / "corpus")  # in memory, 20 articles (full world)
    for params in MONTH_CASES[:1] + [{"south": 33, "west": 35, "north": 36, "east": 38},
                                     {"from": "2013-01-01", "to": "2016-12-31"}]:
        old = _months(generated, OLD_EVENT_MAP_MONTHS, params)
        assert len(old) > 5, params
        assert _months(generated, None, params) == old, params


def test_an_item_s_month_is_written_beside_its_map_place_of_its_earliest_else_latest_date_or_undated(store):
    months = {r["i"].value: (r["g"].value, r["m"].value, r["m"].datatype.value)
              for r in store.query(f"SELECT ?g ?i ?m {{ GRAPH ?g {{ ?i <{HK}mapMonth> ?m }} }}")}
    a004 = f"{BASE}event/a004-keystone-ats-homs-exodus/"
    inferred = f"{BASE}graph/inferred/a004-keystone-ats-homs-exodus"
    year_month = "http://www.w3.org/2001/XMLSchema#gYearMonth"
    assert months[a004 + "hama-celebrations"] == (inferred, "2024-11", year_month)  # 2024-11-27 .. 2024-12-06
    assert months[a004 + "jolani-appeal-to-iraq"] == (inferred, "2024-12", year_month)  # latest only: 2024-12-06
    undated = f"{BASE}event/a003-battle-for-homs/homs-communications-cut"
    assert undated not in months
    flagged = {r["i"].value: (r["g"].value, r["v"].value) for r in store.query(
        f"SELECT ?g ?i ?v {{ GRAPH ?g {{ ?i <{HK}mapUndated> ?v }} }}")}
    assert flagged[undated] == (f"{BASE}graph/inferred/a003-battle-for-homs", "true")
    assert not flagged.keys() & months.keys() and len(flagged) > 5
    assert months[f"{BASE}agreement/a002-syria-direct-fall-of-homs/old-homs-truce"][1] == "2014-05"


def _lat(wkt: str) -> float:
    return float(wkt.split("(")[1].split()[1].rstrip(")"))


def _inside(wkt: str, box: dict) -> bool:
    lon, lat = (float(x) for x in wkt.split("(")[1].rstrip(")").split())
    return box["south"] <= lat <= box["north"] and box["west"] <= lon <= box["east"]


def test_a_bad_box_value_is_refused(store):
    with pytest.raises(Exception, match="not a decimal"):
        canned(store, "event_map", south="north")


def _point_of(store: Store, place: str) -> set[str]:
    q = f"SELECT ?w {{ <{BASE}place/{place}> <{HK}mapPoint> ?w }}"
    return {r["w"].value for r in store.query(q, use_default_graph_as_union=True)}


def test_map_points_follow_a_change_of_the_shared_places(tmp_path):
    """Old Homs loses its coordinates: its point becomes Homs', in every article's rows, as a fresh
    load of the changed corpus gives them, though only one article was loaded again."""
    iris = Iris(BASE)
    store = open_store(":memory:")
    load(store, [SEEDS], iris)
    assert _point_of(store, "old-homs") == {"POINT(36.7197 34.7297)"}
    changed = tmp_path / "changed"
    shutil.copytree(SEEDS, changed)
    entities = changed / "entities.yaml"
    text = entities.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("  - {id: old-homs,"))
    entities.write_text(text.replace(line, line.replace(" coordinates: [34.7297, 36.7197],", "")), encoding="utf-8")
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(entities, one / "entities.yaml")
    for f in sorted(changed.glob("000_*")):
        shutil.copy(f, one / f.name)
    report = load(store, [one], iris)
    assert report.entities_changed and len(report.reinferred) == 4
    assert _point_of(store, "old-homs") == {HOMS_POINT}
    fresh = open_store(":memory:")
    load(fresh, [changed], iris)
    assert sorted(table(catalogue.run(store, catalogue.catalogue()["event_map"], {}, iris))[1]) == \
        sorted(table(catalogue.run(fresh, catalogue.catalogue()["event_map"], {}, iris))[1])
    fall = [r for r in canned(store, "event_map") if r["item"].endswith("/fall-of-old-homs")]
    assert [r["wkt"] for r in fall] == [HOMS_POINT]


def test_the_bulk_path_derives_the_same_map_data(tmp_path, store):
    bulk = open_store(":memory:")
    report = load(bulk, [SEEDS], Iris(BASE), bulk=True)
    assert report.bulk
    for name in ("event_map", "event_map_places", "event_map_months"):
        assert sorted(table(catalogue.run(bulk, catalogue.catalogue()[name], {}, Iris(BASE)))[1], key=repr) == \
            sorted(table(catalogue.run(store, catalogue.catalogue()[name], {}, Iris(BASE)))[1], key=repr), name


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory) -> str:
    """20 generated articles (bench.generate), loaded into an on-disk store, closed."""
    from bench import generate

    folder = tmp_path_factory.mktemp("generated")
    corpus = folder / "corpus"
    generate.generate(corpus, 20, world="small")
    path = folder / "store"
    s = open_store(str(path))
    load(s, [corpus], Iris(BASE))
    del s
    return str(path)


@pytest.mark.parametrize("name,params", [
    ("event_map", {}), ("event_map", {"south": 33, "west": 35, "north": 36, "east": 38}),
    ("event_map_places", {}), ("event_map_months", {"from": "2013-01-01", "to": "2016-12-31"}),
    ("event_map_counts", {})])
def test_the_map_queries_answer_on_a_generated_corpus_within_a_generous_limit(generated_store, name, params):
    """Before issue 17, event_map did not finish in 120 s on 5 generated articles. The worker is
    killed at the limit (QueryTimeout) if a query explodes again."""
    pool = ProcessPool(generated_store, Limits(timeout=60.0), size=1)
    try:
        request = answers.CannedRequest(catalogue.catalogue()[name], params, BASE, "application/json", 10000, 0,
                                        f"http://test/api/{name}")
        answer = pool.run(answers.canned_query, request)
    finally:
        pool.close()
    rows = json.loads(answer.body)["rows"]
    assert rows, name
    if name == "event_map" and not params:
        assert len({r["item"] for r in rows}) > 100 and sum(1 for r in rows if r.get("wkt")) > 100



def test_the_counts_without_dates_are_the_aggregate_by_place_s_on_a_generated_corpus(generated_store):
    store = Store.read_only(generated_store)
    for params in ({}, {"south": 33, "west": 35, "north": 36, "east": 38}):
        places = {p["place"]: p["items"] for p in canned(store, "event_map_places", **params)}
        assert len(places) > 20
        assert {c["place"]: c["items"] for c in canned(store, "event_map_counts", **params)} == places


@pytest.mark.parametrize("value", ["35.0", "35", "-0.0", "0.50", "36.71670", "-2.5"])
def test_map_coordinates_are_written_as_the_store_reads_them_back(value):
    """A map point's decimal in the lexical form Oxigraph stores: otherwise the entities' inferred
    graph compiled anew differs from the stored one, every load rewrites it, and the answer cache
    drops everything (kg.loading.touched)."""
    from decimal import Decimal

    from pyoxigraph import Literal, NamedNode, Quad

    from kg.loading.map_points import _decimal

    lit = Literal(_decimal(Decimal(value)), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    store = Store()
    store.add(Quad(NamedNode("http://example.org/p"), NamedNode(HK + "mapLatitude"), lit))
    assert next(iter(store)).object == lit
