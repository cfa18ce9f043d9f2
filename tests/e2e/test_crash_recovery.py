"""Crash recovery, proven (issue 15, item 8): `kg load` killed at any step, then run again, leaves a
store equal, quad for quad and every graph (inferred ones included), to a clean build; and a
write-enabled server killed with SIGKILL leaves no checkpoint folder behind once it starts again.

The scenario is the one that used to go wrong: a store holds every seed article; the shared
entities change (Old Homs moved out of the city of Homs, which changes what is inferred for
articles that mention it) and ONE article is loaded with them. That load rewrites the entities and
must then derive the other articles' inferred graphs again. `KG_LOAD_KILL_AT=N` makes the loader
SIGKILL itself at its Nth step (kg.loading.load.crash_point); the test tries N = 1, 2, … until a
load runs through, and after each kill runs the same load again and compares with a clean build."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, Store

from kg.loading.load import load
from kg.namespaces import Iris
from kg.paths import SEEDS
from kg.storage.opening import open_store
from support.servers import free_port, kg_command

ARTICLE = "002_36c9516b5ee8d58f.yaml"
MOVED = ("partOf: homs, coordinates: [34.7297, 36.7197]", "partOf: homs-governorate, coordinates: [34.7297, 36.7197]")


def kg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*kg_command(), *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def dataset(path: Path) -> set:
    """The store's quads, blank nodes canonicalised (the ontology's), as a set."""
    store = Store.read_only(str(path))
    data = Dataset(store.quads_for_pattern(None, None, None, None))
    data.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in data}


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> tuple[Path, Path]:
    """The seeds (v1), and the seeds with changed shared entities (v2)."""
    root = tmp_path_factory.mktemp("corpora")
    v1, v2 = root / "v1", root / "v2"
    shutil.copytree(SEEDS, v1)
    shutil.copytree(SEEDS, v2)
    entities = (v2 / "entities.yaml").read_text(encoding="utf-8")
    assert entities.count(MOVED[0]) == 1
    (v2 / "entities.yaml").write_text(entities.replace(*MOVED), encoding="utf-8")
    return v1, v2


@pytest.fixture(scope="module")
def built(corpora, tmp_path_factory) -> tuple[Path, set]:
    """A store of v1 (to copy before each run), and the quads of a clean build of v2."""
    v1, v2 = corpora
    root = tmp_path_factory.mktemp("built")
    assert kg("load", "--store", str(root / "v1"), str(v1)).returncode == 0
    assert kg("load", "--store", str(root / "clean"), str(v2)).returncode == 0
    clean = dataset(root / "clean")
    assert clean != dataset(root / "v1")  # the change shows in the graph
    return root / "v1", clean


def test_every_kill_point_of_a_load_is_repaired_by_the_next_load(corpora, built, tmp_path):
    _, v2 = corpora
    v1_store, clean = built
    stale = []
    for n in range(1, 40):
        store = tmp_path / f"store-{n}"
        shutil.copytree(v1_store, store)
        run = kg("load", "--store", str(store), str(v2 / ARTICLE), env={"KG_LOAD_KILL_AT": str(n)})
        if run.returncode == 0:  # the load ran through: no step N
            assert dataset(store) == clean
            break
        assert run.returncode == -signal.SIGKILL, run.stderr
        again = open_store(store)  # the same load again (in this process: a kg process costs seconds to start)
        load(again, [v2 / ARTICLE], Iris())
        again.flush()
        del again
        if dataset(store) != clean:
            stale.append(n)
        shutil.rmtree(store)
    else:
        pytest.fail("the load never ran through")
    assert n > 5, f"only {n - 1} kill points: the load's steps are not all reached"
    assert stale == [], f"after a kill at steps {stale} and the same load again, the store differs from a clean build"


def test_a_killed_write_server_leaves_no_checkpoint_folder_after_it_starts_again(tmp_path):
    store = tmp_path / "kg-store"
    port = free_port()
    command = [*kg_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store),
               "--write-token", "s3cret", "--log-level", "warning"]

    def start() -> subprocess.Popen:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, "kg serve exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return proc
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        proc.kill()
        pytest.fail("kg serve did not start")

    first = start()
    views = list(tmp_path.glob(".kg-views-*"))
    assert views, "a write-enabled server keeps its workers' checkpoints beside the store"
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert all(v.exists() for v in views)  # SIGKILL leaves them
    second = start()
    try:
        assert not any(v.exists() for v in views), "the checkpoints of the killed server are still there"
        assert len(list(tmp_path.glob(".kg-views-*"))) == 1  # its own
    finally:
        second.terminate()
        second.wait(30)
    assert not list(tmp_path.glob(".kg-views-*"))
