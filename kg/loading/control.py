"""Control of territory over time (issue 13): control changes, control statements, control periods.

An article says who controlled a place in two ways, and the annotation records both:

- a control change: an event typed under hk:ControlChange (capture, recapture, withdrawal,
  handover by agreement, evacuation of fighters) with a `control:` block naming the places and
  the actors control passed `from` and `to` (hk:controlOf, hk:controlFrom, hk:controlTo);
- a control statement (`control:` section of an article file): an actor held, contested or
  besieged a place at a time, without a change of hands ("rebel-held Old Homs").

From these the loader derives hk:ControlPeriod nodes, per article, by three documented rules:

- hk:controlAfterChange: the change's `to` actors hold the place from the change (start between
  its earliest and latest date) until the next change of the same place this article reports whose
  `from` is empty or names one of them (end between that change's dates); with none, the end is open.
  "Next" means a later change of the place: one that follows it (hk:follows, transitively) or whose
  earliest date is after its latest date; of several, the earliest.
- hk:controlBeforeChange: the change's `from` actors held the place until the change (end between
  its dates), the start open, unless a period of the first rule already ends at this change.
- hk:controlAsStated: a statement gives a period with its controller and status. Dated with a
  from-to range (hk:heldThroughout), the period covers the whole range (start no later than its
  earliest date, end no earlier than its latest); dated with one date of some precision (a day, a
  month, a year), it covers some day of it (start no later than its latest day, end no earlier than
  its earliest); undated, every bound is open. A change of the same place in the same article that
  takes it from the controller, and ends no earlier than the stated hold, ends the period no later
  than its latest date (the earliest such change; hk:endedBy).

Dates are those of the events, asserted or derived (kg.loading.time_bounds). Periods are per article and
are never merged across articles: two articles that disagree give two periods side by side, each
with prov:wasDerivedFrom its article, hk:restsOn its events or statement (whose hk:evidence is the
text), hk:reportedBy the sources the article names for them, and the hk:rule that made it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from pyoxigraph import Literal, NamedNode, Triple

from kg.namespaces import HK, PROV, RDF, RDFS, XSD
from kg.ontology import index

STATUS = {"held": HK.controlHeld, "contested": HK.controlContested, "besieged": HK.controlBesieged}


# --- compiling the annotations (called by kg.loading.compiler's article compiler) -------------------------------

def compile_change(c, node: NamedNode, e, loc: tuple, types) -> None:
    """The `control:` block of event `e` (node `node`), if any, into the compiler `c`'s graph."""
    if e.control is None:
        return
    superclasses = index().superclasses
    if not any(HK.ControlChange in superclasses.get(t, ()) for t in types):
        raise c.err(loc + ("control",), "only a control change (CaptureOfTerritory, Recapture, Withdrawal, "
                    "Handover, FighterEvacuation) has a 'control' block; add one of these types")
    ctl, cloc = e.control, loc + ("control",)
    for place in c.refs(cloc + ("places",), "place", ctl.places):
        c.g.add(node, HK.controlOf, place)
    for actor in c.refs(cloc + ("from",), "actor", ctl.from_):
        c.g.add(node, HK.controlFrom, actor)
    for actor in c.refs(cloc + ("to",), "actor", ctl.to):
        c.g.add(node, HK.controlTo, actor)


