"""Annotation files -> RDF. Checks every reference, type and quote, and mints every triple.

One article file becomes one named graph (its facts, their evidence, its metadata); the shared
entities file becomes the reference graph. Nothing here touches a store: a file either compiles
whole, or raises one AnnotationError naming the file, the line and the problem."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from kg import namespaces
from kg.errors import AnnotationError
from kg.loading import control, depth, model, same_event
from kg.loading.labels import casualty_label
from kg.loading.quotes import CONTEXT, QuoteError, Span, find
from kg.loading.reader import Located, parse, read_yaml
from kg.namespaces import Iris
from kg.ontology import BRANCHES, index


class _Minted:
    """A namespace whose terms are minted once: HK.evidence is built on first use, then reused
    (a load uses each term tens of thousands of times)."""

    def __init__(self, namespace: namespaces.Namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        node = self._namespace[name]
        setattr(self, name, node)
        return node

    def __getitem__(self, name: str) -> NamedNode:
        return getattr(self, name)


DCTERMS, GEO, HK, OA, PROV, RDF, RDFS, SCHEMA, SKOS, TIME, XSD = (
    _Minted(n) for n in (namespaces.DCTERMS, namespaces.GEO, namespaces.HK, namespaces.OA, namespaces.PROV,
                         namespaces.RDF, namespaces.RDFS, namespaces.SCHEMA, namespaces.SKOS, namespaces.TIME,
                         namespaces.XSD))

PRECISION = {"day": TIME.unitDay, "month": TIME.unitMonth, "year": TIME.unitYear}
PRECISION_UNIT = {**PRECISION, "week": TIME.unitWeek}  # the unit of a rate ("per day")
STATUS = {"proposed": HK.proposed, "agreed": HK.agreed, "implemented": HK.implemented, "broke-down": HK.brokeDown}
ROLE_OF_AGREEMENT_FIELD = {"parties": HK.party, "mediators": HK.mediator, "guarantors": HK.guarantor,
                           "escorts": HK.escort}


def camel(slug: str) -> str:
    head, *rest = slug.split("-")
    return head + "".join(w.capitalize() for w in rest)


def en(text: str) -> Literal:
    return Literal(text, language="en")


def integer(n: int, datatype=XSD.integer) -> Literal:
    return Literal(str(n), datatype=datatype)


@dataclass
class Registry:
    """Places and actors known to a load: slug -> (kind, IRI). Shared ones first, then an article's."""

    kinds: dict = field(default_factory=dict)

    def define(self, located: Located, loc: tuple, kind: str, slug: str):
        if slug in self.kinds:
            raise located.error(loc, f"id {slug!r} is already defined (as a {self.kinds[slug]})")
        self.kinds[slug] = kind

    def require(self, located: Located, loc: tuple, kind: str, slug: str):
        found = self.kinds.get(slug)
        if found is None:
            raise located.error(loc, f"unknown {kind} {slug!r}: define it in this file or in entities.yaml")
        if found != kind:
            raise located.error(loc, f"{slug!r} is a {found}, not a {kind}")

    def child(self) -> Registry:
        return Registry(dict(self.kinds))


class Graph:
    def __init__(self):
        self.triples: list[Triple] = []

    def add(self, s, p, o):
        self.triples.append(Triple(s, p, o))


@cache
def _types_under(branch: str) -> dict[str, NamedNode]:
    return index().types_under(BRANCHES[branch])


def _type(located: Located, loc: tuple, branch: str, name: str) -> NamedNode:
    allowed = _types_under(branch)
    if name not in allowed:
        raise located.error(loc, f"unknown {branch} type {name!r}; one of: {', '.join(sorted(allowed))}")
    return allowed[name]


