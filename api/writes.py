"""Writes: off unless the service was started with a write token (`kg serve --write-token`, or
KG_WRITE_TOKEN); then each needs it as `Authorization: Bearer <token>` — 401 without it, 403 with
a wrong one — and each runs in ONE transaction:

- SPARQL Update on /sparql (POST `update=` or `application/sparql-update`; api/sparql.py);
- the SPARQL 1.1 Graph Store Protocol at /graph-store?graph=<IRI> (or ?default): PUT replaces a
  graph, POST adds to it, DELETE drops it (GET, reading a graph, is open to all);
- POST /load: an annotation file (and its article text) as multipart/form-data, checked by the
  loader (kg.store.load) like any file on disk; a bad file is a 422 naming its line and problem.

A write runs in the server process on the read-write store, inside the executor's `exclusive()`:
queries wait while it runs, and the query workers reopen the store after it, so every later query
sees it. Over a remote store (kg.remote) a write is one SPARQL update request to the server, in the
same exclusive section; other clients of that server may write too. Update requests that would reach
outside (`LOAD`, `SERVICE`) are refused."""

from __future__ import annotations

import hmac
import io
import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, parse, serialize

from api.deps import Settings, get_executor, get_settings, get_store
from api.errors import ApiError
from api.render import choose
from api.routing import Route
from kg import sparql
from kg.errors import AnnotationError
from kg.namespaces import PREFIXES
from kg.remote import insert_data

router = APIRouter(tags=["writes"], route_class=Route)

READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"
DISABLED = "writes are disabled on this service (it is read-only); start it with a write token to enable them"
TRIPLE_MEDIA = {m: f for m, f in sparql.GRAPH_MEDIA.items() if f not in (RdfFormat.N_QUADS, RdfFormat.TRIG)}
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


def run_write(store: Store, executor, work):
    """work() in one exclusive section: no query runs meanwhile, and the query workers reopen the
    store after it (so they see the write). On-disk stores are flushed before the workers reopen."""
    with executor.exclusive():
        try:
            return work()
        finally:
            if getattr(executor, "isolated", False):
                store.flush()


# --- SPARQL Update --------------------------------------------------------------------------------------


def sparql_update(store: Store, executor, settings: Settings, update: str) -> None:
    """Run one SPARQL update (one transaction). 400 for a syntax error or what this service refuses."""
    words = sparql.keywords(update)
    for word, why in (("SERVICE", "federated updates (SERVICE) are not supported"),
                      ("LOAD", "LOAD would fetch from the network: POST the data to /graph-store instead")):
        if word in words:
            raise ApiError(400, why)
    try:
        run_write(store, executor, lambda: store.update(update, base_iri=settings.base, prefixes=PREFIXES))
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


def _exists(store: Store, graph) -> bool:
    if isinstance(graph, DefaultGraph):
        return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None
    return store.contains_named_graph(graph)


def _payload(request: Request, body: bytes) -> list:
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    fmt = TRIPLE_MEDIA.get(media)
    if fmt is None:
        raise ApiError(415, f"send the graph as one of: {', '.join(TRIPLE_MEDIA)} (not {media or 'nothing'})")
    try:
        quads = list(parse(body, format=fmt))
    except SyntaxError as e:
        raise ApiError(400, f"the {media} body does not parse: {e}") from None
    return [q.triple for q in quads]


def _write_graph(store: Store, graph, triples: list, replace: bool) -> bool:
    """ONE SPARQL update: drop the graph (when replacing) and insert the triples. Whether the graph
    existed before."""
    existed = _exists(store, graph)
    target = "DEFAULT" if isinstance(graph, DefaultGraph) else f"GRAPH {graph}"
    parts = [f"DROP SILENT {target} ;"] if replace else []
    nt = serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8") if triples else ""
    if nt:
        parts.append(insert_data(nt if isinstance(graph, DefaultGraph) else f"GRAPH {graph} {{\n{nt}}}"))
    if parts:
        store.update("\n".join(parts))
    return existed


async def raw_body(request: Request) -> bytes:
    return await request.body()


