"""The Oxigraph store: open it, load annotation files into it, one transaction per article.

Graphs: <base>graph/ontology, <base>graph/entities (reference knowledge), <base>graph/<article>
(one per article: its facts and their evidence), and <base>graph/inferred/<name> beside each
(the entailments of kg.reasoning, kept apart so asserted and inferred stay distinguishable).
Queries see the union of all graphs as their default graph."""

from __future__ import annotations

import gc
import io
import os
import pickle
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple, serialize

from kg.build import ArticleGraph, EntitiesGraph, compile_article, compile_entities
from kg.errors import AnnotationError
from kg.namespaces import Iris
from kg.ontology import ontology_triples
from kg.reasoning import Reasoner
from kg.remote import RemoteStore, insert_data, is_url, redact

DEFAULT_STORE = "kg-store"
ENTITIES_FILE = "entities.yaml"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def store_path(path: str | os.PathLike | None = None) -> Path:
    """--store PATH, else KG_STORE, else ./kg-store."""
    return Path(path or os.environ.get("KG_STORE") or DEFAULT_STORE)


def store_location(location: str | os.PathLike | None = None) -> str | Path:
    """--store, else KG_STORE, else ./kg-store: an http(s) URL (a remote store) as given, else a Path."""
    location = location or os.environ.get("KG_STORE") or DEFAULT_STORE
    return location if is_url(location) else Path(location)


def open_store(path: str | os.PathLike | None, read_only: bool = False, *, timeout: float | None = None,
               update_url: str | None = None, graph_store_url: str | None = None) -> Store | RemoteStore:
    """THE choice of store. An http(s) URL: the SPARQL 1.1 server whose query endpoint it is
    (kg.remote.RemoteStore: `timeout`, seconds a query may take there; its update and Graph Store
    endpoints, else $KG_UPDATE_URL / $KG_GRAPH_STORE_URL, else derived from the URL). Else an
    on-disk store at `path` (read-only or not); in memory when path is ":memory:" (tests)."""
    if is_url(path):
        store = RemoteStore.from_env(str(path), read_only=read_only, timeout=timeout, update_url=update_url,
                                     graph_store_url=graph_store_url)
        try:
            store.check_union()
        except BaseException:
            store.close()
            raise
        return store
    if str(path) == ":memory:":
        return Store()
    if read_only:
        return Store.read_only(str(path))
    return Store(str(path))


def location_name(location) -> str:
    """A store's location for messages: a URL without its credentials, or the folder."""
    return redact(location) if is_url(location) else str(location)


def is_remote(store) -> bool:
    """True for a store on a SPARQL server: no bulk loader, no read-only worker processes."""
    return isinstance(store, RemoteStore)


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


def compile_stream(paths: Iterable[str | os.PathLike], iris: Iris,
                   progress: Callable[[Path], None] | None = None) -> tuple[EntitiesGraph, Iterator[ArticleGraph]]:
    """The entities of a load, and its articles compiled one at a time (so a load need not hold them
    all). The iterator raises the first AnnotationError, including the checks across files."""
    entities_file, article_files = annotation_files(paths)
    entities = compile_entities(entities_file, iris)

    def articles() -> Iterator[ArticleGraph]:
        check = _AcrossFiles(article_files, entities, iris)
        for n, f in enumerate(article_files):
            if progress:
                progress(f)
            article = compile_article(f, entities, iris)
            check(n, article.article_id, article.local_ids)
            yield article

    return entities, articles()


