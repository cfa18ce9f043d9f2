"""kg.executor and kg.querying.answers: queries in worker processes that are killed at the time limit, the
row and byte caps, and answers written whole (issue 4: runaway queries)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import threading
import time

import pytest
from pyoxigraph import (
    BaseDirection,
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    Store,
    Triple,
    parse,
    parse_query_results,
)

from kg.errors import Busy, NotAcceptable, QueryTimeout, UnknownName, WorkerCrashed
from kg.executor.inline import InlineExecutor
from kg.executor.limits import Limits
from kg.executor.pool import ProcessPool
from kg.executor.views import Checkpoint, DiskCopy
from kg.querying import answers
from kg.querying.sparql import Dataset
from support import BASE, ROOT, STOP_MARGIN

# A pure VALUES cross product: 10^10 solutions that never touch the store.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(map(str, range(10)))} }}" for i in range(10)) + " }"
LIGHT = "SELECT ?l WHERE { <place/homs> rdfs:label ?l }"
TRUCES = "SELECT ?a ?label WHERE { ?a a hk:Agreement ; rdfs:label ?label } ORDER BY ?a"


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory, seeds_nquads) -> str:
    """The seeds in an on-disk store, closed: workers open it read-only."""
    path = tmp_path_factory.mktemp("executor") / "store"
    s = Store(str(path))
    s.bulk_load(seeds_nquads, format=RdfFormat.N_QUADS)
    s.flush()
    del s
    return str(path)


def light(executor) -> str:
    answer = executor.run(answers.sparql_query, LIGHT, Dataset(), BASE, None)
    return json.loads(answer.body)["results"]["bindings"][0]["l"]["value"]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is dead too
        return f.read().split()[2] != "Z"


# --- the process pool -----------------------------------------------------------------------------------

def test_a_runaway_query_is_stopped_at_the_limit_and_its_worker_is_replaced(disk_store):
    pool = ProcessPool(disk_store, Limits(timeout=1.0), size=2)
    try:
        pids = {w.process.pid for w in pool._idle}
        start = time.monotonic()
        with pytest.raises(QueryTimeout, match="limit of 1 s"):
            pool.run(answers.sparql_query, RUNAWAY, Dataset(), BASE, None)
        took = time.monotonic() - start
        assert 1.0 <= took < 1.0 + STOP_MARGIN, took
        assert pool.stats.killed == 1
        assert [pid for pid in pids if not alive(pid)], "the runaway query's worker is gone"
        assert light(pool) == "Homs"  # the next query is answered
        pool.wait_ready(10)
        assert len(pool._idle) == 2 and pool.stats.started == 3
    finally:
        pool.close()
    assert not any(alive(w) for w in pids)


def test_other_queries_are_answered_while_one_runs_away(disk_store):
    pool = ProcessPool(disk_store, Limits(timeout=3.0), size=2)
    stopped = []
    try:
        attacker = threading.Thread(target=lambda: stopped.append(
            pytest.raises(QueryTimeout, pool.run, answers.sparql_query, RUNAWAY, Dataset(), BASE, None)))
        attacker.start()
        time.sleep(0.2)
        latencies = []
        while attacker.is_alive() and len(latencies) < 200:
            t = time.monotonic()
            assert light(pool) == "Homs"
            latencies.append(time.monotonic() - t)
        attacker.join()
        assert stopped and len(latencies) >= 20
        assert max(latencies) < 0.5, max(latencies)
    finally:
        pool.close()


def test_no_free_worker_within_the_limit_is_busy(disk_store):
    pool = ProcessPool(disk_store, Limits(timeout=0.3), size=1)
    try:
        held = pool._acquire(time.monotonic() + 1)  # the only worker, taken
        with pytest.raises(Busy, match="busy"):
            pool.run(answers.sparql_query, LIGHT, Dataset(), BASE, None)
        pool._release(held, True)
        assert light(pool) == "Homs"
    finally:
        pool.close()


def test_a_query_past_the_memory_cap_ends_its_worker_not_the_machine(disk_store):
    bomb = ("SELECT ?s WHERE { " + " ".join(f"VALUES ?v{i} {{ {' '.join(map(str, range(10)))} }}" for i in range(8))
            + " BIND(CONCAT(STR(?v0), STR(?v1), STR(?v2), STR(?v3), STR(?v4), STR(?v5), STR(?v6), STR(?v7),"
              " '..................................................') AS ?s) } ORDER BY DESC(?s) LIMIT 1")
    pool = ProcessPool(disk_store, Limits(timeout=20, memory=1 << 30), size=1)
    try:
        with pytest.raises(WorkerCrashed, match="memory cap"):
            pool.run(answers.sparql_query, bomb, Dataset(), BASE, None)
        assert light(pool) == "Homs"
    finally:
        pool.close()


def test_errors_in_a_worker_come_back_as_themselves(disk_store):
    from kg.querying.catalogue import catalogue

    pool = ProcessPool(disk_store, Limits(timeout=5), size=1)
    try:
        with pytest.raises(SyntaxError):
            pool.run(answers.sparql_query, "SELECT WHERE {", Dataset(), BASE, None)
        with pytest.raises(NotAcceptable) as caught:
            pool.run(answers.sparql_query, LIGHT, Dataset(), BASE, "image/png")
        assert "application/sparql-results+json" in caught.value.offered
        query = catalogue()["ceasefires"]
        with pytest.raises(UnknownName) as unknown:
            pool.run(answers.canned_query, answers.CannedRequest(query, {"place": "Baba Amrrr"}, BASE,
                                                                 "application/json", 10, 0, "http://x/api/ceasefires"))
        assert any(c["label"] == "Baba Amr" for c in unknown.value.candidates)
        assert pool.stats.killed == 0 and light(pool) == "Homs"  # the same worker goes on
    finally:
        pool.close()


def test_workers_reopen_the_store_after_a_write(tmp_path, seeds_nquads):
    path = tmp_path / "store"
    rw = Store(str(path))
    rw.bulk_load(seeds_nquads, format=RdfFormat.N_QUADS)
    rw.flush()
    views = Checkpoint(rw, path)  # the workers read checkpoints of the live store, never its own files
    pool = ProcessPool(views.path, Limits(timeout=5), size=2, sync=views.refresh)
    ask = "ASK { <http://example.org/new> ?p ?o }"
    try:
        assert json.loads(pool.run(answers.sparql_query, ask, Dataset(), BASE, None).body)["boolean"] is False
        with pool.exclusive():
            assert not pool._idle  # no worker has the store open while it is written
            rw.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/new> <http://example.org/p> 1 } }")
            rw.flush()
        assert json.loads(pool.run(answers.sparql_query, ask, Dataset(), BASE, None).body)["boolean"] is True
        assert pool.stats.restarts == 1 and views.path.name == "view-2"
    finally:
        pool.close()
        views.cleanup()
    assert not views.folder.exists()


def test_an_in_memory_store_can_be_served_by_the_pool_through_a_copy():
    s = Store()
    s.add(Quad(NamedNode("http://ex/a"), NamedNode("http://ex/p"), Literal("copied")))
    copy = DiskCopy(s)
    query = "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o"
    values = lambda: [b["o"]["value"] for b in json.loads(  # noqa: E731
        pool.run(answers.sparql_query, query, Dataset(), None, None).body)["results"]["bindings"]]
    try:
        pool = ProcessPool(copy.path, Limits(timeout=5), size=1, sync=copy.refresh)
        try:
            assert values() == ["copied"]
            with pool.exclusive():
                s.add(Quad(NamedNode("http://ex/b"), NamedNode("http://ex/p"), Literal("written")))
            assert values() == ["copied", "written"]
        finally:
            pool.close()
    finally:
        copy.cleanup()
    assert not copy.folder.exists()


def test_the_inline_executor_checks_the_limit_between_rows():
    """In process (tests, --isolation thread) a query that streams rows is stopped at the limit."""
    many = "SELECT * WHERE { " + " ".join(f"VALUES ?v{i} {{ {' '.join(map(str, range(10)))} }}" for i in range(9)) + " }"
    inline = InlineExecutor(Store(), Limits(timeout=0.5, max_rows=10 ** 9))
    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        inline.run(answers.sparql_query, many, Dataset(), None, None)
    assert time.monotonic() - start < 0.5 + STOP_MARGIN


# --- caps: explicit, and every answer a whole document ----------------------------------------------------

@pytest.fixture
def seeded(api_store) -> Store:
    return api_store


@pytest.mark.parametrize("media", ["application/sparql-results+json", "application/sparql-results+xml",
                                   "text/csv", "text/tab-separated-values"])
def test_the_row_cap_cuts_an_answer_explicitly_and_keeps_it_whole(seeded, media):
    inline = InlineExecutor(seeded, Limits(max_rows=3))
    answer = inline.run(answers.sparql_query, TRUCES, Dataset(), BASE, media)
    assert answer.truncated == "max-rows=3" and answer.rows == 3
    fmt = {"text/csv": None}.get(media, QueryResultsFormat.from_media_type(media))
    if fmt is None:
        rows = list(csv.reader(io.StringIO(answer.body.decode())))
        assert rows[0] == ["a", "label"] and len(rows) == 4
    else:
        assert len(list(parse_query_results(answer.body, format=fmt))) == 3
    full = InlineExecutor(seeded, Limits()).run(answers.sparql_query, TRUCES, Dataset(), BASE, media)
    assert full.truncated is None and full.rows > 3


def test_the_byte_cap_cuts_at_a_row_and_says_so(seeded):
    inline = InlineExecutor(seeded, Limits(max_bytes=2048))
    answer = inline.run(answers.sparql_query, "SELECT ?s ?label WHERE { ?s rdfs:label ?label }", Dataset(), BASE, None)
    assert answer.truncated == "max-bytes=2048" and len(answer.body) <= 2048
    assert len(json.loads(answer.body)["results"]["bindings"]) == answer.rows > 0


def test_construct_answers_are_capped_in_triples(seeded):
    inline = InlineExecutor(seeded, Limits(max_rows=4))
    answer = inline.run(answers.sparql_query, "CONSTRUCT WHERE { ?s a hk:Agreement }", Dataset(), BASE, "text/turtle")
    assert answer.truncated == "max-rows=4"
    assert len(list(parse(answer.body, format=RdfFormat.TURTLE))) == 4


def test_select_results_written_here_equal_pyoxigraphs_own():
    """kg.querying.answers writes SELECT results itself (to cut them at a row): the JSON must be what pyoxigraph
    writes, for every kind of term."""
    s = Store()
    ex = lambda n: NamedNode(f"http://ex/{n}")  # noqa: E731
    objects = [ex("o"), BlankNode("b1"), Literal("plain"), Literal("chat", language="fr"), Literal("1", datatype=
               NamedNode("http://www.w3.org/2001/XMLSchema#integer")), Literal("مرحبا", language="ar",
               direction=BaseDirection.RTL), Triple(ex("s"), ex("p"), Literal("quoted")), Literal('tab\t"quote"\nline')]
    for i, o in enumerate(objects):
        s.add(Quad(ex(f"s{i}"), ex("p"), o))
    query = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o OPTIONAL { ?s <http://ex/none> ?unbound } } ORDER BY ?s"
    for fmt in (QueryResultsFormat.JSON, QueryResultsFormat.XML, QueryResultsFormat.TSV):
        ours = InlineExecutor(s).run(answers.sparql_query, query, Dataset(), None, fmt.media_type)
        theirs = s.query(query).serialize(format=fmt)
        as_rows = lambda data: [{k: v for k, v in zip(["s", "o", "unbound"], (r["s"], r["o"], r["unbound"]))}  # noqa: E731
                                for r in parse_query_results(data, format=fmt)]
        assert as_rows(ours.body) == as_rows(theirs), fmt


def test_a_runaway_canned_query_is_stopped_too(api_store, tmp_path):
    """Canned queries go through the same workers and the same limit as SPARQL (via the API)."""
    from api import create_app
    from support.api import TestClient

    queries = tmp_path / "queries"
    shutil.copytree(ROOT / "queries", queries)
    (queries / "runaway.rq").write_text("#+ summary: A query that never ends (tests only)\n" + RUNAWAY, encoding="utf-8")
    app = create_app(store=api_store, base=BASE, queries_dir=queries, isolation="process", workers=2,
                     limits=Limits(timeout=1.0))
    with TestClient(app) as client:
        start = time.monotonic()
        r = client.get("/api/runaway")
        assert r.status_code == 503 and 1.0 <= time.monotonic() - start < 1.0 + STOP_MARGIN
        assert r.json()["detail"].startswith("the query ran longer than the limit")
        r = client.get("/api/ceasefires", params={"place": "homs"})
        assert r.status_code == 200 and len(r.json()["rows"]) == 2
