"""Server processes for the benchmarks and the end-to-end tests: a free loopback port, a command of
this environment (`kg`, `oxigraph`), and a process run until its SPARQL endpoint answers, then
ended and waited for. One copy, used by bench/*.py and tests/support/servers.py."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

READY_TIMEOUT = 120  # seconds: `kg serve` may load the seeds into a new on-disk store first


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kg_command() -> list[str]:
    """The `kg` console script beside this Python, else the CLI through this Python."""
    script = Path(sys.executable).with_name("kg")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from api.cli import main; main()"]


def oxigraph_command() -> list[str]:
    """The `oxigraph` CLI (PyPI's `oxigraph` package: the Rust server) beside this Python, else on PATH."""
    script = Path(sys.executable).with_name("oxigraph")
    found = str(script) if script.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph CLI is not installed (pip install -e '.[test]')")
    return [found]


@contextlib.contextmanager
def running(command: list[str], probe: str, log_path: Path | None = None, *, timeout: float = READY_TIMEOUT,
            env: dict | None = None, cwd: Path | None = None):
    """Run `command` until the SPARQL endpoint `probe` answers `ASK {}`; yield the process; end it
    (terminate, then kill) and wait for it after. Output goes to `log_path` (quoted in errors)."""
    name = Path(command[0]).name
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
                            env={**os.environ, **env} if env else None)

    def output() -> str:
        return log_path.read_text(errors="replace") if log_path else ""

    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{output()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(probe, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready in {timeout:g} s:\n{output()}")
            time.sleep(0.1)
        yield proc
    finally:
        stop(proc)
        if log_path:
            log.close()


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)
