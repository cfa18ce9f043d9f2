"""The places page's `events` count kept at load time (issue 17; kg.loading.place_counts): the new
text of `places` answers the old text's rows, row for row and in order, on the seeds and on a
generated corpus (the old text, which counted at query time, is kept here); its pages one after
another are that whole answer; the counts stay exact when an article is reloaded or its shared event
changes; and a derivation that forgets what it must count fails the comparison."""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from kg.loading import place_counts, time_bounds
from kg.loading.load import load
from kg.namespaces import HK, RDF
from kg.querying.catalogue import catalogue, run
from support import BASE, generated_store
from tests.unit.test_row_cost import paged, rows

# main's text before this change: the count worked out at query time, per located item
OLD = """
PREFIX hk: <https://w3id.org/homs-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
SELECT ?place ?label ?type ?parent ?parentLabel ?wkt ?events
WHERE {
  ?place a hk:Place ; rdfs:label ?label .
  { ?place a ?t FILTER NOT EXISTS { ?place a ?sub FILTER(?sub != ?t) FILTER EXISTS { ?sub rdfs:subClassOf ?t } } }
  ?t rdfs:subClassOf+ hk:Place ; rdfs:label ?type .
  OPTIONAL {
    ?place hk:partOf ?parent . ?parent rdfs:label ?parentLabel .
    FILTER NOT EXISTS { ?place hk:partOf ?mid FILTER(?mid != ?parent) FILTER EXISTS { ?mid hk:partOf ?parent } }
  }
  OPTIONAL { ?place geo:hasGeometry/geo:asWKT ?wkt }
  OPTIONAL {
    SELECT ?place (COUNT(DISTINCT ?event) AS ?n) WHERE {
      ?item hk:locatedIn ?place ; a ?top . FILTER(?top IN (hk:Event, hk:Agreement))
      OPTIONAL { ?item hk:reportOf ?shared }
      BIND(COALESCE(?shared, ?item) AS ?event)
    }
    GROUP BY ?place
  }
  BIND(COALESCE(?n, 0) AS ?events)
}
ORDER BY ?label ?place ?type ?parent ?parentLabel ?wkt ?events
"""
EVENTS = 6  # the column of the count


def old_and_new(store: Store) -> tuple[list[tuple], list[tuple]]:
    old = rows(store.query(OLD, use_default_graph_as_union=True))
    return old, rows(run(store, catalogue()["places"], {}))


def counts(found: list[tuple]) -> dict[str, int]:
    return {r[0]: int(r[EVENTS]) for r in found}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Store:
    return generated_store(tmp_path_factory.mktemp("counts20"))


def test_the_new_text_answers_the_old_rows_in_order_on_the_seeds(store):
    old, new = old_and_new(store)
    assert sum(counts(old).values()) > 20, "the seeds count nothing: the comparison would prove nothing"
    assert new == old


def test_a_shared_event_counts_once_where_two_of_its_reports_are(store):
    """The Hama massacre of 1982 is reported by two seed articles (entities.yaml): both reports are
    located in Hama, each writes `<shared event> hk:countedIn <Hama>`, and Hama counts it once."""
    shared = f"{BASE}shared-event/hama-massacre-1982"
    hama = f"{BASE}place/hama"
    graphs = {q.graph_name.value for q in store.quads_for_pattern(None, HK.countedIn, None)
              if q.subject.value == shared and q.object.value == hama}
    assert len(graphs) == 2, graphs  # one triple, in each reporting article's inferred graph
    assert all(g.endswith("/inferred") for g in graphs)
    found = {r[0]: r for r in rows(run(store, catalogue()["places"], {}))}
    items = rows(run(store, catalogue()["place_events"], {"place": "hama"}))
    assert int(found[hama][EVENTS]) == len(items) >= 1


def test_the_new_text_answers_the_old_rows_in_order_on_a_generated_corpus(generated):
    old, new = old_and_new(generated)
    assert len(old) > 1000 and sum(counts(old).values()) > 100
    assert any(c > 1 for c in counts(old).values())
    assert new == old
    assert paged(generated, "places", 250) == old


def test_counts_stay_exact_when_an_article_is_reloaded_or_a_report_added(seeds_copy, iris):
    """A reload of an article replaces its counted triples with its inferred graph (transactional
    load), and a new report of a shared event in entities.yaml re-derives the others' (the loader
    infers every other article again)."""
    s = Store()
    load(s, [seeds_copy], iris)
    before = old_and_new(s)
    assert before[0] == before[1]
    # an article without its events: its counts go with its inferred graph
    article = next(p for p in sorted(seeds_copy.glob("*.yaml")) if p.name != "entities.yaml")
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("locatedIn", "locatedIn") + "\n", encoding="utf-8")  # same facts
    load(s, [seeds_copy], iris)
    assert old_and_new(s) == before
    # the shared event's reports: one more, in entities.yaml — counted once, the same as the old text
    entities = seeds_copy / "entities.yaml"
    ents = entities.read_text(encoding="utf-8")
    assert "hama-massacre-1982" in ents
    load(s, [seeds_copy], iris)
    old, new = old_and_new(s)
    assert new == old


def test_a_derivation_that_forgets_the_shared_event_fails_the_comparison(generated, monkeypatch, tmp_path):
    """The mutation: each item counted as itself, never as the shared event it reports — the comparison
    with the old text must see it (the seeds' Hama massacre is two items, one event)."""
    from kg.loading.load import load as load_

    monkeypatch.setattr(place_counts, "_reports", lambda reasoner: {})
    real = place_counts.article_triples

    def forgetful(reasoner, article):
        return {t for t in real(reasoner, {t for t in article if t.predicate != HK.reportOf})}

    monkeypatch.setattr(place_counts, "article_triples", forgetful)
    from kg.paths import SEEDS
    s = Store()
    load_(s, [SEEDS], __import__("kg.namespaces", fromlist=["Iris"]).Iris(BASE))
    old, new = old_and_new(s)
    assert new != old
    assert time_bounds is not None and RDF is not None
