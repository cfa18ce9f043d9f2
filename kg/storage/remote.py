"""A SPARQL 1.1 server as the store: `RemoteStore` speaks the standard protocols (SPARQL 1.1 Query,
SPARQL 1.1 Update, and the Graph Store HTTP Protocol) and offers the part of `pyoxigraph.Store`
this project uses, returning pyoxigraph's own types, so the loader, the CLI and the service run
unchanged over Oxigraph server, Apache Jena Fuseki, Virtuoso… (docs/remote-store.md).

    store = RemoteStore("http://127.0.0.1:7878/query")          # update: …/update, GSP: …/store
    store.query("SELECT …", use_default_graph_as_union=True, substitutions={Variable("p"): place})

How each part of the Store interface maps onto the protocols:

- `query`: POST of the form `query=` (+ `default-graph-uri` / `named-graph-uri` for an explicit
  dataset), accepting the media types of the query's form (query_form). SELECT and ASK come back as
  SPARQL JSON results, parsed by `parse_query_results` into a
  real `QuerySolutions` / `QueryBoolean`. CONSTRUCT and DESCRIBE come back as N-Triples; pyoxigraph
  cannot make a `QueryTriples` from outside, so the triples go into a temporary in-memory Store and
  `CONSTRUCT WHERE { ?s ?p ?o }` over it gives a genuine `QueryTriples` (a CONSTRUCT answer is a
  set of triples, so nothing is lost; duplicates, which carry no meaning, collapse).
- `use_default_graph_as_union=True`: the server's default graph must be the union of its named
  graphs — a server setting everywhere (Oxigraph `--union-default-graph`, Fuseki
  `tdb2:unionDefaultGraph`, GraphDB by default, Virtuoso once its own graphs are private:
  docs/remote-store.md). The standard per-request alternative,
  listing every named graph in `default-graph-uri` AND `named-graph-uri`, costs a listing of the
  graphs plus a request body that grows with the corpus (≈130 kB per query at 1 k articles, 13 MB at
  100 k) and races with writers; so it is not used. `check_union()` refuses a server whose default
  graph is not the union (when it holds data, the only time it can tell).
- `prefixes=` / `base_iri=`: written as `BASE` / `PREFIX` declarations before the query, on its
  first line, so the server's error positions keep their line numbers.
- `substitutions=`: the protocol has no bindings; kg.querying.binding writes them as a VALUES block at the
  head of the query's outermost group, each term serialised by pyoxigraph (never request text).
- `update`: POST of the form `update=` to the update endpoint: one request, one transaction on
  Oxigraph and Fuseki (docs/remote-store.md for the others).
- `quads_for_pattern`, `named_graphs`, `contains_named_graph`, `__len__`: SPARQL queries over the
  named graphs (`GRAPH ?g`; a server that does not answer `GRAPH ?g {}`, Virtuoso, by their quads).
  A pattern with `DefaultGraph()` reads the server's own default graph
  with the Graph Store Protocol (`GET ?default`): over a union default graph a query cannot reach
  it. A blank node from an earlier answer names nothing on the server (a query cannot refer to a
  blank node), so a pattern with one matches nothing.
- `dump`: one graph by the Graph Store Protocol (`GET ?graph=`, as N-Triples), the dataset by a
  SPARQL SELECT of every quad streamed into pyoxigraph's serializer; written with our prefixes, as
  the embedded store writes them.
- The embedded-only parts: `bulk_load` (raises), `backup`, read-only worker processes.

Time limits: every request has a deadline (`timeout` for queries, `io_timeout` for updates and
dumps); a query past it raises kg.QueryTimeout, which the service answers 503 like an
embedded query stopped at its limit. The server may still be evaluating it: give the server its
own limit too (Oxigraph `--timeout-s`, Fuseki `arq:queryTimeout`, Virtuoso `MaxQueryExecutionTime`).
Errors: a query the server calls malformed (400) raises SyntaxError; an update it rejects raises
RuntimeError (as pyoxigraph does for an update that fails); an unreachable or failing server,
OSError. Credentials (the URL's user:password, or $KG_STORE_USER / $KG_STORE_PASSWORD) go in an
Authorization header and never into a message, a log line or `str(store)`."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Iterator
from typing import IO
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import httpx
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from kg.errors import QueryTimeout
from kg.formats import FORM, GRAPH_MEDIA, RESULT_MEDIA, RESULTS_JSON, RESULTS_XML, SPARQL_UPDATE
from kg.querying.binding import bind
from kg.storage.graphs import insert_data

# SELECT/ASK: JSON (or XML); CONSTRUCT/DESCRIBE: N-Triples (or Turtle). One Accept for both, since
# the form of a query is the server's to read: each server picks among the types of its result.
ACCEPT = f"{RESULTS_JSON}, {RESULTS_XML};q=0.9, application/n-triples;q=0.8, text/turtle;q=0.7"
# ... but a query whose form is plain from its first keyword asks for that form's types only: Virtuoso
# answers the first type of the Accept it can write, whatever the form (a CONSTRUCT as a result table,
# a SELECT as an RDF graph of its rows).
ACCEPT_BY_FORM = {"SELECT": f"{RESULTS_JSON}, {RESULTS_XML};q=0.9", "ASK": f"{RESULTS_JSON}, {RESULTS_XML};q=0.9",
                  "CONSTRUCT": "application/n-triples, text/turtle;q=0.9",
                  "DESCRIBE": "application/n-triples, text/turtle;q=0.9"}
MAX_ANSWER = 512 << 20  # bytes: a query's answer is read whole (the service caps rows after): at most this
_ALL_TRIPLES = "CONSTRUCT WHERE { ?s ?p ?o }"
_NO_SUCH_GRAPH = "urn:x-homs-kg:no-such-graph"


def is_url(location) -> bool:
    """True for an http(s) URL (a remote store), False for a folder (an embedded one)."""
    return isinstance(location, str) and location.lower().startswith(("http://", "https://"))


def redact(url: str) -> str:
    """The URL without its user:password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _sibling(url: str, name: str) -> str:
    """`…/query` -> `…/<name>` (Oxigraph server's and Fuseki's layout); any other URL: itself."""
    parts = urlsplit(url)
    if parts.path.rstrip("/").endswith("/query"):
        path = parts.path.rstrip("/")[: -len("query")] + name
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    return url


