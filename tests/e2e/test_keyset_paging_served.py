"""Keyset paging through a real `kg serve` (its query worker processes keep each query's sorted keys
per store version): the pages are the whole answer, and after a write the first page sees it and
an older cursor still continues, after its last row, in the new graph."""

from __future__ import annotations

import httpx

from support.servers import running_server

TOKEN = "s3cret-token-for-tests"
NEW = "https://w3id.org/homs-kg/actor/aaa-test-militia"
HK = "https://w3id.org/homs-kg/ontology#"


def pages(url: str, start: str) -> list[dict]:
    rows, nxt = [], start
    while nxt:
        r = httpx.get(nxt, timeout=60)
        assert r.status_code == 200, r.text
        rows += r.json()["rows"]
        nxt = r.json()["next"]
        assert (r.headers.get("link") is None) == (nxt is None)
    return rows


def test_pages_through_the_workers_and_across_a_write(tmp_path):
    with running_server(tmp_path, "--write-token", TOKEN, store=str(tmp_path / "kg-store")) as url:
        everything = httpx.get(f"{url}/api/actors", params={"limit": 10000}, timeout=60).json()["rows"]
        assert len(everything) > 20
        assert pages(url, f"{url}/api/actors?limit=7") == everything
        first = httpx.get(f"{url}/api/actors", params={"limit": 7}, timeout=60).json()
        body = (f"<{NEW}> a <{HK}ArmedGroup> , <{HK}Actor> ; "
                f"<http://www.w3.org/2000/01/rdf-schema#label> \"A first militia\"@en .\n").encode()
        r = httpx.put(f"{url}/graph-store", params={"graph": "https://example.org/test-actors"}, content=body,
                      headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
        assert r.status_code == 201, r.text
        after = httpx.get(f"{url}/api/actors", params={"limit": 7}, timeout=60).json()
        assert after["rows"][0]["actor"] == NEW  # new keys for the new version
        rest = pages(url, first["next"])  # a cursor made before the write
        assert rest == everything[7:]  # after its last row, in the new graph (the new actor sorts before it)
