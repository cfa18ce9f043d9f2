"""Starting `kg serve`, `oxigraph serve` and Virtuoso as real processes for the end-to-end tests
(test_e2e_*.py, test_remote_store.py; no test here)."""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bench.processes import free_port, kg_command, oxigraph_command, running
from bench.virtuoso import MAX_UPDATE_BYTES, running_virtuoso

__all__ = ["free_port", "kg_command", "oxigraph_command", "running_server", "running_oxigraph", "SparqlServer",
           "running_sparql_server", "SPARQL_SERVERS", "VIRTUOSO_MISSING", "virtuoso_skip", "needs_wrk", "needs_oxigraph"]

# The remote stores the remote-store suites run against, each test on each. Virtuoso is part of the
# default run, as the Oxigraph server is: the tests start private instances (bench/virtuoso.py).
VIRTUOSO_MISSING = None if (shutil.which("virtuoso-t") and shutil.which("isql-vt")) else \
    "Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run installs it): its runs are skipped"


def virtuoso_skip() -> pytest.MarkDecorator:
    """Skip when virtuoso-t is missing, outside CI only: under CI ($CI set) the tests run and fail."""
    return pytest.mark.skipif(bool(VIRTUOSO_MISSING) and not os.environ.get("CI"), reason=VIRTUOSO_MISSING or "")


SPARQL_SERVERS = ["oxigraph", pytest.param("virtuoso", marks=virtuoso_skip())]


def _oxigraph_missing() -> bool:
    try:
        oxigraph_command()
    except RuntimeError:
        return True
    return False


# the HTTP benchmarks' smoke tests: wrk (Debian's) drives them, against the oxigraph CLI (PyPI's)
needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
needs_oxigraph = pytest.mark.skipif(_oxigraph_missing(),
                                    reason="the oxigraph server is not installed (pip install -e '.[test]')")


@contextlib.contextmanager
def running_server(tmp: Path, *args: str, store: str | None = None, env: dict | None = None):
    """`kg serve` on a free loopback port with a new store in `tmp` (or `store`: e.g. a remote
    store's URL); yields its URL, ends it after. "{url}" in `args` is replaced by the server's URL
    (for --base). `env`: more environment (a remote store's endpoints and credentials). Its output
    goes to tmp/serve.log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([*kg_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                  "--store", store or str(tmp / "kg-store"), "--log-level", "warning",
                  *(a.replace("{url}", url) for a in args)], f"{url}/sparql", tmp / "serve.log", env=env):
        yield url


@contextlib.contextmanager
def running_oxigraph(tmp: Path, *args: str, union: bool = True):
    """`oxigraph serve` on a free loopback port with a new store in `tmp`/oxigraph, its default graph
    the union of its named graphs (unless `union` is False); yields its query endpoint's URL
    (…/query; …/update and …/store beside it), ends it after. Output: tmp/oxigraph.log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    location = tmp / "oxigraph"
    location.mkdir(exist_ok=True)
    with running([*oxigraph_command(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                  *(["--union-default-graph"] if union else []), *args], f"{url}/query", tmp / "oxigraph.log"):
        yield f"{url}/query"


@dataclass
class SparqlServer:
    """A running SPARQL server holding a remote store: its endpoints, the credentials its writes
    take (`auth`), and the environment a `kg` command needs to reach it (`env`, with --store URL)."""

    kind: str
    query_url: str
    update_url: str
    graph_store_url: str
    auth: httpx.Auth | None = None
    env: dict = field(default_factory=dict)
    max_update_bytes: int | None = None

    def open(self, **options):
        """A RemoteStore on it, checked as kg.store.open_store checks one."""
        from kg.storage.remote import RemoteStore

        store = RemoteStore(self.query_url, self.update_url, self.graph_store_url, auth=self.auth,
                            max_update_bytes=self.max_update_bytes, **options)
        store.check_union()
        return store


@contextlib.contextmanager
def running_sparql_server(kind: str, tmp: Path, timeout_s: int = 20):
    """A new, empty `oxigraph serve --union-default-graph` or private Virtuoso (bench/virtuoso.py),
    its own time limit `timeout_s`; yields a SparqlServer."""
    if kind == "oxigraph":
        with running_oxigraph(tmp, "--timeout-s", str(timeout_s)) as url:
            base = url.removesuffix("/query")
            yield SparqlServer(kind, url, f"{base}/update", f"{base}/store")
    elif kind == "virtuoso":
        with running_virtuoso(tmp, timeout_s=timeout_s) as v:
            yield SparqlServer(kind, v.query_url, v.update_url, v.graph_store_url,
                               httpx.DigestAuth("kg", v.password), v.env(), MAX_UPDATE_BYTES)
    else:
        raise ValueError(f"no such SPARQL server: {kind}")
