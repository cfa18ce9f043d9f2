"""The places page's `events` count kept at load time (issue 17; kg.loading.place_counts): the new
text of `places` answers the old text's rows, row for row and in order, on the seeds and on a
generated corpus (the old text, which counted at query time, is kept here); its pages one after
another are that whole answer; the counts stay exact when an article is reloaded and when the shared
events change; and a derivation that forgets the shared events fails the comparison."""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from kg.loading import place_counts
from kg.loading.load import load
from kg.namespaces import HK
from kg.paths import SEEDS
from kg.querying.catalogue import catalogue, run
from kg.querying.sparql import plain
from support import BASE, generated_store, keyset_pages

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
HAMA, HOMS = f"{BASE}place/hama", f"{BASE}place/homs"
HAMA_1982 = f"{BASE}shared-event/hama-massacre-1982"


def rows(result) -> list[tuple]:
    columns = [v.value for v in result.variables]
    return [tuple(plain(s[c]) for c in columns) for s in result]


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
    assert sum(counts(old).values()) > 100, "the seeds count little: the comparison would prove little"
    assert new == old


def test_a_shared_event_counts_once_where_two_of_its_reports_are(store, iris):
    """The 1982 Hama massacre is reported by two seed articles (entities.yaml), both located in Hama:
    each article's inferred graph says `<shared event> hk:countedIn <Hama>`, and Hama counts it once,
    as many as its `place_events` rows."""
    graphs = {q.graph_name.value for q in store.quads_for_pattern(None, HK.countedIn, None)
              if (q.subject.value, q.object.value) == (HAMA_1982, HAMA)}
    assert graphs == {iris.inferred_graph(a).value for a in ("a000-france24-final-offensive", "a004-keystone-ats-homs-exodus")}
    hama = counts(rows(run(store, catalogue()["places"], {})))[HAMA]
    assert hama == len(rows(run(store, catalogue()["place_events"], {"place": "hama"}))) >= 2


def test_the_new_text_answers_the_old_rows_in_order_on_a_generated_corpus(generated):
    old, new = old_and_new(generated)
    assert len(old) > 1000 and sum(counts(old).values()) > 1000
    assert new == old
    assert keyset_pages(generated, "places", 250) == old  # pages one after another == the whole answer


def test_counts_stay_exact_when_an_article_is_reloaded_and_when_the_shared_events_change(seeds_copy, iris):
    """A reload replaces the article's counted triples with its inferred graph (a transactional load);
    a changed list of a shared event's reports in entities.yaml derives every other article's again."""
    s = Store()
    load(s, [seeds_copy], iris)
    before = counts(old_and_new(s)[1])
    # one article's report of the Hama massacre moved to Homs: Hama keeps the other report's, Homs gains one
    article = next(seeds_copy.glob("004_*.yaml"))
    text = article.read_text(encoding="utf-8")
    end = text.index("places: [hama]", text.index("  - id: hama-massacre-1982\n"))
    article.write_text(text[:end] + "places: [homs]" + text[end + len("places: [hama]"):], encoding="utf-8")
    assert not load(s, [article], iris).bulk
    old, new = old_and_new(s)
    assert new == old
    assert counts(new)[HAMA] == before[HAMA] and counts(new)[HOMS] == before[HOMS] + 1
    # the reports of the Hama massacre dropped from entities.yaml: each report is an event of its own
    entities = seeds_copy / "entities.yaml"
    ents = entities.read_text(encoding="utf-8")
    line = "    reports: [a000-france24-final-offensive/hama-1982, a004-keystone-ats-homs-exodus/hama-massacre-1982]\n"
    assert line in ents
    entities.write_text(ents.replace("  - id: hama-massacre-1982\n    label: The 1982 Hama massacre\n" + line, ""),
                        encoding="utf-8")
    report = load(s, [seeds_copy / "000_35252a5669b2457e.yaml"], iris)
    assert report.reinferred  # the other articles' inferred graphs, derived again
    old, new = old_and_new(s)
    assert new == old
    assert not any(q.subject.value == HAMA_1982 for q in s.quads_for_pattern(None, HK.countedIn, None))


def test_a_derivation_that_forgets_the_shared_events_fails_the_comparison(monkeypatch, iris):
    """The mutation: every item counted as itself, never as the shared event it reports. The seeds'
    shared events have reports located in the same places (the Hama massacre, twice in Hama): the
    comparison with the old text must see the difference."""
    monkeypatch.setattr(place_counts, "_reports", lambda reasoner: {})
    s = Store()
    load(s, [SEEDS], iris)
    old, new = old_and_new(s)
    assert counts(new)[HAMA] == counts(old)[HAMA] + 1
    assert new != old
