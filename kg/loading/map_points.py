"""Where the map draws each event and agreement, derived at load time (issue 17).

The map's data (canned query event_map) needs, per item, the most specific places it is located in,
and per place a point: its own coordinates or, when it has none, those of the nearest place that
contains it and has some. Worked out at query time, per item, that took minutes on a 1,000-article
corpus (a `hk:partOf*` walk and a NOT EXISTS per place, per item). Here it is derived once, when the
inferred graphs are, and written as plain triples, so the map's queries are single-pattern lookups:

- `<item> hk:mapPlace <place>`: a place the item is located in (hk:locatedIn, asserted or entailed)
  that contains none of the item's other places (no `<place> hk:hasPart <other>`): in the article's
  inferred graph;
- `<place> hk:mapPoint "POINT(lon lat)"^^geo:wktLiteral`, with `hk:mapLatitude` and `hk:mapLongitude`
  (xsd:decimal, for a box): the WKT of the place's geometry, or of the nearest containing places'
  (a containing place with a geometry that no other such place inside it lies within). Shared places
  get theirs in the entities' inferred graph, an article's own places in the article's.

Kept exact by the same writes that keep the inferred graphs exact: an article's are derived with its
inferred graph (`kg.loading.time_bounds.inferred`, the hook both the transactional and the bulk load
call, in this process or a loader worker, for an embedded or a remote store) and replaced with it in
its transaction; the shared places' are part of the entities' inferred graph (`shared_points`), and
when the shared entities change (a place moved, its coordinates changed), the loader derives every
other article's inferred graph again (kg.loading.load), so their map places and points follow."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal, Triple

from kg.namespaces import GEO, HK, RDF, XSD

MAP_PROPERTIES = (HK.mapPlace, HK.mapPoint, HK.mapLatitude, HK.mapLongitude)
_POINT = re.compile(r"^\s*POINT\s*\(\s*(-?[\d.]+(?:[eE][-+]?\d+)?)\s+(-?[\d.]+(?:[eE][-+]?\d+)?)\s*\)\s*$", re.I)


class _Places:
    """What the points are worked out from: each place's ancestors (hk:partOf, transitive) and WKTs."""

    def __init__(self, triples: Iterable[Triple]):
        self.places, self.parents, self.geometry, self.wkt = set(), {}, {}, {}
        for t in triples:
            p = t.predicate
            if p == RDF.type and t.object == HK.Place:
                self.places.add(t.subject)
            elif p == HK.partOf:
                self.parents.setdefault(t.subject, set()).add(t.object)
            elif p == GEO.hasGeometry:
                self.geometry.setdefault(t.subject, set()).add(t.object)
            elif p == GEO.asWKT:
                self.wkt.setdefault(t.subject, set()).add(t.object)

    def extended(self, triples: Iterable[Triple]) -> _Places:
        """These places and an article's own (its triples added to a copy)."""
        more = _Places(triples)
        out = _Places(())
        out.places = self.places | more.places
        for name in ("parents", "geometry", "wkt"):
            mine, theirs = getattr(self, name), getattr(more, name)
            merged = dict(mine)
            for k, v in theirs.items():
                merged[k] = mine.get(k, set()) | v
            setattr(out, name, merged)
        return out

    def ancestors(self, place) -> set:
        """Every place `place` is part of (the transitive closure, whether or not it is materialised)."""
        seen, stack = set(), [place]
        while stack:
            for parent in self.parents.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen

    def wkts(self, place) -> set:
        return {w for g in self.geometry.get(place, ()) for w in self.wkt.get(g, ())}

    def point_triples(self, place) -> set[Triple]:
        """The place's map point(s): its WKT, else the nearest containing places' (see the module)."""
        candidates = {p for p in {place} | self.ancestors(place) if self.wkts(p)}
        # `located` is left out when a closer candidate (the place or one of its ancestors) lies within it
        nearest = {c for c in candidates if not any(c in self.ancestors(o) for o in candidates)}
        out = set()
        for c in nearest:
            for wkt in self.wkts(c):
                out.add(Triple(place, HK.mapPoint, wkt))
                m = _POINT.match(wkt.value)
                if m is None:
                    continue
                try:
                    lon, lat = Decimal(m.group(1)), Decimal(m.group(2))
                except InvalidOperation:
                    continue
                out.add(Triple(place, HK.mapLatitude, Literal(_decimal(lat), datatype=XSD.decimal)))
                out.add(Triple(place, HK.mapLongitude, Literal(_decimal(lon), datatype=XSD.decimal)))
        return out


def _decimal(d: Decimal) -> str:
    text = format(d, "f")
    return text if "." in text else text + ".0"


def shared_points(context: Iterable[Triple]) -> set[Triple]:
    """The map points of the shared places: `context` is the entities' graph with its entailments
    (kg.loading.reasoning.Reasoner.base). Written in the entities' inferred graph."""
    places = _Places(context)
    return {t for place in places.places for t in places.point_triples(place)}


def _context_places(reasoner) -> _Places:
    """The shared places of the reasoner's context, indexed once per reasoner (as time_bounds' labels)."""
    places = getattr(reasoner, "_map_places", None)
    if places is None:
        places = _Places(reasoner.base)
        reasoner._map_places = places
    return places


def article_triples(reasoner, article: set[Triple]) -> set[Triple]:
    """An article's map places (every event and agreement) and its own places' points: `article` is
    the article's graph with its inferred triples. Written in the article's inferred graph."""
    shared = _context_places(reasoner)
    own = _Places(article)
    places = shared.extended(article) if (own.places or own.parents or own.geometry) else shared
    out = set()
    for place in own.places - shared.places:  # an article's own places (article-local)
        out |= places.point_triples(place)
    items, located = set(), {}
    for t in article:
        if t.predicate == RDF.type and t.object in (HK.Event, HK.Agreement):
            items.add(t.subject)
        elif t.predicate == HK.locatedIn:
            located.setdefault(t.subject, set()).add(t.object)
    base = reasoner.base  # a report of a shared event is typed in the entities too (hk:reportOf's domain)
    items |= {s for s in located for top in (HK.Event, HK.Agreement) if Triple(s, RDF.type, top) in base}
    for item in items:
        where = located.get(item, set())
        for place in where:
            if not any(place in places.ancestors(inner) for inner in where):
                out.add(Triple(item, HK.mapPlace, place))
    return out
