"""Conflict-data exports: the graph's events in the shapes conflict researchers already work in.

- `acled.csv`: ACLED's columns and codes (ACLED Codebook), one row per event per most specific
  place per source of a fatality figure, fatalities the lowest figure, as ACLED codes them;
- `ged.csv`: UCDP GED's columns (UCDP GED Codebook), one row per violent event with a figure of
  people killed, low/best/high from the per-source figures;
- `events.geojson`, `places.geojson`: GeoJSON (RFC 7946) FeatureCollections for a GIS.

The facts come from three canned queries (queries/conflict-*.rq) and `places`; this module only
shapes them, by the rules docs/conflict-data.md states column by column. Precision is never faked:
a place without coordinates takes those of the nearest place containing it, with the precision
code of that place; an event whose place is a country gets the country code and no point."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zlib
from dataclasses import dataclass, field

from kg.namespaces import Iris
from kg.querying import catalogue as canned

ACLED_COLUMNS = ("event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp")
GED_COLUMNS = ("id", "relid", "year", "type_of_violence", "conflict_name", "dyad_name", "side_a", "side_b",
               "source_article", "source_headline", "where_prec", "where_coordinates", "adm_1", "adm_2",
               "latitude", "longitude", "country", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
               "deaths_civilians", "deaths_unknown", "best", "high", "low")

# ACLED Codebook: sub-event type -> (event type, disorder type)
ACLED_EVENT_TYPES = {
    **{s: ("Battles", "Political violence") for s in
       ("Armed clash", "Government regains territory", "Non-state actor overtakes territory")},
    **{s: ("Explosions/Remote violence", "Political violence") for s in
       ("Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED", "Grenade")},
    **{s: ("Violence against civilians", "Political violence") for s in
       ("Sexual violence", "Attack", "Abduction/forced disappearance")},
    **{s: ("Protests", "Demonstrations") for s in
       ("Peaceful protest", "Protest with intervention", "Excessive force against protesters")},
    **{s: ("Riots", "Demonstrations") for s in ("Violent demonstration", "Mob violence")},
    **{s: ("Strategic developments", "Strategic developments") for s in
       ("Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
        "Headquarters or base established", "Looting/property destruction", "Non-violent transfer of territory",
        "Other")},
}
_TYPE_ORDER = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
               "Strategic developments")
# ISO 3166-1 numeric code and ACLED region of the countries in the reference graph, by slug
COUNTRIES = {
    "syria": (760, "Middle East"), "lebanon": (422, "Middle East"), "iraq": (368, "Middle East"),
    "iran": (364, "Middle East"), "turkey": (792, "Middle East"), "israel": (376, "Middle East"),
    "jordan": (400, "Middle East"), "tunisia": (788, "Northern Africa"), "russia": (643, "Europe"),
    "united-kingdom": (826, "Europe"),
}
# Modalities and agreement statuses of things that happened (ACLED and GED code nothing else)
HAPPENED = {"occurred", "ongoing", "habitual", "alleged", "agreed", "implemented", "brokeDown"}

STATE, REBELS, MILITIA, PROTESTERS, CIVILIANS, OTHER = 1, 2, 3, 6, 7, 8
_INTER_BY_CLASS = (("StateArmedForce", STATE), ("Government", STATE), ("ProGovernmentMilitia", MILITIA),
                   ("NonStateArmedGroup", REBELS), ("State", OTHER), ("CivilianGroup", CIVILIANS),
                   ("ReligiousGroup", CIVILIANS))
# victim categories: a total, the disjoint parts of a total, and subsets that may overlap the parts
TOTAL, PARTS = {"people"}, {"civilians", "fighters", "rebels", "soldiers", "securityForces"}
NOT_PEOPLE = {"militaryVehicles"}

ACLED_GEO = {"exact": 1, "region": 2, "province": 3, "country": 3}
GED_WHERE = {"exact": 1, "near": 2, "region": 3, "province": 4, "part-of-country": 5, "country": 6}


def _local(iri: str | None) -> str:
    return (iri or "").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _rows(store, name: str, iris: Iris) -> list[dict]:
    result = canned.run(store, canned.catalogue()[name], {}, iris)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


# --- places --------------------------------------------------------------------------------------

@dataclass
class Place:
    iri: str
    label: str
    type: str  # label of its most specific class: "city", "governorate", "country"...
    parents: list[str] = field(default_factory=list)  # the places directly containing it
    point: tuple[float, float] | None = None  # (longitude, latitude), reference knowledge


def _point(wkt: str | None) -> tuple[float, float] | None:
    if not wkt or not wkt.upper().startswith("POINT"):
        return None
    lon, lat = wkt[wkt.index("(") + 1: wkt.index(")")].split()
    return float(lon), float(lat)


class Gazetteer:
    """The places of the graph, their containment and coordinates, from the `places` canned query."""

    def __init__(self, rows: list[dict]):
        self.places: dict[str, Place] = {}
        for r in rows:
            place = self.places.setdefault(r["place"], Place(r["place"], r["label"], r["type"], [], _point(r["wkt"])))
            if r["parent"] and r["parent"] not in place.parents:
                place.parents.append(r["parent"])

    def chain(self, iri: str) -> list[Place]:
        """The place, then every place containing it, nearest first (breadth first, each once)."""
        seen, queue, out = set(), [iri], []
        while queue:
            current = queue.pop(0)
            if current in seen or current not in self.places:
                continue
            seen.add(current)
            out.append(self.places[current])
            queue.extend(sorted(self.places[current].parents))
        return out

    def first_of(self, iri: str, kind: str) -> Place | None:
        return next((p for p in self.chain(iri) if p.type == kind), None)

    def located(self, iri: str) -> tuple[Place | None, str | None]:
        """The place whose coordinates stand for `iri` (itself or the nearest container that has
        some), and the precision they carry: exact, region, province or country; (None, None) when
        no place of the chain has coordinates. A country's centroid is never given as a point."""
        for p in self.chain(iri):
            if p.type == "country":
                return p, "country"
            if p.point is not None:
                return p, {"governorate": "province", "region": "region"}.get(p.type, "exact")
        return None, None

    def common(self, iris: list[str]) -> str | None:
        """The smallest place containing (or being) every place of `iris`."""
        chains = [[p.iri for p in self.chain(i)] for i in iris]
        if not chains:
            return None
        shared = set(chains[0]).intersection(*map(set, chains[1:]))
        return next((i for i in chains[0] if i in shared), None)


