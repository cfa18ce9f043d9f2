"""One event across articles (issue 13): events of several articles stated to be the same event.

Two articles that both report the 1982 Hama massacre each have their own event node, each with its
own quote. Which article events are reports of one real event is reference knowledge, never the
word of one article, so it is stated in seeds/entities.yaml under `events:`:

    events:
      - id: hama-massacre-1982
        label: The 1982 Hama massacre
        reports: [a000-france24-final-offensive/hama-1982, a004-keystone-ats-homs-exodus/hama-1982-massacre]

This compiles to a hk:SharedEvent in the entities graph, and `<article event> hk:reportOf <shared>`
for each report. The ontology makes hk:sameEventAs the chain hk:reportOf / hk:hasReport (OWL 2 RL,
materialised by kg.loading.reasoning like every chain), so `?e hk:sameEventAs ?other` links every report to
every other (and to itself): a query for one finds the sources of all.

The reports are checked when their article is compiled (`check_reports`): a report naming an
event its article does not have is an error at its line of entities.yaml. A report of an article
that is not loaded is not checked (that article may be loaded later)."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode

from kg.errors import AnnotationError
from kg.loading.reader import Located, read_yaml
from kg.namespaces import HK, RDF, RDFS, SKOS, Iris


def shared_event_iri(iris: Iris, slug: str) -> NamedNode:
    return NamedNode(f"{iris.base}shared-event/{slug}")


def compile_shared_events(g, iris: Iris, located: Located, events) -> dict[str, list[tuple[str, tuple]]]:
    """Add the shared events' triples to `g` (kg.loading.compiler.Graph); return the reports to check, by
    article id: {article id: [(event id, location in entities.yaml)]}."""
    seen, reports = set(), {}
    for i, shared in enumerate(events):
        loc = ("events", i)
        if shared.id in seen:
            raise located.error(loc + ("id",), f"duplicate shared event id {shared.id!r}")
        seen.add(shared.id)
        node = shared_event_iri(iris, shared.id)
        g.add(node, RDF.type, HK.SharedEvent)
        g.add(node, RDFS.label, Literal(shared.label, language="en"))
        g.add(node, HK.basis, HK.generalKnowledge)
        if shared.note:
            g.add(node, SKOS.editorialNote, Literal(shared.note, language="en"))
        articles = set()
        for j, ref in enumerate(shared.reports):
            aid, eid = ref.split("/")
            if aid in articles:
                raise located.error(loc + ("reports", j), f"{ref!r}: two reports from article {aid!r}; "
                                    "one article's events are one article's word, link them in that article")
            articles.add(aid)
            g.add(iris.fact("event", aid, eid), HK.reportOf, node)
            reports.setdefault(aid, []).append((eid, loc + ("reports", j)))
    return reports


def check_reports(entities_path: Path, reports: dict, article_id: str, event_ids) -> None:
    """Every report of `article_id` in entities.yaml names one of its events."""
    for eid, loc in reports.get(article_id, ()):
        if eid not in event_ids:
            line = read_yaml(entities_path).line(loc)
            raise AnnotationError(entities_path, line, f"shared event report {article_id}/{eid}: "
                                  f"article {article_id!r} has no event {eid!r}")
