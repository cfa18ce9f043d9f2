"""/sparql: the W3C SPARQL 1.1 Protocol — queries for everyone; updates only with the write token.

GET ?query=, POST application/x-www-form-urlencoded, POST application/sparql-query;
default-graph-uri / named-graph-uri; results by content negotiation (kg.querying.sparql's tables, plus an
HTML table for browsers). GET /sparql without a query is the Service Description (an HTML query
form for a browser).

Every query runs through the app's executor (kg.executor: a worker process on the real server)
under the time limit, and its whole result is serialised before the response starts: a query past
the limit is a 503, never a 200 with a cut body. An answer cut by the row or byte cap says so in
the `KG-Truncated` header. The query handlers are `async def`: the event loop hands the query to a
worker and waits on its pipe (api/routing.py: no thread hop per request). Updates (POST `update=`
or application/sparql-update) are refused (403) unless the service was started with a write token;
then they need it (api/routers/writes.py).

`Direct`, an ASGI middleware, answers a query request before FastAPI routes it, with the same
functions as the handlers (parse_request, answer: the fair share, a worker, the time limit) and the
app's own error handlers; it takes FastAPI's routing, dependencies and exception middlewares off
the path of every query (bench/RESULTS.md, "/sparql beside oxigraph serve"). The handlers below
still answer everything else: the Service Description, updates, other methods, and every request
of an app whose dependencies a test overrides."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pyoxigraph import Store
from starlette.datastructures import QueryParams

from api import errors
from api.deps import Settings, get_executor, get_settings, get_store
from api.errors import ApiError
from api.render import choose, rdf_response, templates
from api.routers import writes
from api.routing import Route, run_job
from kg import formats
from kg.describing import void
from kg.errors import SparqlError
from kg.formats import FORM, HTML, SPARQL_QUERY, SPARQL_UPDATE
from kg.querying import answers
from kg.querying.sparql import Dataset

router = APIRouter(tags=["SPARQL"], route_class=Route)

READ_ONLY = writes.READ_ONLY
FORM_ON_LOOP = 64 * 1024  # request bodies up to this are parsed on the event loop; larger ones in a thread
TRUNCATED = "KG-Truncated"  # set when a cap cut the answer: max-rows=N or max-bytes=N
HTML_ROWS = answers.HTML_ROWS  # rows an HTML results page shows
STOPPED = {"description": "The query ran past the time limit and was stopped, or the service is busy "
                          "(no byte of a result was sent)",
           "content": {"application/problem+json": {}}}

QUERY_DOC = {
    "parameters": [
        {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE). Without it: the Service Description."},
        {"name": "default-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}},
         "description": "A graph to merge into the default graph (repeatable). Default: the union of all graphs."},
        {"name": "named-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}},
         "description": "A graph GRAPH clauses may see (repeatable). Default: every named graph."},
    ],
    "responses": {"200": {"description": "Results or RDF, by content negotiation (`KG-Truncated` when a cap "
                                         "cut the answer)", "content": {
        m: {} for m in [*formats.RESULT_MEDIA, *formats.GRAPH_MEDIA, HTML]}},
        "503": STOPPED},
}
POST_DOC = {**QUERY_DOC, "requestBody": {"required": True, "content": {
    FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"}, "update": {"type": "string"}}}},
    SPARQL_QUERY: {"schema": {"type": "string"}},
    SPARQL_UPDATE: {"schema": {"type": "string"}}}},
    "responses": {**QUERY_DOC["responses"], "204": {"description": "The update was applied (write token only)"}}}


async def raw_body(request: Request) -> bytes:
    """The request body, read before the (plain `def`) handler runs in the thread pool."""
    return await request.body()


@dataclass
class ProtocolRequest:
    query: str | None
    dataset: Dataset
    update: str | None = None


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, f"{what} is not valid UTF-8") from None


def form_fields(body: bytes) -> list[tuple[str, str]]:
    """The fields of an application/x-www-form-urlencoded body, as urllib.parse.parse_qsl(body.decode(),
    keep_blank_values=True, errors="strict") reads them (UnicodeDecodeError for a field that is not
    UTF-8), in a few passes of C over the bytes. parse_qsl took 0.2 s of an 8 MB form, holding the GIL
    for up to 45 ms at a time (a regular expression over the whole text), which the event loop
    waited for even with the parse in a thread (issue 15, item 6: two clients sending such forms)."""
    fields = []
    for field in body.split(b"&"):
        if field:
            name, _, value = field.partition(b"=")
            fields.append((_unquoted(name), _unquoted(value)))
    return fields


def _unquoted(part: bytes) -> str:
    if b"+" in part:
        part = part.replace(b"+", b" ")
    return (unquote_to_bytes(part) if b"%" in part else part).decode("utf-8")


def parse_request(method: str, content_type: str | None, url_params: list[tuple[str, str]],
                  body: bytes) -> ProtocolRequest:
    """The query (or update) and dataset of a protocol request; ApiError for what the protocol rejects."""
    params, direct, direct_update = list(url_params), None, None
    if method == "POST":
        media, _, rest = (content_type or "").partition(";")
        media = media.strip().lower()
        charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in rest.split(";")
                        if p.strip().lower().startswith("charset=")), "utf-8")
        if media not in (FORM, SPARQL_QUERY, SPARQL_UPDATE):
            raise ApiError(415, f"a query POST has Content-Type {FORM} or {SPARQL_QUERY}, not {media or 'none'}")
        if charset not in ("utf-8", "utf8"):
            raise ApiError(415, f"the request body must be UTF-8, not {charset}")
        if media == FORM:
            _utf8(body, "the form")
            try:
                params += form_fields(body)
            except UnicodeDecodeError:
                raise ApiError(400, "the form is not valid UTF-8") from None
        elif media == SPARQL_UPDATE:
            direct_update = _utf8(body, "the update")
        else:
            direct = _utf8(body, "the query")
    updates = [v for k, v in params if k == "update"] + ([direct_update] if direct_update is not None else [])
    queries = [v for k, v in params if k == "query"] + ([direct] if direct is not None else [])
    if updates or any(k in ("using-graph-uri", "using-named-graph-uri") for k, _ in params):
        if queries:
            raise ApiError(400, "a request holds a query or an update, not both")
        if len(updates) != 1 or not updates[0].strip():
            raise ApiError(400, "a SPARQL update request holds exactly one non-empty update")
        return ProtocolRequest(None, Dataset(), updates[0])
    if len(queries) > 1:
        raise ApiError(400, "more than one query in the request (SPARQL 1.1 Protocol 2.1.4)")
    if queries and not queries[0].strip():
        raise ApiError(400, "the query is empty")
    dataset = Dataset(tuple(v for k, v in params if k == "default-graph-uri"),
                      tuple(v for k, v in params if k == "named-graph-uri"))
    return ProtocolRequest(queries[0] if queries else None, dataset)


async def answer(request: Request, executor, settings: Settings, protocol: ProtocolRequest) -> Response:
    """Run the query (in a query worker, under the time limit) and answer its whole result in the
    negotiated format; 503 if it is stopped, before any byte of a result is sent."""
    try:
        result = await run_job(executor, answers.sparql_query, protocol.query, protocol.dataset, settings.base,
                               request.headers.get("accept"), request=request)
    except SyntaxError as e:
        raise ApiError(400, f"SPARQL syntax error: {e}") from None
    except SparqlError as e:
        raise ApiError(400, str(e)) from None
    if result.html is not None:  # rendered in a thread, not on the event loop (and bounded: answers.HTML_BYTES)
        return await anyio.to_thread.run_sync(lambda: templates.TemplateResponse(
            request, "sparql.html", result.html, headers={"Vary": "Accept"}))
    return Response(result.body, media_type=result.media_type, headers=truncation_headers(result))


def truncation_headers(result: answers.Answer) -> dict:
    """The answer's headers, and KG-Truncated when a cap cut it (max-rows=N or max-bytes=N)."""
    return {**result.headers, **({TRUNCATED: result.truncated} if result.truncated else {})}