def _entity_triples(g: Graph, iris: Iris, kind: str, item, located: Located, loc: tuple):
    node = iris.entity(kind, item.id)
    g.add(node, RDF.type, _type(located, loc + ("type",), kind, item.type))
    g.add(node, RDFS.label, en(item.label))
    for alias in item.aliases:
        g.add(node, SKOS.altLabel, en(alias))
    if item.note:
        g.add(node, SKOS.editorialNote, en(item.note))  # the annotator's note, not an article's word
    _review_status(g, node, item)
    if kind == "place":
        for parent in item.partOf:
            g.add(node, HK.partOf, iris.place(parent))
        if item.coordinates:
            lat, lon = item.coordinates
            geometry = NamedNode(node.value + "/geometry")
            g.add(node, GEO.hasGeometry, geometry)
            g.add(geometry, RDF.type, GEO.Geometry)
            g.add(geometry, GEO.asWKT, Literal(f"POINT({lon} {lat})", datatype=GEO.wktLiteral))
            g.add(geometry, HK.basis, HK.generalKnowledge)
        if getattr(item, "geonames", None):  # entities.yaml only: the same place in GeoNames
            g.add(node, SKOS.exactMatch, NamedNode(f"https://sws.geonames.org/{item.geonames}/"))
    else:
        for org in item.memberOf:
            g.add(node, HK.memberOf, iris.actor(org))
        if item.basedIn:
            g.add(node, HK.basedIn, iris.place(item.basedIn))
    return node


def _review_status(g: Graph, node: NamedNode, item):
    """A drafted item (kg.drafting) loaded unreviewed, or reviewed, says so (kg load --allow-drafts)."""
    review = getattr(item, "review", None)
    if review is not None:
        g.add(node, HK.reviewStatus, HK.unreviewed if review.status != "accepted" else HK.reviewed)


def _check_entity_refs(registry: Registry, located: Located, loc: tuple, kind: str, item):
    if kind == "place":
        for j, parent in enumerate(item.partOf):
            registry.require(located, loc + ("partOf", j), "place", parent)
    else:
        for j, org in enumerate(item.memberOf):
            registry.require(located, loc + ("memberOf", j), "actor", org)
        if item.basedIn:
            registry.require(located, loc + ("basedIn",), "place", item.basedIn)


def _check_containment(places, located: Located, section: str, known_parents: dict):
    """No place may contain itself through a chain of partOf."""
    parents = dict(known_parents)
    for place in places:
        parents[place.id] = list(place.partOf)
    for i, place in enumerate(places):
        stack, seen = [(place.id, [place.id])], set()
        while stack:
            here, path = stack.pop()
            for parent in parents.get(here, []):
                if parent == place.id:
                    cycle = " -> ".join(path + [parent])
                    raise located.error((section, i, "partOf"), f"containment cycle: {cycle}")
                if parent not in seen:
                    seen.add(parent)
                    stack.append((parent, path + [parent]))


@dataclass
class EntitiesGraph:
    path: Path
    triples: list[Triple]
    registry: Registry
    parents: dict  # place slug -> parent slugs, for cycle checks of article-local places
    shared_reports: dict = field(default_factory=dict)  # article id -> [(event id, loc)] (kg.loading.same_event)


def compile_entities(path: Path, iris: Iris) -> EntitiesGraph:
    located = read_yaml(path)
    entities = parse(located, model.Entities)
    registry, g = Registry(), Graph()
    for kind, items in (("place", entities.places), ("actor", entities.actors)):
        for i, item in enumerate(items):
            registry.define(located, (kind + "s", i, "id"), kind, item.id)
    for kind, items in (("place", entities.places), ("actor", entities.actors)):
        for i, item in enumerate(items):
            loc = (kind + "s", i)
            if item.quote:
                raise located.error(loc + ("quote",), "entities.yaml has no article text to quote; "
                                    "record where an article names the entity under that article's mentions")
            _check_entity_refs(registry, located, loc, kind, item)
            _entity_triples(g, iris, kind, item, located, loc)
    _check_containment(entities.places, located, "places", {})
    shared = same_event.compile_shared_events(g, iris, located, entities.events)
    graph = iris.graph("entities")
    g.add(graph, RDF.type, HK.ReferenceGraph)
    g.add(graph, RDFS.label, en("shared places and actors (reference knowledge)"))
    g.add(graph, HK.basis, HK.generalKnowledge)
    return EntitiesGraph(path, g.triples, registry, {p.id: list(p.partOf) for p in entities.places}, shared)


class _Lines(Mapping):
    """slug -> line of its definition, the line looked up only when asked for (an error): finding
    lines means reading the file again with ruamel (kg.loading.reader.Located.line)."""

    def __init__(self, located: Located, locs: dict[str, tuple]):
        self._located, self._locs = located, locs

    def __getitem__(self, slug: str) -> int | None:
        return self._located.line(self._locs[slug])

    def __iter__(self):
        return iter(self._locs)

    def __len__(self) -> int:
        return len(self._locs)


