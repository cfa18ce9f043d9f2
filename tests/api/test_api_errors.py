"""One error shape across the whole API, built by one helper (api.errors.error_body), pinned here."""

from __future__ import annotations

import pytest

from api.errors import error_body
from support.api import PROBLEM

REQUIRED = {"type", "title", "status", "detail"}
OPTIONAL = {"candidates", "errors"}


def test_the_error_shape():
    assert error_body(404, "no such thing") == {"type": "about:blank", "title": "Not Found", "status": 404,
                                                "detail": "no such thing"}
    assert error_body(404, "x", candidates=[{"iri": "i", "label": "l"}])["candidates"] == [{"iri": "i", "label": "l"}]
    assert "candidates" not in error_body(404, "x", candidates=[])
    with pytest.raises(TypeError):
        error_body(400, "x", hint="not a field of the shape")


# one request per way of failing, from every router
FAILURES = [
    ("GET", "/nowhere/at-all", {}, None, 404),
    ("GET", "/place/atlantis", {}, None, 404),
    ("GET", "/api/no_such_query", {}, None, 404),
    ("GET", "/api/ceasefires?place=Atlantis", {}, None, 404),
    ("GET", "/api/events_in_place?from=yesterday", {}, None, 422),
    ("GET", "/api/ceasefires?limit=0", {}, None, 422),
    ("GET", "/api/casualties_of_event?event=not%20an%20iri", {}, None, 422),
    ("GET", "/api/ceasefires", {"accept": "image/png"}, None, 406),
    ("GET", "/sparql?query=SELECT%20*%20WHERE%20%7B", {}, None, 400),
    ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", {}, None, 400),
    ("GET", "/sparql?update=CLEAR%20ALL", {}, None, 403),
    ("POST", "/sparql", {"content-type": "text/plain"}, b"ASK {}", 415),
    ("PUT", "/sparql?query=ASK%7B%7D", {}, None, 405),
    ("GET", "/sparql?query=ASK%7B%7D", {"accept": "image/png"}, None, 406),
    ("GET", "/export/dataset.zip", {}, None, 404),
    ("GET", "/export/graph/no-such-article.ttl", {}, None, 404),
    ("GET", "/graph/no-such-graph", {}, None, 404),
]


@pytest.mark.parametrize("method,url,headers,body,status", FAILURES, ids=[f"{f[4]}-{f[1][:40]}" for f in FAILURES])
def test_every_error_has_the_one_shape(client, method, url, headers, body, status):
    r = client.request(method, url, headers=headers, content=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    error = r.json()
    assert REQUIRED <= set(error) <= REQUIRED | OPTIONAL
    assert error["status"] == status and error["type"] == "about:blank"
    assert isinstance(error["detail"], str) and error["detail"]


def test_a_browser_gets_the_error_as_a_page(client):
    r = client.get("/api/ceasefires?place=Atlantis", headers={"accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "unknown place" in r.text and "Not Found" in r.text


def test_method_not_allowed_says_what_is(client):
    r = client.put("/sparql?query=ASK%7B%7D")
    assert r.status_code == 405 and "GET" in r.headers["allow"] and "POST" in r.headers["allow"]


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_errors_leave_no_query_result_to_another_thread(client):
    """pyoxigraph's results must be dropped on the thread that made them: an error raised while one
    is alive (here inside kg.querying.catalogue, resolving a name) must not carry it to the event loop."""
    import gc

    for _ in range(3):
        assert client.get("/api/ceasefires", params={"place": "Atlantis"}).status_code == 404
        assert client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 1"},
                          headers={"accept": "image/png"}).status_code == 406
    gc.collect()
