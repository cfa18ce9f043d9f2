"""Issue 15, items 2 and 3 and the low ones, in process: HTML results under a byte cap like every
other format; only http(s) IRIs rendered as links; a strict Content-Security-Policy on every
response; headers bounded, and the answer cache's keys too."""

from __future__ import annotations

from pyoxigraph import NamedNode, Quad

from api.middleware.cache import front_key


def doubled(times: int) -> str:
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(times))
    return f'VALUES ?s0 {{ "0123456789" }} {binds}'


def test_an_html_page_is_capped_in_bytes_like_other_formats(client):
    query = f"SELECT ?s17 WHERE {{ VALUES ?i {{ {' '.join(map(str, range(20)))} }} {doubled(17)} }}"  # 20 × 1.3 MB
    r = client.get("/sparql", params={"query": query}, headers={"accept": "text/html"})
    assert r.status_code == 200
    assert len(r.content) < 3 << 20, len(r.content)
    assert "rows are shown" in r.text
    construct = f"CONSTRUCT {{ ?i <urn:p> ?s17 }} WHERE {{ VALUES ?i {{ {' '.join(f'<urn:{i}>' for i in range(20))} }} " \
                f"{doubled(17)} }}"
    r = client.get("/sparql", params={"query": construct}, headers={"accept": "text/html"})
    assert r.status_code == 200 and len(r.content) < 3 << 20, len(r.content)


def test_only_http_iris_are_links(client, api_store):
    query = "SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <data:text/html,hi> <https://example.org/ok> } }"
    page = client.get("/sparql", params={"query": query}, headers={"accept": "text/html"}).text
    assert 'href="javascript:' not in page and 'href="data:' not in page
    assert "javascript:alert(1)" in page  # shown, as text
    assert 'href="https://example.org/ok"' in page
    api_store.add(Quad(NamedNode("https://w3id.org/homs-kg/place/homs"), NamedNode("urn:x:see"),
                       NamedNode("javascript:alert(2)"), NamedNode("https://w3id.org/homs-kg/graph/test")))
    page = client.get("/place/homs", headers={"accept": "text/html"}).text
    assert 'href="javascript:' not in page


def test_every_response_has_a_strict_csp(client):
    for path, accept in (("/", "text/html"), ("/sparql", "text/html"), ("/nowhere", "text/html"),
                         ("/sparql?query=ASK{}", "application/sparql-results+json"), ("/docs", "text/html")):
        r = client.get(path, headers={"accept": accept})
        csp = r.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "object-src 'none'" in csp, (path, csp)
        assert "unsafe-eval" not in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert r.headers.get("x-content-type-options") == "nosniff"


def test_huge_or_numerous_headers_are_refused_in_the_problem_shape(client):
    for headers in ({"accept": "text/csv," + "x" * 100_000}, {f"x-h{i}": "1" for i in range(150)}):
        r = client.get("/sparql", params={"query": "ASK {}"}, headers=headers)
        assert r.status_code == 431 and r.headers["content-type"] == "application/problem+json"


def test_the_answer_cache_keys_on_bounded_values():
    scope = {"path": "/api/x", "query_string": b"q=" + b"1" * 30_000, "scheme": "http", "server": ("h", 1),
             "headers": [(b"accept", b"text/csv," + b"x" * 4_000_000), (b"host", b"h" * 10_000)]}
    key = front_key(scope)
    assert sum(len(part) for part in key if isinstance(part, bytes | str)) < 1024

