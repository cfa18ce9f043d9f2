"""/api/<name>: the canned queries as REST endpoints — known answers from the articles, names
resolved, typed parameters validated, JSON and CSV, pages, citations, and docs kept honest."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import rdflib

from api import create_app
from kg.querying.catalogue import catalogue
from support import BASE, ROOT
from support.api import A002, CEASEFIRE_72H, HOMS, PROBLEM, TRUCE, TestClient, parse_rdf, triples


def rows(client, url, **params) -> list[dict]:
    r = client.get(url, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()["rows"]


# --- known answers ----------------------------------------------------------------------------------

def test_ceasefires_in_homs_are_the_old_homs_truce_and_the_72_hour_ceasefire(client):
    found = rows(client, "/api/ceasefires", place="homs")
    assert {r["agreement"] for r in found} == {TRUCE, CEASEFIRE_72H}
    truce = next(r for r in found if r["agreement"] == TRUCE)
    assert truce["earliest"] == "2014-05-07" and truce["status"] == "implemented"
    assert "truce" in truce["types"] and truce["escorts"] == "United Nations"
    ceasefire = next(r for r in found if r["agreement"] == CEASEFIRE_72H)
    assert ceasefire["earliest"].startswith("2014-04") and ceasefire["status"] == "broke down"
    assert not any("Hama" in (r["where"] or "") + r["label"] for r in found)
    # every row carries its citation: the article, its publisher and date, and the quoted text
    for r in found:
        assert r["article"] == f"{BASE}article/{A002}" and r["publisher"] == "Syria Direct"
        assert r["published"] == "2014-05-22" and r["quote"]


def test_the_default_place_is_homs(client):
    assert {r["agreement"] for r in rows(client, "/api/ceasefires")} == {TRUCE, CEASEFIRE_72H}


@pytest.mark.parametrize("value", ["Bab Amr", "Baba Amr", "baba-amr", "BAB AMR", f"{BASE}place/baba-amr"])
def test_a_place_is_a_slug_an_iri_a_label_or_an_alias(client, value):
    r = client.get("/api/events_in_place", params={"place": value})
    assert r.status_code == 200
    assert r.json()["parameters"]["place"] == f"{BASE}place/baba-amr"
    assert all(row["place"] == f"{BASE}place/baba-amr" for row in r.json()["rows"])


def test_an_old_city_truce_is_found_from_its_neighbourhood_alias(client):
    found = rows(client, "/api/ceasefires", place="Old City")
    assert {r["agreement"] for r in found} == {TRUCE, CEASEFIRE_72H}


def test_nothing_from_hama_is_a_ceasefire_in_homs_and_hama_has_none(client):
    assert rows(client, "/api/ceasefires", place="hama") == []


def test_events_in_a_date_range(client):
    found = rows(client, "/api/events_in_place", place="homs", **{"from": "2014-05-01", "to": "2014-05-31"})
    assert found
    for r in found:
        # a missing bound is open (issue 13); every event found has one at least
        assert r["earliest"] or r["latest"]
        assert (r["latest"] or "9999") >= "2014-05-01" and (r["earliest"] or "0000") <= "2014-05-31"
        assert r["article"] and r["quote"]


def test_event_parameters_take_iris(client):
    event = rows(client, "/api/timeline", place="homs", limit=1)[0]["item"]
    r = client.get("/api/event_actors", params={"event": event})
    assert r.status_code == 200
    assert r.json()["parameters"] == {"event": event}


# --- errors: names, types, unknown parameters --------------------------------------------------------

def test_an_unknown_place_is_a_404_listing_candidates(client):
    r = client.get("/api/ceasefires", params={"place": "Baba Amrrr"})
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    body = r.json()
    assert "unknown place" in body["detail"]
    assert {"iri": f"{BASE}place/baba-amr", "label": "Baba Amr"} in body["candidates"]


@pytest.mark.parametrize("url,name", [("/api/events_in_place?from=2014-13-45", "from"),
                                      ("/api/ceasefires?limit=many", "limit"),
                                      ("/api/ceasefires?offset=-1", "offset"),
                                      ("/api/casualties_of_event", "event"),
                                      ("/api/entity?entity=no%20iri", "entity"),
                                      ("/api/ceasefires?plac=homs", "plac")])
def test_bad_parameters_are_422_before_the_store_is_asked(client, url, name):
    r = client.get(url)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert any(e["loc"][-1] == name for e in r.json()["errors"])


# --- formats and pages --------------------------------------------------------------------------------

def test_csv_by_accept_or_suffix_has_the_same_rows_as_json(client):
    body = client.get("/api/ceasefires", params={"place": "homs"}).json()
    for r in (client.get("/api/ceasefires?place=homs", headers={"accept": "text/csv"}),
              client.get("/api/ceasefires.csv?place=homs")):
        assert r.headers["content-type"] == "text/csv; charset=utf-8"
        table = list(csv.DictReader(io.StringIO(r.text)))
        assert list(table[0]) == body["columns"]
        assert [row["agreement"] for row in table] == [row["agreement"] for row in body["rows"]]
        assert [row["quote"] for row in table] == [row["quote"] for row in body["rows"]]
    assert client.get("/api/ceasefires.json").json()["rows"] == body["rows"]


def test_json_values_are_typed(client):
    place = next(r for r in rows(client, "/api/places", limit=200) if r["place"] == HOMS)
    assert isinstance(place["events"], int) and place["events"] > 10


def test_pages_link_the_next_one_until_the_last(client):
    everything = rows(client, "/api/places", limit=10000)
    assert len(everything) > 12
    seen, url = [], "/api/places?limit=5"
    while url:
        r = client.get(url)
        body = r.json()
        assert len(body["rows"]) <= 5
        seen += body["rows"]
        url = body["next"]
        if url:
            assert r.headers["link"] == f'<{url}>; rel="next"' and "after=" in url  # places: keyset paging
        else:
            assert "link" not in r.headers
    assert seen == everything


def test_the_list_of_canned_queries(client):
    listed = client.get("/api").json()["queries"]
    assert [q["name"] for q in listed] == list(catalogue())
    ceasefires = next(q for q in listed if q["name"] == "ceasefires")
    assert ceasefires["url"] == "http://testserver/api/ceasefires"
    assert ceasefires["parameters"][0]["name"] == "place" and ceasefires["parameters"][0]["default"] == "homs"


def test_every_canned_query_answers_with_its_defaults(client):
    event = rows(client, "/api/timeline", limit=1)[0]["item"]
    needs = {"event": event, "entity": TRUCE, "fact": TRUCE}
    for name, q in catalogue().items():
        params = {p.name: needs[p.name] for p in q.params if p.required}
        r = client.get(f"/api/{name}", params=params)
        assert r.status_code == 200, (name, r.text)
        body = r.json()
        assert body["columns"] and body["query"] == name
        if {"article", "quote"} <= set(body["columns"]):  # a row that states a fact carries its citation
            assert "publisher" in body["columns"], name
            for row in body["rows"]:  # (an article may not name its publisher)
                assert row["article"] and row["quote"], (name, row)


# --- new query files make new endpoints; CONSTRUCT answers RDF; names can be ambiguous ----------------

EXTRA = {
    "place-card.rq": """#+ summary: A place's card
