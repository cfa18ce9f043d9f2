"""Canned queries: one SPARQL file per query under queries/, its header declaring the operation.

A header is a block of `#+ ` comment lines in YAML at the top of the file (the grlc convention),
so every file stays valid SPARQL:

    #+ summary: Ceasefires and truces in a place
    #+ params:
    #+   place: {type: place, default: homs, description: The place (slug, IRI, name or alias)}

Parameter types: place, actor, article, iri, date, integer, decimal, string. Values are turned into RDF terms
(resolved and validated by pyoxigraph), never pasted into the query text as the request gave them;
every parameter is bound on every run (required, or with its default) and projected by the query.

`run` binds them with a VALUES block at the head of the query's WHERE group, each term written by
pyoxigraph (`str(term)`): kg.querying.binding, as a remote store binds them too. Not with pyoxigraph's
`substitutions`: Oxigraph 0.5 plans a query before it knows the substituted values, so it starts
from the pattern it guesses smallest (every ceasefire, every selector) and evaluates each OPTIONAL
over the whole store. A one-row VALUES block is the smallest operand to its planner, so every
query is planned as lookups from its parameters (bench/RESULTS.md, "Queries, second round")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Store, Variable
from ruamel.yaml import YAML

from kg.errors import QueryError, UnknownName
from kg.namespaces import SPARQL_PREFIXES, XSD, Iris
from kg.paths import QUERIES_DIR
from kg.querying.binding import bind
from kg.querying.keyset import Keyset, parse_keyset

PARAM_TYPES = ("place", "actor", "article", "iri", "date", "integer", "decimal", "string")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str = ""
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class CannedQuery:
    name: str
    summary: str
    description: str
    sparql: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    path: Path | None = None
    keyset: Keyset | None = None  # keyset paging (kg.querying.keyset): its items' keys, in its order

    @property
    def form(self) -> str:
        body = re.sub(r"(?m)^\s*(#.*|PREFIX\s.*|BASE\s.*)$", "", self.sparql, flags=re.IGNORECASE)
        m = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", body, re.IGNORECASE)
        return m.group(1).upper() if m else "SELECT"


def parse_query_file(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    header_lines = [line[3:] if line.startswith("#+ ") else line[2:] for line in text.splitlines()
                    if line.startswith("#+")]
    try:
        header = YAML(typ="safe").load("\n".join(header_lines)) or {}
    except Exception as e:
        raise QueryError(f"{path.name}: bad #+ header: {e}") from None
    if not isinstance(header, dict) or not header.get("summary"):
        raise QueryError(f"{path.name}: the #+ header needs a summary")
    params = []
    for name, spec in (header.get("params") or {}).items():
        spec = spec or {}
        if not _NAME.match(name) or spec.get("type") not in PARAM_TYPES:
            raise QueryError(f"{path.name}: parameter {name!r} needs a type, one of {', '.join(PARAM_TYPES)}")
        required = bool(spec.get("required", "default" not in spec))
        if re.search(r"\?" + name + r"\b", text) is None:
            raise QueryError(f"{path.name}: parameter {name!r} is not used in the query")
        params.append(Param(name, spec["type"], spec.get("description", ""), required, spec.get("default")))
    keyset = parse_keyset(header.get("keyset"), text, path.name)
    return CannedQuery(path.stem.replace("-", "_"), header["summary"], header.get("description", ""),
                       text, tuple(params), path, keyset)


@lru_cache(maxsize=8)
def _catalogue(directory: Path) -> dict[str, CannedQuery]:
    files = sorted(directory.glob("*.rq"))
    if not files:  # a catalogue of nothing is a broken install or a wrong folder, never an empty API
        raise FileNotFoundError(f"no canned queries (*.rq) in {directory}")
    queries = [parse_query_file(p) for p in files]
    return {q.name: q for q in queries}


def catalogue(directory: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    """Every canned query, by name (file stem with '-' as '_'). Parsed once per process."""
    return _catalogue(directory.resolve())


# --- parameter values -> RDF terms --------------------------------------------------------------

_KIND_CLASS = {"place": "Place", "actor": "Actor", "article": "Article"}

_LOOKUP = SPARQL_PREFIXES + """
SELECT DISTINCT ?class ?wanted ?entity ?label WHERE {
  ?entity a ?class ; rdfs:label ?label .
  { ?entity rdfs:label ?name } UNION { ?entity skos:altLabel ?name } UNION { ?entity dcterms:identifier ?name }
  FILTER(LCASE(STR(?name)) = LCASE(STR(?wanted)))
}"""


def resolve_entity(store: Store, iris: Iris, kind: str, value: str) -> NamedNode:
    """A slug, an IRI, or a label/alias (case-insensitive) -> the entity's IRI.

    UnknownName (with candidates) when nothing or more than one entity matches."""
    value = value.strip()
    cls = NamedNode("https://w3id.org/homs-kg/ontology#" + _KIND_CLASS[kind])
    candidates: list[NamedNode] = []
    if re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", value):
        candidates.append(iris.article(value) if kind == "article" else iris.entity(kind, value))
    if value.startswith(("http://", "https://")):
        try:
            candidates.append(NamedNode(value))
        except ValueError:
            raise QueryError(f"not a valid IRI: {value!r}") from None
    for node in candidates:
        if store.query("ASK { ?e a ?class }", use_default_graph_as_union=True,
                       substitutions={Variable("e"): node, Variable("class"): cls}):
            return node
    rows = store.query(_LOOKUP, use_default_graph_as_union=True,
                       substitutions={Variable("class"): cls, Variable("wanted"): Literal(value)})
    found = {r["entity"].value: r["label"].value for r in rows}
    if len(found) == 1:
        return NamedNode(next(iter(found)))
    listed = [{"iri": iri, "label": label} for iri, label in sorted(found.items())]
    if found:
        raise UnknownName(f"{kind} {value!r} is ambiguous: it names {len(found)} entities", listed)
    raise UnknownName(f"unknown {kind} {value!r}: give a slug, an IRI, or a name or alias from the graph",
                      suggest(store, cls, value))


def suggest(store: Store, cls: NamedNode, value: str, limit: int = 10) -> list[dict]:
    """Entities of `cls` whose label or alias contains the value's first word (for error messages)."""
    word = value.split()[0] if value.split() else value
    q = SPARQL_PREFIXES + """
    SELECT DISTINCT ?class ?word ?entity ?label WHERE {
      ?entity a ?class ; rdfs:label ?label .
      { ?entity rdfs:label ?name } UNION { ?entity skos:altLabel ?name }
      FILTER(CONTAINS(LCASE(STR(?name)), LCASE(STR(?word))))
    } ORDER BY ?label LIMIT """ + str(int(limit))
    rows = store.query(q, use_default_graph_as_union=True,
                       substitutions={Variable("class"): cls, Variable("word"): Literal(word)})
    return [{"iri": r["entity"].value, "label": r["label"].value} for r in rows]


