"""The web interface: pages over the same API, and the assets they load, all served from api/static/.

- /ask: pick a canned query, fill its generated form, read the rows with their citations
- /editor: write SPARQL (CodeMirror, prefixes pre-filled), see results or the parser's error in place
- /explore: a map (Leaflet over a shipped basemap, points from the graph's own coordinates) and a
  timeline of the events, filtered together and linked to each other
- /ui/sparql/<name>: the SPARQL of a canned query with its parameters bound (for "show the SPARQL")

The pages are plain HTML with ES modules of our own (api/static/js/) over the JSON API (/api, /sparql);
the libraries are vendored under api/static/vendor/ by scripts/vendor-assets.sh: nothing is fetched
from outside. The entity pages (api/routers/linked_data.py) use `evidence_by_article` and `article_reading` to show
quoted passages highlighted in their article's text (hk:text, with oa:start/oa:end offsets)."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import pass_context
from markupsafe import Markup
from pyoxigraph import NamedNode, Store, Variable

from api.deps import Settings, get_settings, get_store
from api.errors import ApiError
from api.render import local_path, templates
from api.routing import Route
from kg import __version__
from kg.describing import page_facts
from kg.errors import QueryError
from kg.namespaces import PREFIXES, Iris
from kg.querying import catalogue as canned
from kg.querying.binding import bind

router = APIRouter(include_in_schema=False, route_class=Route)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
EXAMPLES = [  # the SPARQL editor's examples: (title, query body; the prefixes are added in the page)
    ("Ceasefires in Homs, with their status",
     "SELECT ?truce ?label ?status WHERE {\n  ?truce a hk:Ceasefire ;\n         hk:locatedIn <place/homs> ;\n"
     "         rdfs:label ?label ;\n         hk:status/rdfs:label ?status .\n}"),
    ("Events in 2014, in date order",
     "SELECT ?event ?label ?earliest ?latest WHERE {\n  ?event a hk:Event ; rdfs:label ?label ; hk:earliest ?earliest .\n"
     "  OPTIONAL { ?event hk:latest ?latest }\n  FILTER(YEAR(?earliest) = 2014)\n}\nORDER BY ?earliest ?event"),
    ("Who reported which casualty figure",
     "SELECT ?figure ?label ?reporter WHERE {\n  ?figure a hk:Casualty ; rdfs:label ?label ;\n"
     "          hk:reportedBy/rdfs:label ?reporter .\n}\nORDER BY ?label\nLIMIT 50"),
    ("The quoted sentence behind each agreement",
     "SELECT ?agreement ?label ?quote ?article WHERE {\n  ?agreement a hk:Agreement ; rdfs:label ?label ;\n"
     "             hk:evidence/oa:hasTarget ?target .\n  ?target oa:hasSource ?article ;\n"
     "          oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?quote ] .\n}"),
    ("Neighbourhoods of Homs with coordinates",
     "SELECT ?place ?label ?wkt WHERE {\n  ?place a hk:Neighbourhood ; hk:partOf <place/homs> ; rdfs:label ?label .\n"
     "  OPTIONAL { ?place geo:hasGeometry/geo:asWKT ?wkt }\n}\nORDER BY ?label"),
    ("Events per type (counting)",
     "SELECT ?type (COUNT(DISTINCT ?event) AS ?events) WHERE {\n  ?event a hk:Event ; a ?t .\n"
     "  ?t rdfs:label ?type ; rdfs:subClassOf+ hk:Event .\n}\nGROUP BY ?type\nORDER BY DESC(?events)"),
    ("Is Baba Amr in Homs? (ASK)", "ASK { <place/baba-amr> hk:partOf <place/homs> }"),
    ("The Old Homs truce as RDF (CONSTRUCT)",
     "CONSTRUCT { ?truce ?p ?o } WHERE {\n  BIND(<agreement/a002-syria-direct-fall-of-homs/old-homs-truce> AS ?truce)\n"
     "  ?truce ?p ?o .\n  FILTER(isIRI(?o) || isLiteral(?o))\n}"),
]


def install(app: FastAPI) -> None:
    """Serve api/static/ at /static and the interface's pages (before the linked-data catch-all)."""
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(router)


@pass_context
def static_url(context, path: str) -> str:
    """The URL of a file under api/static/, on this server (root path kept), versioned for caches."""
    root = context["request"].scope.get("root_path", "").rstrip("/")
    return f"{root}/static/{path}?v={__version__}"


@lru_cache(maxsize=4)
def _read_static(path: str, mtime: float) -> str:
    return (STATIC_DIR / path).read_text(encoding="utf-8")


