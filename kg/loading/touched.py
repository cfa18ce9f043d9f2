"""What one article's load changed, as the answer cache needs it (issue 17, part 3).

A canned answer is kept across writes unless the write can have changed it. An article's load
replaces its two graphs (the asserted one and its inferences); comparing them before and after the
write (`tracked_load`) says what it touched (`Changes`):

- nothing, when both graphs are the same quads as before (a save without edits);
- `terms`, the IRIs an answer may depend on: every IRI of the article's old and new graphs (a
  removed fact invalidates as an added one does), closed over
  * hk:partOf upwards: a truce in a neighbourhood is a truce in Homs, so the places an article
    names bring their ancestors (an answer is keyed by its parameters' RDF terms, and a place's
    answer reads the places within it: it is touched when any of them is);
  * one event across articles (kg.loading.same_event): an event of this article that is a report of
    a shared event brings the shared event, the other reports (their `sources`, `entity` and
    `timeline` answers list this article's report) and the places those reports are located in;
- `quoted`, for the `entity` query alone (NEIGHBOUR_QUOTES): it lists its parameter's incoming
  links with a quote of the node at their other end, so a new or removed mention of a shared node
  (Homs, the Syrian Arab Army: `hk:evidence`) changes the `entity` answer of everything that node
  links to;
- `names`, the kinds of entity (place, actor, article) whose names, aliases or types the load
  changed, and `renamed`, those entities: a request's spelling ("Bab Amr") may then resolve to
  another entity, or to none (a slug or an IRI only when its own entity is renamed or removed);
- `shared`, the predicates of the statements the load adds or removes between nodes other graphs
  use too (neither end is the article's own: a label of a local actor whose id another article
  defines as well, a new type of a shared actor, that one shared actor supports another) and that
  no other graph states. The cache drops everything when a canned query with parameters reads
  such a predicate (`predicates_read`); otherwise only whole-graph answers and those keyed by the
  statement's two ends can show it, and those are dropped anyway;
- `everything`, when the load cannot be analysed this way: the shared entities changed (other
  articles were inferred again), or the article is not the one read before. Then every kept
  answer goes, as for any other write (SPARQL Update, Graph Store Protocol).

An answer without an IRI parameter (a whole-graph answer, or one whose parameters are literals)
depends on every change. The rule is exact for the queries in queries/: every one is a pattern
rooted at its parameter, and the article's facts reach another root only through the links above
(tests/api/test_cache_survives_writes.py)."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyoxigraph import NamedNode, Store, Triple

from kg.loading.actor_counts import counts_graph
from kg.namespaces import DCTERMS, HK, RDF, RDFS, SKOS, Iris

KINDS = {"place": HK.Place, "actor": HK.Actor, "article": HK.Article}  # what canned parameters resolve to
NAMING = (RDF.type, RDFS.label, SKOS.altLabel, DCTERMS.identifier)  # what resolve_entity reads


@dataclass(frozen=True)
class Changes:
    """What a write changed: see the module's docstring."""
    everything: bool = False
    changed: bool = False  # the store is different after the write
    terms: frozenset[str] = frozenset()  # IRIs (their value) an answer keyed by them may no longer match
    names: frozenset[str] = frozenset()  # kinds whose names (labels, aliases) may resolve differently
    renamed: frozenset[str] = frozenset()  # IRIs whose type, labels, aliases or identifier changed
    quoted: frozenset[str] = frozenset()  # IRIs whose neighbours' quotes changed: see NEIGHBOUR_QUOTES
    shared: frozenset[str] = frozenset()  # predicates of changed statements about shared nodes

    def touches(self, query: str, iris: frozenset[str] | None) -> bool:
        """Whether an answer of `query` whose IRI parameters are `iris` (None: it has none) may have
        changed (`shared` is the caller's to weigh: see `predicates_read`)."""
        if self.everything:
            return True
        if not self.changed:
            return False
        if iris is None or not iris.isdisjoint(self.terms):
            return True
        return query in NEIGHBOUR_QUOTES and not iris.isdisjoint(self.quoted)


