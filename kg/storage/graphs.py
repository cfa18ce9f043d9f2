"""Reading and replacing named graphs: each replacement one transaction (one SPARQL update request).

Graphs: <base>graph/ontology, <base>graph/entities (reference knowledge), <base>graph/<article>
(one per article: its facts and their evidence), and <base>graph/inferred/<name> beside each
(the entailments of kg.loading.reasoning, kept apart so asserted and inferred stay distinguishable).
Queries see the union of all graphs as their default graph."""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, Triple, serialize

from kg.namespaces import Iris


def replace_graphs(store: Store, graphs: dict[NamedNode, Iterable[Triple]]) -> None:
    """Replace each named graph by its new triples, all in ONE transaction: a concurrent reader or a
    crash sees every graph wholly old or wholly new. (A SPARQL update request is one transaction.)"""
    replace_graphs_nt(store, [(g, serialize(list(triples), format=RdfFormat.N_TRIPLES).decode("utf-8"))
                               for g, triples in graphs.items()])


def replace_graphs_nt(store: Store, graphs: list[tuple[NamedNode, str]]) -> None:
    """replace_graphs with each graph's triples already written as N-Triples."""
    store.update("\n".join([*(_drop(g) for g, _ in graphs), insert_data(graphs)]))


def insert_data(graphs: Iterable[tuple[NamedNode | DefaultGraph, str]]) -> str:
    """THE builder of `INSERT DATA { … }`: each graph's N-Triples (as written by pyoxigraph from
    checked terms, never request text) in its GRAPH block; "" when there is nothing to insert."""
    body = [nt if isinstance(g, DefaultGraph) else f"GRAPH <{g.value}> {{\n{nt}}}" for g, nt in graphs if nt]
    return "INSERT DATA {\n" + "\n".join(body) + "\n}" if body else ""


def _drop(graph: NamedNode | DefaultGraph) -> str:
    return "DROP SILENT DEFAULT ;" if isinstance(graph, DefaultGraph) else f"DROP SILENT GRAPH <{graph.value}> ;"


def graph_exists(store: Store, graph: NamedNode | DefaultGraph) -> bool:
    if isinstance(graph, DefaultGraph):
        return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None
    return store.contains_named_graph(graph)


def write_graph(store: Store, graph: NamedNode | DefaultGraph, triples: list[Triple], replace: bool) -> bool:
    """The Graph Store Protocol's PUT (replace) and POST (add), in ONE update request. Whether the
    graph existed before."""
    existed = graph_exists(store, graph)
    nt = serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8") if triples else ""
    parts = [p for p in ([_drop(graph)] if replace else []) + [insert_data([(graph, nt)])] if p]
    if parts:
        store.update("\n".join(parts))
    return existed


def drop_graph(store: Store, graph: NamedNode | DefaultGraph) -> bool:
    """Drop the graph; False if there was none."""
    if not graph_exists(store, graph):
        return False
    store.update("DROP DEFAULT" if isinstance(graph, DefaultGraph) else f"DROP GRAPH <{graph.value}>")
    return True


def graph_triples(store: Store, graph: NamedNode) -> set[Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, graph)}


def is_empty(store: Store) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, None)), None) is None


def article_ids(store: Store, iris: Iris) -> list[str]:
    prefix = iris.base + "graph/"
    ids = []
    for g in store.named_graphs():
        name = g.value[len(prefix):] if g.value.startswith(prefix) else None
        if name and "/" not in name and name not in ("ontology", "entities"):
            ids.append(name)
    return sorted(ids)


def graph_sizes(store: Store) -> dict[str, int]:
    """Quads per named graph (and in the default graph, when it holds any), counted by the store."""
    sizes = {r["g"].value: int(r["n"].value) for r in store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g") if isinstance(r["g"], NamedNode)}
    default = sum(1 for _ in store.quads_for_pattern(None, None, None, DefaultGraph()))
    if default:
        sizes["(default graph)"] = default
    return dict(sorted(sizes.items()))