def inline_static(path: str) -> Markup:
    """A text file under api/static/, to embed in a page (the stylesheet: every page has it with no
    further request, and a page stays one self-contained document)."""
    file = STATIC_DIR / path
    return Markup(_read_static(path, file.stat().st_mtime))


templates.env.globals["static_url"] = static_url
templates.env.globals["inline_static"] = inline_static


def _page(request: Request, template: str, **context) -> Response:
    settings: Settings = request.app.state.settings
    return templates.TemplateResponse(request, template, {"base": settings.base, **context})


@router.get("/ask", name="ui_ask")
def ask(request: Request) -> Response:
    """Ask a question: the canned queries as forms, their results as tables with citations."""
    return _page(request, "ask.html")


@router.get("/editor", name="ui_editor")
def editor(request: Request) -> Response:
    """The SPARQL editor."""
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in ("sem", "void", "owl"))
    return _page(request, "editor.html", prefixes=prefixes, examples=[{"title": t, "query": q} for t, q in EXAMPLES])


@router.get("/explore", name="ui_explore")
def explore(request: Request) -> Response:
    """The map and the timeline."""
    return _page(request, "explore.html")


@router.get("/ui/sparql/{name}", name="ui_canned_sparql")
def canned_sparql(request: Request, name: str, store: Store = Depends(get_store),
                  settings: Settings = Depends(get_settings)) -> Response:
    """The SPARQL of canned query `name`, runnable as it is: its parameters (from the URL, else their
    defaults) bound by a VALUES line at the top of its WHERE clause, as the API binds them."""
    query = settings.catalogue().get(name)
    if query is None:
        raise ApiError(404, f"no canned query {name!r}")
    values = {p.name: request.query_params.get(p.name) for p in query.params}
    text = "\n".join(line for line in query.sparql.splitlines() if not line.startswith("#+")).lstrip("\n")
    header = f"# The canned query {name} (/api/{name})"
    if query.params:
        try:
            bound = canned.bindings(store, settings.iris, query, values)
        except QueryError:  # a missing required value, an unknown name: show the query unbound
            bound = {}
        if bound:
            text = bind(text, bound)  # as the API binds them (kg.querying.binding)
            header += ", its parameters bound by the VALUES line"
    return PlainTextResponse(f"{header}\n{text}\n", media_type="application/sparql-query; charset=utf-8")


# --- entity pages: quotes in their article's text --------------------------------------------------

ARTICLE = """SELECT ?article ?text ?bodyStart ?bodyEnd ?headline ?publisher ?publisherLabel ?published ?language ?url
       (GROUP_CONCAT(DISTINCT CONCAT(STR(?author), " ", ?authorLabel); separator="\\n") AS ?authors)
WHERE {
  ?article hk:text ?text .
  OPTIONAL { ?article hk:bodyStart ?bodyStart } OPTIONAL { ?article hk:bodyEnd ?bodyEnd }
  OPTIONAL { ?article schema:headline ?headline } OPTIONAL { ?article schema:datePublished ?published }
  OPTIONAL { ?article schema:publisher ?publisher . ?publisher rdfs:label ?publisherLabel }
  OPTIONAL { ?article schema:inLanguage ?language } OPTIONAL { ?article schema:url ?url }
  OPTIONAL { ?article schema:author ?author . ?author rdfs:label ?authorLabel }
} GROUP BY ?article ?text ?bodyStart ?bodyEnd ?headline ?publisher ?publisherLabel ?published ?language ?url"""

ANNOTATIONS = """SELECT ?article ?fact ?label ?start ?end WHERE {
  ?fact hk:evidence/oa:hasTarget ?target .
  ?target oa:hasSource ?article ; oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] .
  OPTIONAL { ?fact rdfs:label ?label }
} ORDER BY ?start ?end ?fact"""

FACT_KINDS = ("event", "agreement", "casualty", "figure", "claim", "position")
CONTEXT_CHARS = 320  # how much of the paragraph a passage shows on each side of the quote


def _query(store: Store, sparql: str, article: NamedNode):
    return store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True,
                       substitutions={Variable("article"): article})


