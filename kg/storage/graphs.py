"""Reading and replacing named graphs: each replacement one transaction (one SPARQL update request).

Graphs: <base>graph/ontology, <base>graph/entities (reference knowledge), <base>graph/<article>
(one per article: its facts and their evidence), and <base>graph/inferred/<name> beside each
(the entailments of kg.loading.reasoning, kept apart so asserted and inferred stay distinguishable).
Queries see the union of all graphs as their default graph."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, Triple, serialize

from kg.namespaces import Iris


def replace_graphs(store: Store, graphs: dict[NamedNode, Iterable[Triple]]) -> None:
    """Replace each named graph by its new triples, all in ONE transaction: a concurrent reader or a
    crash sees every graph wholly old or wholly new. (A SPARQL update request is one transaction.)"""
    replace_graphs_nt(store, [(g, serialize(list(triples), format=RdfFormat.N_TRIPLES).decode("utf-8"))
                               for g, triples in graphs.items()])


def replace_graphs_nt(store: Store, graphs: list[tuple[NamedNode, str]], then: str = "") -> None:
    """replace_graphs with each graph's triples already written as N-Triples; `then`, update
    operations that follow in the same request (the loader's recount of kg.loading.actor_counts)."""
    limit = getattr(store, "max_update_bytes", None)  # a server with limits (Virtuoso): see below
    parts = [*(_drop(g) for g, _ in graphs), insert_data(graphs, BLOCK_TRIPLES if limit else None)]
    if limit and sum(map(len, parts)) + len(then) > limit and not any(_BLANK.search(nt) for _, nt in graphs):
        _replace_graphs_in_pieces(store, graphs, limit)
        if then:
            store.update(then)
        return
    store.update(" ;\n".join([p.rstrip(" ;") for p in parts if p] + ([then] if then else [])))


# Virtuoso's SPARQL parser runs out of stack ("memory exhausted") near 5,000 triples in one block, and
# a template with blank nodes compiles to more SQL than it takes (10,000 lines) well before that
BLOCK_TRIPLES = 500
_BLANK = re.compile(r"(?:^|\s)_:")


def insert_data(graphs: Iterable[tuple[NamedNode | DefaultGraph, str]], per_block: int | None = None) -> str:
    """THE builder of `INSERT DATA { … }`: each graph's N-Triples (as written by pyoxigraph from
    checked terms, never request text) in GRAPH blocks of at most `per_block` triples (None: one
    block a graph); "" when there is nothing to insert. Data that may hold a blank node becomes the
    same template as `INSERT { … } WHERE { }` (the same meaning, new blank nodes; Virtuoso refuses
    blank nodes in INSERT DATA). With `per_block` (a server with limits: Virtuoso compiles a template
    to SQL of bounded size), the triples without blank nodes go as INSERT DATA, and those with go as
    several templates, each holding whole sets of triples linked by their blank nodes (a blank node
    label means one node only within one template)."""
    graphs = [(g, nt) for g, nt in graphs if nt]
    if per_block is None or not any(_BLANK.search(nt) for _, nt in graphs):
        body = [block for g, nt in graphs for block in _blocks(g, nt, per_block)]
        if not body:
            return ""
        data = "\n".join(body)
        return "INSERT {\n" + data + "\n} WHERE { }" if _BLANK.search(data) else "INSERT DATA {\n" + data + "\n}"
    operations = []
    for g, nt in graphs:
        lines = nt.splitlines(keepends=True)
        ground = "".join(line for line in lines if not _BLANK.search(line))
        if ground:
            operations.append(insert_data([(g, ground)], per_block))
        for chunk in _linked_chunks([line for line in lines if _BLANK.search(line)], per_block):
            operations.append("INSERT {\n" + "\n".join(_blocks(g, chunk, None)) + "\n} WHERE { }")
    return " ;\n".join(operations)


_LABEL = re.compile(r"(?:^|\s)(_:\S+)")


def _linked_chunks(lines: list[str], size: int) -> list[str]:
    """N-Triples lines with blank nodes, grouped so that the lines sharing a blank node stay in one
    chunk; chunks of about `size` lines (a larger group is one chunk of its own)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for line in lines:
        labels = _LABEL.findall(line)
        for other in labels[1:]:
            parent[root(other)] = root(labels[0])
    groups: dict[str, list[str]] = {}
    for line in lines:
        groups.setdefault(root(_LABEL.findall(line)[0]), []).append(line)
    chunks, current = [], []
    for group in groups.values():
        if current and len(current) + len(group) > size:
            chunks.append("".join(current))
            current = []
        current += group
    if current:
        chunks.append("".join(current))
    return chunks


def _blocks(graph: NamedNode | DefaultGraph, nt: str, per_block: int | None) -> list[str]:
    """The N-Triples `nt` (one triple a line) as blocks of at most `per_block` triples."""
    lines = nt.splitlines(keepends=True)
    step = per_block or max(len(lines), 1)
    chunks = ["".join(lines[i:i + step]) for i in range(0, len(lines), step)]
    return chunks if isinstance(graph, DefaultGraph) else [f"GRAPH <{graph.value}> {{\n{c}}}" for c in chunks]


def _replace_graphs_in_pieces(store, graphs: list[tuple[NamedNode, str]], limit: int) -> None:
    """For a server that takes no update longer than `limit` characters (RemoteStore.max_update_bytes:
    Virtuoso refuses ~10 MB): the drops, then the triples in requests of at most half of it, one after
    the other. NOT one transaction (Virtuoso makes none of a request either: docs/remote-store.md)."""
    store.update("\n".join(_drop(g) for g, _ in graphs))
    for g, nt in graphs:
        piece, size = [], 0
        for line in nt.splitlines(keepends=True):
            if piece and size + len(line) > limit // 2:
                store.update(insert_data([(g, "".join(piece))], BLOCK_TRIPLES))
                piece, size = [], 0
            piece.append(line)
            size += len(line)
        if piece:
            store.update(insert_data([(g, "".join(piece))], BLOCK_TRIPLES))


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
    # SILENT: it exists (Virtuoso refuses DROP GRAPH of a graph made by inserts, not by CREATE GRAPH)
    store.update("DROP DEFAULT" if isinstance(graph, DefaultGraph) else f"DROP SILENT GRAPH <{graph.value}>")
    return True


def graph_triples(store: Store, graph: NamedNode) -> set[Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, graph)}


def is_empty(store: Store) -> bool:
    if not isinstance(store, Store):  # a remote store: one ASK, not every quad sent to be read for the first
        return not bool(store.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
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
