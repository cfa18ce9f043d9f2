"""The remote store (kg.storage.remote.RemoteStore) against real servers, each test on each of them: an
`oxigraph serve` process and a private Virtuoso (bench/virtuoso.py; it must be installed: .ci/run
installs it). The loader, the canned queries, bound values, exports and counts give what the
embedded store gives from the same seeds. The comparison store is an embedded one ON DISK, as the server's is: the order in which
GROUP_CONCAT joins values is unspecified, and Oxigraph's in-memory store orders them otherwise."""

from __future__ import annotations

import base64
import http.server
import re
import threading

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, QueryTriples, RdfFormat, Variable

from kg.describing import resources as describe
from kg.describing.place_map import gazetteer
from kg.describing.stats import statistics
from kg.describing.void import distinct_triples
from kg.errors import AnnotationError, QueryTimeout, UnknownName
from kg.executor.limits import Context, Limits
from kg.loading.load import load
from kg.namespaces import Iris
from kg.paths import SEEDS
from kg.querying import catalogue as canned
from kg.querying import keyset
from kg.querying.binding import bind
from kg.storage.export import export
from kg.storage.graphs import graph_sizes, graph_triples
from kg.storage.opening import is_remote, open_store
from kg.storage.remote import RemoteStore
from kg.storage.stored_forms import INTEGER_TYPES, POINT_TYPES
from support import BASE, select
from support.servers import SPARQL_SERVERS, free_port, running_oxigraph, running_sparql_server

A002 = "a002-syria-direct-fall-of-homs"
TRUCE = f"{BASE}agreement/{A002}/old-homs-truce"
CEASEFIRE_72H = f"{BASE}agreement/{A002}/april-72-hour-ceasefire"
HOSTILE = ['"} ; DROP ALL ; #', 'a "quoted" word', "two\nlines\r\n\tand a tab", "back\\slash \\u0022 \\", "'''",
           '"""', "}}}> ) . <x> <y> <z> . # }", "\u2028 é ☂ \x00 \x7f"]


@pytest.fixture(scope="module")
def iris() -> Iris:
    return Iris(BASE)


@pytest.fixture(scope="module", params=SPARQL_SERVERS)
def kind(request) -> str:
    """The SPARQL server the module's remote-store tests run against (each in turn)."""
    return request.param


@pytest.fixture(scope="module")
def remote(kind, tmp_path_factory, iris):
    """A real SPARQL server holding the seeds, loaded through the loader over HTTP."""
    with running_sparql_server(kind, tmp_path_factory.mktemp(kind)) as server:
        store = server.open()
        load(store, [SEEDS], iris)
        yield store
        store.close()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, iris):
    store = open_store(tmp_path_factory.mktemp("embedded") / "store")
    load(store, [SEEDS], iris)
    return store


@pytest.fixture(scope="module")
def empty_server(kind, tmp_path_factory):
    """A second SPARQL server, for the tests that need an empty one (`fresh`)."""
    with running_sparql_server(kind, tmp_path_factory.mktemp(f"empty-{kind}")) as server:
        yield server


@pytest.fixture
def fresh(empty_server):
    """An empty SPARQL server: the module's second one, emptied before and after each test (one
    server per module: a Virtuoso takes 5-15 s to start)."""
    store = empty_server.open()
    store.clear()
    assert len(store) == 0 and list(store.named_graphs()) == []
    yield store
    store.clear()
    store.close()


def _parameters(embedded) -> dict[str, dict]:
    """Values for the required parameters that find something in the seeds."""
    figure = next(iter(embedded.query(canned.catalogue()["conflicting_figures"].sparql,
                                      use_default_graph_as_union=True)))
    return {"casualties_of_event": {"event": figure["event"].value}, "event_actors": {"event": TRUCE},
            "entity": {"entity": f"{BASE}place/homs"}, "sources": {"fact": TRUCE},
            "event_places": {"event": TRUCE}, "mentions": {"entity": f"{BASE}place/homs"}}


