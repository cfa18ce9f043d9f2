"""Issue 15's read-side attacks, measured (bench/HARDENING.md, "Second round"): the light-query
latency of a well-behaved client, idle and during each attack, and the server's peak memory under
header bombs. Loopback only; every loop is bounded; the server is ended after.

    python -m bench.hardening_net [--seconds 10] [--slow 20000]

Attackers come from other loopback addresses (127.0.0.2…) than the well-behaved client (127.0.0.1),
as separate clients would. The server: `kg serve` over the seeds, 3 query workers, limit 5 s."""

from __future__ import annotations

import argparse
import resource
import socket
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

from bench.processes import free_port, kg_command, running

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(map(str, range(10)))} }}" for i in range(10)) + " }"


def light_loop(url: str, seconds: float) -> tuple[list[float], int]:
    """Light uncached queries back to back for `seconds`: latencies (ms) and failures."""
    times, failures, i = [], 0, 0
    deadline = time.monotonic() + seconds
    with httpx.Client(timeout=30) as client:
        while time.monotonic() < deadline:
            i += 1
            started = time.monotonic()
            try:
                r = client.get(f"{url}/sparql", params={"query": f"SELECT ?l WHERE {{ <place/homs> rdfs:label ?l }} "
                                                                 f"LIMIT {i}"}, headers={"accept": "text/csv"})
                failures += r.status_code != 200
            except httpx.HTTPError:
                failures += 1
            times.append((time.monotonic() - started) * 1000)
    return times, failures


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def client_from(address: str, timeout: float = 60) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def runaway_attack(url: str, stop: threading.Event, n: int = 64):
    """n runaway queries at once from one client, each sent again when its answer comes."""
    statuses = []

    def one(_):
        with client_from("127.0.0.2") as c:
            while not stop.is_set():
                try:
                    statuses.append(c.post(f"{url}/sparql", data={"query": RUNAWAY}).status_code)
                except httpx.HTTPError:
                    statuses.append(0)
    pool = ThreadPoolExecutor(n)
    for i in range(n):
        pool.submit(one, i)
    return pool, statuses


def slow_attack(url: str, stop: threading.Event, count: int):
    """Up to `count` half-sent requests from 127.0.0.3, re-opened as the server closes them."""
    host, port = url.removeprefix("http://").split(":")
    opened = {"total": 0, "peak_open": 0}

    def run():
        socks = []
        while not stop.is_set() and opened["total"] < count * 4:
            while len(socks) < count and not stop.is_set():
                try:
                    s = socket.socket()
                    s.setblocking(True)
                    s.bind(("127.0.0.3", 0))
                    s.settimeout(1)
                    s.connect((host, int(port)))
                    s.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-a: ")
                    socks.append(s)
                    opened["total"] += 1
                except OSError:
                    break
            opened["peak_open"] = max(opened["peak_open"], len(socks))
            time.sleep(0.5)
            alive = []
            for s in socks:  # drop the ones the server closed
                try:
                    s.setblocking(False)
                    if s.recv(1, socket.MSG_PEEK) == b"":
                        s.close()
                        continue
                    s.close()  # it answered (503/408): closed
                except BlockingIOError:
                    alive.append(s)
                except OSError:
                    s.close()
            socks = alive
        for s in socks:
            s.close()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, opened


def form_attack(url: str, stop: threading.Event):
    """Two clients sending 8 MB forms (just under the body limit) back to back."""
    body = "query=" + "%23" + "x" * (8 * 1024 * 1024 - 64) + "%0AASK%7B%7D"
    counts = []

    def one(address):
        with client_from(address) as c:
            while not stop.is_set():
                try:
                    counts.append(c.post(f"{url}/sparql", content=body.encode(), headers={
                        "content-type": "application/x-www-form-urlencoded"}).status_code)
                except httpx.HTTPError:
                    counts.append(0)
    threads = [threading.Thread(target=one, args=(a,), daemon=True) for a in ("127.0.0.4", "127.0.0.5")]
    for t in threads:
        t.start()
    return threads, counts


def header_bombs(url: str, proc: psutil.Process, n: int = 100) -> tuple[float, float, list[int]]:
    """n requests with a 4 MB Accept header, 10 at a time: (RSS before, peak RSS during, statuses)."""
    before = proc.memory_info().rss / 2**20
    peak, statuses, done = before, [], threading.Event()

    def watch():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, proc.memory_info().rss / 2**20)
            time.sleep(0.02)
    threading.Thread(target=watch, daemon=True).start()

    def one(i):
        with client_from("127.0.0.6") as c:
            try:
                return c.get(f"{url}/sparql", params={"query": "ASK {}"},
                             headers={"accept": f"text/csv;q={i % 9 / 10}," + "x" * (4 << 20)}).status_code
            except httpx.HTTPError:
                return 0
    with ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(one, range(n)))
    done.set()
    return before, peak, statuses


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--slow", type=int, default=20000)
    args = parser.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    slow = min(args.slow, hard - 512)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        cmd = [*kg_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(Path(tmp) / "s"),
               "--query-workers", "3", "--query-timeout", "5", "--log-level", "warning"]
        with running(cmd, f"{url}/sparql", Path(tmp) / "serve.log") as proc:
            server = psutil.Process(proc.pid)
            light_loop(url, 2)  # warm-up
            idle, idle_fail = light_loop(url, args.seconds)
            print(f"idle: p50 {pct(idle, 50):.1f} ms, p99 {pct(idle, 99):.1f} ms, {len(idle)} requests, "
                  f"{idle_fail} failures", flush=True)
            for name, start in (("64 runaway queries from one client", lambda s: runaway_attack(url, s)),
                                (f"{slow} slow connections", lambda s: slow_attack(url, s, slow)),
                                ("2 clients sending 8 MB forms", lambda s: form_attack(url, s))):
                stop = threading.Event()
                handle = start(stop)
                time.sleep(2)
                times, failures = light_loop(url, args.seconds)
                stop.set()
                extra = ""
                if isinstance(handle[1], dict):
                    extra = f"; attacker opened {handle[1]['total']}, at most {handle[1]['peak_open']} open at once"
                elif handle[1]:
                    codes = sorted(set(handle[1]))
                    extra = f"; attacker's answers: {', '.join(f'{c}×{handle[1].count(c)}' for c in codes)}"
                print(f"{name}: p50 {pct(times, 50):.1f} ms, p99 {pct(times, 99):.1f} ms "
                      f"(×{pct(times, 99) / pct(idle, 99):.2f} idle p99), {len(times)} requests, {failures} failures"
                      f"{extra}", flush=True)
                if hasattr(handle[0], "shutdown"):
                    handle[0].shutdown(wait=True, cancel_futures=True)
                time.sleep(6)  # the runaway queries end at the limit
            before, peak, statuses = header_bombs(url, server)
            print(f"100 header bombs (4 MB Accept): server RSS {before:.0f} MB before, peak {peak:.0f} MB; "
                  f"answers {', '.join(f'{c}×{statuses.count(c)}' for c in sorted(set(statuses)))}", flush=True)


if __name__ == "__main__":
    main()
