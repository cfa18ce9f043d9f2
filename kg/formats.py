"""The one format table: RDF and query-result formats by name, file extension and media type.

pyoxigraph's RdfFormat and QueryResultsFormat already know media types and extensions; this
module only adds the short names the CLI takes, and content negotiation for the API."""

from __future__ import annotations

from pyoxigraph import QueryResultsFormat, RdfFormat

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


def rdf_format(name_or_ext: str) -> RdfFormat:
    """'turtle', 'ttl', 'text/turtle' -> RdfFormat.TURTLE. ValueError if unknown."""
    key = name_or_ext.lower().lstrip(".")
    if key in RDF_FORMATS:
        return RDF_FORMATS[key]
    fmt = RdfFormat.from_extension(key) or RdfFormat.from_media_type(key)
    if fmt is None:
        raise ValueError(f"unknown RDF format {name_or_ext!r}; one of: {', '.join(RDF_FORMATS)}")
    return fmt


def holds_graphs(fmt: RdfFormat) -> bool:
    return fmt in (RdfFormat.TRIG, RdfFormat.N_QUADS)


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
