"""Hostile input (issue 4): a catalogue of hostile values for every kind of canned-query parameter —
each answered as plain data or refused with a 4xx, none changing what the query means; schemathesis
against the service's own OpenAPI document (bounded); and hypothesis-made annotation files, which
the loader refuses only ever with its own AnnotationError."""

from __future__ import annotations

import copy
import random
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from pyoxigraph import Store
from ruamel.yaml import YAML
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api import create_app
from kg.errors import AnnotationError
from kg.loading.load import load
from kg.namespaces import Iris
from kg.storage.opening import open_store
from support import BASE, MINI, ROOT
from support.api import HOMS, PROBLEM, TRUCE, TestClient

HUGE = 20_000  # characters: under the URL limit, so it reaches the query as a value

# --- the catalogue -----------------------------------------------------------------------------------------

HOSTILE = {
    "double-quote": 'homs"',
    "single-quote": "homs'",
    "triple-quote": 'homs"""',
    "close-brace": "homs }",
    "brace-injection": 'homs" } ; DROP ALL ; #',
    "filter-injection": '" || true || "',
    "comment": "homs # the rest is a comment",
    "newline": "homs\nSELECT * WHERE { ?s ?p ?o }",
    "crlf-header": "homs\r\nX-Injected: yes",
    "service": "SERVICE <http://example.org/sparql> { ?s ?p ?o }",
    "insert": "INSERT DATA { <http://example.org/x> <http://example.org/y> <http://example.org/z> }",
    "drop": "DROP ALL",
    "union": "} UNION { ?place ?p ?o",
    "variable": "?place",
    "angle-iri": f"<{HOMS}>",
    "iri-breakout": f"{HOMS}> ?p ?o }} #",
    "iri-with-spaces": f"{HOMS} > }} INSERT {{",
    "iri-with-newline": f"{HOMS}\n",
    "backslash": "homs\\",
    "unicode-escape": "homs\\u0022",
    "nul": "homs\x00",
    "rtl-override": "\u202ehoms",
    "rtl-mark": "homs\u200f",
    "zero-width-space": "ho\u200bms",
    "homoglyph-cyrillic-o": "h\u043ems",
    "fullwidth": "\uff48\uff4f\uff4d\uff53",
    "combining-accent": "homs\u0301",
    "emoji": "\U0001f4a5",
    "lone-surrogate-escape": "%ED%A0%80",
    "percent-encoded": "%22%7D%20%23",
    "html": "<script>alert(1)</script>",
    "javascript-iri": "javascript:alert(1)",
    "path-traversal": "../../etc/passwd",
    "regex": ".*",
    "lang-tag": 'Homs"@en',
    "typed-literal": '"1"^^xsd:integer',
    "huge": "x" * HUGE,
    "very-huge": "y" * 40_000,  # over the URL limit: 413
}
PLAIN = {"place": "homs", "iri": TRUCE, "date": "2014-05-07", "string": "Homs", "actor": "osdh", "integer": "1"}
ALLOWED = {200, 400, 404, 413, 422}

# A canned query with the parameter types the shipped ones do not use (string, actor, integer).
EXTRA = """#+ summary: Entities whose label is exactly a name (tests only)
#+ params:
#+   name: {type: string, required: true, description: "A label"}
#+   actor: {type: actor, default: osdh, description: "An actor"}
#+   n: {type: integer, default: 1, description: "A number"}
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name ?actor ?n ?entity ?actorLabel WHERE {
  ?entity rdfs:label ?label FILTER(STR(?label) = ?name)
  OPTIONAL { ?actor rdfs:label ?actorLabel }
} ORDER BY ?entity
"""
# (route, parameter, its type)
TARGETS = [("/api/ceasefires", "place", "place"), ("/api/events_in_place", "from", "date"),
           ("/api/event_actors", "event", "iri"), ("/api/sources", "fact", "iri"),
           ("/api/named", "name", "string"), ("/api/named", "actor", "actor"), ("/api/named", "n", "integer")]


@pytest.fixture
def hostile_client(api_store, tmp_path) -> TestClient:
    queries = tmp_path / "queries"
    shutil.copytree(ROOT / "queries", queries)
    (queries / "named.rq").write_text(EXTRA, encoding="utf-8")
    return TestClient(create_app(store=api_store, base=BASE, queries_dir=queries))


