"""Writes: off unless the service was started with a write token (`kg serve --write-token`, or
KG_WRITE_TOKEN); then each needs it as `Authorization: Bearer <token>` — 401 without it, 403 with
a wrong one — and each runs in ONE transaction:

- SPARQL Update on /sparql (POST `update=` or `application/sparql-update`; api/routers/sparql.py);
- the SPARQL 1.1 Graph Store Protocol at /graph-store?graph=<IRI> (or ?default): PUT replaces a
  graph, POST adds to it, DELETE drops it (GET, reading a graph, is open to all);
- POST /load: an annotation file (and its article text, and optionally new shared places and
  actors) as multipart/form-data, checked by the loader (kg.loading.upload) like any file on disk;
  a bad file is a 422 naming its line and problem;
- the annotation workbench's drafts, checks and saves (api/routers/workbench.py).

A write runs in the write worker (kg.executor.writer: the one process that holds the store open
read-write) under a time limit and a memory cap (`kg serve --write-timeout/--write-memory`): past
either, the worker is killed, the write's transaction never commits, and the answer is a 503 (time)
or 413 (memory) problem. It runs inside the executor's `writing()`: queries go on meanwhile over
the last committed state (the workers' checkpoint), and fresh workers — and this process's own
reads — open a checkpoint with the write before it is answered, so every later query sees it. (An
in-memory store, or `--isolation thread`, is written in the server process, without those limits.) Over a
remote store (kg.storage.remote) a write is one SPARQL update request to the server, one at a time;
other clients of that server may write too. Update requests that would reach outside (`LOAD`, `SERVICE`) are refused."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import DefaultGraph, NamedNode, Store

from api.deps import Settings, get_executor, get_settings, get_store
from api.errors import ApiError
from api.middleware.cache import cache_for
from api.render import choose
from api.routing import Route
from kg import formats
from kg.errors import AnnotationError, SparqlError, UploadError, WriteStopped
from kg.executor.writer import update as run_update
from kg.loading.upload import load_upload
from kg.querying import sparql
from kg.querying.parsed import refuse_network_update
from kg.storage.graphs import drop_graph, graph_exists, write_graph
from kg.storage.rdf_input import parse_upload

router = APIRouter(tags=["writes"], route_class=Route)

READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"
DISABLED = "writes are disabled on this service (it is read-only); start it with a write token to enable them"
WRITE_RESPONSES = {
    401: {"description": "No write token was given", "content": {"application/problem+json": {}}},
    403: {"description": "Writes are disabled, or the token is wrong", "content": {"application/problem+json": {}}},
}


# --- who may write ------------------------------------------------------------------------------------


def authorize(request: Request, settings: Settings, read_only_detail: str = READ_ONLY) -> None:
    """Nothing when the request carries the write token; else the ApiError to answer (403 when
    writes are off, 401 without a token, 403 with a wrong one)."""
    if settings.write_token is None:
        raise ApiError(403, read_only_detail)
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "this write needs the service's write token: send `Authorization: Bearer <token>`",
                       headers={"WWW-Authenticate": 'Bearer realm="homs-kg writes"'})
    if not hmac.compare_digest(token.strip().encode("utf-8"), settings.write_token.encode("utf-8")):
        raise ApiError(403, "the write token is wrong")


def writer(request: Request, settings: Settings = Depends(get_settings)) -> None:
    """Dependency: the request may write (checked before its body is read)."""
    authorize(request, settings, DISABLED)


def run_write(store: Store, executor, work, cache=None):
    """work(apply) as the executor's one write at a time (`writing()`), where apply(fn, *args) runs
    fn(store, *args): in the write worker, under the write limits, when the executor has one
    (kg.executor.writer: a write past them is a 503 or 413, and nothing of it is written), else here
    on `store`. Queries go on meanwhile over the last committed state, and the query workers open a
    view with the write before this returns (so every later query sees it). On-disk stores are
    flushed before that view is made. The answer cache (`cache`, api/middleware/cache.py) is told
    what the write changed before the version that shows it: an article's load says
    (kg.loading.touched), any other write changes everything."""
    writer = getattr(executor, "writer", None)

    def apply(fn, *args):
        return writer.run(fn, *args) if writer is not None else fn(store, *args)

    noted = None
    try:
        with executor.writing():
            try:
                result = work(apply)
                if cache is not None:  # the one write at a time: the next version is this write's
                    noted = executor.version + 1
                    cache.note_write(noted, written_changes(result))
                return result
            finally:
                if writer is None and getattr(executor, "isolated", False):
                    store.flush()
    except BaseException as e:
        if noted is not None:  # no version shows this write: its note must not describe the next one
            cache.forget_write(noted)
        if isinstance(e, WriteStopped):
            raise ApiError(e.status, str(e), headers={"Retry-After": "5"} if e.status == 503 else None) from None
        raise


def written_changes(result):
    """What a write's result says it changed (a load's report, a save's), or None: everything."""
    report = getattr(result, "load", result)  # a workbench save holds its load's report
    return getattr(report, "changes", None)


