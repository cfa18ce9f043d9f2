"""Facts for pages that scale: a place's events each once, grouped by type and paged; the incoming
links the events already account for folded away; a readable title for an article without a
headline.

A place page used to list each event three times (hk:locatedIn, its super-properties
schema:location and hk:concernsPlace) among every other incoming link, unpaged. Here the events and
agreements located in the place or anywhere inside it are listed once each, grouped by their most
specific type, by date within a group, a page of PER_PAGE at a time; the count says what it counts.
Which events are a place's is defined once, by the canned query `place_events`: an event several
articles report is one item (the map, /api/places and the page count the same items)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Store, Variable

from kg.namespaces import HK, PREFIXES, SCHEMA, Iris
from kg.querying import catalogue as canned
from kg.querying.binding import bind

PER_PAGE = 40
TITLE_CHARS = 90
# incoming links that only restate "this event is located here" (the sub-property and its entailments)
# entailed by hk:locatedIn (and, for figures, by their event's), or by an origin or destination shown as itself
FOLDED = {HK.locatedIn.value, SCHEMA.location.value, HK.concernsPlace.value,
          SCHEMA.fromLocation.value, SCHEMA.toLocation.value}

@dataclass
class PlaceEvents:
    total: int  # events and agreements located in the place or anywhere inside it, each once
    page: int
    pages: int
    groups: list[tuple[str, list[dict]]] = field(default_factory=list)  # (type, items), this page's
    listed: set[str] = field(default_factory=set)  # every item's IRI, on every page


def place_items(store: Store, place: NamedNode, iris: Iris | None = None) -> list[dict]:
    """The events and agreements of a place, each once: the rows of the canned query `place_events`
    (queries/place-events.rq), the one definition of what a place's count counts."""
    query = canned.catalogue()["place_events"]
    items = []
    for r in canned.run(store, query, {"place": place.value}, iris):
        items.append({"iri": r["item"].value, "kind": r["kind"].value, "label": r["label"].value,
                      "type": r["type"].value if r["type"] else r["kind"].value,
                      "earliest": r["earliest"].value if r["earliest"] else None,
                      "latest": r["latest"].value if r["latest"] else None,
                      "where": r["where"].value.split() if r["where"] else []})
    return items


def place_events(store: Store, place: NamedNode, page: int = 1, per_page: int = PER_PAGE,
                 iris: Iris | None = None, items: list[dict] | None = None) -> PlaceEvents:
    """The events and agreements of a place (place_items), grouped by most specific type (the
    groups by name, a group's items by date, undated last), page `page` of PER_PAGE items."""
    items = list(place_items(store, place, iris) if items is None else items)
    items.sort(key=lambda i: (i["type"].lower(), i["earliest"] is None, i["earliest"] or "", i["label"].lower()))
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(page, 1), pages)
    groups: list[tuple[str, list[dict]]] = []
    for item in items[(page - 1) * per_page: page * per_page]:
        if not groups or groups[-1][0] != item["type"]:
            groups.append((item["type"], []))
        groups[-1][1].append(item)
    return PlaceEvents(len(items), page, pages, groups, {i["iri"] for i in items})


def fold_incoming(referenced_by: list, listed: set[str]) -> list:
    """A place page's incoming links without what the events section shows: the located-in links
    (and their entailed super-properties) of the events and agreements listed there."""
    out = []
    for prop, label, values in referenced_by:
        if prop == HK.locatedIn.value:
            values = [v for v in values if getattr(v.term, "value", None) not in listed]
        elif prop in FOLDED:
            values = []
        if values:
            out.append((prop, label, values))
    return out


def lead_title(text: str, start: int = 0, end: int | None = None) -> str:
    """A title for an article whose page shows no headline: the first sentence of its body, cut at a
    word to about TITLE_CHARS, in quotation marks (the article's words, not a headline)."""
    body = text[start:end].strip()
    first = body.split("\n", 1)[0]
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    if len(sentence) > TITLE_CHARS:
        sentence = sentence[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return f"“{sentence}”"


ARTICLE_TEXT = """SELECT ?text ?bodyStart ?bodyEnd WHERE {
  ?article hk:text ?text . OPTIONAL { ?article hk:bodyStart ?bodyStart } OPTIONAL { ?article hk:bodyEnd ?bodyEnd }
}"""


def article_title(store: Store, article: str, headline: str | None = None) -> str:
    """The headline, else a title from the article's lead (lead_title), else the IRI."""
    if headline:
        return headline
    for r in store.query(bind(ARTICLE_TEXT, {Variable("article"): NamedNode(article)}), prefixes=PREFIXES,
                         use_default_graph_as_union=True):
        end = int(r["bodyEnd"].value) if r["bodyEnd"] else None
        return lead_title(r["text"].value, int(r["bodyStart"].value) if r["bodyStart"] else 0, end)
    return article
