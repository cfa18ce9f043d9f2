"""Derived time bounds (issue 13): dates the graph already implies, materialised with their rule.

Of the events of the seeds, nearly half carry no date, yet most are bounded by what the graph
knows. Four rules, each narrowing only a bound the article leaves open (a stated or annotated
date is never overwritten), applied to one article's facts until nothing changes:

- hk:withinParent: a sub-event (hk:subEventOf) began no earlier than its parent's earliest date and
  ended no later than its parent's latest date;
- hk:beforePublication: an event the article reports as having occurred (modality `occurred`) ended
  no later than the article's publication: the last day of its schema:datePublished, or of its
  original's (schema:isBasedOn) when that is earlier (a 2012 report republished in 2025);
- hk:afterPrecedingEvent: an event that hk:follows another began no earlier than the other's earliest date;
- hk:withinAgreement: an event that hk:implements or hk:violates an agreement began no earlier than
  the agreement's earliest date.

Several rules may bound the same end; the tightest wins. A derived bound that would cross the
event's other bound (an earliest after its latest) is not derived: the facts disagree, and the
annotations say so better than a guess. Every derived bound is written as the plain hk:earliest or
hk:latest (so queries need not care) and as a hk:DerivedBound record: `<event>/bound/earliest`,
with hk:rule, hk:boundFrom (the parent, the preceding event, the agreement or the article), the
value, hk:basis hk:inferred and a reason.

These rules are not OWL 2 RL (they compare dates): they live here, not in kg.loading.reasoning, and
tests/test_reasoning.py keeps them out of its comparison with owlrl (`is_beyond_owl_rl`).
`inferred` is the hook the loader calls in place of Reasoner.inferred."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Triple

from kg.loading import map_points, place_counts
from kg.loading.map_points import MAP_PROPERTIES
from kg.namespaces import HK, PROV, RDF, RDFS, SCHEMA, XSD

EARLIEST, LATEST = HK.earliest, HK.latest
RULE_ORDER = (HK.withinParent, HK.afterPrecedingEvent, HK.withinAgreement, HK.beforePublication)


def inferred(reasoner, asserted: Iterable[Triple]) -> set[Triple]:
    """What an article adds to the graph: its OWL RL entailments (kg.loading.reasoning), its derived time
    bounds and its control periods (kg.loading.control), with what OWL RL adds to those; and where the
    map draws its events (kg.loading.map_points)."""
    from kg.loading import control

    asserted = asserted if isinstance(asserted, (set, frozenset)) else set(asserted)
    extra = reasoner.inferred(asserted)
    facts = Facts.of(asserted)
    bounds = derive(facts)
    beyond = bound_triples(facts, bounds) | control.period_triples(facts, bounds_of(facts, bounds), _labels(reasoner))
    beyond -= asserted
    out = extra | beyond | (reasoner.inferred(beyond) - asserted)
    out |= place_counts.article_triples(reasoner, asserted | out) - asserted  # places' counts (issue 17)
    return out | (map_points.article_triples(reasoner, asserted | out) - asserted)  # the map's (issue 17)


def _labels(reasoner) -> dict:
    """The labels of the shared places and actors (the reasoner's context), computed once per reasoner."""
    labels = getattr(reasoner, "_time_labels", None)
    if labels is None:
        labels = {t.subject: t.object.value for t in reasoner.context if t.predicate == RDFS.label}
        reasoner._time_labels = labels
    return labels


def day(literal: Literal) -> tuple[dt.date, dt.date] | None:
    """The first and last day of an xsd:date, xsd:gYearMonth or xsd:gYear literal."""
    text = literal.value
    try:
        if literal.datatype == XSD.date:
            d = dt.date.fromisoformat(text)
            return d, d
        if literal.datatype == XSD.gYearMonth:
            y, m = int(text[:4]), int(text[5:7])
            return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])
        if literal.datatype == XSD.gYear:
            return dt.date(int(text[:4]), 1, 1), dt.date(int(text[:4]), 12, 31)
    except ValueError:
        return None
    return None


@dataclass
class Facts:
    """What the rules read of one article's asserted triples."""

    article: NamedNode | None = None
    published: dt.date | None = None  # the last day the article (or its original) can have appeared
    events: dict = field(default_factory=dict)  # event -> modality
    labels: dict = field(default_factory=dict)
    earliest: dict = field(default_factory=dict)  # fact -> date (asserted)
    latest: dict = field(default_factory=dict)
    parents: dict = field(default_factory=lambda: defaultdict(set))
    follows: dict = field(default_factory=lambda: defaultdict(set))
    agreements: dict = field(default_factory=lambda: defaultdict(set))  # event -> agreements it implements/violates
    by_predicate: dict = field(default_factory=lambda: defaultdict(list))  # for kg.loading.control

    @classmethod
    def of(cls, triples: Iterable[Triple]) -> Facts:
        f = cls()
        published, original = {}, {}
        for t in triples:
            s, p, o = t.subject, t.predicate, t.object
            f.by_predicate[p].append(t)
            if p == HK.modality:
                f.events[s] = o
            elif p == EARLIEST and isinstance(o, Literal):
                f.earliest[s] = dt.date.fromisoformat(o.value)
            elif p == LATEST and isinstance(o, Literal):
                f.latest[s] = dt.date.fromisoformat(o.value)
            elif p == HK.subEventOf:
                f.parents[s].add(o)
            elif p == HK.follows:
                f.follows[s].add(o)
            elif p in (HK.implements, HK.violates):
                f.agreements[s].add(o)
            elif p == SCHEMA.datePublished and isinstance(o, Literal):
                published[s] = day(o)
            elif p == SCHEMA.isBasedOn:
                original[s] = o
            elif p == RDF.type and o == HK.Article:
                f.article = s
        if f.article is not None:
            ends = [published.get(f.article), published.get(original.get(f.article))]
            ends = [e[1] for e in ends if e]
            f.published = min(ends) if ends else None
        for t in f.by_predicate.get(RDFS.label, ()):
            f.labels[t.subject] = t.object.value
        return f