# --- what Virtuoso does otherwise (docs/remote-store.md, "Virtuoso") ---------------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"
# The canned queries whose rows Virtuoso 7.2.5 (Debian 12) gets otherwise, and why; each is checked to
# differ still, so that this list and the documentation follow the server.
VIRTUOSO_DIFFERS: dict[str, str] = {}
# GROUP_CONCAT over no values: "" on Virtuoso (SPARQL 1.1), unbound on Oxigraph. The portable guard,
# IF(COUNT(?x) > 0, GROUP_CONCAT(...), ...), stops Virtuoso's compiler (SQ156, docs/remote-store.md). These
# are compared with "" read as unbound, and checked to hold such a "" still.
VIRTUOSO_EMPTY_LISTS = {
    "ceasefires": "the 72-hour ceasefire's escorts",
    "timeline": "`reports` of an entry no other article reports",
    "control_at": "`reportedBy` of a period with no source",
    "conflict_actors": "`memberOf` of an actor in no group",
    "agreements": "the mediators, guarantors, escorts of an agreement with none",
    "actors": "`aliases` of an actor with none",
}
VIRTUOSO_REFUSES = {name: "LATERAL (an Oxigraph extension): SP030 syntax error"
                    for name in ("event_map", "event_map_places", "event_map_months", "event_map_counts")}


def as_virtuoso_stores(term):
    """A term as Virtuoso keeps it, up to what it changes on the way in: a literal of a type derived
    from xsd:integer keeps its type there (Oxigraph's stores make it xsd:integer); a boolean reads
    back in the other canonical form ("1" for "true"); a WKT point becomes a virtrdf:Geometry of
    single-precision coordinates (36.73 reads back 36.729999542236)."""
    if isinstance(term, Literal) and term.datatype.value in INTEGER_TYPES:
        return Literal(term.value, datatype=NamedNode(_XSD + "integer"))
    if isinstance(term, Literal) and term.datatype.value == _XSD + "boolean":  # Virtuoso writes true as "1"
        return Literal({"1": "true", "0": "false"}.get(term.value, term.value), datatype=term.datatype)
    if isinstance(term, Literal) and term.datatype.value in POINT_TYPES:
        point = re.fullmatch(r"POINT\(([-\d.]+) ([-\d.]+)\)", term.value)
        if point:
            return "POINT", round(float(point[1]), 5), round(float(point[2]), 5)
    return term


def comparable(kind: str, rows) -> list[tuple]:
    """Rows (or triples) as tuples of terms; on Virtuoso, up to the changes of as_virtuoso_stores."""
    rows = [tuple(r) for r in rows]
    return [tuple(as_virtuoso_stores(t) for t in r) for r in rows] if kind == "virtuoso" else rows


_CONCATENATED = re.compile(r'separator="([^"]*)"\)[^?]*?AS \?(\w+)\)')


def comparable_answer(kind: str, query, solutions) -> list[tuple]:
    """A canned query's rows as `comparable` makes them; on Virtuoso, also each GROUP_CONCAT as the
    sorted list of the values it joins (with its language or datatype): SPARQL leaves the order in
    which GROUP_CONCAT joins values to the store, and Virtuoso's order is not Oxigraph's; and one over
    no values ("" there) as unbound, as Oxigraph leaves it."""
    return comparable_rows(kind, query, [v.value for v in solutions.variables], solutions)


def comparable_rows(kind: str, query, names: list[str], rows, lists: bool = False) -> list[tuple]:
    """Rows of `query` whose columns are `names`, as comparable_answer makes them (`lists`: each
    GROUP_CONCAT as a sorted list on every store: two evaluations on one may join in other orders)."""
    rows = comparable(kind, rows)
    if kind != "virtuoso" and not lists:
        return rows
    joined = {names.index(name): sep for sep, name in _CONCATENATED.findall(query.sparql) if name in names}

    def values(i, term):
        if i not in joined or not isinstance(term, Literal):
            return term
        if term.value == "":  # GROUP_CONCAT over no values: "" on Virtuoso, unbound on Oxigraph
            return None
        return tuple(sorted(term.value.split(joined[i]))), term.language or term.datatype.value

    return [tuple(values(i, term) for i, term in enumerate(row)) for row in rows]


def rdf_comparable(kind: str, term):
    """An rdflib term (of a parsed export) up to the changes of as_virtuoso_stores, on Virtuoso."""
    if kind != "virtuoso" or not isinstance(term, rdflib.Literal) or term.datatype is None:
        return term
    if str(term.datatype) in INTEGER_TYPES | POINT_TYPES:
        return as_virtuoso_stores(Literal(str(term), datatype=NamedNode(str(term.datatype))))
    return term