@dataclass
class ArticleGraph:
    path: Path
    article_id: str
    triples: list[Triple]
    counts: dict
    local_ids: Mapping  # article-local place and actor ids -> line


class _ArticleCompiler:
    def __init__(self, path: Path, entities: EntitiesGraph, iris: Iris, located: Located | None = None):
        self.path, self.entities, self.iris = path, entities, iris
        self.located = located or read_yaml(path)  # kg.loading.validation hands in an edited tree
        self.doc = parse(self.located, model.ArticleFile)
        self.g = Graph()
        self.registry = entities.registry.child()
        self.aid = self.doc.article.id
        self.article = iris.article(self.aid)

    def err(self, loc: tuple, problem: str) -> AnnotationError:
        return self.located.error(loc, problem)

    # --- evidence ------------------------------------------------------------------------------

    def span(self, loc: tuple, quote: str, whole_text: bool = False) -> Span:
        lo, hi = (0, len(self.text)) if whole_text else (self.body_start, self.body_end)
        hits = self.collapsed.find(quote, lo, hi)
        if len(hits) == 1:
            start, end = hits[0]
            text = self.text
            return Span(start, end, text[start:end], text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])
        # absent or ambiguous: kg.loading.quotes.find, the reference, says so in its words
        try:
            if whole_text:
                return find(self.text, quote, where="the article file")
            return find(self.text, quote, self.body_start, self.body_end)
        except QuoteError as e:
            raise self.err(loc, str(e)) from None

    def evidence(self, subject: NamedNode, kind: str, slug: str, loc: tuple, quote: str, whole_text=False):
        span = self.span(loc, quote, whole_text)
        ev = self.iris.evidence(self.aid, kind, slug)
        base = ev.value
        target, by_quote, by_position = NamedNode(base + "#target"), NamedNode(base + "#quote"), NamedNode(base + "#position")
        T = Triple
        self.g.triples += (  # the 15 triples of a W3C Web Annotation of a text span, in this order
            T(subject, HK.evidence, ev),
            T(ev, RDF.type, OA.Annotation),
            T(ev, OA.motivatedBy, OA.identifying if kind in ("mention", "metadata") else OA.describing),
            T(ev, OA.hasBody, subject),
            T(ev, OA.hasTarget, target),
            T(target, RDF.type, OA.SpecificResource),
            T(target, OA.hasSource, self.article),
            T(target, OA.hasSelector, by_quote),
            T(target, OA.hasSelector, by_position),
            T(by_quote, RDF.type, OA.TextQuoteSelector),
            T(by_quote, OA.exact, Literal(span.exact)),
            T(by_quote, OA.prefix, Literal(span.prefix)),
            T(by_quote, OA.suffix, Literal(span.suffix)),
            T(by_position, RDF.type, OA.TextPositionSelector),
            T(by_position, OA.start, integer(span.start, XSD.nonNegativeInteger)),
            T(by_position, OA.end, integer(span.end, XSD.nonNegativeInteger)),
        )

    def fact(self, kind: str, slug: str, loc: tuple, quote: str, types, label: str | None) -> NamedNode:
        node = self.iris.fact(kind, self.aid, slug)
        for t in types:
            self.g.add(node, RDF.type, t)
        if label:
            self.g.add(node, RDFS.label, en(label))
        self.g.add(node, PROV.wasDerivedFrom, self.article)
        self.evidence(node, kind, slug, loc + ("quote",), quote)
        return node

    # --- references ----------------------------------------------------------------------------

    def refs(self, loc: tuple, kind: str, slugs) -> list[NamedNode]:
        for j, slug in enumerate(slugs):
            self.registry.require(self.located, loc + (j,), kind, slug)
        return [self.iris.entity(kind, s) for s in slugs]

    def local(self, loc: tuple, ids: dict, slug: str, what: str) -> NamedNode:
        if slug not in ids:
            raise self.err(loc, f"unknown {what} {slug!r} in this article")
        return ids[slug]

    def when(self, node: NamedNode, when: model.When | None):
        if when is None:
            return
        lo, hi, precision = when.bounds()
        if lo:
            self.g.add(node, HK.earliest, Literal(lo.isoformat(), datatype=XSD.date))
        if hi:
            self.g.add(node, HK.latest, Literal(hi.isoformat(), datatype=XSD.date))
        self.g.add(node, HK.datePrecision, PRECISION[precision])
        self.g.add(node, HK.dateBasis, HK[when.basis])
        if when.text:
            self.g.add(node, HK.dateText, Literal(when.text))
        if when.reason:
            self.g.add(node, HK.reason, Literal(when.reason))

    def quantity(self, node: NamedNode, item):
        if item.count is not None:
            self.g.add(node, HK.count, integer(item.count))
        if item.min is not None:
            self.g.add(node, HK.minCount, integer(item.min))
        if item.max is not None:
            self.g.add(node, HK.maxCount, integer(item.max))
        if item.amount:
            self.g.add(node, HK.amountText, Literal(item.amount))
        if item.about is not None:
            self.g.add(node, HK.approximateCount, integer(item.about))
        if item.per:
            self.g.add(node, HK.ratePer, PRECISION_UNIT[item.per])
        if item.basis == "inferred":  # a reading of the text, marked as such
            self.g.add(node, HK.basis, HK.inferred)
            self.g.add(node, HK.reason, Literal(item.reason))

    # --- the sections --------------------------------------------------------------------------

    def compile(self) -> ArticleGraph:
        self.read_text()
        self.define_local_ids()
        self.metadata()
        self.local_entities()
        self.mentions()
        events = {e.id: self.iris.fact("event", self.aid, e.id) for e in self.doc.events}
        self.unique_ids("events", self.doc.events)
        self.unique_ids("agreements", self.doc.agreements)
        self.unique_ids("casualties", self.doc.casualties)
        self.unique_ids("claims", self.doc.claims)
        self.events(events)
        self.agreements(events)
        self.casualties(events)
        self.claims(events)
        depth.positions(self)
        control.compile_statements(self)
        same_event.check_reports(self.entities.path, self.entities.shared_reports, self.aid, events)
        d = self.doc
        counts = {"places": len(d.places), "actors": len(d.actors), "events": len(d.events),
                  "agreements": len(d.agreements), "casualties": len(d.casualties), "claims": len(d.claims),
                  "figures": sum(len(e.figures) for e in d.events), "positions": len(d.positions)}
        local_ids = _Lines(self.located, {item.id: (section, i) for section in ("places", "actors")
                                          for i, item in enumerate(getattr(d, section))})
        return ArticleGraph(self.path, self.aid, self.g.triples, counts, local_ids)

    def unique_ids(self, section: str, items):
        seen = set()
        for i, item in enumerate(items):
            if item.id in seen:
                raise self.err((section, i, "id"), f"duplicate {section[:-1]} id {item.id!r}")
            seen.add(item.id)

    def read_text(self):
        meta = self.doc.article
        if Path(meta.text).name != meta.text or meta.text in (".", ".."):
            raise self.err(("article", "text"), f"article text {meta.text!r} must be a file name beside the annotation")
        text_path = self.path.parent / meta.text
        try:
            self.text = text_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise self.err(("article", "text"), f"article text {meta.text!r} not found beside the annotation") from None
        except UnicodeDecodeError as e:
            raise self.err(("article", "text"), f"article text {meta.text!r} is not UTF-8: {e.reason}") from None
        except OSError as e:
            raise self.err(("article", "text"), f"cannot read article text {meta.text!r}: {e.strerror}") from None
        try:
            self.body_start = find(self.text, meta.body.start, where="the article file").start
            self.body_end = find(self.text, meta.body.end, where="the article file").end
        except QuoteError as e:
            raise self.err(("article", "body"), f"body: {e}") from None
        if self.body_end <= self.body_start:
            raise self.err(("article", "body", "end"), "body.end comes before body.start")
        self.collapsed = _Collapsed(self.text)

    def metadata(self):
        meta, g, a = self.doc.article, self.g, self.article
        g.add(a, RDF.type, HK.Article)
        g.add(a, HK.sourceFile, Literal(meta.text))
        g.add(a, HK.text, Literal(self.text))
        g.add(a, HK.bodyStart, integer(self.body_start, XSD.nonNegativeInteger))
        g.add(a, HK.bodyEnd, integer(self.body_end, XSD.nonNegativeInteger))
        g.add(a, SCHEMA.inLanguage, Literal(meta.language))
        g.add(a, DCTERMS.identifier, Literal(self.aid))
        self.meta_field(a, "headline", SCHEMA.headline, meta.headline, ("article", "headline"), en)
        if meta.publisher:
            self.meta_field(a, "publisher", SCHEMA.publisher, meta.publisher, ("article", "publisher"), "actor")
        for i, author in enumerate(meta.authors):
            self.meta_field(a, f"author-{i + 1}", SCHEMA.author, author, ("article", "authors", i), "actor")
        if meta.published:
            self.meta_field(a, "published", SCHEMA.datePublished, meta.published, ("article", "published"), "date")
        if meta.original:
            original = NamedNode(a.value + "/original")
            g.add(a, SCHEMA.isBasedOn, original)
            g.add(original, RDF.type, SCHEMA.NewsArticle)
            if meta.original.publisher:
                self.meta_field(original, "original-publisher", SCHEMA.publisher, meta.original.publisher,
                                ("article", "original", "publisher"), "actor")
            if meta.original.published:
                self.meta_field(original, "original-published", SCHEMA.datePublished, meta.original.published,
                                ("article", "original", "published"), "date")

    def meta_field(self, subject, name: str, prop, item: model.Meta, loc: tuple, kind):
        if item.value is not None:
            self.g.add(subject, prop, self.meta_value(loc + ("value",), item.value, kind))
        statement = NamedNode(f"{self.article.value}/meta/{name}")
        self.g.add(self.article, HK.metadata, statement)
        self.g.add(statement, RDF.type, HK.MetadataStatement)
        self.g.add(statement, HK.field, prop)
        self.g.add(statement, HK.basis, HK[item.basis])
        _review_status(self.g, statement, item)
        if item.reason:
            self.g.add(statement, HK.reason, Literal(item.reason))
        if item.quote:
            self.evidence(statement, "metadata", name, loc + ("quote",), item.quote, whole_text=True)

    def meta_value(self, loc: tuple, value, kind):
        if kind == "actor":
            self.registry.require(self.located, loc, "actor", str(value))
            return self.iris.actor(str(value))
        if kind == "date":
            try:
                lo, _, precision = model.date_bounds(model._date_text(value))
            except ValueError as e:
                raise self.err(loc, str(e)) from None
            # a publication date known to the month or year only keeps that precision
            text, datatype = {"day": (lo.isoformat(), XSD.date), "month": (lo.isoformat()[:7], XSD.gYearMonth),
                              "year": (lo.isoformat()[:4], XSD.gYear)}[precision]
            return Literal(text, datatype=datatype)
        return kind(str(value))

    def metadata_actors(self) -> set[str]:
        meta = self.doc.article
        fields = [meta.publisher, *meta.authors]
        if meta.original:
            fields.append(meta.original.publisher)
        return {str(f.value) for f in fields if f is not None and f.value is not None}

    def define_local_ids(self):
        for kind, items in (("place", self.doc.places), ("actor", self.doc.actors)):
            for i, item in enumerate(items):
                self.registry.define(self.located, (kind + "s", i, "id"), kind, item.id)

    def local_entities(self):
        doc = self.doc
        for kind, items in (("place", doc.places), ("actor", doc.actors)):
            for i, item in enumerate(items):
                loc = (kind + "s", i)
                # a publisher or author named only in the byline has its metadata quote as evidence
                if not item.quote and item.id not in self.metadata_actors():
                    raise self.err(loc, f"article-local {kind} {item.id!r} needs a quote where the article mentions it")
                _check_entity_refs(self.registry, self.located, loc, kind, item)
                node = _entity_triples(self.g, self.iris, kind, item, self.located, loc)
                if item.quote:
                    self.g.add(self.article, HK.mentions, node)
                    self.evidence(node, "mention", item.id, loc + ("quote",), item.quote)
        _check_containment(doc.places, self.located, "places", self.entities.parents)

    def mentions(self):
        for slug, m in depth.mentions(self):
            _review_status(self.g, self.iris.evidence(self.aid, "mention", slug), m)  # the mention, not the entity

    def events(self, events: dict):
        self.check_sub_event_cycles()
        g = self.g
        for i, e in enumerate(self.doc.events):
            loc = ("events", i)
            types = [_type(self.located, loc + ("type", j), "event", t) for j, t in enumerate(e.type)]
            node = self.fact("event", e.id, loc, e.quote, types, e.label)
            _review_status(g, node, e)
            self.when(node, e.when)
            g.add(node, HK.modality, HK[e.modality])
            for p in self.refs(loc + ("places",), "place", e.places):
                g.add(node, HK.locatedIn, p)
            for role in model.ROLES:
                for actor in self.refs(loc + (role,), "actor", getattr(e, role)):
                    g.add(node, HK[role], actor)
            for actor in self.refs(loc + ("reportedBy",), "actor", e.reportedBy):
                g.add(node, HK.reportedBy, actor)
            for j, parent in enumerate(e.partOf):
                g.add(node, HK.subEventOf, self.local(loc + ("partOf", j), events, parent, "event"))
            for j, before in enumerate(e.after):
                g.add(node, HK.follows, self.local(loc + ("after", j), events, before, "event"))
            self.figures(node, e, loc)
            depth.place_roles(self, node, e, loc)
            depth.supports(self, node, e, loc)
            depth.figure_parts(self, e, loc)
            control.compile_change(self, node, e, loc, types)

    def check_sub_event_cycles(self):
        """No event may be part of itself through a chain of partOf."""
        parents = {e.id: list(e.partOf) for e in self.doc.events}
        for i, e in enumerate(self.doc.events):
            stack, seen = [(e.id, [e.id])], set()
            while stack:
                here, path = stack.pop()
                for parent in parents.get(here, []):
                    if parent == e.id:
                        raise self.err(("events", i, "partOf"), f"sub-event cycle: {' -> '.join(path + [parent])}")
                    if parent not in seen:
                        seen.add(parent)
                        stack.append((parent, path + [parent]))

    def figures(self, event: NamedNode, e: model.Event, loc: tuple):
        seen = set()
        for j, f in enumerate(e.figures):
            floc = loc + ("figures", j)
            if f.id in seen:
                raise self.err(floc + ("id",), f"duplicate figure id {f.id!r}")
            seen.add(f.id)
            node = self.fact("figure", f"{e.id}-{f.id}", floc, f.quote, [HK.ReportedFigure], None)
            _review_status(self.g, node, f)
            self.g.add(event, HK.figure, node)
            self.g.add(node, HK.inEvent, event)
            self.g.add(node, HK.countedThing, Literal(f.of))
            self.quantity(node, f)
            for actor in self.refs(floc + ("reportedBy",), "actor", f.reportedBy):
                self.g.add(node, HK.reportedBy, actor)

    def agreements(self, events: dict):
        g = self.g
        for i, a in enumerate(self.doc.agreements):
            loc = ("agreements", i)
            types = [_type(self.located, loc + ("type", j), "agreement", t) for j, t in enumerate(a.type)]
            node = self.fact("agreement", a.id, loc, a.quote, types, a.label)
            _review_status(g, node, a)
            g.add(node, HK.status, STATUS[a.status])
            self.when(node, a.when)
            for p in self.refs(loc + ("places",), "place", a.places):
                g.add(node, HK.locatedIn, p)
            for section, prop in ROLE_OF_AGREEMENT_FIELD.items():
                for actor in self.refs(loc + (section,), "actor", getattr(a, section)):
                    g.add(node, prop, actor)
            for actor in self.refs(loc + ("reportedBy",), "actor", a.reportedBy):
                g.add(node, HK.reportedBy, actor)
            for j, ev in enumerate(a.events):
                g.add(node, HK.relatedEvent, self.local(loc + ("events", j), events, ev, "event"))
            for section, prop in (("implementedBy", HK.implements), ("violatedBy", HK.violates)):  # issue 13
                for j, ev in enumerate(getattr(a, section)):
                    event = self.local(loc + (section, j), events, ev, "event")
                    g.add(event, prop, node)
                    g.add(node, HK.relatedEvent, event)
            for j, term in enumerate(a.terms):
                t = self.fact("agreement", f"{a.id}/term/{j + 1}", loc + ("terms", j), term.quote,
                              [HK.AgreementTerm], term.text)
                _review_status(g, t, term)
                g.add(node, HK.term, t)
            depth.place_roles(self, node, a, loc)
            depth.agreement_links(self, node, a, loc)

    def casualties(self, events: dict):
        g = self.g
        for i, c in enumerate(self.doc.casualties):
            loc = ("casualties", i)
            node = self.fact("casualty", c.id, loc, c.quote, [HK.Casualty], None)
            _review_status(g, node, c)
            self.quantity(node, c)
            g.add(node, HK.victimCategory, HK[camel(c.victims)])
            for outcome in c.outcome:
                g.add(node, HK.outcome, HK[outcome])
            for p in self.refs(loc + ("places",), "place", c.places):
                g.add(node, HK.locatedIn, p)
            if c.event:
                g.add(node, HK.inEvent, self.local(loc + ("event",), events, c.event, "event"))
            self.when(node, c.when)
            for actor in self.refs(loc + ("reportedBy",), "actor", c.reportedBy):
                g.add(node, HK.reportedBy, actor)
            g.add(node, RDFS.label, en(casualty_label(c)))
        depth.casualty_parts(self)

    def claims(self, events: dict):
        g = self.g
        facts = {}
        for section, kind in (("events", "event"), ("agreements", "agreement"), ("casualties", "casualty"),
                              ("claims", "claim")):
            for item in getattr(self.doc, section):
                facts.setdefault(item.id, []).append(self.iris.fact(kind, self.aid, item.id))
        for i, c in enumerate(self.doc.claims):
            loc = ("claims", i)
            node = self.fact("claim", c.id, loc, c.quote, [HK.Claim], c.summary)
            _review_status(g, node, c)
            g.add(node, HK.summary, Literal(c.summary))
            self.registry.require(self.located, loc + ("claimant",), "actor", c.claimant)
            g.add(node, HK.claimant, self.iris.actor(c.claimant))
            self.when(node, c.when)
            for j, slug in enumerate(c.about):
                if slug in self.registry.kinds:
                    targets = [self.iris.entity(self.registry.kinds[slug], slug)] + facts.get(slug, [])
                else:
                    targets = facts.get(slug, [])
                if not targets:
                    raise self.err(loc + ("about", j), f"unknown entity or fact {slug!r}")
                if len(targets) > 1:
                    raise self.err(loc + ("about", j), f"{slug!r} names more than one thing; rename one")
                g.add(node, HK.about, targets[0])


