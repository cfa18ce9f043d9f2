"""What the `events` count of `places` counts, derived at load time (issue 17).

The canned query `places` shows, per place, how many events and agreements are located in it or
anywhere inside it, each once: an event several articles report (hk:reportOf a shared event) counts
once. Worked out at query time, per place, that read every item located in the place (hk:locatedIn,
entailed transitively: ~1,000 a place of the first page at 10,000 articles) with its types and its
hk:reportOf: 0.7-1.3 s for a page of 100 places. Here each thing counted is written once per place,
when the inferred graphs are derived:

- `<key> hk:countedIn <place>`, for every event and agreement of the article and every place it is
  located in (asserted or entailed), where `key` is the shared event the item reports (hk:reportOf,
  each, in the entities) or else the item itself; in the article's inferred graph.

So a place's count is `COUNT(DISTINCT ?key)` over `?key hk:countedIn <place>`, one index range per
place, with no type test and no hk:reportOf lookup per item; two reports of one shared event located
in the same place write the same triple in two articles' graphs, which DISTINCT counts once.

Kept exact as map_points' map places are: derived in the hook both loads call
(`kg.loading.time_bounds.inferred`) and replaced with the article's inferred graph in its
transaction; when the shared entities change (a new report of a shared event), the loader derives
every other article's inferred graph again (kg.loading.load). A count literal per place, kept by each
load, was weighed and not built (bench/RESULTS.md, "The places page: counts at load time")."""

from __future__ import annotations

from pyoxigraph import Triple

from kg.loading.map_points import article_items
from kg.namespaces import HK

COUNTED_IN = HK.countedIn
# the terms, as names of their own
_LOCATED_IN, _REPORT_OF = HK.locatedIn, HK.reportOf


def _reports(reasoner) -> dict:
    """{article event: the shared events it reports} of the reasoner's context (the entities), once
    per reasoner."""
    reports = getattr(reasoner, "_count_reports", None)
    if reports is None:
        reports = {}
        for t in reasoner.base:
            if t.predicate == _REPORT_OF:
                reports.setdefault(t.subject, set()).add(t.object)
        reasoner._count_reports = reports
    return reports


def article_triples(reasoner, article: set[Triple]) -> set[Triple]:
    """The article's `hk:countedIn` triples: `article` is its graph with its inferred triples. Written
    in the article's inferred graph."""
    items, by = article_items(reasoner, article, (_LOCATED_IN, _REPORT_OF))
    located, reports = by[_LOCATED_IN], by[_REPORT_OF]
    shared = _reports(reasoner)
    out = set()
    for item in items:
        places = located.get(item)
        if not places:
            continue
        keys = reports.get(item, set()) | shared.get(item, set()) or {item}
        out.update(Triple(key, COUNTED_IN, place) for key in keys for place in places)
    return out