def compile_statements(c) -> None:
    """The article's `control:` section: one hk:ControlStatement per entry, with its evidence."""
    c.unique_ids("control", c.doc.control)
    for i, s in enumerate(c.doc.control):
        loc = ("control", i)
        c.registry.require(c.located, loc + ("place",), "place", s.place)
        labels = {t.subject: t.object.value for t in (*c.entities.triples, *c.g.triples) if t.predicate == RDFS.label}
        who = ", ".join(labels.get(c.iris.actor(a), a) for a in s.controller)
        label = f"{labels.get(c.iris.place(s.place), s.place)}: {s.status} by {who}"
        node = c.fact("control", s.id, loc, s.quote, [HK.ControlStatement], label)
        c.g.add(node, HK.controlledPlace, c.iris.place(s.place))
        c.g.add(node, HK.controlStatus, STATUS[s.status])
        for actor in c.refs(loc + ("controller",), "actor", s.controller):
            c.g.add(node, HK.controller, actor)
        for actor in c.refs(loc + ("opponent",), "actor", s.opponent):
            c.g.add(node, HK.opponent, actor)
        for actor in c.refs(loc + ("reportedBy",), "actor", s.reportedBy):
            c.g.add(node, HK.reportedBy, actor)
        c.when(node, s.when)
        if s.when is not None and not s.when.date:  # a from-to range: held throughout it
            c.g.add(node, HK.heldThroughout, Literal("true", datatype=XSD.boolean))


# --- deriving the periods (called by kg.loading.time_bounds.inferred) ---------------------------------------

def period_triples(facts, dates: tuple[dict, dict], labels: dict | None = None) -> set[Triple]:
    """The control periods of one article (kg.loading.time_bounds.Facts), by the rules above; `dates`
    are its events' (earliest, latest), asserted or derived (kg.loading.time_bounds.bounds_of);
    `labels` names the shared places and actors (the article's own are in `facts`)."""
    lo, hi = dates
    by = facts.by_predicate
    objects = defaultdict(lambda: defaultdict(list))  # predicate -> subject -> objects, in file order
    for p in (HK.controlOf, HK.controlFrom, HK.controlTo, HK.reportedBy, HK.controlledPlace, HK.controller,
              HK.opponent, HK.controlStatus, HK.heldThroughout):
        for t in by.get(p, ()):
            objects[p][t.subject].append(t.object)
    out = _Periods(facts, lo, hi, objects, labels)
    changes = defaultdict(list)  # place -> its changes
    for change, places in objects[HK.controlOf].items():
        for place in places:
            changes[place].append(change)
    out.changes = changes
    for place, cs in changes.items():
        out.from_changes(place, sorted(cs, key=lambda c: c.value))
    for statement in sorted(objects[HK.controlledPlace], key=lambda s: s.value):
        out.from_statement(statement)
    return out.triples