NEIGHBOUR_QUOTES = ("entity",)  # canned queries that show the quotes of their parameter's neighbours


EVERYTHING = Changes(everything=True, changed=True)
NOTHING = Changes()

Quads = frozenset  # of (graph IRI, Triple)


def article_quads(store: Store, iris: Iris, article_id: str) -> Quads:
    """The article's two graphs, as (graph, triple) pairs."""
    graphs = (iris.graph(article_id), iris.inferred_graph(article_id))
    return frozenset((g.value, q.triple) for g in graphs for q in store.quads_for_pattern(None, None, None, g))


def article_id(path: Path) -> str | None:
    """The article id an annotation file declares (`article.id`), or None if it does not parse (the
    load then fails and says why)."""
    from ruamel.yaml import YAML

    from kg.loading.reader import refuse_hostile

    try:
        text = path.read_text(encoding="utf-8")
        refuse_hostile("annotation", text)
        value = YAML(typ="safe").load(io.StringIO(text))["article"]["id"]
    except Exception:  # noqa: BLE001 — unreadable: the loader reports it precisely
        return None
    return value if isinstance(value, str) else None


def tracked_load(store: Store, path: str | os.PathLike, iris: Iris, load=None):
    """load() (kg.loading.load, or `load`) of one annotation file: its LoadReport, with
    `report.changes` saying what it changed. Runs inside the caller's write (one write at a time),
    so nothing else changes the store in between. (The loader is imported here: the answer cache
    imports this module for `Changes`.)"""
    if load is None:
        from kg.loading.load import load

    aid = article_id(Path(path))
    before = article_quads(store, iris, aid) if aid else None
    report = load(store, [path], iris)
    if before is None or report.articles != [aid] or report.entities_changed or report.reinferred:
        report.changes = EVERYTHING
    else:
        report.changes = changes(store, iris, aid, before, article_quads(store, iris, aid))
    return report


def changes(store: Store, iris: Iris, aid: str, before: Quads, after: Quads) -> Changes:
    """What replacing the article's graphs `before` by `after` changed (the store holds `after`)."""
    diff = before ^ after
    if not diff:
        return NOTHING
    # and the actors' counts, derived from the articles: a local actor counted there is still the article's own
    own_graphs = {iris.graph(aid).value, iris.inferred_graph(aid).value, counts_graph(iris).value}
    minted = _minted(iris, aid)
    triples = {t for _, t in before | after}
    own = _Own(store, own_graphs, minted)
    shared = frozenset(t.predicate.value for _, t in diff  # statements about nodes other graphs use too
                       if not own(t.subject) and not own(t.object) and not _stated_elsewhere(store, own_graphs, t))
    terms = {n for t in triples for n in (t.subject, t.predicate, t.object) if isinstance(n, NamedNode)}
    terms |= _same_event_links(store, {n for n in terms if minted(n)})
    terms = _with_ancestors(store, terms)
    quoted = _quoted(store, {t.subject for _, t in diff if t.predicate == HK.evidence and not own(t.subject)})
    renamed = {t.subject for _, t in diff if t.predicate in NAMING and not _stated_elsewhere(store, own_graphs, t)}
    return Changes(changed=True, terms=frozenset(n.value for n in terms), names=_kinds(store, triples, renamed),
                   renamed=frozenset(n.value for n in renamed if isinstance(n, NamedNode)), quoted=quoted,
                   shared=shared)


def _minted(iris: Iris, aid: str):
    """Whether a node is one the article mints: its facts, evidence and itself (kg.namespaces.Iris)."""
    article = iris.article(aid).value
    marker = f"/{aid}/"

    def minted(node) -> bool:
        if not isinstance(node, NamedNode):
            return False
        value = node.value
        return value == article or (value.startswith(iris.base) and marker in value[len(iris.base):])

    return minted


