"""Loading annotation files into a store: check every file, then write the ontology, the entities and
each article with its inferences, one transaction per article (or one bulk load into an empty store)."""

from __future__ import annotations

import io
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, Store, Triple, serialize

from kg.loading import actor_counts, map_points, time_bounds
from kg.loading.compiler import EntitiesGraph, compile_entities
from kg.loading.corpus import annotation_files
from kg.loading.parallel import Out, compile_workers, compiled_articles, gc_frozen
from kg.loading.reasoning import Reasoner
from kg.loading.review import refuse_unreviewed
from kg.namespaces import RDFS, Iris
from kg.ontology import ontology_triples
from kg.storage.graphs import article_ids, graph_triples, is_empty, replace_graphs, replace_graphs_nt
from kg.storage.opening import is_remote
from kg.storage.stored_forms import same_triples


@dataclass
class LoadReport:
    articles: list[str]
    triples: dict  # graph IRI -> triples written
    reinferred: list[str]
    bulk: bool = False  # True when the articles went in by the bulk path (a first load into an empty store)
    seconds: dict = field(default_factory=dict)  # wall time of each step: compile, write, reinfer
    entities_changed: bool = False  # the shared entities' graphs were written anew
    changes: Any = None  # what the load changed, when kg.loading.touched.tracked_load ran it (a Changes)
    optimized: bool = False  # the store was compacted after the load (`optimize`)


def load(store: Store, paths: Iterable[str | os.PathLike], iris: Iris | None = None,
         progress: Callable[[Path], None] | None = None, bulk: bool | None = None,
         workers: int | None = None, allow_drafts: bool = False, optimize: bool | None = None) -> LoadReport:
    """Check every file, then write: ontology, entities, and each article with its inferences.

    Nothing is written unless every file compiles. Each article's graph and its inferred graph are
    replaced in one transaction, so loading twice gives the same graph and a reload is atomic.

    The load streams, one article at a time, so memory does not grow with the corpus: each article
    is compiled and its inferences derived (kg.loading.reasoning.Reasoner), then
    - into a store that holds data, or for a small load (fewer than BULK_FROM files), or with
      bulk=False: its quads are spooled to a temporary file; once every file has compiled, each
      article is written in one SPARQL update (as replace_graphs);
    - into an empty store (a first load of BULK_FROM files or more, or of any size with bulk=True):
      its quads stream straight into one Store.bulk_load while the next articles compile; several
      times faster than transactions, not atomic: a bad file empties the store again (it was
      empty), a reader meanwhile sees articles arrive, a crash leaves a partial store (load again:
      into a store with data, the load replaces each article whole).
    A remote store (kg.storage.remote.RemoteStore, a SPARQL server) always takes the first way: the spooled
    articles go REMOTE_BATCH to an update request, each article whole, each request atomic on
    Oxigraph and Fuseki; the bulk path is the embedded store's.

    Large loads compile in `workers` processes (default: one per CPU, for 200 files or more); the
    files are still checked, reported and written in order, and the first error is the same.

    `optimize`: compact the store after the load (`compact`); by default (None) after a bulk load
    only, which leaves the store uncompacted and its lookups several times slower (bench/RESULTS.md,
    "Paging the whole-graph queries"); never on a remote store."""
    iris = iris or Iris()
    clock = time.perf_counter()
    entities_file, article_files = annotation_files(paths)
    # drafted items awaiting review are refused, or with allow_drafts loaded marked unreviewed (kg.loading.review)
    refuse_unreviewed([entities_file, *article_files], allow_drafts)
    with gc_frozen(), compile_workers(entities_file, iris, len(article_files), workers) as pool:
        entities = compile_entities(entities_file, iris)  # meanwhile the workers start
        entity_triples = set(entities.triples)
        reasoner = Reasoner(entity_triples)
        if bulk is None:
            bulk = len(article_files) >= BULK_FROM
        use_bulk = bulk and not is_remote(store) and is_empty(store)  # the bulk path is embedded-only
        counted = store.contains_named_graph(actor_counts.counts_graph(iris))  # False: an empty store, or one loaded before the counts
        written: dict[str, int] = {}
        loaded: list[str] = []
        articles = compiled_articles(article_files, entities, reasoner, iris, progress, pool, use_bulk)
        if use_bulk:  # the entities go in with the articles, and the ontology after them
            _bulk_load(store, _bulk_stream(iris, entities, reasoner, articles, pool, written, loaded))
            seconds = {"compile+write": time.perf_counter() - clock}
            _write_reference(store, iris, entities, reasoner, written, entities_too=False)
            entities_changed = True
        else:  # as ever: ontology, entities (if changed), then each article
            seconds, entities_changed = _transactional_load(store, iris, entities, reasoner, articles, pool,
                                                            written, loaded, clock)
        clock = time.perf_counter()
        # Articles already in the store but not in this load: their inferences depend on the entities.
        reinferred = []
        if (entities_changed or store.contains_named_graph(pending_graph(iris))) and not use_bulk:
            done = set(loaded)
            for article_id in article_ids(store, iris):
                if article_id not in done:
                    graph = iris.graph(article_id)
                    extra = time_bounds.inferred(reasoner, graph_triples(store, graph))
                    replace_graphs(store, {iris.inferred_graph(article_id): extra})
                    reinferred.append(article_id)
                    crash_point()
            # every inferred graph is current, and with them the actors' counts (kg.loading.actor_counts)
            store.update(f"DROP SILENT GRAPH <{pending_graph(iris).value}> ;\n" + actor_counts.recount_all(iris))
            counted = True
        seconds["reinfer"] = time.perf_counter() - clock
        if not counted:  # a bulk load, or a store loaded before the counts: every actor counted anew
            clock = time.perf_counter()
            store.update(actor_counts.recount_all(iris))
            seconds["count"] = time.perf_counter() - clock
    optimized = (use_bulk if optimize is None else optimize) and not is_remote(store)
    if optimized:
        seconds["optimize"] = compact(store)
    return LoadReport(sorted(set(loaded)), written, reinferred, use_bulk, seconds, entities_changed,
                      optimized=optimized)


