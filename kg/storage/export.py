"""Serialising the store: the whole dataset, one article's graph, or the union of all graphs."""

from __future__ import annotations

from pyoxigraph import NamedNode, RdfFormat, Store, serialize

from kg.formats import holds_graphs
from kg.namespaces import PREFIXES, Iris, base_iri
from kg.progress import counted
from kg.storage import readable

READABLE = (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.JSON_LD, RdfFormat.RDF_XML)


def export(store: Store, fmt: RdfFormat, graph: NamedNode | None = None, base: str | None = None,
           progress=None, output=None) -> bytes | None:
    """`graph` given: that graph only. Else a graph format (TriG, N-Quads) gets every named graph,
    and a triple format gets the union of all graphs (the default graph queries see), deduplicated.
    Into `output` (a binary file-like object; kg.storage.streaming) when given, else as bytes.
    Turtle, TriG, JSON-LD and RDF/XML are written for people (kg.storage.readable: sorted, prefixed,
    IRIs relative to `base`, the same bytes for the same graph; sorting needs the whole graph in
    memory, so these are not streamed); N-Triples and N-Quads stream. `progress`
    (kg.progress.Progress) counts the quads read for the readable formats."""
    if fmt in READABLE:
        quads = _counted(store.quads_for_pattern(None, None, None, graph), progress)
        if graph is not None:
            statements = (q.triple for q in quads)
        elif holds_graphs(fmt):
            statements = quads
        else:
            statements = {q.triple for q in quads}
        data = readable.write(statements, fmt, base or base_iri())
        if output is None:
            return data
        output.write(data)
        return None
    prefixes = PREFIXES if fmt not in (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS) else None
    if graph is not None:
        return store.dump(output, format=fmt, from_graph=graph, prefixes=prefixes) if not holds_graphs(fmt) else \
            serialize((q for q in store.quads_for_pattern(None, None, None, graph)), output, format=fmt,
                      prefixes=prefixes)
    if holds_graphs(fmt):
        return store.dump(output, format=fmt, prefixes=prefixes)
    triples = sorted({q.triple for q in store}, key=str)
    return serialize(triples, output, format=fmt, prefixes=prefixes)


def _counted(items, progress):
    return items if progress is None else counted(items, progress)


def graph_for(store: Store, iris: Iris, name: str) -> NamedNode:
    """'ontology', 'entities', an article id, or a full graph IRI -> the graph; ValueError if absent."""
    node = NamedNode(name) if name.startswith(("http://", "https://")) else iris.graph(name)
    if not store.contains_named_graph(node):
        raise ValueError(f"no graph {name!r} in the store")
    return node
