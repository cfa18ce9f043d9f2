"""Shared fixtures: a fresh in-memory store per test, loaded from the real seeds; and, for the API
tests, a fresh store copied from one load of the seeds per session, and a TestClient over it.

The tests are grouped by what they exercise: unit/ (kg's parts, directly), api/ (the HTTP service
in process), e2e/ (real `kg serve` and `oxigraph serve` processes), browser/ (headless Chromium),
bench/ (the benchmarks' smoke tests). Shared helpers are in support/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from api import create_app
from kg.loading.load import load
from kg.namespaces import Iris
from kg.paths import SEEDS
from kg.storage.opening import open_store
from support import BASE
from support.api import TestClient, seeded_dump


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


@pytest.fixture(scope="session")
def seeds_nquads() -> bytes:
    return seeded_dump()


@pytest.fixture
def api_store(seeds_nquads) -> Store:
    """A new in-memory store holding the seeds, for this test only."""
    s = Store()
    s.load(seeds_nquads, format=RdfFormat.N_QUADS)
    return s


@pytest.fixture
def client(api_store) -> TestClient:
    return TestClient(create_app(store=api_store, base=BASE))
