"""A well-behaved client in a process of its own, timing its requests while a test attacks the server
(tests/e2e/test_hardening_server.py).

Why a process of its own: timed from the pytest process, a request's latency includes that process's
own pauses. After a few hundred tests its heap holds about a million objects, and a full collection
of the cyclic garbage collector, which may start at any allocation, stops every thread of it: in a
full run (382 tests to test_hardening_server.py, 24 min, load ~7 on 2 cores) the pytest process
paused 119 times for over 50 ms (118 s in all), 38 times for over 1 s, at most 5.8 s (three
times 2-3.4 s in the next test of the same module); the servers' event loops,
sampled every 10 ms, lagged over 0.1 s six times in all (at most 0.67 s, building routes at a
start-up; twice 0.3 s, a server's own collector during exports and loads), never while this test
ran (issue 15: one answer of ~860 "waited" 1.32 s in a full run). A fresh process holds only what one
HTTP client needs, so what it measures is the server.

    with light_client(f"{url}/api/ceasefires", {"place": "homs"}) as client:
        ...                       # the attack; the client sends one request after another meanwhile
    client.latencies, client.bodies, client.statuses

Run as a script by `light_client()`: `python light_client.py URL PARAMS_JSON`; it sends GETs one after
another from its first answer ("ready" on stdout) until a line arrives on stdin, then prints one JSON
line: every request's latency, the status counts and the distinct answer bodies."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from dataclasses import dataclass, field


@dataclass
class Measured:
    latencies: list[float] = field(default_factory=list)  # seconds, one per request, in order
    statuses: dict[int, int] = field(default_factory=dict)  # status -> how many
    bodies: list[str] = field(default_factory=list)  # the distinct answer bodies


@contextlib.contextmanager
def light_client(url: str, params: dict | None = None, timeout: float = 60):
    """Yield a Measured filled when the block ends (requests sent throughout the block)."""
    proc = subprocess.Popen([sys.executable, __file__, url, json.dumps(params or {})], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    measured = Measured()
    try:
        ready = proc.stdout.readline()
        if ready.strip() != "ready":
            raise RuntimeError(f"the light client did not start: {ready!r}{proc.stdout.read()}")
        yield measured
        proc.stdin.write("stop\n")
        proc.stdin.flush()
        out, _ = proc.communicate(timeout=timeout)
        result = json.loads(out)
        measured.latencies[:] = result["latencies"]
        measured.statuses.update({int(k): v for k, v in result["statuses"].items()})
        measured.bodies[:] = result["bodies"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _main(url: str, params: dict) -> None:
    import threading
    import time

    import httpx

    stop = threading.Event()
    latencies, statuses, bodies = [], {}, {}
    with httpx.Client(timeout=30) as client:
        def get() -> None:
            start = time.monotonic()
            r = client.get(url, params=params)
            latencies.append(time.monotonic() - start)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            bodies.setdefault(r.text, None)

        get()
        latencies.clear()  # the first (uncached) answer is not timed
        threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
        print("ready", flush=True)
        while not stop.is_set():
            get()
    print(json.dumps({"latencies": latencies, "statuses": statuses, "bodies": list(bodies)}), flush=True)


if __name__ == "__main__":
    _main(sys.argv[1], json.loads(sys.argv[2]))