class _Own:
    """Whether a node is the article's own: one it mints, or one no other graph has as a subject or
    an object (e.g. a local actor only this article defines). A changed triple none of whose ends is
    the article's own says something another article's answers may show."""

    def __init__(self, store: Store, own_graphs: set[str], minted):
        self.store, self.own_graphs, self.minted, self.known = store, own_graphs, minted, {}

    def __call__(self, node) -> bool:
        if not isinstance(node, NamedNode):
            return False
        if self.minted(node):
            return True
        if node not in self.known:
            self.known[node] = not self._used_elsewhere(node)
        return self.known[node]

    def _used_elsewhere(self, node: NamedNode) -> bool:
        for pattern in ((node, None, None), (None, None, node)):
            for quad in self.store.quads_for_pattern(*pattern):
                if quad.graph_name.value not in self.own_graphs:
                    return True
        return False


def _stated_elsewhere(store: Store, own_graphs: set[str], t: Triple) -> bool:
    """Whether another graph states `t` too (the union of the graphs, which the canned queries read,
    has it before and after; a type the ontology graph gives a vocabulary term, for instance)."""
    return any(q.graph_name.value not in own_graphs for q in store.quads_for_pattern(t.subject, t.predicate, t.object))


@lru_cache(maxsize=8)
def predicates_read(directory: Path | None = None) -> frozenset[str]:
    """Every IRI the canned queries with parameters (in `directory`, default queries/) name,
    prefixed or in full, and rdf:type: a changed statement about shared nodes (`Changes.shared`)
    with any other predicate changes only whole-graph answers and those keyed by its two ends (the
    `entity` query reads any predicate, but only from its parameter;
    tests/api/test_cache_survives_writes.py checks that no query reads one elsewhere)."""
    from kg.querying.catalogue import catalogue

    out = {RDF.type.value}
    for query in (catalogue(directory) if directory else catalogue()).values():
        if not query.params:
            continue
        text = re.sub(r"(?m)^\s*#.*$", "", query.sparql)
        prefixes = dict(re.findall(r"PREFIX\s+([\w-]*):\s*<([^>]*)>", text, flags=re.IGNORECASE))
        out |= set(re.findall(r"<([^<>\s]+)>", text))
        out |= {prefixes[p] + local for p, local in re.findall(r"\b([\w-]*):([\w-]+)", text) if p in prefixes}
    return frozenset(out)


def _same_event_links(store: Store, minted_terms: set[NamedNode]) -> set[NamedNode]:
    """For the article's events that report a shared event: the shared event, its other reports and
    the places they are located in (they live in other graphs, unchanged by this load)."""
    out: set[NamedNode] = set()
    for node in minted_terms:
        for prop in (HK.reportOf, HK.sameEventAs):
            for quad in store.quads_for_pattern(node, prop, None):
                other = quad.object
                if isinstance(other, NamedNode) and other != node:
                    out.add(other)
                    out |= {q.object for q in store.quads_for_pattern(other, HK.locatedIn, None)
                            if isinstance(q.object, NamedNode)}
    return out


def _with_ancestors(store: Store, terms: set[NamedNode]) -> set[NamedNode]:
    """`terms` and every place they are part of (hk:partOf, followed transitively)."""
    seen, stack = set(terms), list(terms)
    while stack:
        for quad in store.quads_for_pattern(stack.pop(), HK.partOf, None):
            parent = quad.object
            if isinstance(parent, NamedNode) and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _quoted(store: Store, mentioned: set) -> frozenset[str]:
    """The nodes a shared node whose evidence changed (a new mention of Homs) links to: the `entity`
    answer of each lists its incoming links with the quotes of the node at their other end."""
    return frozenset(q.object.value for node in mentioned for q in store.quads_for_pattern(node, None, None)
                     if isinstance(q.object, NamedNode))


def _kinds(store: Store, triples: set[Triple], subjects: set) -> frozenset[str]:
    """The kinds (place, actor, article) `subjects` are of, in the article's old or new graphs or the
    store."""
    kinds = set()
    for kind, cls in KINDS.items():
        for s in subjects:
            if Triple(s, RDF.type, cls) in triples or next(iter(store.quads_for_pattern(s, RDF.type, cls)), None):
                kinds.add(kind)
                break
    return frozenset(kinds)
