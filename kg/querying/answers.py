"""Whole answers to queries: evaluated, capped and serialised to bytes in one go.

These are the jobs the service hands to kg.executor (each runs as `fn(ctx, *args)`, in a worker
process on the real server), so a result is complete before a response starts: a query stopped by
the time limit leaves nothing half-sent. Nothing here knows HTTP beyond an Accept header and a URL.

Caps (`ctx.limits`): at most `max_rows` solutions or triples and `max_bytes` of serialised answer.
An answer cut by a cap is still a whole, valid document, and says so: `Answer.truncated` (the
service turns it into the `KG-Truncated` header, and canned queries' JSON into `truncated` and a
`next` page)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    Triple,
    parse_query_results,
)

from kg.errors import QueryError
from kg.executor.limits import Context
from kg.formats import CSV, GRAPH_MEDIA, HTML, JSON, choose, media_type, rdf_format
from kg.namespaces import Iris
from kg.querying import catalogue as canned
from kg.querying import keyset, sparql

TABLE_MEDIA = {"json": JSON, "csv": CSV}
HTML_ROWS = 1000  # rows an HTML results page shows
HTML_BYTES = 1 << 20  # characters of terms (or Turtle) an HTML results page shows, within max_bytes too
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"


@dataclass
class Answer:
    """A complete answer: its bytes and media type, or (for a browser) what the HTML page shows."""
    body: bytes = b""
    media_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    truncated: str | None = None  # None, or why the answer was cut: "max-rows=N" / "max-bytes=N"
    rows: int = 0  # solutions or triples in the answer
    html: dict[str, Any] | None = None
    bound: dict[str, str] | None = None  # canned queries: each parameter's RDF term (N-Triples syntax) after resolution


def _form(query: canned.CannedQuery) -> str:
    return _form_of(query.sparql)


@lru_cache(maxsize=64)
def _form_of(text: str) -> str:
    """CannedQuery.form parses the query's text on each call: here once per text."""
    return canned.CannedQuery("", "", "", text).form


# --- SPARQL protocol queries ---------------------------------------------------------------------------


def sparql_query(ctx: Context, query: str, dataset: sparql.Dataset, base: str | None,
                 accept: str | None, html: bool = True) -> Answer:
    """Run `query` and write its result in the format `accept` ranks highest (HTML too, when `html`).
    Raises SyntaxError, SparqlError, NotAcceptable, or QueryTimeout (ctx.check)."""
    result = sparql.execute(ctx.store, query, dataset, base_iri=base)
    offered = sparql.offered(result)
    media = choose(accept, [*offered, HTML] if html else list(offered))
    if media == HTML:
        return Answer(html=html_context(ctx, query, result))
    fmt = offered[media]
    answer = Answer(media_type=media_type(fmt), headers={"Vary": "Accept"})
    if isinstance(result, QueryBoolean):
        answer.body = result.serialize(format=fmt)
    elif isinstance(result, QuerySolutions):
        names = [v.value for v in result.variables]
        rows, answer.truncated = take(ctx, result, ctx.limits.max_rows)
        answer.body, answer.rows, cut = fit(ctx, rows, lambda part: solutions_bytes(names, part, fmt))
        answer.truncated = cut or answer.truncated
    else:
        triples, answer.truncated = take(ctx, result, ctx.limits.max_rows)
        answer.body, answer.rows, cut = fit(ctx, triples, lambda part: sparql.write_triples(part, fmt))
        answer.truncated = cut or answer.truncated
    return answer


def html_context(ctx: Context, query: str, result) -> dict:
    """What api/templates/sparql.html shows of a result (its first HTML_ROWS rows)."""
    context: dict[str, Any] = {"query": query, "form": sparql.form(result)}
    if isinstance(result, QueryBoolean):
        context["boolean"] = bool(result)
    elif isinstance(result, QueryTriples):
        triples, truncated = take(ctx, result, ctx.limits.max_rows)
        turtle, _, cut = fit(_html_budget(ctx), triples,
                             lambda ts: sparql.write_triples(ts, GRAPH_MEDIA["text/turtle"]))
        context.update(turtle=turtle.decode("utf-8"), truncated=bool(truncated or cut))
    else:
        columns = [v.value for v in result.variables]
        rows, truncated = take(ctx, result, min(HTML_ROWS, ctx.limits.max_rows))
        shown, budget = [], _html_budget(ctx).limits.max_bytes
        for row in rows:  # the page is the same size class as the other formats (issue 15: 843 bytes -> 537 MB)
            budget -= sum(len(str(t)) for t in row if t is not None)
            if budget < 0:
                truncated = "max-bytes"
                break
            shown.append(list(row))
        context.update(columns=columns, rows=shown, truncated=bool(truncated))
    return context


