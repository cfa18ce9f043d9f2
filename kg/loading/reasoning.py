"""Materialise the entailments SPARQL users need, so canned queries are plain joins.

The rules are the OWL 2 RL rules the ontology uses: subclass (cax-sco), subproperty (prp-spo1),
property chain (prp-spo2), transitivity (prp-trp), inverses (prp-inv1/2) and symmetry (prp-symp,
as a property that is its own inverse), domain and range (prp-dom, prp-rng).
tests/unit/test_reasoning.py checks the result against owlrl, the reference
OWL RL reasoner, on the seeds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

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
        new.update(_transitive_and_chains(known | new | _ontology_links(onto), onto))
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


def _ontology_links(onto: OntologyIndex) -> set[Triple]:
    """The ontology's own triples that a property chain joins on: the victim categories' skos:broader
    (hk:countsCategory is the chain `hk:countsCategory skos:broader`). The store keeps them in the
    ontology graph, not in the data the reasoner is given, so the reasoner adds them itself."""
    return set(onto.chain_facts)


def _reachable(graph: dict, start) -> set:
    seen, stack = set(), [start]
    while stack:
        for nxt in graph.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


class Reasoner:
    """The closure of a fixed context (the shared entities), and what each article adds to it.

    `closure(asserted | context)` would recompute the whole context for every article, and the
    context (thousands of places, their transitive containment) is far larger than an article.
    This computes the closure of the context once, indexes the edges the two-premise rules join on
    (transitive properties, property chains), and per article derives semi-naively: every new
    triple is joined with the context's and the article's triples, and nothing else is revisited.
    The result is the same set (tests/bench/test_bench_smoke.py compares it with `closure`)."""

    def __init__(self, context: Iterable[Triple] = (), context_closure: set | None = None,
                 onto: OntologyIndex | None = None):
        self.onto = onto = onto or index()
        self.transitive = frozenset(onto.transitive)
        self.chains = [(r, c[0], c[1]) for r, c in onto.chains if len(c) == 2]
        self.joined = self.transitive | {p for _, a, b in self.chains for p in (a, b)}
        self._steps: dict = {}  # predicate -> the one-premise rules that fire on it
        self.context = set(context)
        self.base: set[Triple] = set()
        self.fwd = {p: {} for p in self.joined}  # property -> subject -> objects, over the base
        self.rev = {p: {} for p in self.joined}  # property -> object -> subjects
        if context_closure is None:  # the closure of the context, by the same derivation
            context_closure = self.context | self.inferred(self.context, _minus=False)
        self.base = context_closure
        for t in self.base | _ontology_links(onto):  # joined on, never written (kg.ontology keeps them)
            p = t.predicate
            if p in self.joined:
                self.fwd[p].setdefault(t.subject, set()).add(t.object)
                self.rev[p].setdefault(t.object, set()).add(t.subject)

    def _rules(self, p):
        rules = self._steps.get(p)
        if rules is None:
            onto = self.onto
            rules = (tuple(q for q in onto.superproperties.get(p, ()) if q != p), tuple(onto.domains.get(p, ())),
                     tuple(onto.ranges.get(p, ())), tuple(b for a, b in onto.inverses if a == p))
            self._steps[p] = rules
        return rules

    def inferred(self, asserted: Iterable[Triple], _minus: bool = True) -> set[Triple]:
        """What `asserted` adds to the closure of the context, minus what is asserted."""
        asserted = set(asserted)
        base, joined, transitive, chains = self.base, self.joined, self.transitive, self.chains
        superclasses = self.onto.superclasses
        new: set[Triple] = set()
        queue: list[Triple] = []
        fwd: dict = {p: {} for p in joined}
        rev: dict = {p: {} for p in joined}

        def add(t: Triple):
            if t in new or t in base:
                return
            new.add(t)
            queue.append(t)
            p = t.predicate
            if p in joined:
                fwd[p].setdefault(t.subject, set()).add(t.object)
                rev[p].setdefault(t.object, set()).add(t.subject)

        empty: set = set()

        def objects(p, s):
            return self.fwd[p].get(s, empty) | fwd[p].get(s, empty)

        def subjects(p, o):
            return self.rev[p].get(o, empty) | rev[p].get(o, empty)

        rdf_type = RDF.type
        for t in asserted:
            # a triple no rule can fire on is asserted (so not in the result) and joins nothing:
            # skip it (most of an article: evidence, labels, literals)
            p = t.predicate
            if p == rdf_type:
                if len(superclasses.get(t.object, ())) > 1:
                    add(t)
            elif p in joined or any(self._rules(p)):
                add(t)
        while queue:
            t = queue.pop()
            s, p, o = t.subject, t.predicate, t.object
            if p == rdf_type:  # cax-sco
                for c in superclasses.get(o, ()):
                    add(Triple(s, rdf_type, c))
                continue
            supers, domains, ranges, inverses = self._rules(p)
            for q in supers:  # prp-spo1
                add(Triple(s, q, o))
            for d in domains:  # prp-dom
                add(Triple(s, rdf_type, d))
            if not isinstance(o, Literal):
                for r in ranges:  # prp-rng
                    add(Triple(o, rdf_type, r))
                for b in inverses:  # prp-inv1/2
                    add(Triple(o, b, s))
            if p not in joined:
                continue
            if p in transitive:  # prp-trp, with t as either premise
                for x in subjects(p, s):
                    add(Triple(x, p, o))
                for y in objects(p, o):
                    add(Triple(s, p, y))
            for result, first, second in chains:  # prp-spo2
                if p == first:
                    for y in objects(second, o):
                        add(Triple(s, result, y))
                if p == second:
                    for x in subjects(first, s):
                        add(Triple(x, result, o))
        return new - asserted - self.context if _minus else new


def inferred(asserted: Iterable[Triple], context: Iterable[Triple] = (), context_closure: set | None = None) -> set[Triple]:
    """What `asserted` adds to the closure of `context` (the shared entities), minus what is asserted.

    For many articles against one context, build one Reasoner and call its `inferred`."""
    return Reasoner(context, context_closure).inferred(asserted)


__all__ = ["closure", "inferred", "Reasoner", "NamedNode"]
