"""Materialise the entailments SPARQL users need, so canned queries are plain joins.

The rules are the OWL 2 RL rules the ontology uses: subclass (cax-sco), subproperty (prp-spo1),
property chain (prp-spo2), transitivity (prp-trp), inverses (prp-inv1/2), domain and range
(prp-dom, prp-rng). tests/test_reasoning.py checks the result against owlrl, the reference
OWL RL reasoner, on the seeds."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from pyoxigraph import Literal, NamedNode, Triple

from kg.namespaces import RDF
from kg.ontology import OntologyIndex, index


def closure(triples: Iterable[Triple], onto: OntologyIndex | None = None) -> set[Triple]:
    """All triples entailed by `triples` under the rules above (the input included)."""
    onto = onto or index()
    known = set(triples)
    frontier = set(known)
    while frontier:
        new = set()
        for t in frontier:
            new.update(_one_step(t, onto))
        new.update(_transitive_and_chains(known | new, onto))
        frontier = new - known
        known |= frontier
    return known


def _one_step(t: Triple, onto: OntologyIndex) -> Iterable[Triple]:
    s, p, o = t.subject, t.predicate, t.object
    if p == RDF.type:
        for c in onto.superclasses.get(o, ()):
            yield Triple(s, RDF.type, c)
        return
    for q in onto.superproperties.get(p, ()):
        yield Triple(s, q, o)
    for d in onto.domains.get(p, ()):
        yield Triple(s, RDF.type, d)
    if isinstance(o, Literal):
        return
    for r in onto.ranges.get(p, ()):
        yield Triple(o, RDF.type, r)
    for a, b in onto.inverses:
        if a == p:
            yield Triple(o, b, s)


def _transitive_and_chains(triples: set[Triple], onto: OntologyIndex) -> set[Triple]:
    edges = defaultdict(lambda: defaultdict(set))  # property -> subject -> objects
    wanted = onto.transitive | {p for _, chain in onto.chains for p in chain}
    for t in triples:
        if t.predicate in wanted:
            edges[t.predicate][t.subject].add(t.object)
    out = set()
    for p in onto.transitive:
        graph = edges[p]
        for s in list(graph):
            for o in _reachable(graph, s):
                out.add(Triple(s, p, o))
    for result, (first, second) in ((r, c) for r, c in onto.chains if len(c) == 2):
        for s, mids in list(edges[first].items()):
            for mid in mids:
                for o in edges[second].get(mid, ()):
                    out.add(Triple(s, result, o))
    return out


def _reachable(graph: dict, start) -> set:
    seen, stack = set(), [start]
    while stack:
        for nxt in graph.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def inferred(asserted: Iterable[Triple], context: Iterable[Triple] = (), context_closure: set | None = None) -> set[Triple]:
    """What `asserted` adds to the closure of `context` (the shared entities), minus what is asserted."""
    asserted = set(asserted)
    context = set(context)
    base = context_closure if context_closure is not None else closure(context)
    return closure(asserted | base) - base - asserted - context


__all__ = ["closure", "inferred", "NamedNode"]