def _html_budget(ctx: Context) -> Context:
    """ctx with max_bytes lowered to what an HTML page shows (HTML_BYTES)."""
    return Context(ctx.store, dataclasses.replace(ctx.limits, max_bytes=min(HTML_BYTES, ctx.limits.max_bytes)),
                   ctx.deadline)


# --- canned queries ----------------------------------------------------------------------------------


def canned_format(query: canned.CannedQuery, suffix: str | None, accept: str | None) -> str:
    """What a canned query answers a request in: JSON or CSV for a SELECT, an RDF media type
    otherwise; from the URL's suffix, else the Accept header. Raises NotAcceptable."""
    if _form(query) in ("CONSTRUCT", "DESCRIBE"):
        fmt = rdf_format(suffix) if suffix else GRAPH_MEDIA[choose(accept, list(GRAPH_MEDIA))]
        return fmt.media_type
    return TABLE_MEDIA[suffix] if suffix else choose(accept, [JSON, CSV])


@dataclass(frozen=True)
class CannedRequest:
    """One page of a canned query, as a request asks for it: the job a worker is sent."""
    query: canned.CannedQuery
    values: dict  # parameter name -> value as given (a name, slug or IRI; a date; a number), or None
    base: str  # the data's base IRI
    media: str  # the media type negotiated for the answer (canned_format)
    limit: int
    offset: int
    url: str  # the request's URL: the next page's link is built from it
    after: str | None = None  # a keyset query's cursor (kg.querying.keyset): the page after it
    version: int = 0  # the store's version as the server saw it (the executor's): keys are kept per version