def compact(store: Store) -> float:
    """Store.optimize(): RocksDB compacts its tables (a bulk load leaves them as written, and every
    lookup then reads several). Slow (about 30-170 s at 10,000 articles) and ~60 % more disk at
    first; the seconds it took. On-disk and in-memory stores (a no-op there), not remote ones."""
    clock = time.perf_counter()
    store.optimize()
    return time.perf_counter() - clock


def _write_reference(store: Store, iris: Iris, entities: EntitiesGraph, reasoner: Reasoner, written: dict,
                     entities_too: bool = True) -> bool:
    """Write the ontology graph, and the entities' graphs if they changed. True if they did."""
    ontology_graph = iris.graph("ontology")
    onto = list(ontology_triples())
    replace_graphs(store, {ontology_graph: onto})  # small; its blank nodes make a diff pointless
    written[ontology_graph.value] = len(onto)
    crash_point()
    entities_graph, entities_inferred = iris.graph("entities"), iris.inferred_graph("entities")
    entity_triples = set(entities.triples)
    written[entities_graph.value] = len(entity_triples)
    if not entities_too:
        return False
    inferred = entities_inferences(reasoner, entity_triples)
    changed = not (same_triples(graph_triples(store, entities_graph), entity_triples)
                   and same_triples(graph_triples(store, entities_inferred), inferred))
    if changed:  # with, in the same transaction, the mark that other articles' inferences are not yet redone
        replace_graphs(store, {entities_graph: entity_triples, entities_inferred: inferred,
                               pending_graph(iris): [Triple(pending_graph(iris), RDFS.comment, Literal(PENDING))]})
    return changed


def entities_inferences(reasoner: Reasoner, entity_triples: set) -> set:
    """The entities' inferred graph: their entailments, and the shared places' map points
    (kg.loading.map_points), so a change of a place's coordinates or containment rewrites it."""
    return (reasoner.base - entity_triples) | (map_points.shared_points(reasoner.base) - entity_triples)


PENDING = "the shared entities changed: the inferred graphs of articles outside that load are being derived again"


def pending_graph(iris: Iris) -> NamedNode:
    """The graph that marks a load's re-inference as unfinished. Written in the transaction that
    rewrites the shared entities, dropped once every other article's inferred graph is derived again:
    a load killed in between leaves it, and the next load finishes the work (issue 15, item 8)."""
    return iris.graph("load/pending")


def crash_point() -> None:
    """For the crash-recovery test only (tests/e2e/test_crash_recovery.py): with KG_LOAD_KILL_AT=N
    in the environment, the load kills itself (SIGKILL) at its Nth step, after that step's write."""
    global _steps
    at = os.environ.get("KG_LOAD_KILL_AT")
    if at is None:
        return
    _steps += 1
    if _steps == int(at):
        os.kill(os.getpid(), signal.SIGKILL)


_steps = 0


