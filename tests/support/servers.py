"""Starting `kg serve` and `oxigraph serve` as real processes for the end-to-end tests
(test_e2e_*.py, test_remote_store.py; no test here)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from bench.processes import free_port, kg_command, oxigraph_command, running

__all__ = ["free_port", "kg_command", "oxigraph_command", "running_server", "running_oxigraph"]


@contextlib.contextmanager
def running_server(tmp: Path, *args: str, store: str | None = None):
    """`kg serve` on a free loopback port with a new store in `tmp` (or `store`: e.g. a remote
    store's URL); yields its URL, ends it after. "{url}" in `args` is replaced by the server's URL
    (for --base). Its output goes to tmp/serve.log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([*kg_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                  "--store", store or str(tmp / "kg-store"), "--log-level", "warning",
                  *(a.replace("{url}", url) for a in args)], f"{url}/sparql", tmp / "serve.log"):
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