# --- actors ------------------------------------------------------------------------------------

@dataclass
class Actor:
    iri: str
    label: str
    classes: set[str]
    member_of: list[str]


def _actors(rows: list[dict]) -> dict[str, Actor]:
    return {r["actor"]: Actor(r["actor"], r["label"], {_local(c) for c in (r["classes"] or "").split()},
                              sorted((r["memberOf"] or "").split())) for r in rows}


def inter_code(actors: dict[str, Actor], iri: str, protest: bool = False, _seen: frozenset = frozenset()) -> int:
    """ACLED's inter code of an actor: 1 state forces, 2 rebel groups, 3 political militias,
    6 protesters, 7 civilians, 8 external/other forces. A person takes the code of the armed group
    or state force it is a member of, else civilians."""
    actor = actors[iri]
    for cls, code in _INTER_BY_CLASS:
        if cls in actor.classes:
            return PROTESTERS if protest and code == CIVILIANS else code
    if "Person" in actor.classes:
        for group in actor.member_of:
            if group in actors and group not in _seen:
                code = inter_code(actors, group, False, _seen | {iri})
                if code in (STATE, REBELS, MILITIA):
                    return code
        return PROTESTERS if protest else CIVILIANS
    return OTHER


# --- figures -----------------------------------------------------------------------------------

def _bounds(fig: dict) -> tuple[int | None, int | None]:
    """(lowest, highest) number a figure allows; None where the source leaves it open."""
    count = fig["count"]
    if count is not None:
        return int(count), int(count)
    return (int(fig["min"]) if fig["min"] else None), (int(fig["max"]) if fig["max"] else None)


def _total(figs: list[dict], pick) -> int | None:
    """One source's total killed for an event from its figures, with `pick` (min: lowest bounds,
    max: highest) taken within each victim category: the largest of the totals its figures imply
    (a figure of "people", the sum of disjoint parts, any one subset)."""
    by_cat: dict[str, list[int]] = {}
    for f in figs:
        value = _bounds(f)[0 if pick is min else 1]
        if value is not None:
            by_cat.setdefault(_local(f["victims"]), []).append(value)
    chosen = {cat: pick(values) for cat, values in by_cat.items() if cat not in NOT_PEOPLE}
    candidates = [chosen[c] for c in TOTAL if c in chosen]
    if any(c in chosen for c in PARTS):
        candidates.append(sum(chosen[c] for c in PARTS if c in chosen))
    candidates += [v for c, v in chosen.items() if c not in TOTAL | PARTS]
    return max(candidates) if candidates else None