def statements(kind: str, page) -> list:
    """A linked-data page's statements, their values up to the changes of as_virtuoso_stores."""
    if kind != "virtuoso":
        return page.statements
    return [(p, label, [(as_virtuoso_stores(v.term), v.label, v.sources, v.quote) for v in values])
            for p, label, values in page.statements]


def comparable_triples(kind: str, triples) -> set:
    return {tuple(t) for t in comparable(kind, [(t.subject, t.predicate, t.object) for t in triples])}


# --- the same answers -----------------------------------------------------------------------------

pytestmark = pytest.mark.server


def test_the_remote_store_holds_what_the_embedded_one_holds(remote, embedded, kind):
    assert is_remote(remote) and not is_remote(embedded)
    # ontology, entities, 5 articles, each with its inferences, and the actors' counts (kg.loading.actor_counts)
    assert graph_sizes(remote) == graph_sizes(embedded) and len(graph_sizes(remote)) == 14
    assert len(remote) == len(embedded) > 19000
    assert sorted(g.value for g in remote.named_graphs()) == sorted(g.value for g in embedded.named_graphs())
    assert statistics(remote) == statistics(embedded)
    assert distinct_triples(remote) == distinct_triples(embedded)
    for g in embedded.named_graphs():
        if not g.value.endswith("/ontology"):  # its blank nodes get new labels in every store
            assert comparable_triples(kind, graph_triples(remote, g)) == \
                comparable_triples(kind, graph_triples(embedded, g)), g


def test_every_canned_query_answers_the_same_rows(remote, embedded, iris, kind):
    catalogue, given = canned.catalogue(), _parameters(embedded)
    differs = VIRTUOSO_DIFFERS if kind == "virtuoso" else {}
    refused = VIRTUOSO_REFUSES if kind == "virtuoso" else {}
    assert len(catalogue) >= 13 and set(differs) | set(refused) <= set(catalogue)
    answered = 0
    for name, query in catalogue.items():
        values = given.get(name, {})
        if name in refused:
            with pytest.raises(SyntaxError, match="LATERAL"):
                canned.run(remote, query, values, iris)
            continue
        expected = comparable_answer(kind, query, canned.run(embedded, query, values, iris))
        got = comparable_answer(kind, query, canned.run(remote, query, values, iris))
        # and with the values bound as substitutions (the remote store writes them as VALUES)
        bound = canned.bindings(embedded, iris, query, values)
        try:
            subs = comparable_answer(kind, query, embedded.query(query.sparql, use_default_graph_as_union=True,
                                                                 substitutions=bound))
        except RuntimeError as e:  # pyoxigraph substitutes only projected variables (event_map's box): the
            assert "SELECT projection" in str(e), name  # canned answer is the reference then
            subs = expected
        got_subs = comparable_answer(kind, query, remote.query(query.sparql, use_default_graph_as_union=True,
                                                               substitutions=bound))
        same = got == expected and got_subs == subs
        if name in VIRTUOSO_EMPTY_LISTS and kind == "virtuoso":
            raw = [tuple(r) for r in canned.run(remote, query, values, iris)]
            assert any(isinstance(t, Literal) and t.value == "" for r in raw for t in r), \
                f"{name} has no empty GROUP_CONCAT on Virtuoso now: drop it from VIRTUOSO_EMPTY_LISTS and the docs"
        if name in differs:
            assert not same, f"{name} now answers as the embedded store: drop it from VIRTUOSO_DIFFERS and the docs"
        else:
            assert got == expected, name
            assert got_subs == subs, name
        answered += bool(expected) and name not in differs
    assert answered >= (11 if kind == "oxigraph" else 17)  # the comparison is not empty


def test_the_ceasefires_in_homs_on_the_remote_store(remote, iris):
    rows = {r["agreement"].value: r for r in canned.run(remote, canned.catalogue()["ceasefires"], {"place": "Homs"}, iris)}
    assert set(rows) == {TRUCE, CEASEFIRE_72H}
    truce, april = rows[TRUCE], rows[CEASEFIRE_72H]
    assert truce["earliest"].value == "2014-05-07" and truce["status"].value == "implemented"
    assert "United Nations" in truce["escorts"].value
    assert april["earliest"].value.startswith("2014-04") and april["status"].value == "broke down"
    assert "72-hour" in april["label"].value