class _Periods:
    def __init__(self, facts, lo: dict, hi: dict, objects, labels: dict | None):
        self.facts, self.lo, self.hi, self.objects = facts, lo, hi, objects
        self.labels = {**(labels or {}), **facts.labels}
        self.changes: dict = {}  # place -> the changes of it (set by period_triples)
        self.triples: set[Triple] = set()
        self.aid = facts.article.value.rsplit("/", 1)[1] if facts.article is not None else "unknown"
        self.base = facts.article.value.rsplit("article/", 1)[0] if facts.article is not None else ""

    def after(self, first: NamedNode, second: NamedNode) -> bool:
        """`second` is a later change than `first`: it follows it, or begins after it ends."""
        stack, seen = [second], set()
        while stack:
            for x in self.facts.follows.get(stack.pop(), ()):
                if x == first:
                    return True
                if x not in seen:
                    seen.add(x)
                    stack.append(x)
        return second in self.lo and first in self.hi and self.lo[second] > self.hi[first]

    def from_changes(self, place: NamedNode, changes: list[NamedNode]):
        to, frm = self.objects[HK.controlTo], self.objects[HK.controlFrom]
        ended_here = set()
        for c in changes:
            if not to.get(c):
                continue
            later = [n for n in changes if n != c and self.after(c, n)]
            nxt = min(later, key=lambda n: (self.lo.get(n) or self.hi.get(n) or _FAR, n.value), default=None)
            if nxt is not None and frm.get(nxt) and not set(frm[nxt]) & set(to[c]):
                nxt = None  # the next change takes it from someone else: this article does not say when c's holders lost it
            node = self.period(place, f"after-{_local(c)}", HK.controlAfterChange, to[c], HK.controlHeld)
            self.start(node, c)
            if nxt is not None:
                self.end(node, nxt)
                ended_here.add(nxt)
        for c in changes:
            if frm.get(c) and c not in ended_here:
                node = self.period(place, f"before-{_local(c)}", HK.controlBeforeChange, frm[c], HK.controlHeld)
                self.end(node, c)

    def from_statement(self, s: NamedNode):
        o = self.objects
        place = o[HK.controlledPlace][s][0]
        node = self.period(place, _local(s), HK.controlAsStated, o[HK.controller][s], o[HK.controlStatus][s][0])
        self.rests_on(node, s)
        for actor in o[HK.opponent].get(s, ()):
            self.add(node, HK.opponent, actor)
        start, end = (self.lo, self.hi) if s in self.objects[HK.heldThroughout] else (self.hi, self.lo)
        if s in start:
            self.add(node, HK.startLatest, _date(start[s]))
        if s in end:
            self.add(node, HK.endEarliest, _date(end[s]))
        # a change of the same place in this article that takes it from the controller, and ends no
        # earlier than the stated hold, ends the period at the latest (the earliest such change)
        controllers, frm, stated = set(o[HK.controller][s]), self.objects[HK.controlFrom], end.get(s)
        ending = [c for c in self.changes.get(place, ()) if set(frm.get(c, ())) & controllers and c in self.hi
                  and (stated is None or self.hi[c] >= stated)]
        if ending:
            c = min(ending, key=lambda c: (self.hi[c], c.value))
            self.add(node, HK.endedBy, c)
            self.rests_on(node, c)
            self.add(node, HK.endLatest, _date(self.hi[c]))

    def period(self, place: NamedNode, slug: str, rule, controllers, status) -> NamedNode:
        node = NamedNode(f"{self.base}control-period/{self.aid}/{_local(place)}/{slug}")
        self.add(node, RDF.type, HK.ControlPeriod)
        self.add(node, HK.controlledPlace, place)
        self.add(node, HK.controlStatus, status)
        self.add(node, HK.rule, rule)
        self.add(node, HK.basis, HK.inferred)
        labels = self.labels
        who = ", ".join(labels.get(a, _local(a)) for a in controllers)
        self.add(node, RDFS.label, Literal(f"{labels.get(place, _local(place))}: {_STATUS_WORD[status]} by {who}", language="en"))
        for actor in controllers:
            self.add(node, HK.controller, actor)
        if self.facts.article is not None:
            self.add(node, PROV.wasDerivedFrom, self.facts.article)
        return node

    def start(self, node: NamedNode, change: NamedNode):
        self.add(node, HK.startedBy, change)
        self.rests_on(node, change)
        if change in self.lo:
            self.add(node, HK.startEarliest, _date(self.lo[change]))
        if change in self.hi:
            self.add(node, HK.startLatest, _date(self.hi[change]))

    def end(self, node: NamedNode, change: NamedNode):
        self.add(node, HK.endedBy, change)
        self.rests_on(node, change)
        if change in self.lo:
            self.add(node, HK.endEarliest, _date(self.lo[change]))
        if change in self.hi:
            self.add(node, HK.endLatest, _date(self.hi[change]))

    def rests_on(self, node: NamedNode, fact: NamedNode):
        self.add(node, HK.restsOn, fact)
        for source in self.objects[HK.reportedBy].get(fact, ()):
            self.add(node, HK.reportedBy, source)

    def add(self, s, p, o):
        self.triples.add(Triple(s, p, o))


_STATUS_WORD = {HK.controlHeld: "held", HK.controlContested: "contested", HK.controlBesieged: "besieged"}
_FAR = dt.date.max


def _local(node: NamedNode) -> str:
    return node.value.rstrip("/").rsplit("/", 1)[1]


def _date(d) -> Literal:
    return Literal(d.isoformat(), datatype=XSD.date)
