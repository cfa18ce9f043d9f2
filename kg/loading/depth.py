"""The loader's part for what issue 14 added to the format: depth the articles need.

Places with a role in an event or agreement (origin, destination, fired from, launched from);
which side a supporter supports; figures that are part of other figures; links between
agreements; several mentions of one entity, each with the name as written; and the positions
(occupations, posts) that articles give people. Each function takes the article compiler of
kg.loading.compiler (its graph, registry, ids and error helper) and adds the triples of one of these, after
checking every reference; kg.loading.compiler calls them where the section they extend is compiled."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from kg.loading import model
from kg.namespaces import HK

PLACE_ROLE_PROPERTY = {"origin": "origin", "destination": "destination", "firedFrom": "firedFrom",
                       "launchedFrom": "launchedFrom"}


def place_roles(c, node: NamedNode, item, loc: tuple, roles=model.PLACE_ROLES):
    """hk:origin, hk:destination, hk:firedFrom, hk:launchedFrom of an event or agreement."""

    for field in roles:
        if not hasattr(item, field):
            continue
        for place in c.refs(loc + (field,), "place", getattr(item, field)):
            c.g.add(node, HK[PLACE_ROLE_PROPERTY[field]], place)


def supports(c, node: NamedNode, e: model.Event, loc: tuple):
    """Each {supporter, side, quote} of an event: a sourced hk:Support, and its supporter must be
    one of the event's supporters."""

    seen = set()
    for j, s in enumerate(e.supports):
        sloc = loc + ("supports", j)
        if s.supporter not in e.supporter:
            raise c.err(sloc + ("supporter",), f"{s.supporter!r} supports a side but is not among this event's "
                        f"supporters: add it to 'supporter'")
        if (s.supporter, s.side) in seen:
            raise c.err(sloc, f"{s.supporter!r} is given as supporting {s.side!r} twice")
        seen.add((s.supporter, s.side))
        c.registry.require(c.located, sloc + ("side",), "actor", s.side)
        support = c.fact("event", f"{e.id}/support/{s.supporter}/{s.side}", sloc, s.quote, [HK.Support], None)
        c.g.add(node, HK.support, support)
        c.g.add(support, HK.supportGivenBy, c.iris.actor(s.supporter))
        c.g.add(support, HK.supportedSide, c.iris.actor(s.side))


def figure_parts(c, e: model.Event, loc: tuple):
    """hk:partOfFigure between the figures of one event."""

    ids = {f.id: c.iris.fact("figure", c.aid, f"{e.id}-{f.id}") for f in e.figures}
    for j, f in enumerate(e.figures):
        _parts(c, ids[f.id], f.id, f.partOf, ids, loc + ("figures", j, "partOf"), "figure of this event")
    _check_part_cycles(c, {f.id: list(f.partOf) for f in e.figures}, loc + ("figures",),
                       [f.id for f in e.figures])


def casualty_parts(c):
    """hk:partOfFigure between the casualty figures of the article."""
    ids = {x.id: c.iris.fact("casualty", c.aid, x.id) for x in c.doc.casualties}
    for i, x in enumerate(c.doc.casualties):
        _parts(c, ids[x.id], x.id, x.partOf, ids, ("casualties", i, "partOf"), "casualty of this article")
    _check_part_cycles(c, {x.id: list(x.partOf) for x in c.doc.casualties}, ("casualties",),
                       [x.id for x in c.doc.casualties])


def _parts(c, node, slug, wholes, ids, loc, what):

    for k, whole in enumerate(wholes):
        if whole == slug:
            raise c.err(loc + (k,), f"{slug!r} cannot be part of itself")
        c.g.add(node, HK.partOfFigure, c.local(loc + (k,), ids, whole, what))


def _check_part_cycles(c, parents: dict, loc: tuple, order: list):
    for i, slug in enumerate(order):
        stack, seen = [slug], set()
        while stack:
            for parent in parents.get(stack.pop(), []):
                if parent == slug:
                    raise c.err(loc + (i, "partOf"), f"figure {slug!r} is, through partOf, part of itself")
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)


def agreement_links(c, node: NamedNode, a: model.Agreement, loc: tuple):
    """hk:accompanies and hk:supersedes between the agreements of the article."""

    ids = {x.id: c.iris.fact("agreement", c.aid, x.id) for x in c.doc.agreements}
    for field, prop in (("accompanies", HK.accompanies), ("supersedes", HK.supersedes)):
        for k, other in enumerate(getattr(a, field)):
            if other == a.id:
                raise c.err(loc + (field, k), f"agreement {a.id!r} cannot {field.rstrip('s')} itself")
            c.g.add(node, prop, c.local(loc + (field, k), ids, other, "agreement"))


def mentions(c):
    """Every mention (yielded as its slug and item, once written): the entity, its evidence, and the
    name as written. An entity may be mentioned
    several times (its first evidence keeps the IRI .../mention/<id>, later ones .../mention/<id>/<n>);
    an article-local entity's own quote is its first mention."""

    count = {item.id: 1 for section in (c.doc.places, c.doc.actors) for item in section if item.quote}
    quotes = {}
    for i, m in enumerate(c.doc.mentions):
        loc = ("mentions", i)
        if m.entity not in c.registry.kinds:
            raise c.err(loc + ("entity",), f"unknown entity {m.entity!r}")
        key = (m.entity, " ".join(m.quote.split()))
        if key in quotes:
            raise c.err(loc + ("quote",), f"{m.entity!r} is mentioned with this quote already (mentions {quotes[key]})")
        quotes[key] = i
        n = count[m.entity] = count.get(m.entity, 0) + 1
        slug = m.entity if n == 1 else f"{m.entity}/{n}"
        node = c.iris.entity(c.registry.kinds[m.entity], m.entity)
        c.g.add(c.article, HK.mentions, node)
        c.evidence(node, "mention", slug, loc + ("quote",), m.quote)
        if m.name:
            c.g.add(c.iris.evidence(c.aid, "mention", slug), HK.nameAsWritten, Literal(m.name))
        yield slug, m


def positions(c):
    """The positions section: hk:Position facts with holder, role name, organisation or place, date."""

    c.unique_ids("positions", c.doc.positions)
    for i, p in enumerate(c.doc.positions):
        loc = ("positions", i)
        c.registry.require(c.located, loc + ("holder",), "actor", p.holder)
        node = c.fact("position", p.id, loc, p.quote, [HK.Position], p.role)
        c.g.add(node, HK.holder, c.iris.actor(p.holder))
        c.g.add(node, HK.roleName, Literal(p.role))
        for j, slug in enumerate(p.of):
            kind = c.registry.kinds.get(slug)
            if kind is None:
                raise c.err(loc + ("of", j), f"unknown organisation or place {slug!r}")
            c.g.add(node, HK.positionIn if kind == "actor" else HK.positionFor, c.iris.entity(kind, slug))
        c.when(node, p.when)
