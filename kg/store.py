"""The Oxigraph store: open it, load annotation files into it, one transaction per article.

Graphs: <base>graph/ontology, <base>graph/entities (reference knowledge), <base>graph/<article>
(one per article: its facts and their evidence), and <base>graph/inferred/<name> beside each
(the entailments of kg.reasoning, kept apart so asserted and inferred stay distinguishable).
Queries see the union of all graphs as their default graph."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Triple, serialize

from kg.build import ArticleGraph, EntitiesGraph, compile_article, compile_entities
from kg.errors import AnnotationError
from kg.namespaces import Iris
from kg.ontology import ontology_triples
from kg.reasoning import closure, inferred

DEFAULT_STORE = "kg-store"
ENTITIES_FILE = "entities.yaml"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def store_path(path: str | os.PathLike | None = None) -> Path:
    """--store PATH, else KG_STORE, else ./kg-store."""
    return Path(path or os.environ.get("KG_STORE") or DEFAULT_STORE)


def open_store(path: str | os.PathLike | None, read_only: bool = False) -> Store:
    """An on-disk store at `path`; in memory when path is ":memory:" (tests)."""
    if str(path) == ":memory:":
        return Store()
    if read_only:
        return Store.read_only(str(path))
    return Store(str(path))


# --- finding the files of a load ---------------------------------------------------------------


def annotation_files(paths: Iterable[str | os.PathLike]) -> tuple[Path, list[Path]]:
    """(the entities file, the article annotation files) named by files or folders."""
    articles, folders = [], set()
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.glob("*.yaml") if f.name != ENTITIES_FILE)
            if not found:
                raise AnnotationError(p, None, "no annotation files (*.yaml) in this folder")
            articles += found
            folders.add(p.resolve())
        elif p.is_file():
            if p.name != ENTITIES_FILE:
                articles.append(p)
            folders.add(p.resolve().parent)
        else:
            raise AnnotationError(p, None, "no such file or folder")
    if len(folders) != 1:
        raise AnnotationError(Path(sorted(map(str, folders))[0]), None,
                              "a load takes files from one folder (the one holding entities.yaml)")
    entities = folders.pop() / ENTITIES_FILE
    if not entities.is_file():
        raise AnnotationError(entities, None, "the shared entities file is missing")
    return entities, articles


# --- compiling a whole load before anything is written ------------------------------------------


@dataclass
class Compiled:
    entities: EntitiesGraph
    articles: list[ArticleGraph] = field(default_factory=list)


def compile_files(paths: Iterable[str | os.PathLike], iris: Iris,
                  progress: Callable[[Path], None] | None = None) -> Compiled:
    """Check and compile every file of a load. Raises the first AnnotationError; writes nothing."""
    entities_file, article_files = annotation_files(paths)
    compiled = Compiled(compile_entities(entities_file, iris))
    seen: dict[str, Path] = {}
    local_ids: dict[str, Path] = {}
    for f in article_files:
        if progress:
            progress(f)
        article = compile_article(f, compiled.entities, iris)
        if article.article_id in seen:
            raise AnnotationError(f, 2, f"article id {article.article_id!r} is also used by {seen[article.article_id]}")
        seen[article.article_id] = f
        # an article-local place or actor id mints a global IRI: two articles may not both define it
        for slug, line in article.local_ids.items():
            if slug in local_ids:
                raise AnnotationError(f, line, f"id {slug!r} is also defined in {local_ids[slug].name}; "
                                      "move it to entities.yaml and reference it from both")
            local_ids[slug] = f
        compiled.articles.append(article)
    return compiled


# --- writing ---------------------------------------------------------------------------------


def replace_graphs(store: Store, graphs: dict[NamedNode, Iterable[Triple]]) -> None:
    """Replace each named graph by its new triples, all in ONE transaction: a concurrent reader or a
    crash sees every graph wholly old or wholly new. (A SPARQL update request is one transaction.)"""
    parts = [f"DROP SILENT GRAPH <{g.value}> ;" for g in graphs]
    body = []
    for g, triples in graphs.items():
        nt = serialize(list(triples), format=RdfFormat.N_TRIPLES).decode("utf-8")
        if nt:
            body.append(f"GRAPH <{g.value}> {{\n{nt}}}")
    if body:
        parts.append("INSERT DATA {\n" + "\n".join(body) + "\n}")
    store.update("\n".join(parts))


def graph_triples(store: Store, graph: NamedNode) -> set[Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, graph)}


@dataclass
class LoadReport:
    articles: list[str]
    triples: dict  # graph IRI -> triples written
    reinferred: list[str]


def load(store: Store, paths: Iterable[str | os.PathLike], iris: Iris | None = None,
         progress: Callable[[Path], None] | None = None) -> LoadReport:
    """Check every file, then write: ontology, entities, and each article with its inferences.

    Nothing is written unless every file compiles. Each article's graph and its inferred graph are
    replaced in one transaction, so loading twice gives the same graph and a reload is atomic."""
    iris = iris or Iris()
    compiled = compile_files(paths, iris, progress)
    written: dict[str, int] = {}

    ontology_graph = iris.graph("ontology")
    onto = list(ontology_triples())
    replace_graphs(store, {ontology_graph: onto})  # small; its blank nodes make a diff pointless
    written[ontology_graph.value] = len(onto)

    entities_graph, entities_inferred = iris.graph("entities"), iris.inferred_graph("entities")
    entity_triples = set(compiled.entities.triples)
    entity_closure = closure(entity_triples)
    entities_changed = graph_triples(store, entities_graph) != entity_triples
    if entities_changed:
        replace_graphs(store, {entities_graph: entity_triples,
                               entities_inferred: entity_closure - entity_triples})
    written[entities_graph.value] = len(entity_triples)

    loaded = set()
    for article in compiled.articles:
        graph, inf = iris.graph(article.article_id), iris.inferred_graph(article.article_id)
        extra = inferred(article.triples, entity_triples, entity_closure)
        replace_graphs(store, {graph: article.triples, inf: extra})
        written[graph.value] = len(article.triples)
        written[inf.value] = len(extra)
        loaded.add(article.article_id)

    # Articles already in the store but not in this load: their inferences depend on the entities.
    reinferred = []
    if entities_changed:
        for article_id in article_ids(store, iris):
            if article_id not in loaded:
                graph = iris.graph(article_id)
                extra = inferred(graph_triples(store, graph), entity_triples, entity_closure)
                replace_graphs(store, {iris.inferred_graph(article_id): extra})
                reinferred.append(article_id)
    return LoadReport(sorted(loaded), written, reinferred)


def article_ids(store: Store, iris: Iris) -> list[str]:
    prefix = iris.base + "graph/"
    ids = []
    for g in store.named_graphs():
        name = g.value[len(prefix):] if g.value.startswith(prefix) else None
        if name and "/" not in name and name not in ("ontology", "entities"):
            ids.append(name)
    return sorted(ids)


def graph_sizes(store: Store) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for q in store:
        key = q.graph_name.value if isinstance(q.graph_name, NamedNode) else "(default graph)"
        sizes[key] = sizes.get(key, 0) + 1
    return dict(sorted(sizes.items()))


def as_quads(graphs: dict[NamedNode, Iterable[Triple]]) -> Iterable[Quad]:
    for g, triples in graphs.items():
        for t in triples:
            yield Quad(t.subject, t.predicate, t.object, g)