def article_metadata(request: Request, store: Store, article: str) -> dict | None:
    """An article's text and metadata (headline, publisher, date, authors, language), or None."""
    for r in _query(store, ARTICLE, NamedNode(article)):
        value = {k: (r[k].value if r[k] is not None else None) for k in
                 ("text", "bodyStart", "bodyEnd", "headline", "publisher", "publisherLabel", "published",
                  "language", "url")}
        authors = [line.split(" ", 1) for line in (r["authors"].value.splitlines() if r["authors"] else [])]
        value["authors"] = [{"iri": iri, "label": label} for iri, label in authors]
        value["article"] = article
        value["href"] = local_path(request, article) or article
        if not value["headline"] and value["text"] is not None:  # none on its page: its lead's words
            value["headline"] = page_facts.lead_title(value["text"], int(value["bodyStart"] or 0),
                                                      int(value["bodyEnd"]) if value["bodyEnd"] else None)
        return value
    return None


def _passage(text: str, start: int, end: int) -> dict:
    """The paragraph around text[start:end], cut at words to about CONTEXT_CHARS each side."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    before, after = text[first:start], text[end:(len(text) if last < 0 else last)]
    if len(before) > CONTEXT_CHARS:
        before = "…" + before[-CONTEXT_CHARS:].split(" ", 1)[-1]
    if len(after) > CONTEXT_CHARS:
        after = after[:CONTEXT_CHARS].rsplit(" ", 1)[0] + "…"
    return {"before": before, "quote": text[start:end], "after": after, "start": start, "end": end}


def evidence_by_article(request: Request, store: Store, evidence: list[dict]) -> list[dict]:
    """The rows of the `sources` query grouped by article: each article's metadata, and each quote as
    a passage of its article's text (the quote, with the words around it)."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for e in evidence:
        grouped[e["article"]].append(e)
    out = []
    for article, rows in grouped.items():
        meta = article_metadata(request, store, article) or {"article": article, "text": None, "authors": [],
                                                             "href": local_path(request, article) or article}
        text, passages, seen = meta.pop("text"), [], set()
        for e in sorted(rows, key=lambda e: int(e["start"] or 0)):
            start, end = int(e["start"]), int(e["end"])
            if (start, end) in seen:
                continue
            seen.add((start, end))
            if text is not None and text[start:end] == e["quote"]:
                passages.append(_passage(text, start, end))
            else:  # no text, or offsets that do not match it: the quote alone
                passages.append({"before": "", "quote": e["quote"], "after": "", "start": start, "end": end})
        out.append({**meta, "passages": passages})
    return out


def fact_kind(iris: Iris, iri: str) -> str:
    """The kind of a resource from its IRI: event, agreement, casualty, claim, place, actor, meta…"""
    if not iri.startswith(iris.base):
        return "other"
    path = iri[len(iris.base):].split("/")
    if path[0] == "article":
        return "meta"
    return "figure" if path[0] == "casualty" else path[0]


def article_reading(request: Request, store: Store, iris: Iris, article: NamedNode) -> dict | None:
    """An article's body as paragraphs of segments, each segment with the annotations that quote it
    (facts, and the places and actors named), for the article page's highlighted text."""
    meta = article_metadata(request, store, article.value)
    if meta is None or meta["text"] is None:
        return None
    text = meta["text"]
    start = int(meta["bodyStart"]) if meta["bodyStart"] else 0
    end = int(meta["bodyEnd"]) if meta["bodyEnd"] else len(text)
    facts: dict[str, dict] = {}
    spans = []
    for r in _query(store, ANNOTATIONS, article):
        iri = r["fact"].value
        kind = fact_kind(iris, iri)
        if kind == "meta":
            continue
        facts.setdefault(iri, {"iri": iri, "label": r["label"].value if r["label"] else iri, "kind": kind,
                               "href": local_path(request, iri) or iri})
        spans.append((max(int(r["start"].value), start), min(int(r["end"].value), end), iri))
    spans = [s for s in spans if s[0] < s[1]]
    cuts = sorted({start, end, *(s for s, _, _ in spans), *(e for _, e, _ in spans),
                   *(i + 1 for i in range(start, end) if text[i] == "\n")})
    paragraphs, current = [], []
    for a, b in zip(cuts, cuts[1:]):
        chunk = text[a:b]
        covering = sorted({iri for s, e, iri in spans if s <= a and b <= e})
        if chunk.strip("\n") or covering:
            kinds = {facts[i]["kind"] for i in covering}
            current.append({"text": chunk.rstrip("\n"), "facts": covering, "start": a,
                            "kind": next((k for k in (*FACT_KINDS, "place", "actor") if k in kinds), None),
                            "depth": sum(1 for i in covering if facts[i]["kind"] in FACT_KINDS)})
        if chunk.endswith("\n") and current:
            if any(s["text"].strip() for s in current):
                paragraphs.append(current)
            current = []
    if any(s["text"].strip() for s in current):
        paragraphs.append(current)
    return {**meta, "paragraphs": paragraphs, "facts": facts}
