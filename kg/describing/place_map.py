"""Where a place page draws its events: a point per place that has coordinates of its own (or a
town's or a city's it lies in), and a list apart for those the articles place no closer than a
country, a governorate or a region, whose coordinates would be a point in the middle of an area.

The events are the place's, as the canned query `place_events` defines them (page_facts.place_items);
each is drawn at its most specific places inside the page's place (those of its places that contain
none of the others). The coordinates are reference knowledge (seeds/entities.yaml), the precision
that of the conflict-data exports (kg.querying.conflict_data.Gazetteer.located): "exact" and "region"
(a region's own approximate centre) are drawn, "province" and "country" listed apart, never as a point. The sub-places of the
place that have coordinates are labelled on the map, with or without events."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Store, Variable

from kg.namespaces import PREFIXES
from kg.querying.binding import bind
from kg.querying.conflict_data import Gazetteer

DRAWN = {"exact", "region"}  # drawn as a point; "province" and "country" are areas (conflict_data.Gazetteer.located)


@dataclass
class PlaceMap:
    place: dict  # {iri, label, type, lat, lon}: lat/lon None when the place is an area or has no coordinates
    labels: list[dict] = field(default_factory=list)  # the place and places inside it with a point: {iri, label, type, lat, lon}
    points: list[dict] = field(default_factory=list)  # {iri, label, lat, lon, items: [iri...]}: events drawn there
    apart: list[dict] = field(default_factory=list)  # {iri, label, area, items: [item dicts]}: placed no closer than an area

    items: dict = field(default_factory=dict)  # item IRI -> {label, type, earliest, latest}, for the popups

    def as_json(self) -> dict:
        return {"place": self.place, "labels": self.labels, "points": self.points, "items": self.items,
                "apart": [{**a, "items": [i["iri"] for i in a["items"]]} for a in self.apart]}


# The place, the places inside it and those containing it, as the canned query `places` gives them
# (most specific type, direct parent, coordinates): all a place's map needs, without every place
# of the graph (`places` takes seconds on the benchmark's 3,459 places; this is lookups from one).
# The place classes are a sub-select with a LIMIT, never `?t rdfs:subClassOf+ hk:Place` after ?t is
# bound: Virtuoso 7.2.5 evaluates such a path wrongly (2 rows of 29 for Homs on the seeds) and, on
# some plans, dies of a general protection fault (docs/remote-store.md, "Virtuoso"). The place itself
# comes from a pattern that binds ?here inside its group: `{ BIND(?here AS ?place) }` alone sees ?here
# unbound there (SPARQL evaluates a group before joining it, and the parameter is a VALUES block of
# the outer group), which made ?place every labelled place of the graph on Oxigraph.
AROUND = """
SELECT ?place ?label ?type ?parent ?wkt WHERE {
  { ?here rdfs:label [] BIND(?here AS ?place) } UNION { ?place hk:partOf ?here } UNION { ?here hk:partOf ?place }
  ?place rdfs:label ?label .
  { ?place a ?t FILTER NOT EXISTS { ?place a ?sub FILTER(?sub != ?t) FILTER EXISTS { ?sub rdfs:subClassOf ?t } } }
  { SELECT DISTINCT ?t WHERE { ?t rdfs:subClassOf+ hk:Place } LIMIT 1000000 }
  ?t rdfs:label ?type .
  OPTIONAL {
    ?place hk:partOf ?parent .
    FILTER NOT EXISTS { ?place hk:partOf ?mid FILTER(?mid != ?parent) FILTER EXISTS { ?mid hk:partOf ?parent } }
  }
  OPTIONAL { ?place geo:hasGeometry/geo:asWKT ?wkt }
}"""


def gazetteer(store: Store, place: str) -> Gazetteer:
    """The places around `place` (AROUND) as a Gazetteer."""
    result = store.query(bind(AROUND, {Variable("here"): NamedNode(place)}), prefixes=PREFIXES,
                         use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return Gazetteer([{n: (row[n].value if row[n] is not None else None) for n in names} for row in result])


def _within(gaz: Gazetteer, iri: str, place: str) -> bool:
    return any(p.iri == place for p in gaz.chain(iri))


def most_specific(gaz: Gazetteer, places: list[str], inside: str) -> list[str]:
    """Of `places`, those inside `inside` (or it) that contain none of the others."""
    mine = [p for p in dict.fromkeys(places) if _within(gaz, p, inside)]
    return [p for p in mine if not any(o != p and _within(gaz, o, p) for o in mine)] or [inside]


def _point(gaz: Gazetteer, iri: str) -> dict:
    p = gaz.places[iri]
    return {"iri": iri, "label": p.label, "type": p.type,
            "lat": p.point[1] if p.point else None, "lon": p.point[0] if p.point else None}


def place_map(store: Store, place: str, items: list[dict]) -> PlaceMap:
    """The map of `place`: its events (page_facts.place_items) at points or listed apart."""
    gaz = gazetteer(store, place)
    if place not in gaz.places:
        return PlaceMap({"iri": place, "label": place, "type": None, "lat": None, "lon": None})
    located, precision = gaz.located(place)
    centre = _point(gaz, located.iri) if located is not None and precision in DRAWN else None
    out = PlaceMap({**_point(gaz, place), "lat": centre and centre["lat"], "lon": centre and centre["lon"]})
    out.labels = [_point(gaz, p.iri) for p in sorted(gaz.places.values(), key=lambda p: p.label.lower())
                  if p.point is not None and _within(gaz, p.iri, place) and gaz.located(p.iri)[1] in DRAWN]
    points: dict[str, dict] = {}
    apart: dict[str, dict] = {}
    for item in items:
        for where in most_specific(gaz, item["where"], place):
            located, precision = gaz.located(where)
            if located is not None and precision in DRAWN:
                pt = points.setdefault(located.iri, {**_point(gaz, located.iri), "items": []})
                if item["iri"] not in pt["items"]:
                    pt["items"].append(item["iri"])
            else:
                kind = gaz.places[where].type
                area = kind if kind in ("country", "governorate") else f"{kind}, no coordinates of its own"
                group = apart.setdefault(where, {"iri": where, "label": gaz.places[where].label, "area": area,
                                                 "items": []})
                if item not in group["items"]:
                    group["items"].append(item)
    out.items = {i["iri"]: {k: i[k] for k in ("label", "type", "earliest", "latest")} for i in items}
    out.points = sorted(points.values(), key=lambda p: (-len(p["items"]), p["label"].lower()))
    out.apart = sorted(apart.values(), key=lambda a: (-len(a["items"]), a["label"].lower()))
    return out