@dataclass(frozen=True)
class Bound:
    value: dt.date
    rule: NamedNode
    source: NamedNode


def derive(facts: Facts) -> dict[tuple[NamedNode, NamedNode], Bound]:
    """{(event, hk:earliest | hk:latest): the derived bound} for every bound the rules narrow."""
    lo, hi = dict(facts.earliest), dict(facts.latest)
    derived: dict = {}
    events = sorted(facts.events, key=lambda e: e.value)
    changed = True
    while changed:
        changed = False
        for e in events:
            if e not in facts.earliest:
                candidates = [Bound(lo[x], rule, x) for rule, xs in ((HK.withinParent, facts.parents[e]),
                              (HK.afterPrecedingEvent, facts.follows[e]), (HK.withinAgreement, facts.agreements[e]))
                              for x in xs if x in lo]
                best = max(candidates, key=_rank_late, default=None)
                if best and (e not in lo or best.value > lo[e]) and (e not in hi or best.value <= hi[e]):
                    lo[e], derived[(e, EARLIEST)], changed = best.value, best, True
            if e not in facts.latest:
                candidates = [Bound(hi[x], HK.withinParent, x) for x in facts.parents[e] if x in hi]
                if facts.events[e] == HK.occurred and facts.published and facts.article is not None:
                    candidates.append(Bound(facts.published, HK.beforePublication, facts.article))
                best = min(candidates, key=_rank_early, default=None)
                if best and (e not in hi or best.value < hi[e]) and (e not in lo or best.value >= lo[e]):
                    hi[e], derived[(e, LATEST)], changed = best.value, best, True
    return derived


def _rank_late(b: Bound):
    return b.value, -RULE_ORDER.index(b.rule), b.source.value


def _rank_early(b: Bound):
    return b.value, RULE_ORDER.index(b.rule), b.source.value


def bounds_of(facts: Facts, derived: dict) -> tuple[dict, dict]:
    """(earliest, latest) of every fact: asserted, else derived."""
    lo, hi = dict(facts.earliest), dict(facts.latest)
    for (e, which), b in derived.items():
        (lo if which == EARLIEST else hi)[e] = b.value
    return lo, hi


_REASONS = {
    HK.withinParent: "part of {source}, whose {which} date is {value}",
    HK.afterPrecedingEvent: "follows {source}, whose earliest date is {value}",
    HK.withinAgreement: "carries out or breaks {source}, agreed no earlier than {value}",
    HK.beforePublication: "reported as having occurred by an article published by {value}",
}


def bound_triples(facts: Facts, derived: dict) -> set[Triple]:
    out = set()
    for (e, which), b in derived.items():
        name = "earliest" if which == EARLIEST else "latest"
        value = Literal(b.value.isoformat(), datatype=XSD.date)
        record = NamedNode(f"{e.value}/bound/{name}")
        source = facts.labels.get(b.source, b.source.value)
        reason = _REASONS[b.rule].format(source=f"“{source}”", which=name, value=b.value.isoformat())
        out |= {Triple(e, which, value), Triple(e, HK.boundDerivation, record),
                Triple(record, RDF.type, HK.DerivedBound), Triple(record, HK.bound, which),
                Triple(record, HK.boundValue, value), Triple(record, HK.rule, b.rule),
                Triple(record, HK.boundFrom, b.source), Triple(record, HK.basis, HK.inferred),
                Triple(record, HK.reason, Literal(reason))}
        if facts.article is not None:
            out.add(Triple(record, PROV.wasDerivedFrom, facts.article))
    return out


def is_beyond_owl_rl(triples: Iterable[Triple]) -> set[Triple]:
    """Of an inferred graph's triples, those the rules here and in kg.loading.control produced (with what
    OWL RL entails of them alone): the records, the periods, and the bound values they give; and the
    map's places and points (kg.loading.map_points); the places' counted items (kg.loading.place_counts);
    the actors' counts (kg.loading.actor_counts).
    tests/test_reasoning.py leaves these out of its comparison with the owlrl reasoner."""
    triples = list(triples)
    records = {t.subject for t in triples if t.predicate == RDF.type and t.object in (HK.DerivedBound, HK.ControlPeriod)}
    bound_of = {t.subject: t.object for t in triples if t.subject in records and t.predicate == HK.bound}
    derived_values = {(t.subject, bound_of[t.object]) for t in triples
                      if t.predicate == HK.boundDerivation and t.object in bound_of}
    supers = {EARLIEST: NamedNode("http://semanticweb.cs.vu.nl/2009/11/sem/hasEarliestBeginTimeStamp"),
              LATEST: NamedNode("http://semanticweb.cs.vu.nl/2009/11/sem/hasLatestEndTimeStamp")}
    wanted = derived_values | {(e, supers[b]) for e, b in derived_values}
    return {t for t in triples if t.subject in records or t.predicate == HK.boundDerivation
            or (t.subject, t.predicate) in wanted or t.predicate in MAP_PROPERTIES
            or t.predicate in (place_counts.COUNTED_IN, HK.involvementCount)}