def service_description(request: Request, store: Store, settings: Settings) -> Response:
    """The SPARQL Service Description (Turtle by default); the query form for a browser."""
    media = choose(request, [*formats.GRAPH_MEDIA, HTML])
    if media == HTML:
        return templates.TemplateResponse(request, "sparql.html", {"query": None, "form": None},
                                          headers={"Vary": "Accept"})
    triples = void.service_description(store, settings.iris, str(request.url_for("sparql_get")),
                                       str(request.url_for("void_description")))
    return rdf_response(triples, formats.GRAPH_MEDIA[media])


@router.get("/sparql", name="sparql_get", summary="SPARQL query (GET), or the Service Description",
            openapi_extra=QUERY_DOC)
async def sparql_get(request: Request, store: Store = Depends(get_store), settings: Settings = Depends(get_settings),
                     executor=Depends(get_executor)) -> Response:
    """SPARQL 1.1 Protocol query via GET. Without `query`, the Service Description of the endpoint."""
    protocol = parse_request("GET", None, request.query_params.multi_items(), b"")
    if protocol.update is not None:
        if settings.write_token is None:
            raise ApiError(403, READ_ONLY)
        raise ApiError(400, "a SPARQL update is sent by POST (SPARQL 1.1 Protocol 2.2)")
    if protocol.query is None:
        return await anyio.to_thread.run_sync(service_description, request, store, settings)
    return await answer(request, executor, settings, protocol)