@dataclass
class SourceFigures:
    reporter: str
    label: str
    figures: list[dict]

    @property
    def low(self) -> int | None:
        return _total(self.figures, min)

    @property
    def high(self) -> int | None:
        high = _total(self.figures, max)
        return max(high, self.low) if high is not None and self.low is not None else (high or self.low)

    def lowest(self, *categories: str) -> int:
        values = [_bounds(f)[0] for f in self.figures if _local(f["victims"]) in categories]
        return min([v for v in values if v is not None], default=0)

    @property
    def stated(self) -> list[str]:
        """The vague amounts, as the source words them."""
        return [f["amount"] for f in self.figures if f["amount"] and _bounds(f) == (None, None)]


def _sources(rows: list[dict]) -> dict[str, list[SourceFigures]]:
    out: dict[str, dict[str, SourceFigures]] = {}
    for r in rows:
        by_source = out.setdefault(r["event"], {})
        by_source.setdefault(r["reporter"], SourceFigures(r["reporter"], r["reporterLabel"], [])).figures.append(r)
    return {event: [s[k] for k in sorted(s)] for event, s in out.items()}


# --- the facts, gathered once -------------------------------------------------------------------

@dataclass
class Item:
    iri: str
    kind: str
    label: str
    sub_event_types: set[str]  # of every mapped class it has no mapped subclass of
    violent: bool
    whole: bool  # a war or uprising taken as a whole: no incident for GED
    earliest: dt.date | None
    latest: dt.date | None
    precision: str | None
    modality: str | None
    places: list[str]
    roles: dict[str, list[str]]
    article: str
    headline: str | None
    publisher: str | None
    quote: str

    @property
    def sub_event_type(self) -> str | None:
        """The one ACLED sub-event type: of several (a massacre that is also an offensive), the first
        by ACLED's order of event types (battles, explosions, violence against civilians, protests,
        riots, strategic developments), then by name."""
        return min(self.sub_event_types, key=lambda s: (_TYPE_ORDER.index(ACLED_EVENT_TYPES[s][0]), s), default=None)

    @property
    def happened(self) -> bool:
        return self.modality is None or _local(self.modality) in HAPPENED


@dataclass
class Facts:
    items: list[Item]
    figures: dict[str, list[SourceFigures]]
    actors: dict[str, Actor]
    places: Gazetteer


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def gather(store, iris: Iris | None = None) -> Facts:
    """Every fact the exports need, from the canned queries (one run each)."""
    iris = iris or Iris()
    items: dict[str, Item] = {}
    for r in _rows(store, "conflict_events", iris):
        item = items.get(r["item"])
        if item is None:
            roles: dict[str, list[str]] = {}
            for pair in (r["roles"] or "").split():
                role, _, actor = pair.partition("=")
                roles.setdefault(role, []).append(actor)
            item = items[r["item"]] = Item(
                r["item"], r["kind"], r["label"], set(), r["violent"] == "true", r["whole"] == "true",
                _date(r["earliest"]),
                _date(r["latest"]), _local(r["precision"]) or None, r["modality"], [], roles, r["article"],
                r["headline"], r["publisher"], r["quote"])
        if r["subEventType"]:
            item.sub_event_types.add(r["subEventType"])
        if r["place"] and r["place"] not in item.places:
            item.places.append(r["place"])
    return Facts(sorted(items.values(), key=lambda i: (i.earliest or dt.date.max, i.iri)),
                 _sources(_rows(store, "conflict_figures", iris)), _actors(_rows(store, "conflict_actors", iris)),
                 Gazetteer(_rows(store, "places", iris)))


# --- ACLED -------------------------------------------------------------------------------------

def time_precision(item: Item) -> int:
    """ACLED: 1 the day is known, 2 the week, 3 the month or more (the date is then the earliest)."""
    if item.precision == "unitDay" and (item.latest is None or item.latest == item.earliest):
        return 1
    if item.latest is not None and (item.latest - item.earliest).days <= 6:
        return 2
    return 3