def test_events_in_a_date_range_bind_the_dates_inside_the_where_clause(remote, embedded, iris, kind):
    """?from and ?to are only in a FILTER: a trailing VALUES clause would leave them unbound there."""
    query = canned.catalogue()["events_in_place"]
    values = {"place": "homs", "from": "2014-05-01", "to": "2014-05-31"}
    found = comparable_answer(kind, query, canned.run(remote, query, values, iris))
    assert found == comparable_answer(kind, query, canned.run(embedded, query, values, iris))
    assert found and all("2014-05" <= (r[7].value if r[7] is not None else "9999")[:7] for r in found)  # open: issue 13


def test_events_in_each_place_of_the_seeds(remote, embedded, iris, kind):
    """events_in_place, all dates, for every place with parts and an event (14 of the 43 with an event:
    0.4 s each on Virtuoso): on Virtuoso its class path, from a start bound by an earlier pattern, lost
    every row for naw-kafr at 1k (0 of 138) and 5 for aleppo-governorate here (docs/remote-store.md)."""
    query = canned.catalogue()["events_in_place"]
    places = [r["p"].value for r in embedded.query(
        "SELECT DISTINCT ?p WHERE { ?e hk:locatedIn ?p ; a hk:Event . ?p hk:hasPart ?part }",
        use_default_graph_as_union=True, prefixes={"hk": HK})]
    assert len(places) >= 10
    found = 0
    for place in places:
        got = comparable_answer(kind, query, canned.run(remote, query, {"place": place}, iris))
        assert got == comparable_answer(kind, query, canned.run(embedded, query, {"place": place}, iris)), place
        found += len(got)
    assert found >= 50


PAGED = ("agreements", "places", "actors", "conflicting_figures")


def all_pages(store, name: str, limit: int) -> tuple[list[str], list[tuple]]:
    """Every page of a whole-graph query as /api/<name> serves it (kg.querying.keyset), one after another."""
    query = canned.catalogue()[name]
    ctx, rows, after = Context(store, Limits(timeout=120)), [], None
    keyset.forget()
    for _ in range(1000):
        page = keyset.fetch(ctx, name, query.sparql, query.keyset, {}, 0, limit, after)
        rows += page.rows[:limit]
        if len(page.rows) <= limit:
            return page.columns, rows
        after = page.cursor(name, limit)
    raise AssertionError(f"{name}: more than 1000 pages")


# Not yet the same on Virtuoso (none now: places.rq's class path is a sub-select as the others')
VIRTUOSO_PAGES_DIFFER: dict[str, str] = {}


@pytest.mark.parametrize("name,limit", [("agreements", 2), ("places", 10), ("actors", 10), ("conflicting_figures", 1)])
def test_the_pages_of_a_whole_graph_query_are_its_whole_answer(remote, embedded, iris, kind, name, limit):
    """On Virtuoso, a page that bound its key tuples (an item and its label) in one VALUES block of
    several rows found nothing (`actors`, `places`): a language-tagged literal there matches no stored
    one. A page binds its items alone now."""
    query = canned.catalogue()[name]
    answer = canned.run(embedded, query, {}, iris)
    expected = comparable_rows(kind, query, [v.value for v in answer.variables], answer, lists=True)
    columns, rows = all_pages(remote, name, limit)
    assert len(expected) > limit  # several pages
    paged = comparable_rows(kind, query, columns, rows, lists=True)
    if kind == "virtuoso" and name in VIRTUOSO_PAGES_DIFFER:
        assert paged != expected, f"{name} now pages as the embedded store answers: drop it from VIRTUOSO_PAGES_DIFFER"
    else:
        assert paged == expected


def test_a_page_keeps_the_rows_of_its_keys_in_their_order(remote, iris):
    """Two actors with a second label each: an actor with two labels has two keys, on two pages, each
    page giving the rows of its own key, in key order. (The labels are alike in their first 20
    characters, the first by label second by IRI, as two that Virtuoso's ORDER BY put in IRI order at
    1k; written here, it orders them right: a page sorts its rows by key itself, kg.querying.keyset.)"""
    extra = NamedNode("urn:x-test:second-labels")
    rdfs = str(RDFS)[1:-1]
    first, second = [r["a"] for r in remote.query("SELECT ?a WHERE { ?a a hk:Actor } ORDER BY ?a LIMIT 2",
                                                  prefixes={"hk": HK})]
    remote.update(f"INSERT DATA {{ GRAPH {extra} {{ {first} <{rdfs}label> \"Zz twenty characters alike, then B\"@en . "
                  f"{second} <{rdfs}label> \"Zz twenty characters alike, then A\"@en }} }}")
    try:
        query = canned.catalogue()["actors"]
        whole = [tuple(r) for r in canned.run(remote, query, {}, iris)]
        assert sum(r[0] in (first, second) for r in whole) == 4
        columns, rows = all_pages(remote, "actors", 3)
        rows = [tuple(r) for r in rows]
        assert sorted(rows, key=lambda r: (r[1].value, r[0].value)) == rows and sorted(map(str, rows)) == sorted(map(str, whole))
        alike = [r[0] for r in rows if r[1].value.startswith("Zz twenty")]
        assert alike == [second, first]
    finally:
        remote.update(f"DROP SILENT GRAPH {extra}")


