"""/api/<name>: one GET endpoint per canned query (queries/*.rq), generated from its #+ header.

Each endpoint's signature is built from the query's typed parameters, so FastAPI validates them
(422 on a bad date or integer) and documents them in /openapi.json. Values are bound as RDF terms by
kg.querying.catalogue (never pasted into the query). JSON by default, CSV by Accept or a .csv suffix;
CONSTRUCT queries answer RDF. Pages of `limit` rows from `offset`, the next one linked; the
whole-graph queries (a `keyset` in their header) page by key instead, the next page `after=` an
opaque cursor (kg.querying.keyset). Each page is
evaluated and written whole by kg.querying.answers.canned_query in a query worker (kg.executor), under the
time limit; a page the row or byte cap cut short says so (`truncated`, KG-Truncated) and links the
rest as `next`.

Pages are kept until a write changes them (api/middleware/cache.py) and carry an `ETag`: a page asked for again is
served without a query, and `If-None-Match` with its tag gets 304. The handlers are `async def`,
so neither a kept page nor a query costs a thread hop (api/routing.py)."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from api.deps import Settings, get_executor, get_settings, get_store
from api.errors import ApiError, error_body
from api.middleware import cache as answer_cache
from api.routers.sparql import STOPPED, truncation_headers
from api.routing import Route, run_job
from kg import formats
from kg.formats import CSV, JSON
from kg.querying import answers, keyset
from kg.querying import catalogue as canned

TABLE_SUFFIXES = {"json": JSON, "csv": CSV}
RDF_SUFFIXES = ("ttl", "nt", "jsonld", "rdf")
PYTHON_TYPES = {"date": dt.date, "integer": int, "decimal": float}
IRI_PATTERN = r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$"
DEFAULT_LIMIT, MAX_LIMIT = 100, 10000


class CannedResult(BaseModel):
    """The JSON of a canned SELECT query (documentation only)."""
    query: str
    parameters: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]
    limit: int
    offset: int | None = None  # offset paging (every query but the keyset-paged ones)
    after: str | None = None  # keyset paging (agreements, places, actors, conflicting_figures): the cursor this page follows
    next: str | None
    truncated: str | None = None  # set when a cap cut the page short: max-rows=N or max-bytes=N


def describe_query(request: Request, q: canned.CannedQuery) -> dict:
    return {"name": q.name, "summary": q.summary, "description": q.description.strip(), "form": q.form,
            "url": str(request.url_for(f"canned_{q.name}")),
            "parameters": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default,
                            "description": p.description} for p in q.params]}


def _query_param(p: canned.Param) -> inspect.Parameter:
    """A canned-query parameter as a typed FastAPI query parameter (alias: its own name)."""
    extra = {"pattern": IRI_PATTERN} if p.type == "iri" else {}
    description = f"{p.description} ({p.type})" if p.description else p.type
    annotation = PYTHON_TYPES.get(p.type, str)
    return inspect.Parameter(f"param_{p.name}", inspect.Parameter.KEYWORD_ONLY,
                             annotation=annotation if p.required else annotation | None,
                             default=Query(_default(p), alias=p.name, description=description, **extra))


def _default(p: canned.Param):
    """The header's default as the parameter's Python type (`...`: required)."""
    if p.required:
        return ...
    if p.default is None:
        return None
    if p.type == "integer":
        return int(p.default)
    if p.type == "decimal":
        return float(p.default)
    if p.type == "date":
        return p.default if isinstance(p.default, dt.date) else dt.date.fromisoformat(str(p.default))
    return str(p.default)


class CannedEndpoint:
    """The handler of one canned query: its signature is the query's parameters, then paging."""

    def __init__(self, query: canned.CannedQuery, suffix: str | None = None):
        self.query, self.suffix = query, suffix
        self.__name__ = f"canned_{query.name}"
        fixed = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
        paging = [
            inspect.Parameter("limit", inspect.Parameter.KEYWORD_ONLY, annotation=int,
                              default=Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page")),
            inspect.Parameter("offset", inspect.Parameter.KEYWORD_ONLY, annotation=int,
                              default=Query(0, ge=0, description="Rows to skip")),
        ]
        if query.keyset is not None:  # keyset paging (kg.querying.keyset): the next link's cursor
            paging.append(inspect.Parameter(
                "after", inspect.Parameter.KEYWORD_ONLY, annotation=str | None,
                default=Query(None, max_length=keyset.MAX_CURSOR,
                              description="The page after this cursor: the `after` of the `next` link (opaque)")))
        served = [inspect.Parameter("store", inspect.Parameter.KEYWORD_ONLY, default=Depends(get_store)),
                  inspect.Parameter("settings", inspect.Parameter.KEYWORD_ONLY, default=Depends(get_settings)),
                  inspect.Parameter("executor", inspect.Parameter.KEYWORD_ONLY, default=Depends(get_executor))]
        self.__signature__ = inspect.Signature(fixed + [_query_param(p) for p in query.params] + paging + served)

    async def __call__(self, request: Request, *, limit: int, offset: int, store, settings: Settings, executor,
                       after: str | None = None, **params) -> Response:
        known = {p.name for p in self.query.params} | {"limit", "offset"} | ({"after"} if self.query.keyset else set())
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ApiError(422, f"unknown parameter(s): {', '.join(unknown)}; {self.query.name} takes: "
                                f"{', '.join(sorted(known))}",
                           errors=[{"loc": ["query", n], "msg": "unknown parameter", "type": "extra_forbidden"}
                                   for n in unknown])
        values = {p.name: params.get(f"param_{p.name}") for p in self.query.params}
        return await run_canned(request, store, executor, settings, self.query, values, limit, offset, self.suffix,
                                after)


async def run_canned(request: Request, store, executor, settings: Settings, query: canned.CannedQuery,
                     values: dict, limit: int, offset: int, suffix: str | None, after: str | None = None) -> Response:
    """One whole page of a canned query in the format asked for: the kept one (api/middleware/cache.py), else
    run in a query worker under the time limit (503 if it is stopped, before any byte is sent)."""
    accept, url = request.headers.get("accept"), str(request.url)
    media = answers.canned_format(query, suffix, accept)  # NotAcceptable: 406
    cache = answer_cache.cache_for(request, store, executor)
    raw = tuple((name, value if value is None or isinstance(value, str) else str(value))
                for name, value in values.items())
    request_key = (query.name, raw, media, limit, offset, after)
    if cache is not None:
        version = executor.version
        entry = cache.get(version, request_key, url)
        if entry is not None:
            cache.remember(version, answer_cache.front_key(request.scope), request_key, url)
            return answer_cache.respond(request, entry)
    job = answers.CannedRequest(query, values, settings.base, media, limit, offset, url, after, executor.version)
    result = await run_job(executor, answers.canned_query, job, request=request)
    entry = answer_cache.Entry(result.body, result.media_type, truncation_headers(result))
    if cache is not None:
        key = (query.name, tuple(sorted((result.bound or {}).items())), media, limit, offset, after)
        names, ids = resolved_by(query, values, result.bound or {})
        cache.put(version, request_key, key, url if "Link" in result.headers else None, entry, names, ids)
        cache.remember(version, answer_cache.front_key(request.scope), request_key, url)
    return answer_cache.respond(request, entry)


def resolved_by(query: canned.CannedQuery, values: dict, bound: dict) -> tuple[frozenset, frozenset]:
    """How a request's place, actor and article parameters were resolved (kg.querying.catalogue):
    the kinds it looked up by name or alias, and the IRIs it found by their slug or IRI. A write
    that renames entities of such a kind, or such an entity, makes the request resolve again."""
    names, ids = set(), set()
    for p in query.params:
        if p.type not in ("place", "actor", "article"):
            continue
        given = str(values.get(p.name) if values.get(p.name) not in (None, "") else p.default).strip()
        iri = bound.get(p.name, "")[1:-1]
        if iri and (iri == given or iri.endswith("/" + given)):
            ids.add(iri)
        else:
            names.add(p.type)
    return frozenset(names), frozenset(ids)


def list_queries(request: Request, settings: Settings = Depends(get_settings)) -> dict:
    """Every canned query: its summary, description, URL and typed parameters."""
    return {"queries": [describe_query(request, q) for q in settings.catalogue().values()]}


def unknown_query(request: Request, name: str, settings: Settings = Depends(get_settings)) -> Response:
    """A name that is no canned query: 404, listing the ones there are."""
    known = [{"name": q.name, "url": str(request.url_for(f"canned_{q.name}"))} for q in settings.catalogue().values()]
    raise ApiError(404, f"no canned query {name!r}", candidates=known)


def build_router(catalogue: dict[str, canned.CannedQuery]) -> APIRouter:
    """The /api routes of a catalogue: /api, then /api/<name> (and .json/.csv, or RDF suffixes) per query."""
    router = APIRouter(tags=["canned queries"], route_class=Route)
    router.add_api_route("/api", list_queries, methods=["GET"], summary="List the canned queries")
    for q in catalogue.values():
        rdf = q.form in ("CONSTRUCT", "DESCRIBE")
        content = {m: {} for m in formats.GRAPH_MEDIA} if rdf else {JSON: {}, CSV: {}}
        responses = {200: {"content": content} if rdf else {"model": CannedResult, "content": content},
                     404: {"description": "Unknown place or actor", "content": {"application/problem+json": {
                         "example": error_body(404, "unknown place 'Atlantis': give a slug, an IRI, or a name "
                                                    "or alias from the graph", candidates=[])}}},
                     503: STOPPED}
        router.add_api_route(f"/api/{q.name}", CannedEndpoint(q), methods=["GET"], name=f"canned_{q.name}",
                             summary=q.summary, description=_description(q, rdf), operation_id=f"canned_{q.name}",
                             responses=responses, response_class=JSONResponse)
        for suffix in (RDF_SUFFIXES if rdf else TABLE_SUFFIXES):
            router.add_api_route(f"/api/{q.name}.{suffix}", CannedEndpoint(q, suffix), methods=["GET"],
                                 name=f"canned_{q.name}_{suffix}", include_in_schema=False)
    router.add_api_route("/api/{name}", unknown_query, methods=["GET"], include_in_schema=False)
    return router


def _description(q: canned.CannedQuery, rdf: bool) -> str:
    formats = ("RDF by content negotiation (Turtle by default), or a suffix: " + ", ".join(f"`.{s}`" for s in RDF_SUFFIXES)
               if rdf else "JSON by default; CSV with `Accept: text/csv` or the `.csv` suffix (`.json` too). "
                           "Pages of `limit` rows: the next page is in `next` and the `Link` header.")
    return f"{q.description.strip()}\n\n{formats}\n\nThe SPARQL: `queries/{q.path.name if q.path else q.name}`."
