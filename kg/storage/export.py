"""Serialising the store: the whole dataset, one article's graph, or the union of all graphs."""

from __future__ import annotations

from pyoxigraph import NamedNode, RdfFormat, Store, serialize

from kg.formats import holds_graphs
from kg.namespaces import PREFIXES, Iris


def export(store: Store, fmt: RdfFormat, graph: NamedNode | None = None, output=None) -> bytes | None:
    """`graph` given: that graph only. Else a graph format (TriG, N-Quads) gets every named graph,
    and a triple format gets the union of all graphs (the default graph queries see), deduplicated.
    Into `output` (a binary file-like object; kg.storage.streaming) when given, else as bytes."""
    prefixes = PREFIXES if fmt not in (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS) else None
    if graph is not None:
        return store.dump(output, format=fmt, from_graph=graph, prefixes=prefixes) if not holds_graphs(fmt) else \
            serialize((q for q in store.quads_for_pattern(None, None, None, graph)), output, format=fmt,
                      prefixes=prefixes)
    if holds_graphs(fmt):
        return store.dump(output, format=fmt, prefixes=prefixes)
    triples = sorted({q.triple for q in store}, key=str)
    return serialize(triples, output, format=fmt, prefixes=prefixes)


def graph_for(store: Store, iris: Iris, name: str) -> NamedNode:
    """'ontology', 'entities', an article id, or a full graph IRI -> the graph; ValueError if absent."""
    node = NamedNode(name) if name.startswith(("http://", "https://")) else iris.graph(name)
    if not store.contains_named_graph(node):
        raise ValueError(f"no graph {name!r} in the store")
    return node
