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
    """The first of `offered` (media types, preferred first) that `accept` accepts best; None if none."""
    best, best_q = None, 0.0
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        for candidate in offered:
            if media == candidate or media == "*/*" or (media.endswith("/*") and candidate.startswith(media[:-1])):
                if q > best_q:
                    best, best_q = candidate, q
                break
    # an explicit q=0 refuses a type even when a wildcard would take it
    refused = {m for m, q in parse_accept(accept) if q <= 0}
    return None if best in refused else best
