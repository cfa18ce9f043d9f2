"""What the tests share that is not a fixture: where things are, the data's base, a query helper.
(Fixtures are in tests/conftest.py; helpers for the API tests in support.api, for the tests that
start real servers in support.servers.)"""

from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import Store

ROOT = Path(__file__).resolve().parents[2]  # the repository
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini"  # a tiny corpus of its own
BASE = "https://w3id.org/homs-kg/"
# Seconds a job stopped at its time limit may take past it in a test. A runaway that is not stopped
# runs for minutes, so this still fails then; how promptly it stops is measured in bench/, since on
# a CI machine shared with other work (load 10+ on 2 cores) the stop itself has taken 3-4 s.
STOP_MARGIN = 5.0


def select(store: Store, sparql: str, **subs) -> list[dict]:
    """Run a SELECT over the union of graphs; rows as {variable: python value or None}."""
    from pyoxigraph import Variable

    from kg.namespaces import SPARQL_PREFIXES

    # pyoxigraph binds only projected variables: project the bound ones, then drop them from rows
    projected = " ".join(f"?{k}" for k in subs)
    sparql = re.sub(r"\bSELECT(\s+DISTINCT)?", lambda m: m.group(0) + " " + projected, sparql, count=1)
    result = store.query(SPARQL_PREFIXES + sparql, use_default_graph_as_union=True,
                         substitutions={Variable(k): v for k, v in subs.items()} or None)
    names = [v.value for v in result.variables if v.value not in subs]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def generated_store(folder: Path, articles: int = 20) -> Store:
    """`articles` generated articles (bench.generate, full world) written to `folder` and loaded into
    an in-memory store: a corpus larger and less regular than the seeds."""
    from bench import generate
    from kg.loading.load import load
    from kg.namespaces import Iris

    generate.generate(folder, articles)
    store = Store()
    load(store, [folder], Iris(BASE))
    return store


def keyset_pages(store: Store, name: str, limit: int) -> list[tuple]:
    """Every page of the canned query `name` (no parameters), as kg.querying.answers asks for them
    (kg.querying.keyset), one after another: rows of plain values, to compare with its whole answer."""
    from kg.executor.limits import Context, Limits
    from kg.querying import keyset
    from kg.querying.catalogue import catalogue
    from kg.querying.sparql import plain

    q, out, after = catalogue()[name], [], None
    keyset.forget()
    while True:
        page = keyset.fetch(Context(store, Limits(timeout=120)), name, q.sparql, q.keyset, {}, 0, limit, after)
        out += [tuple(plain(t) for t in row) for row in page.rows[:limit]]
        if len(page.rows) <= limit:
            return out
        after = page.cursor(name, limit)