_SIDE1 = ("attacker", "organiser", "speaker")
_SIDE2 = ("target", "victim")


def sides(item: Item, actors: dict[str, Actor], protest: bool) -> tuple[list[str], list[str]]:
    """(side 1, side 2) of an event, each best actor first: attackers (or organisers, speakers)
    against targets (or victims); for an agreement, its first party against the others."""
    known = {role: [a for a in ids if a in actors] for role, ids in item.roles.items()}
    first = next((known[r] for r in _SIDE1 if known.get(r)), [])
    second = next((known[r] for r in _SIDE2 if known.get(r)), [])
    parties = sorted(known.get("party", []), key=lambda a: (inter_code(actors, a), actors[a].label))
    if not first and parties:
        first, second = parties[:1], second or parties[1:]
    if not first:
        first = known.get("participant", [])
    order = lambda ids: sorted(set(ids), key=lambda a: (inter_code(actors, a, protest), actors[a].label))  # noqa: E731
    return order(first), order([a for a in second if a not in first])


def acled_rows(facts: Facts) -> list[dict]:
    rows = []
    for item in facts.items:
        if item.sub_event_type is None or item.earliest is None or not item.happened:
            continue
        for place in item.places or [None]:
            for source in facts.figures.get(item.iri) or [None]:
                rows.append(_acled_row(facts, item, place, source))
    return rows


def _acled_row(facts: Facts, item: Item, place: str | None, source: SourceFigures | None) -> dict:
    protest = ACLED_EVENT_TYPES[item.sub_event_type][0] == "Protests"
    side1, side2 = sides(item, facts.actors, protest)
    inter1 = inter_code(facts.actors, side1[0], protest) if side1 else None
    inter2 = inter_code(facts.actors, side2[0], protest) if side2 else None
    sub = item.sub_event_type
    if sub == "Non-state actor overtakes territory" and inter1 == STATE:
        sub = "Government regains territory"  # ACLED's own split of the same event by who takes it
    event_type, disorder = ACLED_EVENT_TYPES[sub]
    gaz = facts.places
    located, precision = gaz.located(place) if place else (None, None)
    country = gaz.first_of(place, "country") if place else None
    iso, region = COUNTRIES.get(_local(country.iri), ("", "")) if country else ("", "")
    admin1 = gaz.first_of(place, "governorate") if place else None
    point = located.point if located is not None and precision != "country" else None
    tags = [f"event: {item.iri}"]
    tags += [f"also: {other}" for other in sorted(item.sub_event_types - {item.sub_event_type})]
    if item.modality and _local(item.modality) != "occurred":
        tags.append(f"modality: {_local(item.modality)}")
    if located is not None and place and located.iri != place:
        tags.append(f"coordinates of: {located.label}")
    fatalities: int | str = 0
    if source is not None:
        tags.append(f"fatalities reported by: {source.label}")
        fatalities = source.low if source.low is not None else ""
        tags += [f"fatalities as stated: {amount}" for amount in source.stated]
    names = lambda ids: "; ".join(facts.actors[a].label for a in ids)  # noqa: E731
    reporter = [source.label] if source is not None and source.label != item.publisher else []
    return {
        "event_id_cnty": ":".join(filter(None, [_country_prefix(country), _slug_path(item.iri),
                                                 _local(place) if place else "", _local(source.reporter) if source else ""])),
        "event_date": item.earliest.isoformat(), "year": item.earliest.year, "time_precision": time_precision(item),
        "disorder_type": disorder, "event_type": event_type, "sub_event_type": sub,
        "actor1": names(side1[:1]), "assoc_actor_1": names(side1[1:]), "inter1": inter1 or "",
        "actor2": names(side2[:1]), "assoc_actor_2": names(side2[1:]), "inter2": inter2 or "",
        "interaction": _interaction(inter1, inter2),
        "civilian_targeting": "Civilian targeting" if disorder == "Political violence" and inter2 == CIVILIANS else "",
        "iso": iso, "region": region, "country": country.label if country else "",
        "admin1": admin1.label if admin1 else "", "admin2": "", "admin3": "",
        "location": gaz.places[place].label if place else "",
        "latitude": point[1] if point else "", "longitude": point[0] if point else "",
        "geo_precision": ACLED_GEO[precision] if precision else "",
        "source": "; ".join(filter(None, reporter + [item.publisher, item.article])),
        "source_scale": "", "notes": item.quote, "fatalities": fatalities, "tags": "; ".join(tags), "timestamp": "",
    }


