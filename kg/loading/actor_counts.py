"""How many events and agreements each actor takes part in, kept by the loader (issue 17).

The canned query `actors` shows, per actor, `involvedIn`: the events and agreements it takes part in,
in any role (`?actor hk:involvedIn ?item`, entailed). Counted at query time, a page read every item of
its actors, and a shared actor's items grow with the corpus: the first page took 2.2× its 1,000-article
time at 10,000 (bench/RESULTS.md, "Per-row cost at scale, second round"). Here each count is one triple:

- `<actor> hk:involvementCount n` (`COUNT(DISTINCT ?item)` over `?actor hk:involvedIn ?item` in every
  graph; none when 0), in the graph <base>graph/inferred/counts/actors (COUNTS; a slug has no "/", so
  it is no article's).

A count depends on every article naming the actor, so it cannot be written in one article's inferred
graph as hk:countedIn is (kg.loading.place_counts). The loader keeps it: each article's write recounts
the actors of its inferred graph, before and after, in the same update request (one transaction on
Oxigraph; kg.storage.graphs.replace_graphs_nt); every actor is recounted after a bulk load, after the
other articles' inferences are derived again (the shared entities changed) and when the graph is
missing (a store loaded before it existed). Like every inferred graph it is the loader's: a SPARQL
Update or Graph Store write does not recount (docs/api.md)."""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import NamedNode, RdfFormat, parse

from kg.namespaces import HK, Iris

INVOLVED_IN, COUNT = HK.involvedIn, HK.involvementCount


def counts_graph(iris: Iris) -> NamedNode:
    return iris.inferred_graph("counts/actors")


def actors_in(store, graphs: Iterable[NamedNode]) -> set[NamedNode]:
    """The actors involved in something in these graphs of the store (their counts before a write):
    one query, for a remote store's sake."""
    values = " ".join(f"<{g.value}>" for g in graphs)
    if not values:
        return set()
    return {row["actor"] for row in store.query(
        f"SELECT DISTINCT ?actor WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?actor <{INVOLVED_IN.value}> ?item }} }}")}


def actors_in_nt(nt: str | bytes) -> set[NamedNode]:
    """The actors involved in something in an article's inferred graph, as N-Triples (its counts after)."""
    return {t.subject for t in parse(nt, RdfFormat.N_TRIPLES) if t.predicate == INVOLVED_IN}


def recount(iris: Iris, actors: Iterable[NamedNode]) -> str:
    """The update operations that recount these actors, to follow the writes in one request. The actors
    are bound in VALUES, so each count is one index range (no sub-select over the store). An update's
    WHERE reads the store's own default graph (not the union, on Oxigraph): hence GRAPH ?g, each item
    once however many graphs state it."""
    values = " ".join(sorted(f"<{a.value}>" for a in set(actors)))
    if not values:
        return ""
    graph = counts_graph(iris).value
    return (f"DELETE {{ GRAPH <{graph}> {{ ?actor <{COUNT.value}> ?n }} }} "
            f"WHERE {{ VALUES ?actor {{ {values} }} GRAPH <{graph}> {{ ?actor <{COUNT.value}> ?n }} }} ;\n"
            f"INSERT {{ GRAPH <{graph}> {{ ?actor <{COUNT.value}> ?n }} }} WHERE {{ "
            f"SELECT ?actor (COUNT(DISTINCT ?item) AS ?n) WHERE {{ VALUES ?actor {{ {values} }} "
            f"GRAPH ?g {{ ?actor <{INVOLVED_IN.value}> ?item }} }} GROUP BY ?actor }}")


def recount_all(iris: Iris) -> str:
    """The update that counts every actor's items anew."""
    graph = counts_graph(iris).value
    return (f"DROP SILENT GRAPH <{graph}> ;\n"
            f"INSERT {{ GRAPH <{graph}> {{ ?actor <{COUNT.value}> ?n }} }} WHERE {{ "
            f"SELECT ?actor (COUNT(DISTINCT ?item) AS ?n) WHERE {{ GRAPH ?g {{ ?actor <{INVOLVED_IN.value}> ?item }} }} "
            f"GROUP BY ?actor }}")
