"""/export: downloads with stable URLs — the whole dataset (TriG, N-Quads), the union of its graphs
(Turtle, N-Triples) and each graph (an article's, `ontology`, `entities`, `inferred/<name>`) as
Turtle, N-Triples, JSON-LD or RDF/XML; and /context.jsonld, the @context of the JSON-LD."""

from __future__ import annotations

import json
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from pyoxigraph import Store

from api.deps import Settings, get_settings, get_store
from api.errors import ApiError
from api.routing import Route
from kg import formats
from kg.formats import rdf_format
from kg.storage import readable
from kg.storage.export import export, graph_for
from kg.storage.graphs import article_ids
from kg.storage.streaming import stream

router = APIRouter(tags=["exports"], route_class=Route)
DATASET_EXTENSIONS = ("trig", "nq")
GRAPH_EXTENSIONS = ("ttl", "nt", "jsonld", "rdf")
UNION_EXTENSIONS = ("ttl", "nt")


def download(write, fmt, filename: str) -> Response:
    """The export `write(output)` makes, streamed (kg/storage/streaming.py: never whole in memory).
    The file name in Content-Disposition is ASCII, with the full name as RFC 6266 filename*."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:  # a graph name outside Latin-1 was a plain-text 500 (issue 15)
        disposition += f"; filename*=UTF-8''{quote(filename)}"
    return StreamingResponse(stream(write), media_type=formats.media_type(fmt),
                             headers={"Content-Disposition": disposition})


@router.get("/export", summary="List the downloads")
def list_exports(request: Request, store: Store = Depends(get_store),
                 settings: Settings = Depends(get_settings)) -> dict:
    """The URL of every download: the dataset, and each graph in each format."""
    names = ["ontology", "entities", *article_ids(store, settings.iris)]
    graph = lambda name, ext: str(request.url_for("export_graph", name=f"{name}.{ext}"))  # noqa: E731
    return {"dataset": {ext: str(request.url_for("export_dataset", ext=ext)) for ext in DATASET_EXTENSIONS},
            "union": {ext: str(request.url_for("export_union", ext=ext)) for ext in UNION_EXTENSIONS},
            "graphs": {name: {ext: graph(name, ext) for ext in GRAPH_EXTENSIONS} for name in names}}


@router.get("/export/dataset.{ext}", name="export_dataset", summary="The whole dataset: every named graph",
            responses={200: {"content": {"application/trig": {}, "application/n-quads": {}}}})
def export_dataset(ext: str, store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    """Every graph (articles, their inferences, the shared entities, the ontology) as TriG or N-Quads."""
    if ext not in DATASET_EXTENSIONS:
        raise ApiError(404, f"the dataset is exported as {', '.join('.' + e for e in DATASET_EXTENSIONS)}, not .{ext}")
    fmt = rdf_format(ext)
    return download(lambda out: export(store, fmt, base=settings.base, output=out), fmt, f"homs-kg.{ext}")


@router.get("/export/graph/{name:path}", name="export_graph", summary="One graph",
            responses={200: {"content": {m: {} for m in ("text/turtle", "application/n-triples",
                                                         "application/ld+json", "application/rdf+xml")}}})
def export_graph(name: str, store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    """One graph — an article id, `ontology`, `entities` or `inferred/<name>` — with an extension:
    `.ttl`, `.nt`, `.jsonld` or `.rdf` (e.g. `/export/graph/ontology.ttl`)."""
    graph_name, _, ext = name.rpartition(".")
    if ext not in GRAPH_EXTENSIONS or not graph_name:
        raise ApiError(404, f"a graph is exported as <name>{{{','.join('.' + e for e in GRAPH_EXTENSIONS)}}}")
    try:
        graph = graph_for(store, settings.iris, graph_name)
    except ValueError as e:
        raise ApiError(404, str(e)) from None
    fmt = rdf_format(ext)
    return download(lambda out: export(store, fmt, graph, settings.base, output=out), fmt,
                    f"homs-kg-{graph_name.replace('/', '-')}.{ext}")


@router.get("/export/union.{ext}", name="export_union", summary="The union of all graphs, as triples",
            responses={200: {"content": {"text/turtle": {}, "application/n-triples": {}}}})
def export_union(ext: str, store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    """Every triple of every graph once — the default graph SPARQL queries see — as Turtle (`.ttl`,
    sorted and prefixed) or N-Triples (`.nt`)."""
    if ext not in UNION_EXTENSIONS:
        raise ApiError(404, f"the union is exported as {', '.join('.' + e for e in UNION_EXTENSIONS)}, not .{ext}")
    fmt = rdf_format(ext)
    return download(lambda out: export(store, fmt, base=settings.base, output=out), fmt, f"homs-kg-union.{ext}")


@router.get("/context.jsonld", name="jsonld_context", summary="The JSON-LD @context of the dataset's JSON-LD")
def jsonld_context(settings: Settings = Depends(get_settings)) -> Response:
    """Prefixes and base of the compact JSON-LD exports (ontology/context.jsonld for the default base)."""
    body = json.dumps({"@context": readable.context(settings.base)}, indent=1) + "\n"
    return Response(body, media_type="application/ld+json")