GSP_DOC = {"parameters": [
    {"name": "graph", "in": "query", "required": False, "schema": {"type": "string"}, "description": "The graph's IRI"},
    {"name": "default", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Present (with no value): the store's default graph"}]}
GSP_BODY = {**GSP_DOC, "requestBody": {"required": True, "content": {m: {"schema": {"type": "string"}}
                                                                    for m in TRIPLE_MEDIA}}}


@router.get("/graph-store", name="graph_store_get", summary="Graph Store Protocol: read a graph",
            openapi_extra=GSP_DOC, responses={200: {"content": {m: {} for m in sparql.GRAPH_MEDIA}}})
def graph_store_get(request: Request, store: Store = Depends(get_store)) -> Response:
    """A graph's triples, by content negotiation (404 if the store has no such graph)."""
    graph = _target(request)
    fmt = sparql.GRAPH_MEDIA[choose(request, list(sparql.GRAPH_MEDIA))]
    if not _exists(store, graph):
        raise ApiError(404, f"no graph {graph} in the store")
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
    return Response(sparql.write_triples(triples, fmt), media_type=sparql.media_type(fmt), headers={"Vary": "Accept"})


@router.put("/graph-store", name="graph_store_put", summary="Graph Store Protocol: replace a graph (write token)",
            openapi_extra=GSP_BODY, status_code=204, responses=WRITE_RESPONSES, dependencies=[Depends(writer)])
def graph_store_put(request: Request, body: bytes = Depends(raw_body), store: Store = Depends(get_store),
                    executor=Depends(get_executor)) -> Response:
    """Replace the graph by the body's triples, in one transaction: 201 if it is new, else 204."""
    graph, triples = _target(request), _payload(request, body)
    existed = run_write(store, executor, lambda: _write_graph(store, graph, triples, replace=True))
    return Response(status_code=204 if existed else 201)


@router.post("/graph-store", name="graph_store_post", summary="Graph Store Protocol: add to a graph (write token)",
             openapi_extra=GSP_BODY, status_code=204, responses=WRITE_RESPONSES, dependencies=[Depends(writer)])
def graph_store_post(request: Request, body: bytes = Depends(raw_body), store: Store = Depends(get_store),
                     executor=Depends(get_executor)) -> Response:
    """Add the body's triples to the graph, in one transaction: 201 if it is new, else 204."""
    graph, triples = _target(request), _payload(request, body)
    existed = run_write(store, executor, lambda: _write_graph(store, graph, triples, replace=False))
    return Response(status_code=204 if existed else 201)


@router.delete("/graph-store", name="graph_store_delete", summary="Graph Store Protocol: drop a graph (write token)",
               openapi_extra=GSP_DOC, status_code=204, responses=WRITE_RESPONSES, dependencies=[Depends(writer)])
def graph_store_delete(request: Request, store: Store = Depends(get_store), executor=Depends(get_executor)) -> Response:
    """Drop the graph (404 if there is none)."""
    graph = _target(request)

    def drop() -> bool:
        if not _exists(store, graph):
            return False
        # SILENT: it exists (Virtuoso refuses DROP GRAPH of a graph made by inserts, not CREATE GRAPH)
        store.update("DROP DEFAULT" if isinstance(graph, DefaultGraph) else f"DROP SILENT GRAPH {graph}")
        return True

    if not run_write(store, executor, drop):
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


def _text_name(annotation: bytes) -> str:
    """The article text's file name the annotation gives (article.text), if it is a plain file
    name; "article.txt" when the annotation does not parse (the loader then says why)."""
    from ruamel.yaml import YAML

    try:
        doc = YAML(typ="safe").load(io.BytesIO(annotation))
        name = doc["article"]["text"]
    except Exception:  # noqa: BLE001 — any unreadable annotation: the loader reports it precisely
        return "article.txt"
    if not isinstance(name, str) or not name or Path(name).name != name or name.startswith(".") \
            or name in ("entities.yaml",) or "\\" in name or "\x00" in name:
        raise ApiError(422, f"article.text must be a plain file name (the `text` part is stored under it), "
                            f"not {name!r}")
    return name


def _upload_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name if filename else ""
    ok = name.endswith(".yaml") and name != "entities.yaml" and not name.startswith(".") and "\x00" not in name
    return name if ok else "annotation.yaml"


@router.post("/load", name="load_annotation", summary="Load an annotation file and its article text (write token)",
             responses={**WRITE_RESPONSES, 422: {"description": "The annotation file is bad: its line and problem",
                                                 "content": {"application/problem+json": {}}}},
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["annotation", "text"], "properties": {
                     "annotation": {"type": "string", "format": "binary", "description": "The annotation (YAML)"},
                     "text": {"type": "string", "format": "binary", "description": "The article text it quotes"}}}}}}},
             dependencies=[Depends(writer)])
def load_annotation(parts: dict = Depends(upload), store: Store = Depends(get_store),
                    executor=Depends(get_executor), settings: Settings = Depends(get_settings)) -> Response:
    """Check the annotation like `kg load` does (format, references, quotes in the text) against the
    service's shared entities, then replace the article's graph and its inferences in one
    transaction. A bad file is a 422 naming its line and problem; nothing is written."""
    from kg.store import load

    missing = [p for p in ("annotation", "text") if p not in parts]
    if missing:
        raise ApiError(422, f"missing part(s): {', '.join(missing)}", errors=[
            {"loc": ["body", p], "msg": "missing", "type": "missing"} for p in missing])
    (filename, annotation), (_, text) = parts["annotation"], parts["text"]
    name, text_name = _upload_name(filename), _text_name(annotation)
    if text_name == name:
        raise ApiError(422, f"the annotation and its text cannot both be called {name!r}")
    folder = Path(tempfile.mkdtemp(prefix="kg-load-"))
    try:
        shutil.copyfile(settings.entities_file, folder / "entities.yaml")
        (folder / name).write_bytes(annotation)
        (folder / text_name).write_bytes(text)
        _check_entities(store, settings, folder / "entities.yaml")
        try:
            report = run_write(store, executor, lambda: load(store, [folder / name], settings.iris))
        except AnnotationError as e:
            where = f"{name}:{e.line}" if e.line else name
            raise ApiError(422, f"{where}: {e.problem}",
                           errors=[{"loc": ["body", "annotation"], "msg": e.problem, "type": "annotation",
                                    "line": e.line}]) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return JSONResponse({"articles": report.articles, "triples": report.triples}, status_code=200)


def _check_entities(store: Store, settings: Settings, entities: Path) -> None:
    """The store's shared entities must be the service's entities file: a load over HTTP never
    rewrites them (409 otherwise)."""
    from kg.build import compile_entities
    from kg.store import graph_triples

    current = graph_triples(store, settings.iris.graph("entities"))
    if not current:
        return
    try:
        compiled = set(compile_entities(entities, settings.iris).triples)
    except AnnotationError as e:
        raise ApiError(500, f"the service's entities file is bad: {e}") from None
    if compiled != current:
        raise ApiError(409, "the store's shared entities are not the service's entities file "
                            f"({settings.entities_file.name}): load this article with `kg load` from its folder")