def rows_for(client: TestClient, route: str, params: dict) -> list:
    r = client.get(route, params={**params, "limit": 10000})
    assert r.status_code == 200, r.text
    return r.json()["rows"]


@pytest.mark.parametrize("route,param,kind", TARGETS, ids=[f"{t[0].rsplit('/', 1)[1]}.{t[1]}" for t in TARGETS])
def test_hostile_values_are_plain_data_or_refused(hostile_client, api_store, route, param, kind):
    before = set(api_store)
    required = {"name": PLAIN["string"]} if route == "/api/named" and param != "name" else \
        {"event": PLAIN["iri"]} if route == "/api/event_actors" and param != "event" else \
        {"fact": PLAIN["iri"]} if route == "/api/sources" and param != "fact" else {}
    plain = rows_for(hostile_client, route, {**required, param: PLAIN[kind]})
    if kind in ("place", "string", "iri"):
        assert plain, "the plain value finds something, so an empty answer below means something"
    outcomes = {}
    for name, value in HOSTILE.items():
        r = hostile_client.get(route, params={**required, param: value})
        outcomes[name] = r.status_code
        assert r.status_code in ALLOWED, (name, r.status_code, r.text[:300])
        if r.status_code != 200:
            assert r.headers["content-type"] == PROBLEM and r.json()["status"] == r.status_code, name
            continue
        body = r.json()
        resolved = body["parameters"][param]
        # plain data: the answer is exactly the answer to the value it was resolved to, given plainly
        assert body["rows"] == rows_for(hostile_client, route, {**required, param: resolved}), name
        if kind == "string":
            assert resolved == value and body["rows"] == [], name  # no label is this text
        if kind in ("place", "actor"):
            assert value.strip() in ("",) or value.strip().lower() in resolved.lower(), (name, resolved)
        if kind == "iri":
            assert resolved == value, name  # any IRI is data: it simply matches nothing
    assert set(api_store) == before, "no value changed the store"
    assert outcomes["very-huge"] == 413
    assert outcomes["nul"] != 200 or kind == "string"


def test_hostile_values_in_linked_data_paths_and_dataset_parameters(client, api_store):
    before = set(api_store)
    for value in HOSTILE.values():
        if len(value) > HUGE:
            continue
        for path in ("/place/", "/graph/", "/export/graph/"):
            r = client.get(path + quote(value, safe=""), headers={"accept": "text/turtle"})
            assert r.status_code in ALLOWED, (path, value[:50], r.status_code, r.text[:200])
        r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": value})
        assert r.status_code in (200, 400, 413), (value[:50], r.status_code, r.text[:200])
    assert set(api_store) == before


# --- schemathesis against the service's own OpenAPI document ---------------------------------------------------

EXAMPLES = 5  # per operation and generation mode: bounded, so the whole run takes seconds


def _operations(schema) -> dict:
    return {result.ok().label: result.ok() for result in schema.get_all_operations()}


OPERATIONS = sorted(_operations(schemathesis.openapi.from_asgi("/openapi.json", create_app(store=Store(), base=BASE))))
WRITES = [label for label in OPERATIONS if label.endswith(("/graph-store", "/load", "POST /sparql"))
          and not label.startswith("GET")]


def fuzz(app, label: str, headers: dict | None = None) -> int:
    """Schemathesis' positive and negative cases for one operation: no 5xx, and every response
    its documented schema allows. How many cases ran."""
    operation = _operations(schemathesis.openapi.from_asgi("/openapi.json", app))[label]
    ran = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers=headers)
            ran.append(response.status_code)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except Unsatisfiable:
            pass  # no parameters to make invalid: the positive cases covered it
    return len(ran)


def test_the_openapi_document_lists_the_operations():
    assert len(OPERATIONS) >= 25 and "GET /sparql" in OPERATIONS and "POST /load" in OPERATIONS
    assert len(WRITES) == 5


@pytest.mark.parametrize("label", OPERATIONS)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(api_store, label):
    assert fuzz(create_app(store=api_store, base=BASE), label) > 0


