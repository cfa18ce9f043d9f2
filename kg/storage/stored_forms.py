"""Whether a store holds the triples it was given, up to the form a server gives a literal on the way in.

A SPARQL server may keep a literal's value in another form than the one written (docs/remote-store.md,
"Virtuoso"): a type derived from xsd:integer kept where Oxigraph makes it xsd:integer, a boolean read
back as "1" / "0", a WKT point as a virtrdf:Geometry of single-precision coordinates
("POINT(36.73 34.715)" reads back "POINT(36.729999542236 34.715000152588)"). A check that a graph in
the store is the graph a file compiles to (the shared entities: kg.loading.load, kg.loading.upload)
compares them with `same_triples`, or it would find them different on every load there."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pyoxigraph import Literal, Triple

from kg.namespaces import GEO, XSD

_INTEGER = XSD.integer
INTEGER_TYPES = {XSD[t].value for t in ("integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                                    "negativeInteger", "long", "int", "short", "byte", "unsignedLong",
                                    "unsignedInt", "unsignedShort", "unsignedByte")}
_BOOLEAN = XSD.boolean
POINT_TYPES = {GEO.wktLiteral.value, "http://www.openlinksw.com/schemas/virtrdf#Geometry"}
_POINT = re.compile(r"\s*POINT\s*\(\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s+([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*\)\s*")
# single precision keeps ~7 significant digits: 2e-6 degree at 36° (0.2 m); the loader writes fewer digits
POINT_TOLERANCE = 1e-5


def same_triples(stored: Iterable[Triple], given: Iterable[Triple]) -> bool:
    """True if `stored`, read back from a store, is `given` as the store keeps it: the same triples,
    each literal's value the same (its form may differ as above; WKT points within POINT_TOLERANCE)."""
    stored, given = set(stored), set(given)
    if stored == given:
        return True
    (plain_s, points_s), (plain_g, points_g) = _split(stored), _split(given)
    if plain_s != plain_g or points_s.keys() != points_g.keys():
        return False
    return all(len(points_s[k]) == len(points_g[k]) and
               all(abs(a - b) <= POINT_TOLERANCE for p, q in zip(points_s[k], points_g[k]) for a, b in zip(p, q))
               for k in points_s)


def _split(triples: set[Triple]) -> tuple[set, dict]:
    """The triples with each literal in one canonical form, and apart, {(subject, predicate): sorted
    [(x, y)]} of their WKT points, compared with a tolerance."""
    plain, points = set(), {}
    for t in triples:
        o = t.object
        point = _point(o)
        if point is not None:
            points.setdefault((t.subject, t.predicate), []).append(point)
        else:
            plain.add((t.subject, t.predicate, canonical(o)))
    return plain, {k: sorted(v) for k, v in points.items()}


def canonical(term):
    """A literal of an integer type as an xsd:integer, a boolean as "true" / "false"; else the term."""
    if not isinstance(term, Literal):
        return term
    datatype = term.datatype.value
    if datatype in INTEGER_TYPES:
        try:
            return Literal(str(int(term.value)), datatype=_INTEGER)
        except ValueError:
            return term
    if datatype == _BOOLEAN.value:
        return Literal({"1": "true", "0": "false"}.get(term.value, term.value), datatype=_BOOLEAN)
    return term


def _point(term) -> tuple[float, float] | None:
    if isinstance(term, Literal) and term.datatype.value in POINT_TYPES:
        m = _POINT.fullmatch(term.value)
        if m:
            return float(m[1]), float(m[2])
    return None