def _interaction(inter1: int | None, inter2: int | None) -> int | str:
    """ACLED's interaction code: the two inter codes, the lower first (10 for a state force alone)."""
    if inter1 is None:
        return ""
    if inter2 is None:
        return inter1 * 10
    low, high = sorted((inter1, inter2))
    return low * 10 + high


def _country_prefix(country: Place | None) -> str:
    return {"syria": "SYR", "lebanon": "LBN", "iraq": "IRQ", "iran": "IRN", "turkey": "TUR", "israel": "ISR",
            "jordan": "JOR", "tunisia": "TUN", "russia": "RUS", "united-kingdom": "GBR"}.get(
        _local(country.iri) if country else "", "")


def _slug_path(iri: str) -> str:
    """event/<article>/<id> -> <article>/<id>."""
    parts = iri.split("/")
    return "/".join(parts[-2:])


# --- UCDP GED ----------------------------------------------------------------------------------

def date_prec(item: Item) -> int:
    """UCDP GED: 1 the day, 2 a range of 2-6 days, 3 the week, 4 more than a week within a month,
    5 more than a month."""
    latest = item.latest or item.earliest
    if item.precision == "unitMonth" and item.latest is None:
        return 4
    if item.precision == "unitYear" and item.latest is None:
        return 5
    days = (latest - item.earliest).days
    if days == 0:
        return 1 if item.precision in (None, "unitDay") else 4
    if days <= 5:
        return 2
    if days <= 6:
        return 3
    return 4 if (latest.year, latest.month) == (item.earliest.year, item.earliest.month) else 5


def where_prec(gaz: Gazetteer, place: str, exact_place: bool) -> tuple[Place | None, int | None]:
    located, precision = gaz.located(place)
    if located is None:
        return None, None
    if precision == "region":
        in_country = any(p.type == "country" for p in gaz.chain(located.iri)[1:2])
        precision = "part-of-country" if in_country else "region"
    if precision == "exact" and (located.iri != place or not exact_place):
        precision = "near"
    return located, GED_WHERE[precision]


def type_of_violence(inter_a: int | None, inter_b: int | None, civilians_only: bool) -> int | None:
    """UCDP: 1 state-based, 2 non-state, 3 one-sided (an organised actor against civilians)."""
    if inter_a is None:
        return None
    if inter_b == CIVILIANS or (inter_b is None and civilians_only):
        return 3
    if inter_b is None:
        return None
    return 1 if STATE in (inter_a, inter_b) else 2


def ged_rows(facts: Facts) -> list[dict]:
    rows = []
    for item in facts.items:
        sources = [s for s in facts.figures.get(item.iri, []) if s.low]
        if item.kind != "event" or not item.violent or item.whole or item.earliest is None or not item.happened or not sources:
            continue
        row = _ged_row(facts, item, sources)
        if row is not None:
            rows.append(row)
    return rows


