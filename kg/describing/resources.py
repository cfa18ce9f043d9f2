"""What the graph says about one resource: its RDF description, and the facts a page shows.

`description` is a Concise Bounded Description widened for this graph: the resource's statements
(from every graph), the resources that belong to it (blank nodes, and IRIs under its own, such as
`…/evidence/…#quote` or `…/place/homs/geometry`), its evidence (the Web Annotations with the quoted
text), the statements that point at it, and the label of everything it mentions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Triple

from kg.namespaces import HK, ONTOLOGY, PREFIXES, RDF, RDFS, SKOS, Iris
from kg.querying import catalogue as canned


def exists(store: Store, node: NamedNode) -> bool:
    """True when the IRI is the subject or the object of a statement in any graph."""
    for _ in store.quads_for_pattern(node, None, None, None):
        return True
    for _ in store.quads_for_pattern(None, None, node, None):
        return True
    return False


def _belongs_to(node, owners: set) -> bool:
    if isinstance(node, BlankNode):
        return True
    return isinstance(node, NamedNode) and any(node.value.startswith((o + "#", o + "/")) for o in owners)


def description(store: Store, node: NamedNode, incoming: bool = True) -> list[Triple]:
    """The triples that describe `node` (see the module docstring), deduplicated across graphs."""
    triples: set[Triple] = set()
    owners = {node.value}  # the resource and its evidence: what is under their IRIs belongs to them
    seen, todo = {node}, [node]
    while todo:
        subject = todo.pop()
        for q in store.quads_for_pattern(subject, None, None, None):
            triples.add(q.triple)
            o = q.object
            if o in seen or isinstance(o, Literal):
                continue
            if q.predicate == HK.evidence and isinstance(o, NamedNode):
                owners.add(o.value)
            elif not _belongs_to(o, owners):
                continue
            seen.add(o)
            todo.append(o)
    if incoming:
        triples.update(q.triple for q in store.quads_for_pattern(None, None, node, None))
    mentioned = {t for tr in triples for t in (tr.subject, tr.object) if isinstance(t, NamedNode)} - seen
    for other in mentioned:
        triples.update(q.triple for q in store.quads_for_pattern(other, RDFS.label, None, None))
    return sorted(triples, key=str)


# --- the facts an HTML page shows ----------------------------------------------------------------


@dataclass
class Value:
    term: object  # NamedNode, BlankNode or Literal
    label: str | None = None
    sources: set = field(default_factory=set)  # the graph kinds that state it: article ids, "reference"...
    quote: str | None = None


@dataclass
class Page:
    iri: str
    label: str
    types: list[Value]
    statements: list[tuple[str, str, list[Value]]]  # (property IRI, property label, values)
    referenced_by: list[tuple[str, str, list[Value]]]
    evidence: list[dict]  # rows of the canned `sources` query
    comment: str | None = None


def graph_kind(iris: Iris, graph: str | None) -> str:
    """A short name for a graph: an article id, 'reference', 'ontology', or 'inferred'."""
    if not graph:
        return "default graph"
    name = graph[len(iris.base) + len("graph/"):] if graph.startswith(iris.base + "graph/") else graph
    if name.startswith("inferred/"):
        return "inferred"
    return {"entities": "reference", "ontology": "ontology"}.get(name, name)


def short(iri: str) -> str:
    """hk:Ceasefire for an IRI in a known namespace, else the IRI."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def page(store: Store, node: NamedNode, iris: Iris) -> Page:
    """The facts of a resource's page: types, statements and incoming links, each with the graphs
    that state it, and the article passages that state or name it (canned `entity` and `sources`)."""
    catalogue = canned.catalogue()
    out: dict[str, dict[str, Value]] = defaultdict(dict)
    into: dict[str, dict[str, Value]] = defaultdict(dict)
    prop_labels: dict[str, str] = {}
    for r in canned.run(store, catalogue["entity"], {"entity": node.value}, iris):
        prop = r["property"].value
        prop_labels[prop] = r["propertyLabel"].value if r["propertyLabel"] else short(prop)
        target = out if r["direction"].value == "out" else into
        key = str(r["value"])
        value = target[prop].setdefault(key, Value(r["value"], r["valueLabel"].value if r["valueLabel"] else None))
        value.sources.add(graph_kind(iris, r["graph"].value if r["graph"] else None))
        if r["quote"] is not None and value.quote is None:
            value.quote = r["quote"].value
    evidence = [{k: (row[k].value if row[k] is not None else None) for k in ("article", "headline", "publisher",
                                                                            "published", "quote", "start", "end")}
                for row in canned.run(store, catalogue["sources"], {"fact": node.value}, iris)]
    labels = out.pop(RDFS.label.value, {})
    types = list(out.pop(RDF.type.value, {}).values())
    comment = next(iter(out.get(SKOS.editorialNote.value, out.get(RDFS.comment.value, {})).values()), None)

    def listing(table):
        # the ontology's own terms first (hk:), then the rest, each group by label
        order = sorted(table, key=lambda p: (not p.startswith(ONTOLOGY), prop_labels[p].lower()))
        return [(p, prop_labels[p], sorted(table[p].values(), key=lambda v: (v.label or str(v.term)).lower()))
                for p in order]

    label = next((v.term.value for v in labels.values()), None) or short(node.value)
    types.sort(key=lambda v: (not str(v.term).startswith("<" + ONTOLOGY), (v.label or "").lower()))
    return Page(node.value, label, types, listing(out), listing(into), evidence,
                comment.term.value if comment else None)


def ontology_terms(store: Store, iris: Iris) -> list[dict]:
    """The ontology's classes and properties (from its graph): term, kind, label, definition, parents."""
    q = """
    SELECT ?term ?kind ?label ?definition (GROUP_CONCAT(DISTINCT STR(?parent); separator=" ") AS ?parents)
    WHERE {
      VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty owl:NamedIndividual }
      ?term a ?kind . FILTER(STRSTARTS(STR(?term), STR(hk:)))
      OPTIONAL { ?term rdfs:label ?label FILTER(LANG(?label) = "en" || LANG(?label) = "") }
      OPTIONAL { ?term skos:definition ?definition }
      OPTIONAL { ?term rdfs:subClassOf|rdfs:subPropertyOf ?parent FILTER(isIRI(?parent)) }
    } GROUP BY ?term ?kind ?label ?definition ORDER BY ?kind ?term"""
    rows = store.query(q, prefixes=PREFIXES, default_graph=[iris.graph("ontology")])
    out, seen = [], set()
    for r in rows:
        if r["term"].value in seen:
            continue
        seen.add(r["term"].value)
        out.append({"iri": r["term"].value, "name": r["term"].value[len(ONTOLOGY):],
                    "kind": short(r["kind"].value), "label": r["label"].value if r["label"] else "",
                    "definition": r["definition"].value if r["definition"] else "",
                    "parents": r["parents"].value.split() if r["parents"] else []})
    return out
