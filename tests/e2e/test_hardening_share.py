"""Issue 15, item 4, against a real `kg serve` with 3 workers: one client sending runaway queries in
parallel holds at most its share of the workers (all but one); another client's queries are
answered meanwhile; the runaway client's extra queries get 503 with Retry-After."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from support.servers import running_server

pytestmark = pytest.mark.server

LIMIT = 4.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(map(str, range(10)))} }}" for i in range(10)) + " }"


def test_one_client_cannot_hold_every_worker(tmp_path):
    with running_server(tmp_path, "--query-workers", "3", "--query-timeout", str(LIMIT)) as url:
        attacker = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=60)

        def runaway(_):
            r = attacker.post(f"{url}/sparql", data={"query": RUNAWAY}, headers={"accept": "text/csv"})
            return r.status_code, r.headers.get("retry-after")

        with ThreadPoolExecutor(6) as threads:
            attack = threads.map(runaway, range(6))
            time.sleep(1.0)  # the runaway queries hold what they may
            light = []
            with httpx.Client(timeout=60) as client:
                for i in range(6):
                    started = time.monotonic()
                    r = client.get(f"{url}/sparql", params={"query": f"SELECT ?l WHERE {{ <place/homs> rdfs:label ?l }} "
                                                                       f"LIMIT {i + 1}"},
                                   headers={"accept": "text/csv"})
                    light.append((r.status_code, time.monotonic() - started))
            attack = list(attack)
        attacker.close()
    assert all(status == 200 for status, _ in light), light
    assert max(t for _, t in light) < LIMIT / 2, light  # not queued behind the runaway queries
    assert all(status == 503 and retry for status, retry in attack), attack