# --- SPARQL Update --------------------------------------------------------------------------------------


def sparql_update(store: Store, executor, settings: Settings, update: str) -> None:
    """Run one SPARQL update (one transaction). 400 for a syntax error or what this service refuses."""
    try:
        refuse_network_update(update)  # read from the parse (kg.querying.parsed)
    except SparqlError as e:
        raise ApiError(400, str(e)) from None
    try:
        run_write(store, executor, lambda apply: apply(run_update, update, settings.base))
    except SyntaxError as e:
        raise ApiError(400, f"SPARQL syntax error: {e}") from None
    except RuntimeError as e:  # pyoxigraph's evaluation errors, e.g. CREATE of a graph that exists
        raise ApiError(400, f"the update failed, and nothing of it was written: {e}") from None


# --- the Graph Store Protocol (indirect identification) --------------------------------------------------------


def _target(request: Request) -> NamedNode | DefaultGraph:
    params = request.query_params
    graphs, default = params.getlist("graph"), "default" in params
    if len(graphs) + default != 1:
        raise ApiError(400, "name one graph: ?graph=<IRI> or ?default")
    if default:
        return DefaultGraph()
    try:
        return NamedNode(graphs[0])
    except ValueError:
        raise ApiError(400, f"not a valid graph IRI: {graphs[0]!r}") from None


def _payload(request: Request, body: bytes) -> list:
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    fmt = formats.TRIPLE_MEDIA.get(media)
    if fmt is None:
        raise ApiError(415, f"send the graph as one of: {', '.join(formats.TRIPLE_MEDIA)} (not {media or 'nothing'})")
    try:
        return parse_upload(body, media)  # RDF/XML's entities bounded before parsing (kg.storage.rdf_input)
    except SyntaxError as e:
        raise ApiError(400, f"the {media} body does not parse: {e}") from None
    except ValueError as e:
        raise ApiError(400, str(e)) from None


async def raw_body(request: Request) -> bytes:
    return await request.body()


