"""Starting `kg serve` as a real process for the end-to-end tests (test_e2e_*.py; no test here)."""

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
def running_server(tmp: Path, *args: str):
    """`kg serve` on a free loopback port with a new store in `tmp`; yields its URL, ends it after.
    "{url}" in `args` is replaced by the server's URL (for --base). Its output goes to tmp/serve.log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(tmp / "serve.log", "wb")
    proc = subprocess.Popen([*kg_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--store", str(tmp / "kg-store"), "--log-level", "warning",
                             *(a.replace("{url}", url) for a in args)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"kg serve exited with {proc.returncode}:\n{(tmp / 'serve.log').read_text()}")
            try:
                if httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"kg serve not ready in {READY_TIMEOUT}s:\n{(tmp / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()
