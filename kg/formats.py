"""The one format table: RDF and query-result formats by name, file extension and media type, and
content negotiation. Used by the CLI, the API, the exports, the remote store and the query workers.

pyoxigraph's RdfFormat and QueryResultsFormat already know media types and extensions; this
module only adds the short names the CLI takes, the aliases clients send, and negotiation."""

from __future__ import annotations

from functools import lru_cache

from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.errors import NotAcceptable

# Media types the service names itself (the RDF and result formats' own are in the tables below).
HTML = "text/html"
JSON = "application/json"
CSV = "text/csv"
PROBLEM = "application/problem+json"  # RFC 9457 errors
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"

RDF_FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}

RESULT_FORMATS: dict[str, QueryResultsFormat] = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}


def holds_graphs(fmt: RdfFormat) -> bool:
    return fmt in (RdfFormat.TRIG, RdfFormat.N_QUADS)


# Which media types each kind of query result offers, the default first.
# SELECT and ASK: the four W3C result formats, then the aliases clients send (SPARQLWrapper asks
# for application/json; browsers for application/xml).
RESULT_MEDIA: dict[str, QueryResultsFormat] = {
    **{f.media_type.split(";")[0]: f for f in RESULT_FORMATS.values()},
    "application/json": QueryResultsFormat.JSON,
    "application/xml": QueryResultsFormat.XML,
    "text/xml": QueryResultsFormat.XML,
}
# CONSTRUCT and DESCRIBE: Turtle first, then the other RDF formats and their common aliases.
GRAPH_MEDIA: dict[str, RdfFormat] = {
    **{f.media_type: f for f in RDF_FORMATS.values()},
    "application/x-turtle": RdfFormat.TURTLE,
    "application/turtle": RdfFormat.TURTLE,
    "text/n3": RdfFormat.TURTLE,  # Turtle is N3
    "text/plain": RdfFormat.N_TRIPLES,
    "application/x-json+ld": RdfFormat.JSON_LD,
    "application/json": RdfFormat.JSON_LD,
    "application/xml": RdfFormat.RDF_XML,
    "text/xml": RdfFormat.RDF_XML,
}
# One graph (no named graphs): what a Graph Store Protocol body may be.
TRIPLE_MEDIA: dict[str, RdfFormat] = {m: f for m, f in GRAPH_MEDIA.items() if not holds_graphs(f)}


def media_type(fmt) -> str:
    """The Content-Type to answer with for a format (text formats say their charset)."""
    mt = fmt.media_type
    if "charset" not in mt and (mt.startswith("text/") or fmt in (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS,
                                                                   RdfFormat.TRIG)):
        mt += "; charset=utf-8"
    return mt


def rdf_format(name_or_ext: str) -> RdfFormat:
    """'turtle', 'ttl', 'text/turtle' -> RdfFormat.TURTLE. ValueError if unknown."""
    key = name_or_ext.lower().lstrip(".")
    if key in RDF_FORMATS:
        return RDF_FORMATS[key]
    fmt = RdfFormat.from_extension(key) or RdfFormat.from_media_type(key)
    if fmt is None:
        raise ValueError(f"unknown RDF format {name_or_ext!r}; one of: {', '.join(RDF_FORMATS)}")
    return fmt


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """An Accept header -> [(media range, q)], best first (stable for equal q)."""
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranges.append((media, q, i))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def negotiate(accept: str | None, offered: list[str]) -> str | None:
    """The one of `offered` (media types, preferred first) that `accept` ranks highest; None if none.

    Each offered type takes the q of the most specific range matching it (type/subtype, then type/*,
    then */*), so "text/turtle;q=0, */*" refuses Turtle but takes the rest. Ties go to the more
    specific range, then to the range listed first, then to the order of `offered`."""
    ranges = parse_accept(accept)
    best, best_key = None, None
    for rank, candidate in enumerate(offered):
        match = None  # (specificity, q, position in the header) of the most specific matching range
        for position, (media, q) in enumerate(ranges):
            if media == candidate:
                specificity = 2
            elif media.endswith("/*") and media != "*/*" and candidate.startswith(media[:-1]):
                specificity = 1
            elif media == "*/*":
                specificity = 0
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, q, position)
        if match is None or match[1] <= 0:
            continue
        key = (-match[1], -match[0], match[2], rank)
        if best_key is None or key < best_key:
            best, best_key = candidate, key
    return best


def choose(accept: str | None, offered: list[str]) -> str:
    """negotiate(), or NotAcceptable (a 406) when nothing offered is acceptable."""
    media = _negotiated(accept, tuple(offered))
    if media is None:
        raise NotAcceptable(accept, offered)
    return media


@lru_cache(maxsize=256)
def _negotiated(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """negotiate, remembered: clients send the same few Accept headers again and again."""
    return negotiate(accept, list(offered))
