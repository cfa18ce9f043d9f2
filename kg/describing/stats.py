"""Counts of what the graph holds."""

from __future__ import annotations

from pyoxigraph import Store

from kg.namespaces import SPARQL_PREFIXES
from kg.storage.graphs import graph_sizes

COUNTED = {"articles": "hk:Article", "places": "hk:Place", "actors": "hk:Actor", "events": "hk:Event",
           "agreements": "hk:Agreement", "casualty figures": "hk:Casualty", "other figures": "hk:ReportedFigure",
           "claims": "hk:Claim", "evidence spans": "oa:Annotation"}


def statistics(store: Store) -> dict:
    counts = {}
    for name, cls in COUNTED.items():
        q = SPARQL_PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}"
        counts[name] = int(next(iter(store.query(q, use_default_graph_as_union=True)))["n"].value)
    counts["other figures"] -= counts["casualty figures"]
    sizes = graph_sizes(store)
    return {"entities": counts, "graphs": sizes, "total": sum(sizes.values())}
