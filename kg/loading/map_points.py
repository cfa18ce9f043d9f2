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
  get theirs in the entities' inferred graph, an article's own places in the article's;
- `<item> hk:mapMonth "2013-02"^^xsd:gYearMonth`: the month the item starts in, for the timeline's
  count by month (event_map_months): of its earliest date (hk:earliest, stated or derived by
  kg.loading.time_bounds), else of its latest; and `<item> hk:mapUndated true` when it has neither.
  In the article's inferred graph, beside its map places: the world's count by month is then a read
  of these two predicates, not a join of every item with its dates (nor of every item with its
  month, to find the undated).

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

MAP_PROPERTIES = (HK.mapPlace, HK.mapPoint, HK.mapLatitude, HK.mapLongitude, HK.mapMonth, HK.mapUndated)
# the terms, as names of their own (a module-level name, not a Namespace attribute lookup, per triple)
_TYPE, _PLACE, _PART_OF, _HAS_GEOMETRY, _AS_WKT = RDF.type, HK.Place, HK.partOf, GEO.hasGeometry, GEO.asWKT
_LOCATED_IN, _TOPS = HK.locatedIn, (HK.Event, HK.Agreement)
_MAP_PLACE, _MAP_POINT, _MAP_LATITUDE, _MAP_LONGITUDE, _MAP_MONTH, _MAP_UNDATED = MAP_PROPERTIES
_EARLIEST, _LATEST = HK.earliest, HK.latest
_DECIMAL, _YEAR_MONTH = XSD.decimal, XSD.gYearMonth
_TRUE = Literal("true", datatype=XSD.boolean)
_MONTH = re.compile(r"^-?\d{4,}-\d{2}$")
_POINT = re.compile(r"^\s*POINT\s*\(\s*(-?[\d.]+(?:[eE][-+]?\d+)?)\s+(-?[\d.]+(?:[eE][-+]?\d+)?)\s*\)\s*$", re.I)


class _Places:
    """What the points are worked out from: each place's ancestors (hk:partOf, transitive) and WKTs."""

    def __init__(self, triples: Iterable[Triple]):
        self.places, self.parents, self.geometry, self.wkt = set(), {}, {}, {}
        for t in triples:
            p = t.predicate
            if p == _TYPE:
                if t.object == _PLACE:
                    self.places.add(t.subject)
            elif p == _PART_OF:
                self.parents.setdefault(t.subject, set()).add(t.object)
            elif p == _HAS_GEOMETRY:
                self.geometry.setdefault(t.subject, set()).add(t.object)
            elif p == _AS_WKT:
                self.wkt.setdefault(t.subject, set()).add(t.object)

    def extended(self, triples: Iterable[Triple]) -> _Places:
        """These places and an article's own: a view that reads the article's first, then these."""
        return _Overlay(_Places(triples), self)

    def parents_of(self, place) -> Iterable:
        return self.parents.get(place, ())

    def geometries_of(self, place) -> Iterable:
        return self.geometry.get(place, ())

    def wkts_of(self, geometry) -> Iterable:
        return self.wkt.get(geometry, ())

    def ancestors(self, place) -> frozenset:
        """Every place `place` is part of (the transitive closure, whether or not it is materialised);
        remembered, as the shared places' are asked for again by every article."""
        memo = self.__dict__.setdefault("_ancestors", {})
        found = memo.get(place)
        if found is None:
            seen, stack = set(), [place]
            while stack:
                for parent in self.parents_of(stack.pop()):
                    if parent not in seen:
                        seen.add(parent)
                        stack.append(parent)
            found = memo[place] = frozenset(seen)
        return found

    def wkts(self, place) -> set:
        return {w for g in self.geometries_of(place) for w in self.wkts_of(g)}

    def point_triples(self, place) -> set[Triple]:
        """The place's map point(s): its WKT, else the nearest containing places' (see the module)."""
        candidates = {p for p in {place} | self.ancestors(place) if self.wkts(p)}
        # `located` is left out when a closer candidate (the place or one of its ancestors) lies within it
        nearest = {c for c in candidates if not any(c in self.ancestors(o) for o in candidates)}
        out = set()
        for c in nearest:
            for wkt in self.wkts(c):
                out.add(Triple(place, _MAP_POINT, wkt))
                m = _POINT.match(wkt.value)
                if m is None:
                    continue
                try:
                    lon, lat = Decimal(m.group(1)), Decimal(m.group(2))
                except InvalidOperation:
                    continue
                out.add(Triple(place, _MAP_LATITUDE, Literal(_decimal(lat), datatype=_DECIMAL)))
                out.add(Triple(place, _MAP_LONGITUDE, Literal(_decimal(lon), datatype=_DECIMAL)))
        return out


class _Overlay(_Places):
    """An article's places over the shared ones, without copying the shared index."""

    def __init__(self, own: _Places, shared: _Places):
        self.own, self.shared = own, shared
        self.places = own.places | shared.places

    def parents_of(self, place) -> Iterable:
        return set(self.own.parents_of(place)) | set(self.shared.parents_of(place))

    def geometries_of(self, place) -> Iterable:
        return set(self.own.geometries_of(place)) | set(self.shared.geometries_of(place))

    def wkts_of(self, geometry) -> Iterable:
        return set(self.own.wkts_of(geometry)) | set(self.shared.wkts_of(geometry))


def _decimal(d: Decimal) -> str:
    """The lexical form Oxigraph stores (35.0 is read back as "35"), so that the entities' inferred
    graph compiled anew equals the stored one and a load does not think the shared places changed."""
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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
    items, by = article_items(reasoner, article, (_LOCATED_IN, _EARLIEST, _LATEST))
    located, earliest, latest = by[_LOCATED_IN], by[_EARLIEST], by[_LATEST]
    for item in items:
        out |= month_triples(item, earliest.get(item) or latest.get(item) or ())
        where = located.get(item, set())
        for place in where:
            if not any(place in places.ancestors(inner) for inner in where):
                out.add(Triple(item, _MAP_PLACE, place))
    return out


def article_items(reasoner, article: set[Triple], predicates: tuple) -> tuple[set, dict]:
    """The events and agreements of `article` (its graph with its inferred triples), and, for each of
    `predicates`, {subject: its objects} read in the same pass. An item is one typed so in the article,
    or the subject of one of `predicates` typed so in the entities: a report of a shared event is
    typed there too (hk:reportOf's domain). Used by the load-time derivations (and kg.loading.place_counts)."""
    items, by = set(), {p: {} for p in predicates}
    for t in article:
        p = t.predicate
        if p == _TYPE:
            if t.object in _TOPS:
                items.add(t.subject)
        elif p in by:
            by[p].setdefault(t.subject, set()).add(t.object)
    base, subjects = reasoner.base, set().union(*by.values()) - items
    items |= {s for s in subjects for top in _TOPS if Triple(s, _TYPE, top) in base}
    return items, by


def month_triples(item, dates: Iterable) -> set[Triple]:
    """The item's hk:mapMonth: each date's first seven characters, as event_map_months reads them
    (`SUBSTR(STR(?date), 1, 7)`), typed xsd:gYearMonth; `dates` are its earliest dates, else its
    latest. None: `hk:mapUndated true`."""
    if not dates:
        return {Triple(item, _MAP_UNDATED, _TRUE)}
    out = set()
    for date in dates:
        month = date.value[:7]
        if _MONTH.match(month):
            out.add(Triple(item, _MAP_MONTH, Literal(month, datatype=_YEAR_MONTH)))
    return out