HK = "https://w3id.org/homs-kg/ontology#"


def test_query_forms_come_back_as_pyoxigraph_results(remote):
    homs = NamedNode(f"{BASE}place/homs")
    assert isinstance(remote.query("ASK { ?s ?p ?o }"), QueryBoolean)
    solutions = remote.query("SELECT ?l WHERE { ?h rdfs:label ?l }", prefixes={"rdfs": str(RDFS)[1:-1]},
                             substitutions={Variable("h"): homs})
    assert isinstance(solutions, QuerySolutions) and [r["l"] for r in solutions] == [Literal("Homs", language="en")]
    triples = remote.query(f"CONSTRUCT {{ {homs} ?p ?o }} WHERE {{ {homs} ?p ?o }}")
    assert isinstance(triples, QueryTriples)
    assert (homs, NamedNode(str(RDFS)[1:-1] + "label"), Literal("Homs", language="en")) in \
        {(t.subject, t.predicate, t.object) for t in triples}
    with pytest.raises(SyntaxError):
        remote.query("SELECT WHERE {")
    # a dataset named in the request, as the SPARQL protocol names it
    graph = NamedNode(f"{BASE}graph/entities")
    n = remote.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[graph], named_graphs=[])
    assert int(next(iter(n))["n"].value) == graph_sizes(remote)[graph.value]


RDFS = NamedNode("http://www.w3.org/2000/01/rdf-schema#")