class _AcrossFiles:
    """The checks between the files of a load: article ids and article-local place and actor ids
    are unique. Holds ids and file numbers only, not graphs."""

    def __init__(self, files: list[Path], entities: EntitiesGraph, iris: Iris):
        self.files, self.entities, self.iris = files, entities, iris
        self.seen: dict[str, int] = {}  # article id -> number of its file
        self.local_ids: dict[str, int] = {}

    def __call__(self, n: int, article_id: str, local_ids: Iterable[str]):
        f = self.files[n]
        if article_id in self.seen:
            raise AnnotationError(f, 2, f"article id {article_id!r} is also used by {self.files[self.seen[article_id]]}")
        self.seen[article_id] = n
        # an article-local place or actor id mints a global IRI: two articles may not both define it
        for slug in local_ids:
            if slug in self.local_ids:
                lines = local_ids if isinstance(local_ids, Mapping) else compile_article(f, self.entities, self.iris).local_ids
                raise AnnotationError(f, lines[slug], f"id {slug!r} is also defined in {self.files[self.local_ids[slug]].name}; "
                                      "move it to entities.yaml and reference it from both")
            self.local_ids[slug] = n


def compile_files(paths: Iterable[str | os.PathLike], iris: Iris,
                  progress: Callable[[Path], None] | None = None) -> Compiled:
    """Check and compile every file of a load. Raises the first AnnotationError; writes nothing."""
    entities, articles = compile_stream(paths, iris, progress)
    return Compiled(entities, list(articles))


# --- writing ---------------------------------------------------------------------------------


def replace_graphs(store: Store, graphs: dict[NamedNode, Iterable[Triple]]) -> None:
    """Replace each named graph by its new triples, all in ONE transaction: a concurrent reader or a
    crash sees every graph wholly old or wholly new. (A SPARQL update request is one transaction.)"""
    _replace_graphs_nt(store, [(g, serialize(list(triples), format=RdfFormat.N_TRIPLES).decode("utf-8"))
                               for g, triples in graphs.items()])


def _replace_graphs_nt(store: Store, graphs: list[tuple[NamedNode, str]]) -> None:
    """replace_graphs with each graph's triples already written as N-Triples."""
    limit = getattr(store, "max_update_bytes", None)  # a server with limits (Virtuoso): see below
    parts = [f"DROP SILENT GRAPH <{g.value}> ;" for g, _ in graphs]
    body = [block for g, nt in graphs if nt for block in _graph_blocks(g, nt, BLOCK_TRIPLES if limit else None)]
    if body:
        parts.append(insert_data("\n".join(body)))  # INSERT DATA, or the same as INSERT … WHERE {} (blank nodes)
    if limit and sum(map(len, parts)) > limit and not any(re.search(r"(?:^|\s)_:", nt) for _, nt in graphs):
        _replace_graphs_in_pieces(store, graphs, limit)
        return
    store.update("\n".join(parts))


BLOCK_TRIPLES = 2000  # Virtuoso's SPARQL parser runs out of stack ("memory exhausted") near 5,000 in one block


def _graph_blocks(graph: NamedNode, nt: str, per_block: int | None) -> list[str]:
    """`GRAPH <g> { … }` blocks of the N-Triples `nt` (one triple a line: N-Triples escapes line
    breaks), of at most `per_block` triples each (None: one block)."""
    if per_block is None:
        return [f"GRAPH <{graph.value}> {{\n{nt}}}"]
    lines = nt.splitlines(keepends=True)
    return [f"GRAPH <{graph.value}> {{\n{''.join(lines[i:i + per_block])}}}" for i in range(0, len(lines), per_block)]


def _replace_graphs_in_pieces(store, graphs: list[tuple[NamedNode, str]], limit: int) -> None:
    """For a server that takes no update longer than `limit` characters (RemoteStore.max_update_bytes:
    Virtuoso refuses ~10 MB): the drops, then the triples in requests of at most half of it, one after
    the other. NOT one transaction (Virtuoso makes none of a request either: docs/remote-store.md)."""
    store.update("\n".join(f"DROP SILENT GRAPH <{g.value}> ;" for g, _ in graphs))
    for g, nt in graphs:
        piece, size = [], 0
        for line in nt.splitlines(keepends=True):
            if piece and size + len(line) > limit // 2:
                store.update(insert_data("\n".join(_graph_blocks(g, "".join(piece), BLOCK_TRIPLES))))
                piece, size = [], 0
            piece.append(line)
            size += len(line)
        if piece:
            store.update(insert_data("\n".join(_graph_blocks(g, "".join(piece), BLOCK_TRIPLES))))


