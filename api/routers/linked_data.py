"""Linked data: every IRI under the base dereferences here, a page for a browser and RDF for a client.

The path of a request is the IRI minus the base: /place/homs is <base>place/homs, /event/<article>/<id>
is <base>event/<article>/<id>. `Accept: text/html` (a browser) gets a page of what the graph says, with
the quotes and links; an RDF media type gets the description (kg.describing.resources), Turtle for `*/*` clients
that ask for no HTML. A suffix (.ttl, .nt, .jsonld, .rdf) picks the RDF format in the URL. The answer
is a direct 200 with `Vary: Accept`. /ontology serves the ontology (whose terms are hash IRIs):
RDF/XML unless HTML is asked for, as OWL tools expect, and /ontology.rdf|owl|ttl|nt|jsonld by
suffix; /graph/<name> serves each named graph."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import NamedNode, RdfFormat, Store

from api.deps import Settings, get_settings, get_store
from api.errors import ApiError
from api.render import choose, rdf_response, templates
from api.routers import ui
from api.routing import Route
from kg import formats
from kg.describing import page_facts
from kg.describing import place_map as place_maps
from kg.describing import resources as describe
from kg.describing.stats import statistics
from kg.formats import HTML, rdf_format
from kg.querying import sparql
from kg.storage import readable
from kg.storage.export import export, graph_for
from kg.storage.graphs import article_ids

router = APIRouter(tags=["linked data"], route_class=Route)
KINDS = ("place", "actor", "event", "agreement", "casualty", "figure", "claim", "position", "evidence", "article",
         "control", "control-period", "shared-event")  # the last three: issue 13
SUFFIXES = ("ttl", "nt", "jsonld", "rdf")
RDF_MEDIA = list(formats.GRAPH_MEDIA)
RDF_XML = RdfFormat.RDF_XML.media_type
ONTOLOGY_SUFFIXES = {"rdf": RdfFormat.RDF_XML, "owl": RdfFormat.RDF_XML, "ttl": RdfFormat.TURTLE,
                     "nt": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD}
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
    for a in articles:  # no headline on its page: a title from its lead
        a["headline"] = page_facts.article_title(store, a["article"], a["headline"])
    context = {"links": links, "stats": statistics(store)["entities"], "articles": articles,
               "queries": settings.catalogue().values(), "base": settings.base}
    return templates.TemplateResponse(request, "home.html", context)


@router.get("/ontology", name="ontology", summary="The ontology (its terms are <…/ontology#Term>)")
def ontology(request: Request, store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    """The ontology graph as RDF — RDF/XML to a client that asks for no HTML (owlready2, Protégé: no
    Accept header) — or, to a browser, an HTML page with an anchor per term (so hk: IRIs dereference)."""
    media = choose(request, [RDF_XML, HTML, *RDF_MEDIA])
    if media != HTML:
        return _ontology_rdf(store, settings, formats.GRAPH_MEDIA[media])
    terms = describe.ontology_terms(store, settings.iris)
    return templates.TemplateResponse(request, "ontology.html", {"terms": terms}, headers={"Vary": "Accept"})


@router.get("/ontology.{ext}", name="ontology_file", summary="The ontology in one RDF format",
            description="`.rdf` and `.owl` (RDF/XML, for OWL tools), `.ttl`, `.nt`, `.jsonld`.")
def ontology_file(ext: str, store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    """The ontology graph by suffix: the same triples as ontology/homs-kg.ttl."""
    if ext not in ONTOLOGY_SUFFIXES:
        raise ApiError(404, f"the ontology is served as {', '.join('/ontology.' + s for s in ONTOLOGY_SUFFIXES)}")
    return _ontology_rdf(store, settings, ONTOLOGY_SUFFIXES[ext])


def _ontology_rdf(store: Store, settings: Settings, fmt) -> Response:
    triples = (q.triple for q in store.quads_for_pattern(None, None, None, settings.iris.graph("ontology")))
    return Response(readable.write(triples, fmt), media_type=formats.media_type(fmt), headers={"Vary": "Accept"})


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
        fmt = formats.GRAPH_MEDIA[media]
        return Response(export(store, fmt, graph), media_type=formats.media_type(fmt), headers={"Vary": "Accept"})
    size = sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
    downloads = {ext: str(request.url_for("export_graph", name=f"{name}.{ext}")) for ext in SUFFIXES}
    return templates.TemplateResponse(request, "graph.html", {"iri": graph.value, "name": name, "size": size,
                                                              "downloads": downloads}, headers={"Vary": "Accept"})


def _page_number(request: Request) -> int:
    try:
        return max(int(request.query_params.get("page", "1")), 1)
    except ValueError:
        return 1


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
        return rdf_response(describe.description(store, node), formats.GRAPH_MEDIA[media])
    facts = describe.page(store, node, settings.iris)
    events = place_map = None
    if kind == "place":  # its events once each, grouped and paged, on its map; the links they restate folded
        items = page_facts.place_items(store, node, settings.iris)
        events = page_facts.place_events(store, node, _page_number(request), items=items)
        place_map = place_maps.place_map(store, node.value, items)
        facts.referenced_by = page_facts.fold_incoming(facts.referenced_by, events.listed)
    graph = kind == "article" and path in article_ids(store, settings.iris)
    context = {"page": facts, "kind": kind, "graph": graph and f"{path}", "events": events, "place_map": place_map,
               "downloads": {s: f"{request.url.path}.{s}" for s in SUFFIXES},
               "describe": f"DESCRIBE <{node.value}>",
               "articles": ui.evidence_by_article(request, store, facts.evidence),  # quotes in their text
               "reading": ui.article_reading(request, store, settings.iris, node) if graph else None}
    return templates.TemplateResponse(request, "resource.html", context, headers={"Vary": "Accept"})
