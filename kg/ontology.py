"""The ontology as data: its file, its quads, and the index the loader and the reasoner use."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from kg.namespaces import HK, ONTOLOGY, OWL, RDF, RDFS
from kg.paths import ONTOLOGY_FILE

BRANCHES = {"place": HK.Place, "actor": HK.Actor, "event": HK.Event, "agreement": HK.Agreement}


@lru_cache(maxsize=1)
def ontology_triples() -> tuple[Triple, ...]:
    with open(ONTOLOGY_FILE, "rb") as f:
        return tuple(q.triple for q in parse(f, RdfFormat.TURTLE, base_iri=ONTOLOGY))


def _rdf_list(triples_by_sp: dict, head) -> list:
    items = []
    while head != RDF.nil:
        items.append(next(iter(triples_by_sp[(head, RDF.first)])))
        head = next(iter(triples_by_sp[(head, RDF.rest)]))
    return items


def _closure(direct: dict) -> dict:
    """Reflexive-transitive closure of a `x -> {parents}` map."""
    out = {}

    def up(x, seen):
        for parent in direct.get(x, ()):
            if parent not in seen:
                seen.add(parent)
                up(parent, seen)
        return seen

    for x in list(direct):
        out[x] = up(x, {x})
    return out


@dataclass
class OntologyIndex:
    """What the loader and the reasoner need to know of the ontology (OWL RL subset we use)."""

    classes: set = field(default_factory=set)
    superclasses: dict = field(default_factory=dict)  # class -> all superclasses, itself included
    superproperties: dict = field(default_factory=dict)  # property -> all superproperties, itself included
    transitive: set = field(default_factory=set)
    inverses: list = field(default_factory=list)  # (p, q) pairs, both ways
    chains: list = field(default_factory=list)  # (result property, [p1, p2])
    domains: dict = field(default_factory=lambda: defaultdict(set))
    ranges: dict = field(default_factory=lambda: defaultdict(set))
    individuals: dict = field(default_factory=dict)  # individual -> class (controlled values)
    chain_facts: list = field(default_factory=list)  # the ontology's own triples a chain joins on (skos:broader)

    def types_under(self, branch: NamedNode) -> dict[str, NamedNode]:
        """Local names of the classes under `branch` (hk:Event...), e.g. {"Shelling": hk:Shelling}."""
        return {c.value[len(ONTOLOGY):]: c for c in self.classes
                if c.value.startswith(ONTOLOGY) and branch in self.superclasses.get(c, ())}


@lru_cache(maxsize=1)
def index() -> OntologyIndex:
    triples = ontology_triples()
    by_sp = defaultdict(set)
    for t in triples:
        by_sp[(t.subject, t.predicate)].add(t.object)
    idx = OntologyIndex()
    subclass, subprop = defaultdict(set), defaultdict(set)
    for t in triples:
        s, p, o = t.subject, t.predicate, t.object
        if p == RDF.type and o == OWL.Class and isinstance(s, NamedNode):
            idx.classes.add(s)
            subclass[s]
        elif p == RDFS.subClassOf and isinstance(o, NamedNode):
            subclass[s].add(o)
            subclass[o]
        elif p == OWL.equivalentClass and isinstance(o, NamedNode):
            subclass[s].add(o)
            subclass[o].add(s)
        elif p == RDFS.subPropertyOf:
            subprop[s].add(o)
            subprop[o]
        elif p == RDF.type and o in (OWL.ObjectProperty, OWL.DatatypeProperty):
            subprop[s]
        elif p == RDF.type and o == OWL.TransitiveProperty:
            idx.transitive.add(s)
        elif p == RDF.type and o == OWL.SymmetricProperty:  # prp-symp: its own inverse
            idx.inverses.append((s, s))
        elif p == OWL.inverseOf:
            idx.inverses += [(s, o), (o, s)]
        elif p == OWL.propertyChainAxiom:
            idx.chains.append((s, _rdf_list(by_sp, o)))
        elif p == RDFS.domain:
            idx.domains[s].add(o)
        elif p == RDFS.range:
            idx.ranges[s].add(o)
        elif p == RDF.type and o == OWL.NamedIndividual:
            classes = [c for c in by_sp[(s, RDF.type)] if c != OWL.NamedIndividual]
            idx.individuals[s] = classes[0]
    idx.superclasses = _closure(subclass)
    linked = {q for _, chain in idx.chains for q in chain[1:]}
    idx.chain_facts = [t for t in triples if t.predicate in linked and isinstance(t.object, NamedNode)
                       and t.subject.value.startswith(ONTOLOGY)]
    idx.superproperties = _closure(subprop)
    return idx