@pytest.mark.parametrize("label", WRITES)
def test_schemathesis_on_the_writes_with_the_token(api_store, label):
    app = create_app(store=api_store, base=BASE, write_token="t")
    assert fuzz(app, label, headers={"authorization": "Bearer t"}) > 0


# --- hypothesis: made-up annotation files never crash the loader -----------------------------------------------

_yaml = YAML(typ="safe")
FIXTURE = {name: _yaml.load((MINI / name).read_text(encoding="utf-8")) for name in ("article.yaml", "entities.yaml")}
WORDS = ["old-town", "sampleville", "sample-army", "sample-observatory", "local-activists", "old-town-shelling",
         "old-town-truce", "Truce", "Shelling", "City", "killed", "civilians", "implemented", "inferred", "stated",
         "2020-01-05", "2020-13-45", "The truce agreed on Monday", "put the toll at scores.", "", " ", "-1", "1e309"]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10 ** 30), 10 ** 30), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.sampled_from(WORDS), st.dates().map(str),
    st.lists(st.sampled_from(WORDS), max_size=3), st.dictionaries(st.sampled_from(["id", "type", "date", "x"]),
                                                                   st.sampled_from(WORDS), max_size=2))


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _mutate(data, doc):
    """One random change to a parsed document: a value replaced, a key or item removed or added."""
    path = data.draw(st.sampled_from([p for p in _paths(doc) if p]))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    what = data.draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
    key = path[-1]
    if what == "replace":
        parent[key] = data.draw(VALUES)
    elif what == "delete":
        del parent[key]
    elif what == "add" and isinstance(parent, dict):
        parent[data.draw(st.sampled_from(["id", "label", "quote", "colour", "partOf", "when", "count"]))] = data.draw(VALUES)
    elif isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))


def _dump(doc) -> bytes:
    import io

    out = io.StringIO()
    YAML(typ="safe").dump(doc, out)
    return out.getvalue().encode("utf-8")


@given(data=st.data())
@settings(max_examples=60, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_made_up_annotation_files_fail_only_with_annotation_errors(data):
    folder = Path(tempfile.mkdtemp(prefix="kg-fuzz-")) / "seeds"
    try:
        shutil.copytree(MINI, folder)
        target = data.draw(st.sampled_from(["article.yaml", "article.yaml", "entities.yaml"]))
        doc = copy.deepcopy(FIXTURE[target])
        for _ in range(data.draw(st.integers(1, 3))):
            _mutate(data, doc)
        raw = _dump(doc)
        if data.draw(st.booleans()):  # and sometimes damage the text itself
            at = data.draw(st.integers(0, len(raw)))
            raw = raw[:at] + data.draw(st.binary(max_size=8) | st.text(max_size=8).map(str.encode)) + \
                raw[at + data.draw(st.integers(0, 8)):]
        (folder / target).write_bytes(raw)
        store = open_store(":memory:")
        try:
            load(store, [folder], Iris())
        except AnnotationError as e:
            assert e.path.name in ("article.yaml", "entities.yaml", "article.txt") and str(e).strip()
            assert len(store) == 0, "nothing of a refused load is written"
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


def test_the_fuzzer_makes_both_good_and_bad_files():
    """The mutations are not all fatal (then the test above would prove little) nor all harmless."""
    rng, outcomes = random.Random(4), {"loaded": 0, "refused": 0}
    for _ in range(30):
        folder = Path(tempfile.mkdtemp(prefix="kg-fuzz-")) / "seeds"
        shutil.copytree(MINI, folder)
        doc = copy.deepcopy(FIXTURE["article.yaml"])
        events = doc["events"][0]
        events[rng.choice(["label", "modality", "places", "when"])] = rng.choice(
            ["A new label", "ongoing", ["old-town"], {"date": "2020-01-05"}, None, 7, "nowhere"])
        (folder / "article.yaml").write_bytes(_dump(doc))
        try:
            load(open_store(":memory:"), [folder], Iris())
            outcomes["loaded"] += 1
        except AnnotationError:
            outcomes["refused"] += 1
        shutil.rmtree(folder.parent, ignore_errors=True)
    assert outcomes["loaded"] and outcomes["refused"], outcomes