def to_term(store: Store, iris: Iris, param: Param, value: Any):
    """A parameter value (string from a URL or CLI, or a header default) -> an RDF term."""
    if param.type in _KIND_CLASS:
        return resolve_entity(store, iris, param.type, str(value))
    if param.type == "iri":
        try:
            return NamedNode(str(value))
        except ValueError:
            raise QueryError(f"{param.name}: not a valid IRI: {value!r}") from None
    if param.type == "date":
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise QueryError(f"{param.name}: not a date (YYYY-MM-DD): {value!r}") from None
        return Literal(day.isoformat(), datatype=XSD.date)
    if param.type == "integer":
        try:
            return Literal(str(int(str(value))), datatype=XSD.integer)
        except ValueError:
            raise QueryError(f"{param.name}: not an integer: {value!r}") from None
    if param.type == "decimal":
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise QueryError(f"{param.name}: not a decimal number: {value!r}") from None
        if not number.is_finite():
            raise QueryError(f"{param.name}: not a finite number: {value!r}")
        text = format(number, "f")
        return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)
    return Literal(str(value))


def bindings(store: Store, iris: Iris, query: CannedQuery, values: dict[str, Any]) -> dict[Variable, Any]:
    """Every parameter of `query` as an RDF term: the given value, else the default."""
    unknown = set(values) - {p.name for p in query.params}
    if unknown:
        raise QueryError(f"unknown parameter(s) for {query.name}: {', '.join(sorted(unknown))}")
    out = {}
    for p in query.params:
        value = values.get(p.name)
        if value is None or value == "":
            if p.required:
                raise QueryError(f"parameter {p.name!r} is required")
            value = p.default
        out[Variable(p.name)] = to_term(store, iris, p, value)
    return out


def bound_sparql(query: CannedQuery, bound: dict[Variable, Any]) -> str:
    """The query's text with `bound` (from `bindings`) in a VALUES block at the head of its WHERE
    group: kg.querying.binding, the one way parameters are bound, on either kind of store."""
    return bind(query.sparql, bound) if bound else query.sparql


def run(store: Store, query: CannedQuery, values: dict[str, Any], iris: Iris | None = None):
    """Run a canned query with its parameters bound as RDF terms over the union of all graphs."""
    iris = iris or Iris()
    return store.query(bound_sparql(query, bindings(store, iris, query, values)), use_default_graph_as_union=True)