@router.post("/sparql", name="sparql_post", summary="SPARQL query (POST, form or direct), or an update (write token)",
             openapi_extra=POST_DOC)
async def sparql_post(request: Request, body: bytes = Depends(raw_body), store: Store = Depends(get_store),
                      settings: Settings = Depends(get_settings), executor=Depends(get_executor)) -> Response:
    """SPARQL 1.1 Protocol query via POST: URL-encoded form, or the query itself as application/sparql-query.
    An update (`update=` or application/sparql-update) needs the service's write token."""
    args = ("POST", request.headers.get("content-type"), request.query_params.multi_items(), body)
    # a large form is decoded in a thread, not on the event loop (issue 15: 8 MB took it 1.6 s)
    protocol = parse_request(*args) if len(body) < FORM_ON_LOOP else await anyio.to_thread.run_sync(parse_request, *args)
    if protocol.update is not None:
        writes.authorize(request, settings)
        await anyio.to_thread.run_sync(writes.sparql_update, store, executor, settings, protocol.update)
        return Response(status_code=204)
    if protocol.query is None:
        raise ApiError(400, "no query in the request: send query=… or an application/sparql-query body")
    return await answer(request, executor, settings, protocol)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
def sparql_other_methods(request: Request) -> Response:
    """The protocol's operations are GET and POST (bad_query_method: 4xx)."""
    raise ApiError(405, f"{request.method} is not a SPARQL 1.1 Protocol operation: use GET or POST",
                   headers={"Allow": "GET, POST, OPTIONS"})


class Direct:
    """ASGI middleware: a SPARQL query (GET or POST /sparql) answered before FastAPI routes it (see the
    module's docstring); anything else goes on to the app, with the request body handed on."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql" or scope["method"] not in ("GET", "POST"):
            return await self.app(scope, receive, send)
        app = scope.get("app")
        executor = getattr(getattr(app, "state", None), "executor", None)
        if executor is None or app.dependency_overrides:  # no lifespan (a bare TestClient), or a test's stand-ins
            return await self.app(scope, receive, send)
        body, content_type = b"", None
        if scope["method"] == "POST":
            content_type = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"content-type"), None)
            chunks, more = [], True
            while more:  # (api/middleware/limits.py counts it: 413 past max_body)
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            body = b"".join(chunks)
        request = Request(scope, receive)
        try:
            args = (scope["method"], content_type, QueryParams(scope.get("query_string", b"")).multi_items(), body)
            protocol = parse_request(*args) if len(body) < FORM_ON_LOOP else await anyio.to_thread.run_sync(parse_request, *args)
            if protocol.update is None and protocol.query is not None:
                response = await answer(request, executor, app.state.settings, protocol)
            else:
                response = None  # an update, or no query: the handlers' (403, 400, the Service Description)
        except Exception as e:  # noqa: BLE001 — answered by the app's handler for it, as FastAPI would
            handler = next((errors.HANDLERS[c] for c in type(e).__mro__ if c in errors.HANDLERS), None)
            if handler is None:
                raise
            response = handler(request, e)
        if response is not None:
            return await response(scope, receive, send)
        return await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive):
    """A `receive` that hands over `body` (read already) first, then what the client sends next."""
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
