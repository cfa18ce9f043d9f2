"""Linked data: every IRI under the base dereferences here, a page for a browser and RDF for a client.

The path of a request is the IRI minus the base: /place/homs is <base>place/homs, /event/<article>/<id>
is <base>event/<article>/<id>. `Accept: text/html` (a browser) gets a page of what the graph says, with
the quotes and links; an RDF media type gets the description (kg.describe), Turtle for `*/*` clients
that ask for no HTML. A suffix (.ttl, .nt, .jsonld, .rdf) picks the RDF format in the URL. The answer
is a direct 200 with `Vary: Accept`. /ontology serves the ontology (whose terms are hash IRIs) and
/graph/<name> each named graph."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import NamedNode, Store

from api import ui
from api.deps import Settings, get_settings, get_store
from api.errors import ApiError
from api.render import HTML, choose, rdf_response, templates
from api.routing import Route
from kg import describe, sparql
from kg.export import export, graph_for
from kg.formats import rdf_format
from kg.stats import statistics
from kg.store import article_ids

router = APIRouter(tags=["linked data"], route_class=Route)
KINDS = ("place", "actor", "event", "agreement", "casualty", "figure", "claim", "evidence", "article",
         "control", "control-period", "shared-event")  # the last three: issue 13
SUFFIXES = ("ttl", "nt", "jsonld", "rdf")
RDF_MEDIA = list(sparql.GRAPH_MEDIA)
ARTICLES = """SELECT ?article ?headline ?publisher ?published WHERE {
  ?article a hk:Article . OPTIONAL { ?article schema:headline ?headline }
  OPTIONAL { ?article schema:publisher/rdfs:label ?publisher } OPTIONAL { ?article schema:datePublished ?published }
} ORDER BY ?published"""


def _split_suffix(path: str) -> tuple[str, str | None]:
    stem, dot, ext = path.rpartition(".")
    return (stem, ext) if dot and ext in SUFFIXES else (path, None)


@router.get("/", summary="Home: what the service holds and where to start")
def home(request: Request, store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    """An HTML page for a browser; for other clients, the main links as JSON."""
    links = {name: str(request.url_for(route)) for name, route in (
        ("sparql", "sparql_get"), ("api", "list_queries"), ("docs", "swagger_ui"), ("openapi", "openapi"),
        ("void", "void_description"), ("exports", "list_exports"), ("ontology", "ontology"))}
    if choose(request, ["application/json", HTML]) != HTML:
        return JSONResponse({"name": "homs-kg", "base": settings.base, "links": links})
    articles = [{k: r[k].value if r[k] else None for k in ("article", "headline", "publisher", "published")}
                for r in sparql.execute(store, ARTICLES)]
    context = {"links": links, "stats": statistics(store)["entities"], "articles": articles,
               "queries": settings.catalogue().values(), "base": settings.base}
    return templates.TemplateResponse(request, "home.html", context)


@router.get("/ontology", name="ontology", summary="The ontology (its terms are <…/ontology#Term>)")
def ontology(request: Request, store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    """The ontology graph as RDF, or an HTML page with an anchor per term (so hk: IRIs dereference)."""
    media = choose(request, [HTML, *RDF_MEDIA])
    if media != HTML:
        fmt = sparql.GRAPH_MEDIA[media]
        return Response(export(store, fmt, settings.iris.graph("ontology")), media_type=sparql.media_type(fmt),
                        headers={"Vary": "Accept"})
    terms = describe.ontology_terms(store, settings.iris)
    return templates.TemplateResponse(request, "ontology.html", {"terms": terms}, headers={"Vary": "Accept"})


@router.get("/graph/{name:path}", summary="A named graph: its triples, or a page about it")
def named_graph(request: Request, name: str, store: Store = Depends(get_store),
                settings: Settings = Depends(get_settings)) -> Response:
    """<base>graph/<name> dereferenced: the graph's triples as RDF, or a page with its downloads."""
    try:
        graph = graph_for(store, settings.iris, name)
    except ValueError as e:
        raise ApiError(404, str(e)) from None
    media = choose(request, [HTML, *RDF_MEDIA])
    if media != HTML:
        fmt = sparql.GRAPH_MEDIA[media]
        return Response(export(store, fmt, graph), media_type=sparql.media_type(fmt), headers={"Vary": "Accept"})
    size = sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
    downloads = {ext: str(request.url_for("export_graph", name=f"{name}.{ext}")) for ext in SUFFIXES}
    return templates.TemplateResponse(request, "graph.html", {"iri": graph.value, "name": name, "size": size,
                                                              "downloads": downloads}, headers={"Vary": "Accept"})


@router.get("/{kind}/{rest:path}", name="resource", summary="Any resource under the base IRI",
            description=f"Kinds: {', '.join(KINDS)}. HTML for a browser, RDF otherwise; or a suffix: "
                        f"{', '.join('.' + s for s in SUFFIXES)}.")
def resource(request: Request, kind: str, rest: str, store: Store = Depends(get_store),
             settings: Settings = Depends(get_settings)) -> Response:
    """<base><kind>/<rest> dereferenced: its page, or its description in RDF."""
    if kind not in KINDS:
        raise ApiError(404, f"nothing at /{kind}/…: resources are under /{'/, /'.join(KINDS)}/")
    path, suffix = _split_suffix(rest)
    try:
        node = NamedNode(f"{settings.base}{kind}/{path}")
    except ValueError:  # not an IRI (a space, a quote, a NUL...): nothing can be there
        raise ApiError(404, f"nothing at /{kind}/{path}: not a valid IRI path") from None
    if not describe.exists(store, node):
        raise ApiError(404, f"the graph says nothing about <{node.value}>")
    if suffix:
        return rdf_response(describe.description(store, node), rdf_format(suffix))
    media = choose(request, [HTML, *RDF_MEDIA])
    if media != HTML:
        return rdf_response(describe.description(store, node), sparql.GRAPH_MEDIA[media])
    facts = describe.page(store, node, settings.iris)
    graph = kind == "article" and path in article_ids(store, settings.iris)
    context = {"page": facts, "kind": kind, "graph": graph and f"{path}",
               "downloads": {s: f"{request.url.path}.{s}" for s in SUFFIXES},
               "describe": f"DESCRIBE <{node.value}>",
               "articles": ui.evidence_by_article(request, store, facts.evidence),  # quotes in their text
               "reading": ui.article_reading(request, store, settings.iris, node) if graph else None}
    return templates.TemplateResponse(request, "resource.html", context, headers={"Vary": "Accept"})
