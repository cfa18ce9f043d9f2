"""Starting `kg serve` and `oxigraph serve` as real processes for the end-to-end tests
(test_e2e_*.py, test_remote_store.py; no test here)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

READY_TIMEOUT = 120  # seconds: loading the seeds into a new on-disk store takes a few


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kg_command() -> list[str]:
    script = Path(sys.executable).with_name("kg")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from kg.cli import main; main()"]


@contextlib.contextmanager
def running_server(tmp: Path, *args: str, store: str | None = None):
    """`kg serve` on a free loopback port with a new store in `tmp` (or `store`: e.g. a remote
    store's URL); yields its URL, ends it after. "{url}" in `args` is replaced by the server's URL
    (for --base). Its output goes to tmp/serve.log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with _process(tmp / "serve.log", "kg serve",
                  [*kg_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--store", store or str(tmp / "kg-store"), "--log-level", "warning",
                   *(a.replace("{url}", url) for a in args)],
                  f"{url}/sparql"):
        yield url


def oxigraph_command() -> list[str]:
    """The `oxigraph` CLI (PyPI's `oxigraph` package: the Rust server) beside this Python."""
    script = Path(sys.executable).with_name("oxigraph")
    return [str(script) if script.exists() else "oxigraph"]


@contextlib.contextmanager
def running_oxigraph(tmp: Path, *args: str, union: bool = True):
    """`oxigraph serve` on a free loopback port with a new store in `tmp`/oxigraph, its default graph
    the union of its named graphs (unless `union` is False); yields its query endpoint's URL
    (…/query; …/update and …/store beside it), ends it after. Output: tmp/oxigraph.log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    location = tmp / "oxigraph"
    location.mkdir(exist_ok=True)
    with _process(tmp / "oxigraph.log", "oxigraph serve",
                  [*oxigraph_command(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                   *(["--union-default-graph"] if union else []), *args],
                  f"{url}/query"):
        yield f"{url}/query"


@contextlib.contextmanager
def _process(log_path: Path, name: str, command: list[str], probe: str):
    """Run `command` until the SPARQL endpoint `probe` answers ASK {}; end it (and wait) after."""
    log = open(log_path, "wb")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                if httpx.get(probe, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready in {READY_TIMEOUT}s:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()