_WHITE = re.compile(r"\s+")
_LONG_WHITE = re.compile(r"\s{2,}")  # the runs that collapsing shortens (one space, newline or no-break
                                      # space becomes one space: offsets do not move)


class _Collapsed:
    r"""An article's text with every run of white space written as one space, and the way back to
    the text's own offsets. Finding `w1 w2 ...` in it finds exactly the matches of kg.loading.quotes'
    `w1\s+w2\s+...` in the text (the words hold no white space, and a run between two words is
    always matched whole), without compiling a regular expression per quote (kg.loading.quotes.find does,
    and an article has a hundred quotes). tests/bench/test_bench_smoke.py compares the two."""

    def __init__(self, text: str):
        self.collapsed = _WHITE.sub(" ", text)
        self.starts: list[int] = []  # each run of 2+ white space characters: where it starts and ends
        self.ends: list[int] = []  # in the text...
        self.resume: list[int] = [0]  # ...the collapsed offset just after it...
        self.shift: list[int] = [0]  # ...from which on, collapsed offset + shift = the text's offset
        removed = 0
        for m in _LONG_WHITE.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())
            removed += m.end() - m.start() - 1
            self.resume.append(m.end() - removed)
            self.shift.append(removed)

    def original(self, i: int) -> int:
        return i + self.shift[bisect_right(self.resume, i) - 1]

    def collapsed_offset(self, i: int) -> int:
        """The first collapsed offset whose text offset is at or after i."""
        j = bisect_right(self.ends, i)  # runs 0..j-1 end at or before i
        if j < len(self.starts) and self.starts[j] < i:  # i is inside run j: skip its space
            return self.starts[j] - self.shift[j] + 1
        return i - self.shift[j]

    def find(self, quote: str, lo: int, hi: int, most: int = 2) -> list[tuple[int, int]]:
        """(start, end) in the text of the first `most` non-overlapping matches within [lo, hi)."""
        needle = " ".join(quote.split())
        if not needle:
            return []
        hits, n = [], len(needle)
        pos, collapsed = self.collapsed_offset(lo), self.collapsed
        while len(hits) < most:
            k = collapsed.find(needle, pos)
            if k < 0:
                break
            start, end = self.original(k), self.original(k + n - 1) + 1
            if end > hi:
                break
            hits.append((start, end))
            pos = k + n
        return hits


def compile_article(path: Path, entities: EntitiesGraph, iris: Iris) -> ArticleGraph:
    return _ArticleCompiler(path, entities, iris).compile()