#+ params:
#+   place: {type: place, default: homs, description: The place}
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?place rdfs:label ?label } WHERE { ?place rdfs:label ?label }
""",
    "actor-events.rq": """#+ summary: Events an actor is involved in
#+ params:
#+   actor: {type: actor, required: true, description: The actor}
#+   n: {type: integer, default: 3, description: A number}
PREFIX hk: <https://w3id.org/homs-kg/ontology#>
SELECT ?actor ?n ?event WHERE { ?actor hk:involvedIn ?event } ORDER BY ?event
""",
}


@pytest.fixture
def extra_client(api_store, tmp_path) -> TestClient:
    for name, text in EXTRA.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return TestClient(create_app(store=api_store, base=BASE, queries_dir=tmp_path))


def test_a_new_query_file_is_a_new_endpoint(extra_client):
    spec = extra_client.get("/openapi.json").json()
    assert {"/api/place_card", "/api/actor_events"} <= set(spec["paths"])
    r = extra_client.get("/api/actor_events", params={"actor": "HTS"})
    assert r.status_code == 200 and r.json()["parameters"] == {"actor": f"{BASE}actor/hayat-tahrir-al-sham", "n": 3}
    assert extra_client.get("/api/actor_events", params={"actor": "HTS", "n": "x"}).status_code == 422


def test_a_construct_query_answers_rdf(extra_client):
    r = extra_client.get("/api/place_card", params={"place": "Bab Amr"})
    assert r.headers["content-type"].startswith("text/turtle")
    assert triples(parse_rdf(r)) == {(rdflib.URIRef(f"{BASE}place/baba-amr"), rdflib.RDFS.label,
                                      rdflib.Literal("Baba Amr", lang="en"))}
    r = extra_client.get("/api/place_card.jsonld")
    assert r.headers["content-type"].startswith("application/ld+json")
    assert (rdflib.URIRef(HOMS), rdflib.RDFS.label, rdflib.Literal("Homs", lang="en")) in triples(parse_rdf(r))
    assert extra_client.get("/api/place_card", headers={"accept": "application/rdf+xml"}).status_code == 200


def test_an_ambiguous_name_lists_what_it_could_mean(extra_client):
    r = extra_client.get("/api/actor_events", params={"actor": "insurgents"})
    assert r.status_code == 404 and "ambiguous" in r.json()["detail"]
    assert {c["iri"] for c in r.json()["candidates"]} == {f"{BASE}actor/hts-led-rebel-coalition",
                                                         f"{BASE}actor/syrian-rebels"}


# --- docs kept honest ---------------------------------------------------------------------------------

def test_every_canned_query_is_in_openapi_with_its_summary_and_typed_parameters(client):
    spec = client.get("/openapi.json").json()
    types = {"place": "string", "actor": "string", "iri": "string", "string": "string", "date": "string",
             "integer": "integer", "decimal": "number", "article": "string"}
    for name, q in catalogue().items():
        op = spec["paths"][f"/api/{name}"]["get"]
        assert op["summary"] == q.summary
        assert q.description.split()[0] in op["description"]
        params = {p["name"]: p for p in op["parameters"]}
        paging = {"limit", "offset"} | ({"after"} if q.keyset else set())  # after: keyset paging's cursor
        assert set(params) == {p.name for p in q.params} | paging
        for p in q.params:
            schema = params[p.name]["schema"]
            declared = schema.get("type") or next(s["type"] for s in schema["anyOf"] if s["type"] != "null")
            assert declared == types[p.type], (name, p.name, schema)
            assert params[p.name]["required"] == p.required
            if p.type == "date":
                assert "date" in str(schema)


def test_every_canned_query_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", readme, re.M))
    for name, q in catalogue().items():
        assert name in table, f"{name} is missing from README.md's canned-query table"
        assert table[name].strip() == q.summary, name


def test_docs_api_md_names_every_route(client):
    doc = (Path(ROOT) / "docs" / "api.md").read_text(encoding="utf-8")
    spec = client.get("/openapi.json").json()
    for path in spec["paths"]:
        if path.startswith("/api/"):
            continue  # canned queries: the README's table lists them
        assert path.split("{")[0].rstrip("/") in doc or path == "/", f"docs/api.md does not mention {path}"