class RemoteStore:
    """A SPARQL 1.1 server, used like a pyoxigraph Store (see the module docstring).

    `query_url`: the SPARQL query endpoint. `update_url` (default: a final `/query` segment
    replaced by `/update`, else the query URL) and `graph_store_url` (default: `/query` -> `/store`,
    else the query URL): the SPARQL Update and Graph Store Protocol endpoints. `auth`: an httpx auth
    (default: HTTP Basic from the URL's user:password). `timeout`: seconds a query may take;
    `io_timeout`: seconds an update or a dump may take. `read_only`: refuse writes here, before
    the server is asked. `max_update_bytes`: the longest update request the server takes (Virtuoso:
    under 10 MB), for the loader to split larger ones (then not atomic)."""

    def __init__(self, query_url: str, update_url: str | None = None, graph_store_url: str | None = None, *,
                 auth: httpx.Auth | tuple[str, str] | None = None, timeout: float = 300.0,
                 io_timeout: float = 600.0, read_only: bool = False, max_update_bytes: int | None = None):
        if not is_url(query_url):
            raise ValueError(f"not an http(s) URL: {redact(str(query_url))!r}")
        parts = urlsplit(query_url)
        if auth is None and parts.username is not None:
            auth = httpx.BasicAuth(unquote(parts.username), unquote(parts.password or ""))
        self.query_url = redact(query_url)
        self.update_url = redact(update_url or _sibling(query_url, "update"))
        self.graph_store_url = redact(graph_store_url or _sibling(query_url, "store"))
        self.timeout, self.io_timeout, self.read_only = timeout, io_timeout, read_only
        self._graph_listing: bool | None = None  # see _lists_graphs
        self.max_update_bytes = max_update_bytes  # the longest update the server takes (kg.store splits loads)
        self._client = httpx.Client(auth=auth, follow_redirects=False, headers={"User-Agent": "homs-kg"},
                                    limits=httpx.Limits(max_connections=64, max_keepalive_connections=16))

    @classmethod
    def from_env(cls, url: str, *, read_only: bool = False, timeout: float | None = None,
                 update_url: str | None = None, graph_store_url: str | None = None) -> RemoteStore:
        """A RemoteStore configured from the arguments, else the environment: $KG_UPDATE_URL,
        $KG_GRAPH_STORE_URL, $KG_STORE_USER / $KG_STORE_PASSWORD (HTTP Basic; the URL's own
        user:password wins), $KG_STORE_AUTH=digest for HTTP Digest (Virtuoso's /sparql-auth),
        $KG_STORE_MAX_UPDATE_BYTES (Virtuoso: 8000000)."""
        user, password = os.environ.get("KG_STORE_USER"), os.environ.get("KG_STORE_PASSWORD")
        auth = None
        if urlsplit(url).username is None and user:
            scheme = os.environ.get("KG_STORE_AUTH", "basic").lower()
            auth = (httpx.DigestAuth if scheme == "digest" else httpx.BasicAuth)(user, password or "")
        elif urlsplit(url).username is not None and os.environ.get("KG_STORE_AUTH", "").lower() == "digest":
            p = urlsplit(url)
            auth = httpx.DigestAuth(unquote(p.username), unquote(p.password or ""))
        return cls(url, update_url or os.environ.get("KG_UPDATE_URL") or None,
                   graph_store_url or os.environ.get("KG_GRAPH_STORE_URL") or None, auth=auth,
                   timeout=timeout if timeout is not None else 300.0, read_only=read_only,
                   max_update_bytes=int(os.environ.get("KG_STORE_MAX_UPDATE_BYTES") or 0) or None)

    def __str__(self) -> str:
        return self.query_url

    def __repr__(self) -> str:
        return f"<RemoteStore {self.query_url}>"

    def close(self) -> None:
        self._client.close()

    # --- HTTP -----------------------------------------------------------------------------------

    def _send(self, method: str, url: str, timeout: float, *, data=None, params=None, headers=None,
              content=None, on_timeout=None, limit: int | None = MAX_ANSWER) -> tuple[httpx.Response, bytes]:
        """One request, read whole within `timeout` seconds (QueryTimeout, or `on_timeout()`'s error,
        past it). Errors other than 4xx/5xx answers become OSError naming the endpoint (never its
        credentials)."""
        deadline = time.monotonic() + timeout
        if data is not None:  # a form, as (name, value) pairs (a name may repeat)
            content = urlencode(data).encode("ascii")
            headers = {**(headers or {}), "Content-Type": FORM}
        try:
            with self._client.stream(method, url, params=params, headers=headers, content=content,
                                     timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0))) as r:
                chunks, size = [], 0
                for chunk in r.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("deadline")
                    if limit is not None and size > limit:
                        raise OSError(f"the answer of the store at {url} is larger than {limit >> 20} MiB")
                return r, b"".join(chunks)
        except httpx.TimeoutException:
            raise (on_timeout() if on_timeout else QueryTimeout(timeout)) from None
        except httpx.HTTPError as e:
            raise OSError(f"cannot reach the store at {url}: {type(e).__name__}: {e}") from None

    @staticmethod
    def _media(r: httpx.Response) -> str:
        return (r.headers.get("content-type") or "").split(";")[0].strip().lower()

    @staticmethod
    def _message(r: httpx.Response, body: bytes) -> str:
        text = " ".join(body.decode("utf-8", "replace").split())[:500]
        return f"{r.status_code} {r.reason_phrase}" + (f": {text}" if text else "")

    def _fail(self, r: httpx.Response, body: bytes, url: str) -> OSError:
        if r.status_code in (401, 403):
            return PermissionError(f"the store at {url} refused the credentials ({self._message(r, body)})")
        return OSError(f"the store at {url} answered {self._message(r, body)}")

    # --- queries --------------------------------------------------------------------------------

    def query(self, query: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None,
              use_default_graph_as_union: bool = False, default_graph=None, named_graphs=None,
              substitutions: dict | None = None, **unsupported):
        """As pyoxigraph's Store.query (see the module docstring for how each argument travels)."""
        if unsupported:
            raise TypeError(f"a remote store cannot take {', '.join(sorted(unsupported))}")
        text = prologue(query, base_iri, prefixes) + (bind(query, substitutions) if substitutions else query)
        form = [("query", text)]
        if default_graph is not None or named_graphs is not None:
            if use_default_graph_as_union:
                raise ValueError("use_default_graph_as_union and default_graph/named_graphs exclude each other")
            defaults = default_graph if isinstance(default_graph, list) else \
                ([] if default_graph is None else [default_graph])
            form += [("default-graph-uri", _graph_iri(g)) for g in defaults]
            form += [("named-graph-uri", _graph_iri(g)) for g in (named_graphs or [])]
        r, body = self._send("POST", self.query_url, self.timeout, data=form,
                             headers={"Accept": ACCEPT_BY_FORM.get(query_form(text), ACCEPT)})
        _check_complete(r, body, self.timeout)
        if r.status_code == 400:
            raise SyntaxError(f"the store refused the query: {self._message(r, body)}")
        if r.status_code != 200:
            raise self._fail(r, body, self.query_url)
        return _result(self._media(r), body)

    def check_union(self) -> None:
        """OSError unless queries see every named graph in the default graph (or nothing is stored)."""
        if bool(self.query("ASK { ?s ?p ?o }")):
            return
        if bool(self.query("ASK { GRAPH ?g { ?s ?p ?o } }")):
            raise OSError(f"the store at {self} holds named graphs but its default graph is not their union: "
                          "start Oxigraph with --union-default-graph, or set tdb2:unionDefaultGraph in Fuseki "
                          "(docs/remote-store.md)")

    def _select(self, query: str, timeout: float | None = None) -> Iterator:
        r, body = self._send("POST", self.query_url, timeout or self.timeout, data=[("query", query)],
                             headers={"Accept": f"{RESULTS_JSON}, {RESULTS_XML};q=0.9"})
        _check_complete(r, body, timeout or self.timeout)
        if r.status_code != 200:
            raise self._fail(r, body, self.query_url)
        return _result(self._media(r), body)

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> Iterator[Quad]:
        """The quads matching the pattern (None: any), as Store.quads_for_pattern; see the module
        docstring for the default graph and blank nodes."""
        return self._quads(subject, predicate, object, graph_name, self.timeout)

    def _quads(self, subject, predicate, object, graph_name, timeout: float) -> Iterator[Quad]:
        if any(isinstance(t, BlankNode) for t in (subject, predicate, object, graph_name)):
            return iter(())
        if isinstance(graph_name, DefaultGraph):
            return (Quad(t.subject, t.predicate, t.object, graph_name) for t in self._graph_triples(None)
                    if (subject is None or t.subject == subject) and (predicate is None or t.predicate == predicate)
                    and (object is None or t.object == object))
        terms = {"s": subject, "p": predicate, "o": object, "g": graph_name}
        pattern = {k: (str(v) if v is not None else f"?{k}") for k, v in terms.items()}
        free = [f"?{k}" for k, v in terms.items() if v is None]
        where = f"GRAPH {pattern['g']} {{ {pattern['s']} {pattern['p']} {pattern['o']} }}"
        if not free:
            return iter([Quad(subject, predicate, object, graph_name)] if self._select(f"ASK {{ {where} }}") else [])

        def quads() -> Iterator[Quad]:
            for row in self._select(f"SELECT {' '.join(free)} WHERE {{ {where} }}", timeout):
                yield Quad(*(row[k] if terms[k] is None else terms[k] for k in "spog"))
        return quads()

    def __iter__(self) -> Iterator[Quad]:
        """Every quad of the named graphs (a dump: `io_timeout`)."""
        return self._quads(None, None, None, None, self.io_timeout)

    def __len__(self) -> int:
        """Quads in the named graphs."""
        return int(next(iter(self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)

    def named_graphs(self) -> Iterator[NamedNode]:
        query = "SELECT ?g WHERE { GRAPH ?g { } }" if self._lists_graphs() else \
            "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"  # (Virtuoso: DISTINCT ?g is slow, and lists private graphs)
        return (row["g"] for row in self._select(query) if isinstance(row["g"], NamedNode))

    def contains_named_graph(self, graph) -> bool:
        if isinstance(graph, DefaultGraph):
            return True
        if isinstance(graph, BlankNode):
            return False
        return bool(self._select(f"ASK {{ GRAPH {graph} {{ {'' if self._lists_graphs() else '?s ?p ?o'} }} }}"))

    def _lists_graphs(self) -> bool:
        """Whether `GRAPH ?g {}` names the server's graphs (empty ones too, as the SPARQL semantics
        says). Virtuoso matches it once with ?g unbound, and `GRAPH <g> {}` for any <g>: it keeps no
        empty graphs, so there a graph is one that holds a quad. Asked once per store."""
        if self._graph_listing is None:
            self._graph_listing = not bool(self._select(f"ASK {{ GRAPH <{_NO_SUCH_GRAPH}> {{ }} }}"))
        return self._graph_listing

    # --- the Graph Store Protocol, and dumps ---------------------------------------------------------

    def _graph_triples(self, graph: NamedNode | None) -> list[Triple]:
        """A graph's triples by GSP GET (`?default` for None); [] when the server has no such graph."""
        params = {"graph": graph.value} if graph is not None else {"default": ""}
        r, body = self._send("GET", self.graph_store_url, self.io_timeout, params=params,
                             headers={"Accept": "application/n-triples, text/turtle;q=0.9"}, limit=None,
                             on_timeout=lambda: OSError(f"reading a graph from {self.graph_store_url} took "
                                                        f"longer than {self.io_timeout:g} s"))
        if r.status_code == 404:
            return []
        if graph is None and r.status_code == 500 and b"not configured to have default graph" in body:
            return []  # Virtuoso: no default graph of its own (every triple is in a named graph)
        if r.status_code != 200:
            raise self._fail(r, body, self.graph_store_url)
        fmt = GRAPH_MEDIA.get(self._media(r))
        if fmt is None:
            raise OSError(f"the store at {self.graph_store_url} answered a graph as {self._media(r)!r}")
        return [q.triple for q in parse(body, format=fmt)]

    def dump(self, output: IO[bytes] | None = None, format: RdfFormat | None = None, *, from_graph=None,
             prefixes: dict[str, str] | None = None) -> bytes | None:
        """As Store.dump: one graph (from_graph) in any RDF format, or every named graph in a quad format."""
        if format is None:
            raise ValueError("a remote dump needs a format")
        if from_graph is not None:
            graph = None if isinstance(from_graph, DefaultGraph) else from_graph
            if format in (RdfFormat.N_QUADS, RdfFormat.TRIG):
                data: Iterable = (Quad(t.subject, t.predicate, t.object, from_graph) for t in self._graph_triples(graph))
            else:
                data = self._graph_triples(graph)
        else:
            if format not in (RdfFormat.N_QUADS, RdfFormat.TRIG):
                raise ValueError(f"a dataset is dumped as N-Quads or TriG, not {format.name}; give from_graph")
            rows = self._select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", timeout=self.io_timeout)
            data = (Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)
        return serialize(data, output, format=format, prefixes=prefixes)

    # --- writes ---------------------------------------------------------------------------------------

    def update(self, update: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        """One SPARQL update request (one transaction on Oxigraph and Fuseki). SyntaxError if the
        server calls it malformed, RuntimeError if it fails there, OSError if the server does."""
        if self.read_only:
            raise OSError(f"the store at {self} was opened read-only")
        r, body = self._send("POST", self.update_url, self.io_timeout,  # SPARQL 1.1 Protocol 2.2.2: "update via POST directly"
                             content=(prologue(update, base_iri, prefixes) + update).encode("utf-8"),
                             headers={"Content-Type": SPARQL_UPDATE},
                             on_timeout=lambda: OSError(f"the update sent to {self.update_url} got no answer within "
                                                        f"{self.io_timeout:g} s: it may or may not have been applied"))
        if r.status_code in (200, 204):
            return
        if r.status_code == 400 and re.search(r"(?i)pars|syntax|expected|error at", body.decode("utf-8", "replace")):
            raise SyntaxError(f"the store refused the update: {self._message(r, body)}")
        if r.status_code in (400, 500):
            raise RuntimeError(f"the store rejected the update: {self._message(r, body)}")
        raise self._fail(r, body, self.update_url)

    def extend(self, quads: Iterable[Quad]) -> None:
        """Add the quads, in one update request."""
        by_graph: dict = {}
        for q in quads:
            by_graph.setdefault(q.graph_name, []).append(q.triple)
        update = insert_data((g, serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8"))
                             for g, triples in by_graph.items())
        if update:
            self.update(update)

    def add(self, quad: Quad) -> None:
        self.extend([quad])

    def load(self, input=None, format: RdfFormat | None = None, *, path=None, base_iri: str | None = None,
             to_graph=None) -> None:
        """Parse here (pyoxigraph's parsers), then add in one update request."""
        quads = parse(input, format=format, path=path, base_iri=base_iri,
                      **({"without_named_graphs": True} if to_graph is not None else {}))
        if to_graph is not None:
            quads = (Quad(q.subject, q.predicate, q.object, to_graph) for q in quads)
        self.extend(quads)

    def clear(self) -> None:
        self.update("DROP ALL")
        left = list(self.named_graphs())  # Virtuoso answers DROP ALL and drops nothing: then graph by graph
        if left:
            self.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in left))

    def flush(self) -> None:
        """Nothing to do: each update is durable when the server answers it."""

    def bulk_load(self, *args, **kwargs):
        raise NotImplementedError("the bulk loader is for the embedded store; a remote store loads by SPARQL Update")


# --- the query text: prologue and bound values -----------------------------------------------------


def _graph_iri(g) -> str:
    if isinstance(g, NamedNode):
        return g.value
    raise ValueError(f"a remote dataset names graphs by IRI, not {g!r}")


def prologue(query: str, base_iri: str | None, prefixes: dict[str, str] | None) -> str:
    """`BASE <…> PREFIX p: <…> ` for what the query does not declare itself, on one line with the
    query's first (so the server's error positions keep their line numbers)."""
    declared = {m.lower() for m in re.findall(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*|)\s*:", query)}
    parts = [f"BASE {NamedNode(base_iri)}"] if base_iri else []
    parts += [f"PREFIX {p}: {NamedNode(ns)}" for p, ns in (prefixes or {}).items() if p.lower() not in declared]
    return " ".join(parts) + " " if parts else ""


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's first keyword after its prologue (comments,
    BASE, PREFIX); "" when it is none of them (the server will say why)."""
    i = 0
    while m := _PROLOGUE_ITEM.match(query, i):
        i = m.end()
    m = re.match(r"\s*([A-Za-z]+)", query[i:])
    form = m.group(1).upper() if m else ""
    return form if form in ACCEPT_BY_FORM else ""


_PROLOGUE_ITEM = re.compile(r"\s*(?:#[^\n]*(?:\n|$)|BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)", re.I)


def _check_complete(r: httpx.Response, body: bytes, timeout: float) -> None:
    """QueryTimeout for a query the server stopped at its own time limit: Virtuoso answers 500
    "SR171: Transaction timed out", or, for an "anytime" query, 200 with only the rows found in time
    (X-SQL-State S1TAT), which must never pass for the answer."""
    if r.headers.get("x-sql-state", "").upper() == "S1TAT" or \
            (r.status_code == 500 and b"SR171: Transaction timed out" in body[:2000]):
        raise QueryTimeout(timeout)


# --- answers ---------------------------------------------------------------------------------------


_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*"|<bnode>)nodeID://')


def _result(media: str, body: bytes):
    """The server's answer as pyoxigraph's QuerySolutions, QueryBoolean or QueryTriples."""
    if media in RESULT_MEDIA:
        if b"nodeID://" in body:  # Virtuoso names blank nodes nodeID://b123: not a blank node label
            body = _VIRTUOSO_BNODE.sub(rb"\1", body)
        try:
            return parse_query_results(body, format=RESULT_MEDIA[media])
        except SyntaxError as e:
            raise OSError(f"the store's answer does not parse as {media}: {e}") from None
    if media in GRAPH_MEDIA:
        graph = Store()
        try:
            graph.load(body, format=GRAPH_MEDIA[media])
        except SyntaxError as e:
            raise OSError(f"the store's answer does not parse as {media}: {e}") from None
        return graph.query(_ALL_TRIPLES)
    raise OSError(f"the store answered a query with {media or 'no content type'!r}")


__all__ = ["RemoteStore", "is_url", "redact", "prologue", "query_form", "insert_data"]