def graph_triples(store: Store, graph: NamedNode) -> set[Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, graph)}


def is_empty(store: Store) -> bool:
    if is_remote(store):  # one ASK, not every quad sent to be read for the first
        return not bool(store.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
    return next(iter(store.quads_for_pattern(None, None, None, None)), None) is None


@dataclass
class LoadReport:
    articles: list[str]
    triples: dict  # graph IRI -> triples written
    reinferred: list[str]
    bulk: bool = False  # True when the articles went in by the bulk path (a first load into an empty store)
    seconds: dict = field(default_factory=dict)  # wall time of each step: compile, write, reinfer


def load(store: Store, paths: Iterable[str | os.PathLike], iris: Iris | None = None,
         progress: Callable[[Path], None] | None = None, bulk: bool | None = None,
         workers: int | None = None) -> LoadReport:
    """Check every file, then write: ontology, entities, and each article with its inferences.

    Nothing is written unless every file compiles. Each article's graph and its inferred graph are
    replaced in one transaction, so loading twice gives the same graph and a reload is atomic.

    The load streams, one article at a time, so memory does not grow with the corpus: each article
    is compiled and its inferences derived (kg.reasoning.Reasoner), then
    - into a store that holds data, or for a small load (fewer than BULK_FROM files), or with
      bulk=False: its quads are spooled to a temporary file; once every file has compiled, each
      article is written in one SPARQL update (as replace_graphs);
    - into an empty store (a first load of BULK_FROM files or more, or of any size with bulk=True):
      its quads stream straight into one Store.bulk_load while the next articles compile; several
      times faster than transactions, not atomic: a bad file empties the store again (it was
      empty), a reader meanwhile sees articles arrive, a crash leaves a partial store (load again:
      into a store with data, the load replaces each article whole).
    A remote store (kg.remote.RemoteStore, a SPARQL server) always takes the first way: the spooled
    articles go REMOTE_BATCH to an update request, each article whole, each request atomic on
    Oxigraph and Fuseki; the bulk path is the embedded store's.

    Large loads compile in `workers` processes (default: one per CPU, for 200 files or more); the
    files are still checked, reported and written in order, and the first error is the same."""
    iris = iris or Iris()
    clock = time.perf_counter()
    entities_file, article_files = annotation_files(paths)
    with _gc_frozen(), _pool(entities_file, iris, len(article_files), workers) as pool:
        entities = compile_entities(entities_file, iris)  # meanwhile the workers start
        entity_triples = set(entities.triples)
        reasoner = Reasoner(entity_triples)
        if bulk is None:
            bulk = len(article_files) >= BULK_FROM
        use_bulk = bulk and not is_remote(store) and is_empty(store)  # the bulk path is embedded-only
        written: dict[str, int] = {}
        loaded: list[str] = []
        articles = _compiled(article_files, entities, reasoner, iris, progress, pool, use_bulk)
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
        if entities_changed and not use_bulk:
            done = set(loaded)
            for article_id in article_ids(store, iris):
                if article_id not in done:
                    graph = iris.graph(article_id)
                    extra = reasoner.inferred(graph_triples(store, graph))
                    replace_graphs(store, {iris.inferred_graph(article_id): extra})
                    reinferred.append(article_id)
        seconds["reinfer"] = time.perf_counter() - clock
    return LoadReport(sorted(set(loaded)), written, reinferred, use_bulk, seconds)


def _write_reference(store: Store, iris: Iris, entities: EntitiesGraph, reasoner: Reasoner, written: dict,
                     entities_too: bool = True) -> bool:
    """Write the ontology graph, and the entities' graphs if they changed. True if they did."""
    ontology_graph = iris.graph("ontology")
    onto = list(ontology_triples())
    replace_graphs(store, {ontology_graph: onto})  # small; its blank nodes make a diff pointless
    written[ontology_graph.value] = len(onto)
    entities_graph, entities_inferred = iris.graph("entities"), iris.inferred_graph("entities")
    entity_triples = set(entities.triples)
    written[entities_graph.value] = len(entity_triples)
    if not entities_too:
        return False
    changed = graph_triples(store, entities_graph) != entity_triples
    if changed:
        replace_graphs(store, {entities_graph: entity_triples, entities_inferred: reasoner.base - entity_triples})
    return changed


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
        changed = _write_reference(store, iris, entities, reasoner, written)
        spool.seek(0)
        batch, size = [], 0  # a remote store takes several articles per request (REMOTE_BATCH); each still whole
        per_request = REMOTE_BATCH if is_remote(store) else 1
        for aid, n_asserted, n_inferred in records:
            asserted_nt = spool.read(n_asserted).decode("utf-8")
            inferred_nt = spool.read(n_inferred).decode("utf-8")
            batch += [(iris.graph(aid), asserted_nt), (iris.inferred_graph(aid), inferred_nt)]
            size += n_asserted + n_inferred
            if len(batch) >= 2 * per_request or size >= REMOTE_BATCH_BYTES:
                _replace_graphs_nt(store, batch)
                batch, size = [], 0
        if batch:
            _replace_graphs_nt(store, batch)
        seconds["write"] = time.perf_counter() - clock
    return seconds, changed


def _bulk_stream(iris: Iris, entities: EntitiesGraph, reasoner: Reasoner, articles: Iterator[Out], pool,
                 written: dict, loaded: list) -> Iterator[bytes]:
    """N-Quads of the entities, then of each article as it is compiled."""
    entity_triples = set(entities.triples)
    for g, triples in ((iris.graph("entities"), entities.triples),
                       (iris.inferred_graph("entities"), reasoner.base - entity_triples)):
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


# --- compiling for a load: one article at a time, in this process or in workers ------------------

REMOTE_BATCH = 16  # articles per SPARQL update request to a remote store (bench/remote.py measures it)
REMOTE_BATCH_BYTES = 8 << 20  # ... and at most about this much N-Triples per request
BULK_FROM = 100  # files: a first load of fewer takes the transactional path (it is quick anyway)
PARALLEL_FROM = 200  # files; below this, starting worker processes costs more than it saves

# (article id, triples asserted, triples inferred, N-Triples or N-Quads of both): what a load keeps of an article
Out = tuple[str, int, int, bytes, bytes]


def _article_out(path: Path, entities: EntitiesGraph, reasoner: Reasoner, iris: Iris,
                 as_quads: bool) -> tuple[ArticleGraph, Out]:
    article = compile_article(path, entities, iris)
    extra = reasoner.inferred(article.triples)
    asserted_nt = serialize(article.triples, format=RdfFormat.N_TRIPLES)
    inferred_nt = serialize(list(extra), format=RdfFormat.N_TRIPLES)
    if as_quads:  # N-Triples lines -> N-Quads lines (literals never hold a raw newline)
        aid = article.article_id
        asserted_nt = asserted_nt.replace(b" .\n", f" <{iris.graph(aid).value}> .\n".encode())
        inferred_nt = inferred_nt.replace(b" .\n", f" <{iris.inferred_graph(aid).value}> .\n".encode())
    return article, (article.article_id, len(article.triples), len(extra), asserted_nt, inferred_nt)


@contextmanager
def _pool(entities_file: Path, iris: Iris, files: int, workers: int | None):
    """Worker processes for a large load (None for a small one, or workers=1)."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if files >= PARALLEL_FROM else 1
    if workers <= 1:
        yield None
        return
    pool = _Workers(entities_file, iris.base, workers)
    try:
        yield pool
    finally:
        pool.terminate()


class _Workers:
    """Processes that compile articles: `python -c` running _worker_main, each fed (chunk of files,
    as_quads) tasks on its stdin and answering on its stdout (pickles), in order. Not
    multiprocessing: its "spawn" re-imports the caller's main script (a script without a
    `__main__` guard would start workers forever), and "fork" would copy a process that holds a
    store's threads."""

    def __init__(self, entities_file: Path, base: str, size: int):
        self.size = size
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parent.parent)] + [p for p in [os.environ.get("PYTHONPATH")] if p])}
        self.procs = [subprocess.Popen([sys.executable, "-c", "import kg.store; kg.store._worker_main()"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
                      for _ in range(size)]
        for proc in self.procs:
            pickle.dump((str(entities_file), base), proc.stdin)
            proc.stdin.flush()
        self.sent = 0  # tasks sent, all workers together: task k goes to worker k % size
        self.received = 0

    def send(self, task) -> None:
        proc = self.procs[self.sent % self.size]
        pickle.dump(task, proc.stdin)
        proc.stdin.flush()
        self.sent += 1

    def receive(self):
        """The result of the oldest task not yet received."""
        proc = self.procs[self.received % self.size]
        self.received += 1
        try:
            kind, value = pickle.load(proc.stdout)
        except EOFError:
            raise RuntimeError(f"a loader worker died (exit code {proc.wait()})") from None
        if kind == "crash":
            raise RuntimeError(f"a loader worker failed:\n{value}")
        return value

    def terminate(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                try:
                    pipe.close()
                except OSError:  # a pipe to a killed worker
                    pass


CHUNK = 4  # files per task sent to a worker
WINDOW = 4  # tasks in flight per worker: results wait in pipes and memory, so keep them few


def _compiled(files: list[Path], entities: EntitiesGraph, reasoner: Reasoner, iris: Iris,
              progress: Callable[[Path], None] | None, pool: _Workers | None, as_quads: bool) -> Iterator[Out]:
    check = _AcrossFiles(files, entities, iris)
    if pool is None:
        for n, f in enumerate(files):
            if progress:
                progress(f)
            article, out = _article_out(f, entities, reasoner, iris, as_quads)
            check(n, article.article_id, article.local_ids)
            yield out
        return
    chunks = [files[k:k + CHUNK] for k in range(0, len(files), CHUNK)]
    for chunk in chunks[:WINDOW * pool.size]:
        pool.send((chunk, as_quads))
    n = 0
    for k, chunk in enumerate(chunks):
        results = pool.receive()
        if k + WINDOW * pool.size < len(chunks):
            pool.send((chunks[k + WINDOW * pool.size], as_quads))
        for f, result in zip(chunk, results):
            if progress:
                progress(f)
            if result[0] == "error":
                raise AnnotationError(*result[1:])
            _, out, local_ids = result
            check(n, out[0], local_ids)
            n += 1
            yield out


def _worker_main() -> None:
    """A loader worker (see _Workers): compile the chunks of files it is sent, in order."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the answers' pipe
    entities_path, base = pickle.load(stdin)
    iris = Iris(base)
    entities = compile_entities(Path(entities_path), iris)
    reasoner = Reasoner(entities.triples)
    gc.freeze()  # the entities and their closure live as long as the worker: keep them out of GC
    while True:
        try:
            paths, as_quads = pickle.load(stdin)
        except EOFError:
            return
        try:
            answer = ("ok", _worker_compile(paths, as_quads, entities, reasoner, iris))
        except Exception:  # noqa: BLE001 — a bug, not a bad file: the parent raises it
            answer = ("crash", traceback.format_exc())
        pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


def _worker_compile(paths: list[Path], as_quads: bool, entities: EntitiesGraph, reasoner: Reasoner,
                    iris: Iris) -> list[tuple]:
    results = []
    for path in paths:
        try:
            article, out = _article_out(path, entities, reasoner, iris, as_quads)
        except AnnotationError as e:  # sent back as data: the parent raises it in file order
            results.append(("error", e.path, e.line, e.problem))
            break
        results.append(("ok", out, list(article.local_ids)))
    return results


@contextmanager
def _gc_frozen():
    """A load allocates millions of short-lived objects while it holds a large, long-lived closure
    of the entities; the cyclic GC would walk that closure again and again (a third of the time).
    Freeze what exists now; thaw it at the end."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


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


def as_quads(graphs: dict[NamedNode, Iterable[Triple]]) -> Iterable[Quad]:
    for g, triples in graphs.items():
        for t in triples:
            yield Quad(t.subject, t.predicate, t.object, g)