def _ged_row(facts: Facts, item: Item, sources: list[SourceFigures]) -> dict | None:
    side1, side2 = sides(item, facts.actors, False)
    actors = facts.actors
    inter_a = inter_code(actors, side1[0]) if side1 else None
    inter_b = inter_code(actors, side2[0]) if side2 else None
    if inter_b == STATE and inter_a != STATE:  # UCDP: side A is the government
        side1, side2, inter_a, inter_b = side2, side1, inter_b, inter_a
    civilians_only = all(_local(f["victims"]) in {"civilians", "children", "women", "journalists"}
                         for s in sources for f in s.figures)
    violence = type_of_violence(inter_a, inter_b, civilians_only)
    if violence is None:
        return None
    lows = sorted(s.low for s in sources)
    best = lows[(len(lows) - 1) // 2]
    best_source = next(s for s in sources if s.low == best)
    state_dead = best_source.lowest("soldiers", "securityForces")
    rebel_dead = best_source.lowest("rebels")
    civilians = best_source.lowest("civilians") or best_source.lowest("journalists")
    deaths_a = state_dead if inter_a == STATE else rebel_dead if inter_a == REBELS else 0
    deaths_b = rebel_dead if inter_b == REBELS else state_dead if inter_b == STATE else 0
    gaz = facts.places
    place = gaz.common(item.places)
    located, prec = where_prec(gaz, place, len(item.places) == 1) if place else (None, None)
    point = located.point if located is not None and prec != GED_WHERE["country"] else None
    country = gaz.first_of(place, "country") if place else None
    admin1 = gaz.first_of(place, "governorate") if place else None
    side_a = " / ".join(actors[a].label for a in side1)
    side_b = "civilians" if violence == 3 and not side2 else " / ".join(actors[a].label for a in side2)
    conflict = f"{country.label if country else 'Syria'}: Government" if violence == 1 else f"{side_a} - {side_b}"
    return {
        "id": zlib.crc32(item.iri.encode("utf-8")), "relid": _slug_path(item.iri), "year": item.earliest.year,
        "type_of_violence": violence, "conflict_name": conflict, "dyad_name": f"{side_a} - {side_b}",
        "side_a": side_a, "side_b": side_b, "source_article": item.article, "source_headline": item.headline or "",
        "where_prec": prec or "", "where_coordinates": gaz.places[place].label if place else "",
        "adm_1": admin1.label if admin1 else "", "adm_2": "",
        "latitude": point[1] if point else "", "longitude": point[0] if point else "",
        "country": country.label if country else "", "date_prec": date_prec(item),
        "date_start": item.earliest.isoformat(), "date_end": (item.latest or item.earliest).isoformat(),
        "deaths_a": deaths_a, "deaths_b": deaths_b, "deaths_civilians": civilians,
        "deaths_unknown": max(best - deaths_a - deaths_b - civilians, 0),
        "best": best, "high": max(s.high or s.low for s in sources), "low": lows[0],
    }


# --- GeoJSON -----------------------------------------------------------------------------------

def _feature(point: tuple[float, float] | None, properties: dict) -> dict:
    geometry = {"type": "Point", "coordinates": list(point)} if point else None
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def events_geojson(facts: Facts) -> dict:
    """One feature per event or agreement and most specific place; no geometry where the graph
    has no point for it (a country-wide event, a place without coordinates in its chain)."""
    features = []
    for item in facts.items:
        for place in item.places or [None]:
            located, precision = facts.places.located(place) if place else (None, None)
            point = located.point if located is not None and precision != "country" else None
            features.append(_feature(point, {
                "iri": item.iri, "kind": item.kind, "label": item.label, "sub_event_type": item.sub_event_type,
                "earliest": item.earliest.isoformat() if item.earliest else None,
                "latest": item.latest.isoformat() if item.latest else None,
                "modality": _local(item.modality) or None, "place": place,
                "place_label": facts.places.places[place].label if place else None,
                "coordinates_of": located.iri if point else None, "precision": precision if place else None,
                "article": item.article, "quote": item.quote}))
    return {"type": "FeatureCollection", "features": features}


def places_geojson(facts: Facts) -> dict:
    """One feature per place, at its own coordinates only (none borrowed from a container)."""
    return {"type": "FeatureCollection", "features": [
        _feature(p.point, {"iri": p.iri, "label": p.label, "type": p.type, "part_of": sorted(p.parents)})
        for p in sorted(facts.places.places.values(), key=lambda p: p.iri)]}


# --- writing -----------------------------------------------------------------------------------

def to_csv(columns: tuple[str, ...], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


FORMATS = {  # name -> (media type, writer of the facts)
    "acled.csv": ("text/csv; charset=utf-8", lambda f: to_csv(ACLED_COLUMNS, acled_rows(f))),
    "ged.csv": ("text/csv; charset=utf-8", lambda f: to_csv(GED_COLUMNS, ged_rows(f))),
    "events.geojson": ("application/geo+json", lambda f: json.dumps(events_geojson(f), ensure_ascii=False, indent=1)),
    "places.geojson": ("application/geo+json", lambda f: json.dumps(places_geojson(f), ensure_ascii=False, indent=1)),
}


def export(store, name: str, iris: Iris | None = None) -> tuple[bytes, str]:
    """One conflict-data export by name (`acled.csv`, `ged.csv`, `events.geojson`, `places.geojson`):
    (bytes, media type). KeyError for another name."""
    media, write = FORMATS[name]
    return write(gather(store, iris)).encode("utf-8"), media


__all__ = ["ACLED_COLUMNS", "GED_COLUMNS", "FORMATS", "export", "gather", "acled_rows", "ged_rows",
           "events_geojson", "places_geojson"]
