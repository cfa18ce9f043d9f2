"""The actors page's `involvedIn` count kept by the loader (issue 17; kg.loading.actor_counts): the new
text of `actors` answers the old text's rows, row for row and in order, on the seeds and on a generated
corpus loaded either way (one transaction an article, or one bulk load); its pages one after another
are that whole answer; the counts stay exact when an article is reloaded with other parties, when the
shared entities change and when a store has no counts yet; and a recount that forgets the actors an
article named before fails the comparison."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode, Store

from kg.loading import actor_counts
from kg.loading.load import load
from kg.namespaces import HK
from kg.querying.catalogue import catalogue, run
from kg.querying.sparql import plain
from support import BASE, keyset_pages

# main's text before this change: the count worked out at query time, per item of the actor
OLD = """
PREFIX hk: <https://w3id.org/homs-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?actor ?label ?type (STRLANG(STR(GROUP_CONCAT(DISTINCT ?alias; separator=", ")), "en") AS ?aliases)
       (COALESCE(?n, 0) AS ?involvedIn)
WHERE {
  ?actor a hk:Actor ; rdfs:label ?label .
  { ?actor a ?t FILTER NOT EXISTS { ?actor a ?sub FILTER(?sub != ?t) FILTER EXISTS { ?sub rdfs:subClassOf ?t } } }
  ?t rdfs:label ?type .
  { SELECT DISTINCT ?t WHERE { ?t rdfs:subClassOf+ hk:Actor } LIMIT 1000000 }
  OPTIONAL { ?actor skos:altLabel ?alias }
  OPTIONAL { SELECT ?actor (COUNT(DISTINCT ?item) AS ?n) WHERE { ?actor hk:involvedIn ?item } GROUP BY ?actor }
}
GROUP BY ?actor ?label ?type ?n
ORDER BY ?label ?actor ?type ?aliases ?involvedIn
"""
COUNT = 4  # the column of the count
A002 = "a002-syria-direct-fall-of-homs"
ARMY, GOVERNMENT = f"{BASE}actor/syrian-army", f"{BASE}actor/syrian-government"


def rows(result) -> list[tuple]:
    columns = [v.value for v in result.variables]
    return [tuple(plain(s[c]) for c in columns) for s in result]


def old_and_new(store: Store) -> tuple[list[tuple], list[tuple]]:
    return rows(store.query(OLD, use_default_graph_as_union=True)), rows(run(store, catalogue()["actors"], {}))


def counts(found: list[tuple]) -> dict[str, int]:
    return {r[0]: int(r[COUNT]) for r in found}




@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from bench import generate
    folder = tmp_path_factory.mktemp("actors20")
    generate.generate(folder, 20)
    return folder


def test_the_new_text_answers_the_old_rows_in_order_on_the_seeds(store):
    old, new = old_and_new(store)
    assert sum(counts(old).values()) > 100, "the seeds count little: the comparison would prove little"
    assert new == old


@pytest.mark.parametrize("bulk", [False, True], ids=["a transaction an article", "one bulk load"])
def test_the_new_text_answers_the_old_rows_in_order_on_a_generated_corpus(corpus, iris, bulk):
    s = Store()
    assert load(s, [corpus], iris, bulk=bulk).bulk == bulk
    old, new = old_and_new(s)
    assert len(old) > 300 and sum(counts(old).values()) > 400
    assert new == old
    assert keyset_pages(s, "actors", 40) == old  # pages one after another == the whole answer


def _reload_with_other_parties(s: Store, seeds_copy, iris) -> None:
    """Article 002 reloaded with the government, not the army, as a party of the truce it names the
    army in: the army, in other articles too, is in nothing of this article any more."""
    article = seeds_copy / "002_36c9516b5ee8d58f.yaml"
    text = article.read_text(encoding="utf-8")
    assert text.count("parties: [old-homs-rebels, syrian-army]") == 1  # its one role here (and a mention)
    article.write_text(text.replace("parties: [old-homs-rebels, syrian-army]",
                                    "parties: [old-homs-rebels, syrian-government]"), encoding="utf-8")
    assert not load(s, [article], iris).bulk


def test_counts_stay_exact_when_an_article_is_reloaded_with_other_parties(seeds_copy, iris):
    s = Store()
    load(s, [seeds_copy], iris)
    before = counts(old_and_new(s)[1])
    _reload_with_other_parties(s, seeds_copy, iris)
    old, new = old_and_new(s)
    assert new == old
    assert counts(new)[ARMY] == before[ARMY] - 1 >= 1 and counts(new)[GOVERNMENT] == before[GOVERNMENT] + 1


def test_an_actor_in_nothing_has_no_count_triple_and_counts_zero(seeds_copy, iris):
    s = Store()
    load(s, [seeds_copy], iris)
    involved = {q.subject for q in s.quads_for_pattern(None, HK.involvedIn, None)}
    counted = {q.subject for q in s.quads_for_pattern(None, HK.involvementCount, None)}
    assert counted == involved
    graphs = {q.graph_name for q in s.quads_for_pattern(None, HK.involvementCount, None)}
    assert graphs == {actor_counts.counts_graph(iris)}
    zero = [r for r in old_and_new(s)[1] if r[COUNT] == 0]
    assert zero and not any(next(s.quads_for_pattern(NamedNode(r[0]), HK.involvementCount, None), None) for r in zero)


def test_counts_stay_exact_when_the_shared_entities_change_and_when_a_store_has_none_yet(seeds_copy, iris):
    s = Store()
    load(s, [seeds_copy], iris)
    # a count made wrong, of an actor the article loaded below does not name: only a recount of every
    # actor, after the other articles' inferences are derived again, puts it right
    a000 = iris.inferred_graph("a000-france24-final-offensive")
    named = {q.subject for q in s.quads_for_pattern(None, HK.involvedIn, None, a000)}
    other = next(q.subject for q in s.quads_for_pattern(None, HK.involvementCount, None) if q.subject not in named)
    graph = actor_counts.counts_graph(iris).value
    s.update(f"DELETE WHERE {{ GRAPH <{graph}> {{ <{other.value}> <{HK.involvementCount.value}> ?n }} }} ; "
             f"INSERT DATA {{ GRAPH <{graph}> {{ <{other.value}> <{HK.involvementCount.value}> 999 }} }}")
    assert old_and_new(s)[0] != old_and_new(s)[1]
    entities = seeds_copy / "entities.yaml"  # the entities change (an actor's label)
    entities.write_text(entities.read_text(encoding="utf-8").replace("label: Syrian government,",
                                                                      "label: The Syrian government,", 1),
                        encoding="utf-8")
    report = load(s, [seeds_copy / "000_35252a5669b2457e.yaml"], iris)
    assert report.entities_changed and report.reinferred
    old, new = old_and_new(s)
    assert new == old
    # a store loaded before the counts existed: the next load counts every actor
    s.update(f"DROP GRAPH <{graph}>")
    assert counts(old_and_new(s)[1])[GOVERNMENT] == 0
    load(s, [seeds_copy / "001_3a4d3b3a0feccd62.yaml"], iris)
    old, new = old_and_new(s)
    assert new == old


def test_a_recount_that_forgets_the_actors_named_before_fails_the_comparison(monkeypatch, seeds_copy, iris):
    """The mutation: only the actors of the article's new inferred graph are recounted, not those of
    its old one. The army, no longer in the reloaded article, keeps its old count."""
    s = Store()
    load(s, [seeds_copy], iris)
    monkeypatch.setattr(actor_counts, "actors_in", lambda store, graphs: set())
    _reload_with_other_parties(s, seeds_copy, iris)
    old, new = old_and_new(s)
    assert counts(new)[ARMY] == counts(old)[ARMY] + 1
    assert new != old
