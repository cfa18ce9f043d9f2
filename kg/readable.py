"""RDF for people: serialisations that come out the same for the same graph, so that a diff between
two exports shows what changed and nothing else.

pyoxigraph writes triples in the order it is given them and groups a subject's consecutive triples;
what varies from run to run is the rest, and this module fixes it:

- blank nodes get labels from what they say and where they hang (`canonical`), not from a counter;
- triples are sorted (subject, predicate, object), quads by graph first;
- the `@prefix` lines and the `xmlns` attributes are written in a fixed order;
- the dataset's own IRIs are written relative to `@base` (`<place/homs>`, `<event/a002-…/…>`), and
  the vocabularies with their usual prefixes (`hk:`, `rdfs:`, `oa:`…).

`ontology_rdfxml` is the RDF/XML of ontology/homs-kg.ttl shipped as ontology/homs-kg.rdf for OWL
tools (owlready2, Protégé), written by `kg docs` and checked equal to the Turtle by the tests."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from pathlib import Path
from typing import Iterable

from pyoxigraph import BlankNode, Quad, RdfFormat, Triple, serialize

from kg.namespaces import PREFIXES

RDFXML_FILE = Path(__file__).resolve().parent.parent / "ontology" / "homs-kg.rdf"


def _key(term) -> str:
    return "" if term is None else str(term)


def canonical(statements: Iterable[Triple | Quad]) -> list:
    """The triples or quads with each blank node relabelled by a hash of the statements around it
    (its own, recursively, and the one it hangs from), then sorted. Two blank nodes alike in all of
    that keep apart by order. Same graph in, same labels out."""
    statements = list(statements)
    outgoing, incoming = defaultdict(list), defaultdict(list)
    for s in statements:
        if isinstance(s.subject, BlankNode):
            outgoing[s.subject].append(s)
        if isinstance(s.object, BlankNode):
            incoming[s.object].append(s)
    labels: dict[BlankNode, str] = {}

    def content(node, seen) -> str:
        lines = sorted(f"{st.predicate} {content(st.object, seen | {node}) if isinstance(st.object, BlankNode) and st.object not in seen else _key(st.object if not isinstance(st.object, BlankNode) else None)}"
                       for st in outgoing[node])
        return "{" + ";".join(lines) + "}"

    def context(node, seen) -> str:
        parents = sorted(f"{context(st.subject, seen | {node}) if isinstance(st.subject, BlankNode) and st.subject not in seen else _key(st.subject if not isinstance(st.subject, BlankNode) else None)} {st.predicate} {_key(getattr(st, 'graph_name', None))}"
                         for st in incoming[node])
        return "[" + ";".join(parents) + "]"

    nodes = sorted(set(outgoing) | set(incoming), key=lambda b: (content(b, frozenset()), context(b, frozenset())))
    taken: dict[str, int] = {}
    for node in nodes:
        digest = hashlib.sha1((content(node, frozenset()) + context(node, frozenset())).encode("utf-8")).hexdigest()[:16]
        n = taken.get(digest, 0)
        taken[digest] = n + 1
        labels[node] = f"b{digest}" + (f"_{n}" if n else "")

    def relabel(term):
        return BlankNode(labels[term]) if isinstance(term, BlankNode) else term

    out = []
    for s in statements:
        if isinstance(s, Quad):
            out.append(Quad(relabel(s.subject), s.predicate, relabel(s.object), s.graph_name))
        else:
            out.append(Triple(relabel(s.subject), s.predicate, relabel(s.object)))
    if out and isinstance(out[0], Quad):
        return sorted(out, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    return sorted(out, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _sorted_prefix_lines(text: str) -> str:
    """The @prefix (and @base) lines at the head of Turtle or TriG, in a fixed order."""
    lines = text.split("\n")
    head = 0
    while head < len(lines) and lines[head].startswith(("@prefix", "@base")):
        head += 1
    bases = [line for line in lines[:head] if line.startswith("@base")]
    prefixes = sorted(line for line in lines[:head] if line.startswith("@prefix"))
    return "\n".join(bases + prefixes + lines[head:])


def _sorted_xmlns(text: str) -> str:
    """The xmlns attributes of the rdf:RDF element in a fixed order."""
    def fix(m):
        attrs = sorted(re.findall(r'\s(xmlns(?::[\w.-]+)?="[^"]*")', m.group(0)))
        other = re.sub(r'\sxmlns(?::[\w.-]+)?="[^"]*"', "", m.group(0))[len("<rdf:RDF"):]
        return "<rdf:RDF " + " ".join(attrs) + other
    return re.sub(r"<rdf:RDF\b[^>]*>", fix, text, count=1)


def prefixes_for(base: str | None) -> dict[str, str]:
    """The vocabularies' prefixes (kg.namespaces.PREFIXES); the data's IRIs go relative to the base."""
    return dict(PREFIXES)


def write(statements: Iterable[Triple | Quad], fmt: RdfFormat, base: str | None = None) -> bytes:
    """Turtle, TriG or RDF/XML, readable and deterministic (other formats: sorted, canonical)."""
    data = serialize(canonical(statements), format=fmt, prefixes=prefixes_for(base),
                     base_iri=base if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None)
    if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG):
        return _sorted_prefix_lines(data.decode("utf-8")).encode("utf-8")
    if fmt == RdfFormat.RDF_XML:
        return _sorted_xmlns(data.decode("utf-8")).encode("utf-8")
    return data


def ontology_rdfxml() -> bytes:
    """ontology/homs-kg.ttl as RDF/XML, the same bytes every time (ontology/homs-kg.rdf)."""
    from kg.ontology import ontology_triples

    return write(ontology_triples(), RdfFormat.RDF_XML)
