"""/sparql: the W3C SPARQL 1.1 Protocol, query operation only (the service is read-only).

GET ?query=, POST application/x-www-form-urlencoded, POST application/sparql-query;
default-graph-uri / named-graph-uri; results by content negotiation (kg.sparql's tables, plus an
HTML table for browsers). GET /sparql without a query is the Service Description (an HTML query
form for a browser)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pyoxigraph import QueryBoolean, QuerySolutions, QueryTriples, Store

from api.deps import Settings, get_settings, get_store
from api.errors import ApiError
from api.render import HTML, choose, rdf_response, templates
from api.routing import Route
from kg import sparql, void
from kg.sparql import Dataset

router = APIRouter(tags=["SPARQL"], route_class=Route)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"
HTML_ROWS = 1000  # rows an HTML results page shows

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
    "responses": {"200": {"description": "Results or RDF, by content negotiation", "content": {
        m: {} for m in [*sparql.RESULT_MEDIA, *sparql.GRAPH_MEDIA, HTML]}}},
}
POST_DOC = {**QUERY_DOC, "requestBody": {"required": True, "content": {
    FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}},
    DIRECT: {"schema": {"type": "string"}}}}}


async def raw_body(request: Request) -> bytes:
    """The request body, read before the (plain `def`) handler runs in the thread pool."""
    return await request.body()


@dataclass
class ProtocolRequest:
    query: str | None
    dataset: Dataset


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, f"{what} is not valid UTF-8") from None


def parse_request(method: str, content_type: str | None, url_params: list[tuple[str, str]],
                  body: bytes) -> ProtocolRequest:
    """The query and dataset of a protocol request; ApiError for what the protocol rejects."""
    params, direct = list(url_params), None
    if method == "POST":
        media, _, rest = (content_type or "").partition(";")
        media = media.strip().lower()
        charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in rest.split(";")
                        if p.strip().lower().startswith("charset=")), "utf-8")
        if media == UPDATE:
            raise ApiError(403, READ_ONLY)
        if media not in (FORM, DIRECT):
            raise ApiError(415, f"a query POST has Content-Type {FORM} or {DIRECT}, not {media or 'none'}")
        if charset not in ("utf-8", "utf8"):
            raise ApiError(415, f"the request body must be UTF-8, not {charset}")
        if media == FORM:
            try:
                params += parse_qsl(_utf8(body, "the form"), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise ApiError(400, "the form is not valid UTF-8") from None
        else:
            direct = _utf8(body, "the query")
    if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in params):
        raise ApiError(403, READ_ONLY)
    queries = [v for k, v in params if k == "query"] + ([direct] if direct is not None else [])
    if len(queries) > 1:
        raise ApiError(400, "more than one query in the request (SPARQL 1.1 Protocol 2.1.4)")
    if queries and not queries[0].strip():
        raise ApiError(400, "the query is empty")
    dataset = Dataset(tuple(v for k, v in params if k == "default-graph-uri"),
                      tuple(v for k, v in params if k == "named-graph-uri"))
    return ProtocolRequest(queries[0] if queries else None, dataset)


def answer(request: Request, store: Store, settings: Settings, protocol: ProtocolRequest) -> Response:
    """Run the query and write its result in the negotiated format."""
    try:
        result = sparql.execute(store, protocol.query, protocol.dataset, base_iri=settings.base)
    except SyntaxError as e:
        raise ApiError(400, f"SPARQL syntax error: {e}") from None
    except sparql.SparqlError as e:
        raise ApiError(400, str(e)) from None
    offered = sparql.offered(result)
    media = choose(request, [*offered, HTML])
    if media == HTML:
        return results_page(request, protocol.query, result)
    fmt = offered[media]
    return Response(sparql.write(result, fmt), media_type=sparql.media_type(fmt), headers={"Vary": "Accept"})


def results_page(request: Request, query: str, result) -> Response:
    context = {"query": query, "form": sparql.form(result)}
    if isinstance(result, QueryBoolean):
        context["boolean"] = bool(result)
    elif isinstance(result, QueryTriples):
        context["turtle"] = sparql.write(result, sparql.GRAPH_MEDIA["text/turtle"]).decode("utf-8")
    elif isinstance(result, QuerySolutions):
        context["columns"] = [v.value for v in result.variables]
        context["rows"] = [[s[c] for c in context["columns"]] for _, s in zip(range(HTML_ROWS + 1), result)]
        context["truncated"] = len(context["rows"]) > HTML_ROWS
        context["rows"] = context["rows"][:HTML_ROWS]
    return templates.TemplateResponse(request, "sparql.html", context, headers={"Vary": "Accept"})


def service_description(request: Request, store: Store, settings: Settings) -> Response:
    """The SPARQL Service Description (Turtle by default); the query form for a browser."""
    media = choose(request, [*sparql.GRAPH_MEDIA, HTML])
    if media == HTML:
        return templates.TemplateResponse(request, "sparql.html", {"query": None, "form": None},
                                          headers={"Vary": "Accept"})
    triples = void.service_description(store, settings.iris, str(request.url_for("sparql_get")),
                                       str(request.url_for("void_description")))
    return rdf_response(triples, sparql.GRAPH_MEDIA[media])


@router.get("/sparql", name="sparql_get", summary="SPARQL query (GET), or the Service Description",
            openapi_extra=QUERY_DOC)
def sparql_get(request: Request, store: Store = Depends(get_store),
               settings: Settings = Depends(get_settings)) -> Response:
    """SPARQL 1.1 Protocol query via GET. Without `query`, the Service Description of the endpoint."""
    protocol = parse_request("GET", None, request.query_params.multi_items(), b"")
    if protocol.query is None:
        return service_description(request, store, settings)
    return answer(request, store, settings, protocol)


@router.post("/sparql", name="sparql_post", summary="SPARQL query (POST, form or direct)", openapi_extra=POST_DOC)
def sparql_post(request: Request, body: bytes = Depends(raw_body), store: Store = Depends(get_store),
                settings: Settings = Depends(get_settings)) -> Response:
    """SPARQL 1.1 Protocol query via POST: URL-encoded form, or the query itself as application/sparql-query."""
    protocol = parse_request("POST", request.headers.get("content-type"), request.query_params.multi_items(), body)
    if protocol.query is None:
        raise ApiError(400, "no query in the request: send query=… or an application/sparql-query body")
    return answer(request, store, settings, protocol)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
def sparql_other_methods(request: Request) -> Response:
    """The protocol's operations are GET and POST (bad_query_method: 4xx)."""
    raise ApiError(405, f"{request.method} is not a SPARQL 1.1 Protocol operation: use GET or POST",
                   headers={"Allow": "GET, POST, OPTIONS"})
