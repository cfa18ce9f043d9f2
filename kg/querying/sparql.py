"""SPARQL queries as a service runs them: the dataset a request names, the media types each kind of
result offers, and rows as plain values. Nothing here knows HTTP; api/routers/sparql.py maps it onto the
SPARQL 1.1 Protocol.

The default graph is the union of all graphs (asserted, inferred, reference, ontology) unless the
request names a dataset (default-graph-uri / named-graph-uri) or the query does (FROM / FROM NAMED).
The usual prefixes (kg.namespaces.PREFIXES) are predeclared, and relative IRIs resolve against the
base, so `<place/homs>` is Homs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from kg.errors import SparqlError
from kg.formats import GRAPH_MEDIA, RESULT_MEDIA
from kg.namespaces import PREFIXES
from kg.querying.parsed import declares_dataset, refuse_network

__all__ = ["Dataset", "declares_dataset", "execute", "form", "offered", "plain", "rows", "to_csv",
           "write_triples"]


def offered(result) -> dict:
    """The media types (default first) a query result can be written in, each with its format."""
    return GRAPH_MEDIA if isinstance(result, QueryTriples) else RESULT_MEDIA


def write_triples(triples: Iterable[Triple], fmt: RdfFormat) -> bytes:
    prefixes = None if fmt in (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS) else PREFIXES
    return serialize(list(triples), format=fmt, prefixes=prefixes)


# --- running a query over the dataset a request names --------------------------------------------

@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a protocol request names: default-graph-uri and named-graph-uri values."""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def _graph(uri: str) -> NamedNode:
    try:
        return NamedNode(uri)
    except ValueError:
        raise SparqlError(f"not a valid graph IRI: {uri!r}") from None


def execute(store: Store, query: str, dataset: Dataset = Dataset(), base_iri: str | None = None):
    """Run a read-only query. Raises SyntaxError (with the parser's message) for a bad query and
    SparqlError for one this service refuses. The result is lazy: serialise it with `write`.

    A dataset in the request replaces the query's own (SPARQL 1.1 Protocol, 2.1.4): its default graph
    is the merge of the default-graph-uri graphs (empty if none is given), its named graphs those
    given (none if none is given). Without either, the query's FROM clauses apply, else the union."""
    refuse_network(query)  # read from the parse (kg.querying.parsed); and the workers have no network
    kwargs: dict = {"prefixes": PREFIXES, "base_iri": base_iri}
    if dataset:
        kwargs["default_graph"] = [_graph(u) for u in dataset.default_graphs]
        kwargs["named_graphs"] = [_graph(u) for u in dataset.named_graphs]
    elif not declares_dataset(query):
        kwargs["use_default_graph_as_union"] = True
    return store.query(query, **kwargs)


def form(result) -> str:
    if isinstance(result, QueryBoolean):
        return "ASK"
    return "CONSTRUCT" if isinstance(result, QueryTriples) else "SELECT"


# --- rows as plain values (canned queries' JSON and CSV) -------------------------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_DECIMALS = {_XSD + t for t in ("decimal", "double", "float")}


def plain(term):
    """An RDF term as a JSON value: IRIs and strings as str, numbers as numbers, booleans as bool."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        dt = term.datatype.value
        try:
            if dt in _INTEGERS:
                return int(term.value)
            if dt in _DECIMALS:
                return float(term.value)
        except ValueError:
            return term.value
        if dt == _XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return str(term)  # an RDF-star triple


def rows(solutions: QuerySolutions, start: int = 0, stop: int | None = None) -> tuple[list[str], list[dict]]:
    """(column names, rows[start:stop] as {column: plain value}). Consumes the solutions."""
    columns = [v.value for v in solutions.variables]
    out = []
    for i, solution in enumerate(solutions):
        if stop is not None and i >= stop:
            break
        if i >= start:
            out.append({c: plain(solution[c]) for c in columns})
    return columns, out


def to_csv(columns: list[str], table: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in table:
        writer.writerow(["" if row[c] is None else row[c] for c in columns])
    return buf.getvalue().encode("utf-8")
