"""One event across articles (issue 13): reports of one event, stated in entities.yaml, linked so that
a query for one finds the sources of all, and shown once on the timeline and the map."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

from kg.errors import AnnotationError
from kg.loading.load import load
from kg.querying.catalogue import catalogue, run
from kg.storage.graphs import graph_sizes
from kg.storage.opening import open_store
from support import BASE, select

HAMA_A000 = f"{BASE}event/a000-france24-final-offensive/hama-1982"
HAMA_A004 = f"{BASE}event/a004-keystone-ats-homs-exodus/hama-massacre-1982"
ARTICLES = {a: f"{BASE}article/{a}" for a in ("a000-france24-final-offensive", "a001-homs-city-army-advance",
                                              "a004-keystone-ats-homs-exodus")}


def rows(store, iris, name: str, **params) -> list[dict]:
    result = run(store, catalogue()[name], params, iris)
    names = [v.value for v in result.variables]
    return [{n: (r[n].value if r[n] is not None else None) for n in names} for r in result]


def test_a_query_for_one_report_finds_the_sources_of_all(store, iris):
    found = rows(store, iris, "sources", fact=HAMA_A004)
    assert {r["article"] for r in found} == {ARTICLES["a000-france24-final-offensive"], ARTICLES["a004-keystone-ats-homs-exodus"]}
    quotes = {r["report"]: r["quote"] for r in found}
    assert quotes[HAMA_A004] == "Hama was the scene of a massacre in 1982 under the presidency of Hafez al-Assad"
    assert quotes[HAMA_A000].startswith("staged a month-long offensive on Hama")
    # the civil war: three articles, whichever report one starts from
    war = f"{BASE}event/a001-homs-city-army-advance/syrian-civil-war"
    assert {r["article"] for r in rows(store, iris, "sources", fact=war)} == set(ARTICLES.values())


def test_an_event_no_other_article_reports_keeps_its_own_sources_only(store, iris):
    truce = f"{BASE}agreement/a002-syria-direct-fall-of-homs/old-homs-truce"
    assert {r["report"] for r in rows(store, iris, "sources", fact=truce)} == {truce}


def test_same_event_as_is_reference_knowledge_materialised_both_ways(store, iris):
    rows_ = select(store, "SELECT ?g WHERE { GRAPH ?g { ?a hk:sameEventAs ?b } }",
                   a=NamedNode(HAMA_A000), b=NamedNode(HAMA_A004))
    assert [r["g"] for r in rows_] == [iris.inferred_graph("entities").value]
    assert select(store, "SELECT ?x WHERE { ?b hk:sameEventAs ?a BIND(1 AS ?x) }",
                  a=NamedNode(HAMA_A000), b=NamedNode(HAMA_A004)) == [{"x": "1"}]
    shared = select(store, """SELECT ?s ?label ?g WHERE { GRAPH ?g { ?e hk:reportOf ?s . ?s rdfs:label ?label ;
        hk:basis hk:generalKnowledge } }""", e=NamedNode(HAMA_A004))
    assert shared == [{"s": f"{BASE}shared-event/hama-massacre-1982", "label": "The 1982 Hama massacre",
                       "g": iris.graph("entities").value}]
    # no article graph says so: it is never one article's word
    assert select(store, "SELECT ?g WHERE { GRAPH ?g { ?e hk:reportOf ?s } FILTER(?g != ?entities) }",
                  entities=iris.graph("entities")) == []


def test_the_timeline_shows_the_hama_massacre_once_with_both_articles(store, iris):
    found = rows(store, iris, "timeline", place="hama")
    massacre = [r for r in found if r["item"] in (HAMA_A000, HAMA_A004)]
    assert {r["item"] for r in massacre} == {HAMA_A000}
    assert set(massacre[0]["reports"].split()) == {ARTICLES["a000-france24-final-offensive"], ARTICLES["a004-keystone-ats-homs-exodus"]}
    assert massacre[0]["sameEvent"] == f"{BASE}shared-event/hama-massacre-1982"


def test_the_map_shows_each_shared_event_once_with_every_article(store, iris):
    found = rows(store, iris, "event_map")
    items = {r["item"] for r in found}
    assert HAMA_A000 in items and HAMA_A004 not in items
    wars = [r for r in found if r["sameEvent"] == f"{BASE}shared-event/syrian-civil-war"]
    assert len({r["item"] for r in wars}) == 1
    # the map's item is a dated report (a000's civil war has no date; a001's has)
    assert wars[0]["earliest"] and set(wars[0]["reports"].split()) == set(ARTICLES.values())


@pytest.mark.parametrize("old,new,problem", [
    ("a004-keystone-ats-homs-exodus/hama-massacre-1982]", "a004-keystone-ats-homs-exodus/hama-massacre-1928]",
     "article 'a004-keystone-ats-homs-exodus' has no event 'hama-massacre-1928'"),
    ("a004-keystone-ats-homs-exodus/hama-massacre-1982]", "a000-france24-final-offensive/repression]", "two reports from article"),
    ("reports: [a000-france24-final-offensive/hama-1982, a004-keystone-ats-homs-exodus/hama-massacre-1982]",
     "reports: [a000-france24-final-offensive/hama-1982]", "at least 2"),
    ("a004-keystone-ats-homs-exodus/hama-massacre-1982]", "a004-keystone-ats-homs-exodus hama-massacre-1982]", "pattern"),
])
def test_a_bad_shared_event_is_one_clear_error_at_its_line_of_entities_yaml(seeds_copy, iris, old, new, problem):
    path = seeds_copy / "entities.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    s = open_store(":memory:")
    with pytest.raises(AnnotationError) as err:
        load(s, [seeds_copy], iris)
    assert err.value.path == path and err.value.line and problem in err.value.problem, err.value
    assert graph_sizes(s) == {}