def _transactional_load(store: Store, iris: Iris, entities: EntitiesGraph, reasoner: Reasoner,
                        articles: Iterator[Out], pool, written: dict, loaded: list, clock: float) -> tuple[dict, bool]:
    """Compile every article to a spool (so nothing is written unless all compile), then write the
    ontology, the entities, and each article's two graphs in one transaction.
    Returns the seconds each step took, and whether the entities changed."""
    # the spool is an unnamed temporary file: the system frees it even if the load is killed
    with tempfile.TemporaryFile(prefix="kg-load-") as spool:
        records = []  # (article id, bytes of its graph's N-Triples, bytes of its inferred graph's)
        for aid, n_asserted, n_inferred, asserted_nt, inferred_nt in articles:  # raises on a bad file
            spool.write(asserted_nt)
            spool.write(inferred_nt)
            records.append((aid, len(asserted_nt), len(inferred_nt)))
            loaded.append(aid)
            written[iris.graph(aid).value] = n_asserted
            written[iris.inferred_graph(aid).value] = n_inferred
        if pool is not None:
            pool.terminate()  # done: free the workers' memory before writing
        seconds = {"compile": time.perf_counter() - clock}
        clock = time.perf_counter()
        crash_point()
        changed = _write_reference(store, iris, entities, reasoner, written)
        crash_point()
        spool.seek(0)
        batch, size = [], 0  # a remote store takes several articles per request (REMOTE_BATCH); each still whole
        per_request = REMOTE_BATCH if is_remote(store) else 1
        for aid, n_asserted, n_inferred in records:
            asserted_nt = spool.read(n_asserted).decode("utf-8")
            inferred_nt = spool.read(n_inferred).decode("utf-8")
            batch += [(iris.graph(aid), asserted_nt), (iris.inferred_graph(aid), inferred_nt)]
            size += n_asserted + n_inferred
            if len(batch) >= 2 * per_request or size >= REMOTE_BATCH_BYTES:
                _write_articles(store, iris, batch)
                batch, size = [], 0
                crash_point()
        if batch:
            _write_articles(store, iris, batch)
            crash_point()
        seconds["write"] = time.perf_counter() - clock
    return seconds, changed


def _write_articles(store: Store, iris: Iris, graphs: list[tuple[NamedNode, str]]) -> None:
    """Articles' graphs replaced, and the counts of the actors their inferred graphs name, before or
    after, recounted in the same request (kg.loading.actor_counts)."""
    inferred = [(g, nt) for g, nt in graphs if g.value.startswith(iris.inferred_graph("").value)]
    touched = actor_counts.actors_in(store, [g for g, _ in inferred])
    for _, nt in inferred:
        touched |= actor_counts.actors_in_nt(nt)
    replace_graphs_nt(store, graphs, then=actor_counts.recount(iris, touched))


def _bulk_stream(iris: Iris, entities: EntitiesGraph, reasoner: Reasoner, articles: Iterator[Out], pool,
                 written: dict, loaded: list) -> Iterator[bytes]:
    """N-Quads of the entities, then of each article as it is compiled."""
    entity_triples = set(entities.triples)
    for g, triples in ((iris.graph("entities"), entities.triples),
                       (iris.inferred_graph("entities"), entities_inferences(reasoner, entity_triples))):
        nt = serialize(list(triples), format=RdfFormat.N_TRIPLES)
        yield nt.replace(b" .\n", f" <{g.value}> .\n".encode())
    for aid, n_asserted, n_inferred, asserted_nq, inferred_nq in articles:  # raises on a bad file
        loaded.append(aid)
        written[iris.graph(aid).value] = n_asserted
        written[iris.inferred_graph(aid).value] = n_inferred
        yield asserted_nq
        yield inferred_nq
    if pool is not None:
        pool.terminate()


class _Stream(io.RawIOBase):
    """A binary file that reads an iterator of byte strings, and keeps the exception it raised."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks, self.rest, self.error = chunks, memoryview(b""), None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.rest:
            try:
                chunk = next(self.chunks, None)
            except BaseException as e:
                self.error = e
                raise
            if chunk is None:
                return 0
            self.rest = memoryview(chunk)
        n = min(len(buffer), len(self.rest))
        buffer[:n] = self.rest[:n]
        self.rest = self.rest[n:]
        return n


def _bulk_load(store: Store, chunks: Iterator[bytes]):
    """Store.bulk_load of the quads as they are compiled: the workers compile while Oxigraph
    writes. The store was empty; if a file turns out bad, it is emptied again, so a failed load
    writes nothing (a reader may see quads come and go meanwhile; a crash leaves a partial store)."""
    stream = _Stream(chunks)
    try:
        # lenient: the quads were written by Oxigraph's serializer from checked terms
        store.bulk_load(stream, RdfFormat.N_QUADS, lenient=True)
    except BaseException:
        store.clear()
        if stream.error is not None:
            raise stream.error from None
        raise


REMOTE_BATCH = 16  # articles per SPARQL update request to a remote store (bench/remote.py measures it)


REMOTE_BATCH_BYTES = 8 << 20  # ... and at most about this much N-Triples per request


BULK_FROM = 100  # files: a first load of fewer takes the transactional path (it is quick anyway)
