"""Generate docs/ontology.md, the human reference of the ontology, from ontology/homs-kg.ttl.

`kg docs` writes it; tests/unit/test_docs.py fails when the committed file is stale."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from kg.namespaces import HK, ONTOLOGY, OWL, PREFIXES, RDF, RDFS, SKOS
from kg.ontology import ontology_triples

REFERENCE_FILE = Path("docs") / "ontology.md"  # in the repository, from its top: `kg docs` is for its developers
MAPPINGS = (("acledSubEventType", "ACLED"), ("cameoCode", "CAMEO"), ("ploverType", "PLOVER"))


def _short(node) -> str:
    if isinstance(node, Literal):
        return node.value
    for prefix, ns in PREFIXES.items():
        if node.value.startswith(ns):
            return f"{prefix}:{node.value[len(ns):]}"
    return f"<{node.value}>"


def _broader(props, m) -> str:
    """A controlled value's place in a SKOS hierarchy (the victim categories): "; within hk:civilians"."""
    broader = props[m].get(SKOS.broader, [])
    return f"; within {', '.join(_short(b) for b in broader)}" if broader else ""


def render() -> str:
    props = defaultdict(lambda: defaultdict(list))
    for t in ontology_triples():
        props[t.subject][t.predicate].append(t.object)

    def one(s, p):
        values = props[s].get(p, [])
        return values[0].value if values else ""

    def terms(kind):
        return sorted((s for s, p in props.items() if isinstance(s, NamedNode) and s.value.startswith(ONTOLOGY)
                       and kind in p.get(RDF.type, [])), key=lambda s: s.value)

    children = defaultdict(list)
    for c in terms(OWL.Class):
        for parent in props[c].get(RDFS.subClassOf, []):
            children[parent].append(c)

    out = ["# homs-kg ontology reference", "",
           "Generated from `ontology/homs-kg.ttl` by `kg docs`; do not edit by hand.", "",
           f"Namespace: `{ONTOLOGY}` (prefix `hk:`).", "", "## Class hierarchy", ""]

    def tree(c, depth):
        out.append(f"{'  ' * depth}- [{_short(c)}](#{c.value[len(ONTOLOGY):].lower()}) — {one(c, RDFS.label)}")
        for child in sorted(children.get(c, []), key=lambda x: x.value):
            tree(child, depth + 1)

    roots = [c for c in terms(OWL.Class)
             if not any(p.value.startswith(ONTOLOGY) for p in props[c].get(RDFS.subClassOf, []))]
    for root in roots:
        tree(root, 0)

    out += ["", "## Classes", ""]
    for c in terms(OWL.Class):
        out += [f"### {c.value[len(ONTOLOGY):]}", "", f"**{one(c, RDFS.label)}** — {one(c, SKOS.definition)}", ""]
        supers = ", ".join(_short(p) for p in props[c].get(RDFS.subClassOf, []) if isinstance(p, NamedNode))
        if supers:
            out.append(f"- subclass of: {supers}")
        mapped = [f"{name} `{one(c, HK[key])}`" for key, name in MAPPINGS if one(c, HK[key])]
        if mapped:
            out.append(f"- corresponds to: {', '.join(mapped)}")
        members = sorted((s for s, p in props.items() if c in p.get(RDF.type, []) and OWL.NamedIndividual in p.get(RDF.type, [])),
                         key=lambda s: s.value)
        if members:
            out.append("- values: " + ", ".join(f"`{_short(m)}` ({one(m, RDFS.label)}{_broader(props, m)})" for m in members))
        out.append("")

    out += ["## Properties", "", "| property | label | domain | range | characteristics | definition |",
            "|---|---|---|---|---|---|"]
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        for p in terms(kind):
            chars = [_short(t).split(":")[1] for t in props[p][RDF.type] if t not in (kind,)]
            supers = [f"sub-property of {_short(s)}" for s in props[p].get(RDFS.subPropertyOf, [])]
            inverse = [f"inverse of {_short(s)}" for s in props[p].get(OWL.inverseOf, [])]
            chain = ["property chain" for _ in props[p].get(OWL.propertyChainAxiom, [])]
            out.append(f"| `{_short(p)}` | {one(p, RDFS.label)} | {', '.join(_short(d) for d in props[p].get(RDFS.domain, []))} "
                       f"| {', '.join(_short(r) for r in props[p].get(RDFS.range, []))} "
                       f"| {'; '.join(chars + supers + inverse + chain)} | {one(p, SKOS.definition)} |")
    return "\n".join(out) + "\n"
