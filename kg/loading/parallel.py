"""Compiling the articles of a load one at a time, in this process or, for a large load, in worker
processes (`python -m kg.loading.parallel`), in file order either way."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pyoxigraph import RdfFormat, serialize

from kg.errors import AnnotationError
from kg.loading import time_bounds
from kg.loading.compiler import ArticleGraph, EntitiesGraph, compile_article, compile_entities
from kg.loading.corpus import AcrossFiles
from kg.loading.reasoning import Reasoner
from kg.namespaces import Iris
from kg.processes import start_module

PARALLEL_FROM = 200  # files; below this, starting worker processes costs more than it saves


# (article id, triples asserted, triples inferred, N-Triples or N-Quads of both): what a load keeps of an article
Out = tuple[str, int, int, bytes, bytes]


def _article_out(path: Path, entities: EntitiesGraph, reasoner: Reasoner, iris: Iris,
                 as_quads: bool) -> tuple[ArticleGraph, Out]:
    article = compile_article(path, entities, iris)
    extra = time_bounds.inferred(reasoner, article.triples)  # OWL RL, and the time rules of issue 13
    asserted_nt = serialize(article.triples, format=RdfFormat.N_TRIPLES)
    inferred_nt = serialize(list(extra), format=RdfFormat.N_TRIPLES)
    if as_quads:  # N-Triples lines -> N-Quads lines (literals never hold a raw newline)
        aid = article.article_id
        asserted_nt = asserted_nt.replace(b" .\n", f" <{iris.graph(aid).value}> .\n".encode())
        inferred_nt = inferred_nt.replace(b" .\n", f" <{iris.inferred_graph(aid).value}> .\n".encode())
    return article, (article.article_id, len(article.triples), len(extra), asserted_nt, inferred_nt)


@contextmanager
def compile_workers(entities_file: Path, iris: Iris, files: int, workers: int | None):
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
    """Processes that compile articles (`python -m kg.loading.parallel`, running _worker_main), each
    fed (chunk of files, as_quads) tasks on its stdin and answering on its stdout (pickles), in order."""

    def __init__(self, entities_file: Path, base: str, size: int):
        self.size = size
        self.procs = [start_module("kg.loading.parallel", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
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


def compiled_articles(files: list[Path], entities: EntitiesGraph, reasoner: Reasoner, iris: Iris,
              progress: Callable[[Path], None] | None, pool: _Workers | None, as_quads: bool) -> Iterator[Out]:
    check = AcrossFiles(files, entities, iris)
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
def gc_frozen():
    """A load allocates millions of short-lived objects while it holds a large, long-lived closure
    of the entities; the cyclic GC would walk that closure again and again (a third of the time).
    Freeze what exists now; thaw it at the end."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


if __name__ == "__main__":
    _worker_main()