GSP_DOC = {"parameters": [
    {"name": "graph", "in": "query", "required": False, "schema": {"type": "string"}, "description": "The graph's IRI"},
    {"name": "default", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Present (with no value): the store's default graph"}]}
GSP_BODY = {**GSP_DOC, "requestBody": {"required": True, "content": {m: {"schema": {"type": "string"}}
                                                                    for m in formats.TRIPLE_MEDIA}}}


@router.get("/graph-store", name="graph_store_get", summary="Graph Store Protocol: read a graph",
            openapi_extra=GSP_DOC, responses={200: {"content": {m: {} for m in formats.GRAPH_MEDIA}}})
def graph_store_get(request: Request, store: Store = Depends(get_store)) -> Response:
    """A graph's triples, by content negotiation (404 if the store has no such graph)."""
    graph = _target(request)
    fmt = formats.GRAPH_MEDIA[choose(request, list(formats.GRAPH_MEDIA))]
    if not graph_exists(store, graph):
        raise ApiError(404, f"no graph {graph} in the store")
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
    return Response(sparql.write_triples(triples, fmt), media_type=formats.media_type(fmt), headers={"Vary": "Accept"})


@router.put("/graph-store", name="graph_store_put", summary="Graph Store Protocol: replace a graph (write token)",
            openapi_extra=GSP_BODY, status_code=204, responses=WRITE_RESPONSES, dependencies=[Depends(writer)])
def graph_store_put(request: Request, body: bytes = Depends(raw_body), store: Store = Depends(get_store),
                    executor=Depends(get_executor)) -> Response:
    """Replace the graph by the body's triples, in one transaction: 201 if it is new, else 204."""
    graph, triples = _target(request), _payload(request, body)
    existed = run_write(store, executor, lambda apply: apply(write_graph, graph, triples, True))
    return Response(status_code=204 if existed else 201)


@router.post("/graph-store", name="graph_store_post", summary="Graph Store Protocol: add to a graph (write token)",
             openapi_extra=GSP_BODY, status_code=204, responses=WRITE_RESPONSES, dependencies=[Depends(writer)])
def graph_store_post(request: Request, body: bytes = Depends(raw_body), store: Store = Depends(get_store),
                     executor=Depends(get_executor)) -> Response:
    """Add the body's triples to the graph, in one transaction: 201 if it is new, else 204."""
    graph, triples = _target(request), _payload(request, body)
    existed = run_write(store, executor, lambda apply: apply(write_graph, graph, triples, False))
    return Response(status_code=204 if existed else 201)


@router.delete("/graph-store", name="graph_store_delete", summary="Graph Store Protocol: drop a graph (write token)",
               openapi_extra=GSP_DOC, status_code=204, responses=WRITE_RESPONSES, dependencies=[Depends(writer)])
def graph_store_delete(request: Request, store: Store = Depends(get_store), executor=Depends(get_executor)) -> Response:
    """Drop the graph (404 if there is none)."""
    graph = _target(request)

    if not run_write(store, executor, lambda apply: apply(drop_graph, graph)):
        raise ApiError(404, f"no graph {graph} in the store")
    return Response(status_code=204)


# --- POST /load: an annotation file over HTTP -------------------------------------------------------------


async def upload(request: Request) -> dict[str, tuple[str, bytes]]:
    """The parts of a multipart/form-data body: name -> (file name, bytes)."""
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media != "multipart/form-data":
        raise ApiError(415, "POST /load takes multipart/form-data with the parts `annotation` and `text`")
    try:
        form = await request.form(max_files=4, max_fields=4)
    except ApiError:
        raise
    except Exception as e:  # noqa: BLE001 — python-multipart's parse errors have no common base
        if getattr(e, "status_code", None) == 413:
            raise
        raise ApiError(400, f"the multipart body does not parse: {e}") from None
    parts = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            parts[name] = ("", value.encode("utf-8"))
        else:
            parts[name] = (value.filename or "", await value.read())
    return parts


@router.post("/load", name="load_annotation", summary="Load an annotation file and its article text (write token)",
             responses={**WRITE_RESPONSES, 422: {"description": "The annotation file is bad: its line and problem",
                                                 "content": {"application/problem+json": {}}}},
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["annotation", "text"], "properties": {
                     "annotation": {"type": "string", "format": "binary", "description": "The annotation (YAML)"},
                     "text": {"type": "string", "format": "binary", "description": "The article text it quotes"},
                     "entities": {"type": "string", "format": "binary", "description":
                                  "Optional: new shared places and actors (YAML `places:`/`actors:`), "
                                  "added to the service's entities file with the article"}}}}}}},
             dependencies=[Depends(writer)])
def load_annotation(request: Request, parts: dict = Depends(upload), store: Store = Depends(get_store),
                    executor=Depends(get_executor), settings: Settings = Depends(get_settings)) -> Response:
    """Check the annotation like `kg load` does (format, references, quotes in the text) against the
    service's shared entities, then replace the article's graph and its inferences in one
    transaction. A bad file is a 422 naming its line and problem; nothing is written."""
    missing = [p for p in ("annotation", "text") if p not in parts]
    if missing:
        raise ApiError(422, f"missing part(s): {', '.join(missing)}", errors=[
            {"loc": ["body", p], "msg": "missing", "type": "missing"} for p in missing])
    (filename, annotation), (_, text) = parts["annotation"], parts["text"]
    try:
        report = load_upload(store, filename, annotation, text, settings.entities_file, settings.iris,
                             write=lambda work: run_write(store, executor, work, cache_for(request, store, executor)),
                             entities=parts.get("entities", ("", None))[1])
    except UploadError as e:
        raise ApiError(e.status, str(e)) from None
    except AnnotationError as e:
        raise ApiError(422, str(e), errors=[{"loc": ["body", "annotation"], "msg": e.problem, "type": "annotation",
                                             "line": e.line}]) from None
    return JSONResponse({"articles": report.articles, "triples": report.triples}, status_code=200)
