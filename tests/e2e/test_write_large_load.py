"""A large article over `POST /load` (issue 15, item 7): loaded in the write worker, under its memory
cap and time limit, while reads go on. The article is seed 002 with its text grown by a few
megabytes of body and its annotation by a few hundred places, each quoted in the new text: a
legitimate upload far past the seeds' size, which must load whole (not 413, not 503), be read by
every later query, and leave the rest of the store as it was."""

from __future__ import annotations

import threading

import httpx
import pytest

from kg.paths import SEEDS
from support.servers import running_server

pytestmark = pytest.mark.server

TOKEN = "large-load-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NAME = "002_36c9516b5ee8d58f"
PLACES = 150  # each one a place of the annotation, quoted in the text
FILLER = 3 << 20  # bytes of plain text added to the body
CAP = "1G"  # --write-memory
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
NEW_PLACES = ("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p rdfs:label ?l "
              "FILTER(STRSTARTS(STR(?l), 'checkpoint number ')) }")


def large_article() -> tuple[bytes, bytes]:
    """(annotation, text): seed 002 grown by PLACES quoted places and FILLER bytes of body text."""
    text = (SEEDS / f"{NAME}.txt").read_text(encoding="utf-8")
    annotation = (SEEDS / f"{NAME}.yaml").read_text(encoding="utf-8")
    end = text.index("to be honest.”")  # the body's last words (the annotation's body.end)
    paragraph = "The roads between the quarters were quiet for most of the day, residents said. "
    filler = "\n".join(paragraph * 10 for _ in range(FILLER // (len(paragraph) * 10)))
    sentences = "".join(f"Checkpoint number {k} stood near the river. " for k in range(PLACES))
    text = text[:end] + "\n" + filler + "\n" + sentences + "\n" + text[end:]
    places = "".join(f"  - id: big-checkpoint-{k}\n    type: Checkpoint\n    label: checkpoint number {k}\n"
                     f"    partOf: old-homs\n    quote: \"Checkpoint number {k} stood near the river.\"\n"
                     for k in range(PLACES))
    annotation = annotation.replace("\nplaces:\n", "\nplaces:\n" + places, 1)
    return annotation.encode(), text.encode()


def number(url: str, query: str) -> int:
    r = httpx.get(f"{url}/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"},
                  timeout=60)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_a_large_article_loads_in_the_write_worker_under_its_cap_while_reads_go_on(tmp_path):
    annotation, text = large_article()
    assert len(text) > FILLER
    with running_server(tmp_path, "--query-workers", "2", "--write-memory", CAP, "--write-timeout", "300",
                        "--max-body", "16M", env={"KG_WRITE_TOKEN": TOKEN}) as url:
        before = number(url, COUNT)
        assert number(url, NEW_PLACES) == 0
        out, reads = {}, []

        def upload():
            files = {"annotation": (f"{NAME}.yaml", annotation), "text": (f"{NAME}.txt", text)}
            out["r"] = httpx.post(f"{url}/load", files=files, headers=AUTH, timeout=300)

        sender = threading.Thread(target=upload)
        sender.start()
        with httpx.Client(timeout=60) as client:
            while sender.is_alive():  # reads are answered from the last committed state meanwhile
                r = client.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"},
                               headers={"Accept": "application/sparql-results+json"})
                reads.append(r.status_code)
        sender.join()
        r = out["r"]
        assert r.status_code == 200, r.text[:500]
        assert r.json()["articles"] == ["a002-syria-direct-fall-of-homs"]
        assert len(reads) >= 3 and set(reads) == {200}, reads
        assert number(url, NEW_PLACES) == PLACES  # every later query sees the whole article
        assert number(url, COUNT) > before
        r = httpx.get(f"{url}/sparql", params={"query": "ASK { ?a rdfs:label 'Homs Youth Council'@en }"})
        assert r.json()["boolean"] is True  # the article's own content is still there
