"""Shared fixtures: a fresh in-memory store per test, loaded from the real seeds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.namespaces import Iris
from kg.store import SEEDS, load, open_store

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/homs-kg/"


@pytest.fixture
def iris() -> Iris:
    return Iris(BASE)


@pytest.fixture
def store(iris) -> Store:
    """A new in-memory store holding the seeds: never shared between tests."""
    s = open_store(":memory:")
    load(s, [SEEDS], iris)
    return s


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A writable copy of seeds/, for tests that break or change annotation files."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


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
