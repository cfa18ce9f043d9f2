"""RDF for people: serialisations that come out the same for the same graph, so that a diff between
two exports shows what changed and nothing else.

pyoxigraph writes triples in the order it is given them and groups a subject's consecutive triples;
what varies from run to run is the rest, and this module fixes it:

- blank nodes get labels from what they say and where they hang (`canonical`), not from a counter;
- triples are sorted (subject, predicate, object), quads by graph first;
- the `@prefix` lines and the `xmlns` attributes are written in a fixed order;
- the dataset's own IRIs are written relative to `@base` (`<place/homs>`, `<event/a002-…/…>`), and
  the vocabularies with their usual prefixes (`hk:`, `rdfs:`, `oa:`…);
- JSON-LD is compact, with the dataset's @context (ontology/context.jsonld, served at
  /context.jsonld) written inline so that no parser needs the network.

Turtle and TriG have their own small writer here (pyoxigraph would write the prefixes in hash
order and relative IRIs such as `<//schema.org/>`); RDF/XML is pyoxigraph's, with sorted input.

`ontology_rdfxml` is the RDF/XML of ontology/homs-kg.ttl shipped as ontology/homs-kg.rdf for OWL
tools (owlready2, Protégé), written by `kg docs` and checked equal to the Turtle by the tests."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from kg.namespaces import DEFAULT_BASE, PREFIXES
from kg.paths import ONTOLOGY_DIR

RDF_TYPE = PREFIXES["rdf"] + "type"
XSD_STRING = PREFIXES["xsd"] + "string"
RDFXML_FILE = ONTOLOGY_DIR / "homs-kg.rdf"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"


def _key(term) -> str:
    return "" if term is None else str(term)


def _iri_or_literal(term):
    return None if isinstance(term, BlankNode) else term


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
    memo: dict[tuple, str] = {}

    def content(node, seen) -> str:
        if (node, "out") in memo:
            return memo[(node, "out")]
        lines = sorted(f"{st.predicate} " + (content(st.object, seen | {node}) if isinstance(st.object, BlankNode)
                                              and st.object not in seen else _key(_iri_or_literal(st.object)))
                       for st in outgoing[node])
        text = "{" + ";".join(lines) + "}"
        if not seen:
            memo[(node, "out")] = text
        return text

    def context(node, seen) -> str:
        if (node, "in") in memo:
            return memo[(node, "in")]
        parents = sorted((context(st.subject, seen | {node}) if isinstance(st.subject, BlankNode)
                          and st.subject not in seen else _key(_iri_or_literal(st.subject)))
                         + f" {st.predicate} {_key(getattr(st, 'graph_name', None))}" for st in incoming[node])
        text = "[" + ";".join(parents) + "]"
        if not seen:
            memo[(node, "in")] = text
        return text

    keys = {node: content(node, frozenset()) + context(node, frozenset()) for node in set(outgoing) | set(incoming)}
    taken: dict[str, int] = {}
    for node in sorted(keys, key=keys.get):
        digest = hashlib.sha1(keys[node].encode("utf-8")).hexdigest()[:16]
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


def _sorted_xmlns(text: str) -> str:
    """The xmlns attributes of the rdf:RDF element in a fixed order."""
    def fix(m):
        attrs = sorted(re.findall(r'\s(xmlns(?::[\w.-]+)?="[^"]*")', m.group(0)))
        other = re.sub(r'\sxmlns(?::[\w.-]+)?="[^"]*"', "", m.group(0))[len("<rdf:RDF"):]
        return "<rdf:RDF " + " ".join(attrs) + other
    return re.sub(r"<rdf:RDF\b[^>]*>", fix, text, count=1)


_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_RELATIVE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./%-]*(#[A-Za-z0-9_./%-]*)?$")


class TurtleWriter:
    """Terms as Turtle: a prefixed name where the local part is plain, an IRI under the base
    relative to it (`<place/homs>`), else the absolute IRI; literals in N-Triples' escaping, their
    datatype prefixed."""

    def __init__(self, base: str | None, prefixes: dict[str, str] | None = None):
        self.base = base
        self.prefixes = sorted((prefixes or PREFIXES).items(), key=lambda kv: -len(kv[1]))
        self._written: dict[str, str] = {}  # IRI -> as written (an IRI recurs on many lines)

    def iri(self, value: str) -> str:
        known = self._written.get(value)
        if known is None:
            known = self._written[value] = self._iri(value)
        return known

    def _iri(self, value: str) -> str:
        for prefix, ns in self.prefixes:
            if value.startswith(ns) and _LOCAL.match(value[len(ns):]):
                return f"{prefix}:{value[len(ns):]}"
        if self.base and value.startswith(self.base) and _RELATIVE.match(value[len(self.base):]):
            return f"<{value[len(self.base):]}>"
        return f"<{value}>"

    def term(self, term) -> str:
        if isinstance(term, NamedNode):
            return self.iri(term.value)
        if isinstance(term, BlankNode):
            return f"_:{term.value}"
        if isinstance(term, Literal):
            text = str(Literal(term.value))  # the lexical form, quoted and escaped
            if term.language:
                return f"{text}@{term.language}"
            if term.datatype.value == XSD_STRING:
                return text
            return f"{text}^^{self.iri(term.datatype.value)}"
        raise ValueError(f"not a term of a triple: {term!r}")

    def head(self) -> list[str]:
        lines = [f"@base <{self.base}> ."] if self.base else []
        return lines + [f"@prefix {p}: <{ns}> ." for p, ns in sorted(self.prefixes)]

    def block(self, triples: list[Triple], indent: str = "") -> list[str]:
        """Each subject once, its predicates sorted (rdf:type first, as `a`), objects sorted."""
        lines, by_subject = [], defaultdict(lambda: defaultdict(list))
        for t in triples:
            by_subject[t.subject][t.predicate].append(t.object)
        for subject in sorted(by_subject, key=str):
            predicates = sorted(by_subject[subject], key=lambda p: (p.value != RDF_TYPE, str(p)))
            parts = []
            for p in predicates:
                name = "a" if p.value == RDF_TYPE else self.iri(p.value)
                objects = " , ".join(self.term(o) for o in sorted(set(by_subject[subject][p]), key=str))
                parts.append(f"{name} {objects}")
            lines.append(f"{indent}{self.term(subject)} " + f" ;\n{indent}    ".join(parts) + " .")
        return lines


def turtle(triples: Iterable[Triple], base: str | None = None) -> bytes:
    writer = TurtleWriter(base)
    return ("\n".join(writer.head() + [""] + writer.block(canonical(triples))) + "\n").encode("utf-8")


def trig(quads: Iterable[Quad], base: str | None = None) -> bytes:
    writer = TurtleWriter(base)
    by_graph = defaultdict(list)
    for q in canonical(quads):
        by_graph[q.graph_name].append(q.triple)
    lines = writer.head()
    for graph in sorted(by_graph, key=lambda g: (not isinstance(g, DefaultGraph), str(g))):
        lines.append("")
        if isinstance(graph, DefaultGraph):
            lines += writer.block(by_graph[graph])
        else:
            lines += [f"{writer.term(graph)} {{"] + writer.block(by_graph[graph], "    ") + ["}"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def context(base: str | None = None) -> dict:
    """The JSON-LD @context of the dataset (ontology/context.jsonld for the default base; served at
    /context.jsonld): the vocabularies' prefixes, and the base the data's IRIs are relative to."""
    return {"@base": base or DEFAULT_BASE, **dict(sorted(PREFIXES.items()))}


def jsonld(triples: Iterable[Triple], base: str | None = None) -> bytes:
    """Compact JSON-LD with the dataset's @context inline (so that a parser needs no network): one
    node object per subject, sorted; its keys compact IRIs (`hk:locatedIn`), its IRIs compact or
    relative to the base (`place/homs`)."""
    writer = TurtleWriter(base or DEFAULT_BASE)

    def ref(value: str) -> str:
        text = writer.iri(value)
        return text[1:-1] if text.startswith("<") else text

    def value(term):
        if isinstance(term, NamedNode):
            return {"@id": ref(term.value)}
        if isinstance(term, BlankNode):
            return {"@id": f"_:{term.value}"}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": ref(term.datatype.value)}

    nodes = defaultdict(lambda: defaultdict(list))
    for t in canonical(triples):
        nodes[t.subject][t.predicate.value].append(t.object)
    graph = []
    for subject in sorted(nodes, key=str):
        node = {"@id": ref(subject.value) if isinstance(subject, NamedNode) else f"_:{subject.value}"}
        for predicate in sorted(nodes[subject], key=lambda p: (p != RDF_TYPE, p)):
            objects = sorted(nodes[subject][predicate], key=str)
            if predicate == RDF_TYPE and all(isinstance(o, NamedNode) for o in objects):
                node["@type"] = [ref(o.value) for o in objects]
            else:
                node[ref(predicate)] = [value(o) for o in objects]
        graph.append(node)
    document = {"@context": context(base), "@graph": graph}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write(statements: Iterable[Triple | Quad], fmt: RdfFormat, base: str | None = None) -> bytes:
    """Turtle, TriG, JSON-LD or RDF/XML, readable and deterministic (other formats: canonical and sorted)."""
    if fmt == RdfFormat.TURTLE:
        return turtle(statements, base)
    if fmt == RdfFormat.TRIG:
        return trig(statements, base)
    if fmt == RdfFormat.JSON_LD:
        return jsonld(statements, base)
    data = serialize(canonical(statements), format=fmt, prefixes=PREFIXES if fmt == RdfFormat.RDF_XML else None)
    return _sorted_xmlns(data.decode("utf-8")).encode("utf-8") if fmt == RdfFormat.RDF_XML else data


def ontology_rdfxml() -> bytes:
    """ontology/homs-kg.ttl as RDF/XML, the same bytes every time (ontology/homs-kg.rdf)."""
    from kg.ontology import ontology_triples

    return write(ontology_triples(), RdfFormat.RDF_XML)