def canned_query(ctx: Context, request: CannedRequest) -> Answer:
    """One page of a canned query (SELECT: JSON or CSV; CONSTRUCT/DESCRIBE: RDF), parameters bound as
    RDF terms. Raises UnknownName / QueryError, QueryTimeout."""
    query, values, media, limit, offset, url = (request.query, request.values, request.media, request.limit,
                                                request.offset, request.url)
    iris = Iris(request.base)
    if _form(query) in ("CONSTRUCT", "DESCRIBE"):
        fmt = GRAPH_MEDIA[media]
        bound = canned.bindings(ctx.store, iris, query, values)
        result = ctx.store.query(canned.bound_sparql(query, bound), use_default_graph_as_union=True)
        triples, truncated = take(ctx, result, ctx.limits.max_rows)
        body, n, cut = fit(ctx, triples, lambda part: sparql.write_triples(part, fmt))
        return Answer(body, media_type(fmt), {"Vary": "Accept"}, cut or truncated, n,
                      bound={v.value: str(t) for v, t in bound.items()})
    bound = canned.bindings(ctx.store, iris, query, values)  # UnknownName -> 404 with candidates
    page = min(limit, ctx.limits.max_rows)
    if request.after is not None and (query.keyset is None or offset):
        raise QueryError(f"{query.name}: `after` pages {'with no offset' if query.keyset else 'keyset queries only'}")
    if query.keyset is not None and offset == 0:  # the next items after the cursor, never the whole sort
        found = keyset.fetch(ctx, query.name, query.sparql, query.keyset, bound, request.version, page,
                             request.after)
        columns = found.columns
        table = [{c: sparql.plain(t) for c, t in zip(columns, row)} for row in found.rows]

        def next_link(n: int) -> str:  # nothing fitted: this page again, as an offset page would
            return _with_after(url, found.cursor(query.name, n)) if n else url
    else:
        result = ctx.store.query(canned.bound_sparql(query, bound), use_default_graph_as_union=True)
        columns, table = sparql.rows(result, offset, offset + page + 1)

        def next_link(n: int) -> str:
            return _with_offset(url, offset + n)
    more = len(table) > page
    table = table[:page]
    parameters = {v.value: sparql.plain(t) for v, t in bound.items()}
    position = {"after": request.after} if query.keyset is not None and offset == 0 else {"offset": offset}

    def page_of(part: list) -> tuple[bytes, str | None, str | None]:
        """The page holding `part` (a prefix of the table): its bytes, next URL and truncation."""
        cut = len(part) < len(table)
        next_url = next_link(len(part)) if more or cut else None
        truncated = (f"max-bytes={ctx.limits.max_bytes}" if cut else
                     f"max-rows={ctx.limits.max_rows}" if limit > page and more else None)
        if media == CSV:
            return sparql.to_csv(columns, part), next_url, truncated
        return json.dumps({"query": query.name, "parameters": parameters, "columns": columns, "rows": part,
                           "limit": limit, **position, "next": next_url, "truncated": truncated},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8"), next_url, truncated

    body, n, _ = fit(ctx, table, lambda part: page_of(part)[0])
    _, next_url, truncated = page_of(table[:n])
    headers = {"Vary": "Accept", **({"Link": f'<{next_url}>; rel="next"'} if next_url else {})}
    return Answer(body, "text/csv; charset=utf-8" if media == CSV else JSON, headers, truncated, n,
                  bound={v.value: str(t) for v, t in bound.items()})


def _with_offset(url: str, offset: int) -> str:
    from starlette.datastructures import URL

    return str(URL(url).include_query_params(offset=offset))


def _with_after(url: str, cursor: str) -> str:
    from starlette.datastructures import URL

    return str(URL(url).remove_query_params("offset").include_query_params(after=cursor))


# --- taking rows and fitting them in the byte cap ------------------------------------------------------


def take(ctx: Context, result, cap: int) -> tuple[list, str | None]:
    """At most `cap` items of a lazy result (solutions as tuples of terms, or triples), checking the
    deadline as it goes; and "max-rows=cap" when there were more."""
    items = []
    solutions = isinstance(result, QuerySolutions)  # a solution iterates over its values, in variable order
    for i, item in enumerate(result):
        if i >= cap:
            return items, f"max-rows={cap}"
        if i % 256 == 0:
            ctx.check()
        items.append(tuple(item) if solutions else item)
    return items, None


def fit(ctx: Context, items: list, write) -> tuple[bytes, int, str | None]:
    """write(items) if it fits in max_bytes; else write() of the longest prefix that does (found by
    shrinking), with "max-bytes=N"."""
    cap = ctx.limits.max_bytes
    body = write(items)
    if len(body) <= cap:
        return body, len(items), None
    n = len(items)
    while n > 0 and len(body) > cap:
        ctx.check()
        n = min(n - 1, int(n * cap / len(body) * 0.95))
        body = write(items[:max(n, 0)])
    return body, max(n, 0), f"max-bytes={cap}"


# --- SELECT results in any format, from a list of rows ---------------------------------------------------


def json_term(term) -> dict:
    """A term as in the SPARQL 1.1 Query Results JSON Format (with RDF 1.2's triple terms and
    directional literals, as pyoxigraph writes them)."""
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction is not None:
                out["its:dir"] = str(term.direction)
        elif term.datatype.value not in (_XSD_STRING, _LANG_STRING, _DIR_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {"type": "triple", "value": {"subject": json_term(term.subject), "predicate": json_term(term.predicate),
                                            "object": json_term(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_TEXTS: dict = {}  # term -> its JSON text, for short ones (IRIs, small literals: predicates and types recur)
_TEXTS_MAX, _TEXT_KEPT = 8192, 320  # at most 8,192 texts of at most 320 characters; emptied when full


def _json_text(term) -> str:
    """json_term(term) as JSON text (kept when short)."""
    text = _TEXTS.get(term)
    if text is None:
        text = _dumps(json_term(term))
        if len(text) <= _TEXT_KEPT:
            if len(_TEXTS) >= _TEXTS_MAX:
                _TEXTS.clear()
            _TEXTS[term] = text
    return text


def solutions_bytes(names: list[str], rows: list[tuple], fmt: QueryResultsFormat) -> bytes:
    """SELECT results in `fmt`: written as JSON here (the text of json.dumps of the SPARQL JSON
    document, each term's text made once and kept), and through pyoxigraph's writers for the rest."""
    keys = [_dumps(n) + ":" for n in names]
    bindings = ",".join("{" + ",".join(k + _json_text(t) for k, t in zip(keys, row) if t is not None) + "}"
                        for row in rows)
    data = ('{"head":{"vars":' + _dumps(names) + '},"results":{"bindings":[' + bindings + "]}}").encode("utf-8")
    if fmt == QueryResultsFormat.JSON:
        return data
    return parse_query_results(data, format=QueryResultsFormat.JSON).serialize(format=fmt)
