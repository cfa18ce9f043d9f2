"""Issue 15, item 11: the pipe between the server and its query workers loses nothing. A randomised
stress test against a real `kg serve` with several workers: queries from bytes to megabytes (a long
comment and many VALUES), every result media type, GET / form / direct POST, many connections at
once; every answer must be a 200 with exactly the rows asked for.

What it found: uvloop's add_reader sets O_NONBLOCK on the worker's socket, shared with the blocking
multiprocessing Connection the job was sent with, so a job larger than the socket buffer failed
with BlockingIOError: "the query worker stopped", the worker alive (kg/executor/pool.py `_Reader`).

KG_STRESS_REQUESTS (default 48) and KG_STRESS_MAX (default 600000 bytes) scale it up by hand."""

from __future__ import annotations

import json
import math
import os
import random
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from kg import formats
from kg.formats import RESULT_MEDIA
from support.servers import running_server

pytestmark = pytest.mark.server

REQUESTS = int(os.environ.get("KG_STRESS_REQUESTS", "48"))
MAX_SIZE = int(os.environ.get("KG_STRESS_MAX", "600000"))
SELECT_MEDIA = [*RESULT_MEDIA, "text/html"]
GRAPH_MEDIA = list(formats.GRAPH_MEDIA)


def make_request(rng: random.Random) -> dict:
    """One random protocol request: its query, how it is sent, what it accepts, and the rows due."""
    size = int(10 ** rng.uniform(1, math.log10(MAX_SIZE)))
    rows = rng.choice([0, 1, 7, 300, 3000])
    construct = rng.random() < 0.3
    values = " ".join(f'"{i}"' for i in range(rows))
    body = (f"CONSTRUCT {{ <urn:s> <urn:p> ?v }} WHERE {{ VALUES ?v {{ {values} }} }}" if construct
            else f"SELECT ?v WHERE {{ VALUES ?v {{ {values} }} }}")
    query = "# " + "x" * max(0, size - len(body)) + "\n" + body
    method = "GET" if len(query) < 20_000 and rng.random() < 0.4 else rng.choice(["form", "direct"])
    accept = rng.choice(GRAPH_MEDIA if construct else SELECT_MEDIA)
    return {"query": query, "method": method, "accept": accept, "rows": rows}


def count(accept: str, text: str) -> int | None:
    """The rows (or triples) in an answer, for the formats where counting is plain."""
    if accept.endswith("+json"):
        return len(json.loads(text)["results"]["bindings"])
    if accept in ("text/csv", "text/tab-separated-values"):
        return len(text.strip("\r\n").splitlines()) - 1
    if accept in ("application/n-triples", "application/n-quads"):
        return len([line for line in text.splitlines() if line.strip()])
    if accept.endswith("+xml") and "sparql-results" in accept:
        return text.count("<result>")
    return None


def send(url: str, request: dict) -> tuple[int, str]:
    headers = {"accept": request["accept"]}
    with httpx.Client(timeout=120) as client:
        if request["method"] == "GET":
            r = client.get(f"{url}/sparql", params={"query": request["query"]}, headers=headers)
        elif request["method"] == "form":
            r = client.post(f"{url}/sparql", data={"query": request["query"]}, headers=headers)
        else:
            r = client.post(f"{url}/sparql", content=request["query"].encode(),
                            headers={**headers, "content-type": "application/sparql-query"})
    return r.status_code, r.text


def test_random_requests_of_every_size_shape_and_format_all_come_back_whole(tmp_path):
    rng = random.Random(15)
    requests = [make_request(rng) for _ in range(REQUESTS)]
    requests += [{**make_request(rng), "query": "# " + "c" * 200_000 + "\nSELECT ?v WHERE { VALUES ?v { "
                  + " ".join(map(str, range(3000))) + " } }", "method": "direct",
                  "accept": "application/sparql-results+json", "rows": 3000}]  # the issue's own request
    with running_server(tmp_path, "--query-workers", "3", "--query-timeout", "60") as url:
        for r in requests[:6]:  # a handful of ordinary requests first: every worker gets its reader
            r_small = {**r, "query": "SELECT ?v WHERE { VALUES ?v { 1 } }", "method": "form", "rows": 1,
                       "accept": "text/csv"}
            assert send(url, r_small)[0] == 200
        with ThreadPoolExecutor(8) as threads:
            answers = list(threads.map(lambda r: send(url, r), requests))
    failures = []
    for request, (status, text) in zip(requests, answers):
        got = count(request["accept"], text) if status == 200 else None
        if status != 200 or (got is not None and got != request["rows"]):
            failures.append((len(request["query"]), request["method"], request["accept"], status, got,
                             request["rows"], text[:200]))
    assert not failures, failures
