"""Issue 15, item 10 and a low item, in process: exports are streamed (no Content-Length: the body
is never built whole), in the same bytes as before; a graph name outside Latin-1 gets a download
with an RFC 6266 file name, not a plain-text 500."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from kg.storage import streaming


def test_the_dataset_export_is_streamed_in_chunks(client, api_store, monkeypatch):
    graph = NamedNode("https://w3id.org/homs-kg/graph/bulk")
    for i in range(20_000):
        api_store.add(Quad(NamedNode(f"urn:s{i}"), NamedNode("urn:p"), Literal("x" * 40), graph))
    chunks = []
    original = streaming._chunks

    def counted(*args):
        for chunk in original(*args):
            chunks.append(len(chunk))
            yield chunk
    monkeypatch.setattr(streaming, "_chunks", counted)
    with client.stream("GET", "/export/dataset.nq") as r:
        assert r.status_code == 200
        assert "content-length" not in r.headers
        body = r.read()
    assert len(chunks) > 10 and max(chunks) < 1 << 20
    assert len(list(parse(body, format=RdfFormat.N_QUADS))) == len(api_store)


def test_a_graph_name_outside_latin1_is_downloaded(client, api_store):
    graph = NamedNode("https://w3id.org/homs-kg/graph/حمص")
    api_store.add(Quad(NamedNode("urn:s"), NamedNode("urn:p"), Literal("o"), graph))
    r = client.get("/export/graph/حمص.ttl")
    assert r.status_code == 200, r.text
    assert "filename*=UTF-8''homs-kg-%D8%AD%D9%85%D8%B5.ttl" in r.headers["content-disposition"]
    assert "<urn:s>" in r.text