def test_hostile_literals_stay_in_their_term_position(remote, embedded, iris, kind):
    before = len(remote)
    # Virtuoso ends a string at a NUL character (docs/remote-store.md); the loader refuses NULs
    for value in HOSTILE if kind == "oxigraph" else [v for v in HOSTILE if "\x00" not in v]:
        term = Literal(value)
        query = "SELECT ?v (STRLEN(?v) AS ?n) WHERE { }"
        got = [tuple(r) for r in remote.query(query, substitutions={Variable("v"): term})]
        assert got == [tuple(r) for r in embedded.query(query, substitutions={Variable("v"): term})]
        assert got == [(term, Literal(str(len(value)), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")))]
        # as a canned query's parameter: the same unknown name, with the same candidates, on both
        errors = []
        for store in (remote, embedded):
            with pytest.raises(UnknownName) as e:
                canned.run(store, canned.catalogue()["ceasefires"], {"place": value}, iris)
            errors.append((str(e.value), e.value.candidates))
        assert errors[0] == errors[1]
    assert len(remote) == before  # nothing was dropped or written


def test_describe_gives_the_same_description(remote, embedded, iris, kind):
    for iri in (f"{BASE}place/homs", TRUCE, f"{BASE}article/{A002}"):
        node = NamedNode(iri)
        assert describe.exists(remote, node)
        assert comparable_triples(kind, describe.description(remote, node)) == \
            comparable_triples(kind, describe.description(embedded, node))
        page, expected = describe.page(remote, node, iris), describe.page(embedded, node, iris)
        assert (page.label, statements(kind, page), page.evidence) == \
            (expected.label, statements(kind, expected), expected.evidence)
    assert not describe.exists(remote, NamedNode(f"{BASE}place/atlantis"))


def test_a_place_pages_map_finds_the_same_places(remote, embedded, kind):
    """kg.describing.place_map.AROUND: the place, the places inside it and those containing it. Its
    class path `?t rdfs:subClassOf+ hk:Place`, written after ?t was bound, gave Virtuoso 2 of Homs's
    29 rows and, on some plans, killed it (a general protection fault: docs/remote-store.md)."""
    for place in ("homs", "baba-amr", "syria"):
        iri = f"{BASE}place/{place}"
        got, expected = gazetteer(remote, iri), gazetteer(embedded, iri)
        assert len(expected.places) > 1 and set(got.places) == set(expected.places), place
        for p, e in expected.places.items():
            g = got.places[p]
            assert (g.label, g.type, sorted(g.parents)) == (e.label, e.type, sorted(e.parents)), p
            assert (g.point is None) == (e.point is None), p
            if e.point:
                assert [round(c, 5) for c in g.point] == [round(c, 5) for c in e.point], p


def test_exports_parse_and_hold_the_same_data(remote, embedded, iris, kind):
    for fmt, name in ((RdfFormat.N_QUADS, "nquads"), (RdfFormat.TRIG, "trig")):
        dataset = rdflib.Dataset()
        dataset.parse(data=export(remote, fmt), format=name)
        quads = {(s, p, rdf_comparable(kind, o), g) for s, p, o, g in dataset.quads()
                 if not isinstance(s, rdflib.BNode) and not isinstance(o, rdflib.BNode)}
        expected = rdflib.Dataset()
        expected.parse(data=export(embedded, fmt), format=name)
        assert len(list(dataset.quads())) == len(list(expected.quads())) == len(embedded)
        assert quads == {(s, p, rdf_comparable(kind, o), g) for s, p, o, g in expected.quads()
                         if not isinstance(s, rdflib.BNode) and not isinstance(o, rdflib.BNode)}
    for fmt, name in ((RdfFormat.TURTLE, "turtle"), (RdfFormat.RDF_XML, "xml"), (RdfFormat.N_TRIPLES, "nt")):
        mine, theirs = rdflib.Graph(), rdflib.Graph()
        mine.parse(data=export(remote, fmt, iris.graph(A002)), format=name)
        theirs.parse(data=export(embedded, fmt, iris.graph(A002)), format=name)
        assert len(mine) == len(theirs) > 3000
        assert {(s, p, rdf_comparable(kind, o)) for s, p, o in mine} == \
            {(s, p, rdf_comparable(kind, o)) for s, p, o in theirs}


# --- loads ----------------------------------------------------------------------------------------


def test_a_bad_annotation_file_loads_nothing_remotely(fresh, seeds_copy, iris):
    path = seeds_copy / "002_36c9516b5ee8d58f.yaml"
    text = path.read_text(encoding="utf-8")
    assert "status: implemented" in text
    path.write_text(text.replace("status: implemented", "status: signed", 1), encoding="utf-8")
    with pytest.raises(AnnotationError) as e:
        load(fresh, [seeds_copy], iris)
    assert "002_36c9516b5ee8d58f.yaml" in str(e.value)
    assert len(fresh) == 0 and list(fresh.named_graphs()) == []


def test_a_reload_replaces_an_article_whole(fresh, seeds_copy, iris, tmp_path, kind):
    load(fresh, [seeds_copy], iris)
    graph, inferred = iris.graph(A002), iris.inferred_graph(A002)
    others = {g.value: graph_triples(fresh, g) for g in fresh.named_graphs()
              if g not in (graph, inferred) and not g.value.endswith("/ontology")}
    path = seeds_copy / "002_36c9516b5ee8d58f.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: implemented", "status: agreed", 1), encoding="utf-8")
    report = load(fresh, [path], iris)
    assert report.articles == [A002] and not report.bulk
    # the shared entities as the server keeps them are the file's (kg.storage.stored_forms): not
    # written again, and no other article's inferences derived again
    assert not report.entities_changed and report.reinferred == []
    assert select(fresh, "SELECT ?s WHERE { ?a hk:status ?s }", a=NamedNode(TRUCE)) == \
        [{"s": "https://w3id.org/homs-kg/ontology#agreed"}]
    # the article's two graphs are what a fresh embedded load of the changed files gives, and no others changed
    reference = open_store(tmp_path / "embedded")
    load(reference, [seeds_copy], iris)
    assert comparable_triples(kind, graph_triples(fresh, graph)) == comparable_triples(kind, graph_triples(reference, graph))
    assert comparable_triples(kind, graph_triples(fresh, inferred)) == \
        comparable_triples(kind, graph_triples(reference, inferred))
    assert {g: graph_triples(fresh, NamedNode(g)) for g in others} == others


def test_a_server_whose_default_graph_is_not_the_union_is_refused(tmp_path, iris):
    with running_oxigraph(tmp_path, union=False) as url:
        store = RemoteStore(url)
        store.update(f"INSERT DATA {{ GRAPH {iris.graph('x')} {{ <urn:s> <urn:p> <urn:o> }} }}")
        with pytest.raises(OSError, match="--union-default-graph"):
            open_store(url)
        store.close()


def test_the_app_opens_a_remote_store_from_its_url(remote, kind):
    from fastapi.testclient import TestClient

    from api import create_app
    from kg.executor.inline import InlineExecutor
    from kg.executor.limits import Limits

    limit = 0.5 if kind == "oxigraph" else 3.0  # Virtuoso compiles a query the first time: ~0.1-1 s here
    app = create_app(store=remote.query_url, limits=Limits(timeout=limit), isolation="process")
    with TestClient(app) as client:
        assert is_remote(app.state.store) and app.state.store.timeout == limit
        assert isinstance(app.state.executor, InlineExecutor)  # whatever `isolation` says: the server runs it
        answer = client.get("/api/ceasefires", params={"place": "homs"})
        assert answer.status_code == 200, answer.text
        rows = answer.json()["rows"]
        assert {r["agreement"] for r in rows} == {TRUCE, CEASEFIRE_72H}
        slow = client.get("/sparql", params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"})
        assert slow.status_code == 503 and slow.json()["status"] == 503
        assert client.post("/sparql", data={"update": "DROP ALL"}).status_code == 403  # read-only service
    assert len(remote) > 19000


# --- limits, errors and credentials ----------------------------------------------------------------


def test_a_query_past_the_deadline_raises_query_timeout(remote):
    slow = RemoteStore(remote.query_url, timeout=0.5)
    with pytest.raises(QueryTimeout):
        list(slow.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"))
    slow.close()


def test_a_read_only_remote_store_refuses_writes_before_asking(remote):
    ro = RemoteStore(remote.query_url, read_only=True)
    with pytest.raises(OSError, match="read-only"):
        ro.update("DROP ALL")
    ro.close()
    assert len(remote) > 19000


def test_credentials_go_in_a_header_and_never_in_a_message(tmp_path):
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            seen.append(self.headers.get("Authorization"))
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://kg-user:s3cr%40t@127.0.0.1:{server.server_port}/sparql"
        store = RemoteStore(url)
        assert "s3cr" not in str(store) + repr(store) and store.query_url.endswith("/sparql")
        assert store.update_url == store.graph_store_url == store.query_url  # not …/query: the same URL
        with pytest.raises(OSError) as e:
            store.query("ASK {}")
        assert "s3cr" not in str(e.value) and "503" in str(e.value)
        assert seen == ["Basic " + base64.b64encode(b"kg-user:s3cr@t").decode()]
        store.close()
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(OSError) as e:  # nobody listening any more
        open_store(url)
    assert "s3cr" not in str(e.value) and "cannot reach" in str(e.value)


# --- binding values: the query text (no server) -------------------------------------------------------


@pytest.mark.parametrize("query, head", [
    ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { VALUES"),
    ("PREFIX construct: <urn:c#> CONSTRUCT { ?x a construct:T } WHERE { ?x ?p ?o }", "WHERE { VALUES"),
    ("CONSTRUCT WHERE { ?x ?p ?o }", "CONSTRUCT WHERE { VALUES"),
    ("ASK { ?x ?p '{' }", "ASK { VALUES"),
    ("# a { comment\nSELECT (EXISTS { ?x ?p ?o } AS ?e) ?x { ?x <urn:{}> \"{\" }", "AS ?e) ?x { VALUES"),
    ("DESCRIBE ?x", "DESCRIBE ?x\nVALUES"),
])
def test_values_go_at_the_head_of_the_where_group(query, head):
    bound = bind(query, {Variable("x"): NamedNode("urn:x")})
    assert head in bound and "VALUES (?x) { (<urn:x>) }" in bound
    assert bound.replace(" VALUES (?x) { (<urn:x>) } ", "").replace("\nVALUES (?x) { (<urn:x>) }", "") == query


def test_a_blank_node_cannot_be_bound_remotely():
    from pyoxigraph import BlankNode

    with pytest.raises(ValueError):
        bind("SELECT ?x WHERE { }", {Variable("x"): BlankNode()})
