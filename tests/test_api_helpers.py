"""Fixtures and helpers for the API tests (test_api_*.py import them; this file holds no test).

Every test gets a fresh in-memory store holding the seeds. Compiling and reasoning over the seeds
takes seconds, so the seeds are loaded once per session (the conftest way: `load(store, [SEEDS])`)
and each test gets its own store copied from that load's N-Quads, in a quarter of a second."""

from __future__ import annotations

import os
import shutil
import warnings

import pytest
import rdflib
from pyoxigraph import RdfFormat, Store

from conftest import BASE
from kg.namespaces import Iris
from kg.store import SEEDS, load, open_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice that its TestClient will want httpx2
    from fastapi.testclient import TestClient

from api import create_app

A002 = "a002-syria-direct-fall-of-homs"
A000 = "a000-france24-final-offensive"
TRUCE = f"{BASE}agreement/{A002}/old-homs-truce"
CEASEFIRE_72H = f"{BASE}agreement/{A002}/april-72-hour-ceasefire"
HOMS = f"{BASE}place/homs"
PROBLEM = "application/problem+json"
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/n-quads": "nquads",
                  "application/trig": "trig", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}


def seeded_dump(base: str = BASE) -> bytes:
    s = open_store(":memory:")
    load(s, [SEEDS], Iris(base))
    return s.dump(format=RdfFormat.N_QUADS)


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


def parse_rdf(response) -> rdflib.Dataset:
    """An RDF reply parsed by rdflib, by its Content-Type (a Dataset, so quads formats parse too)."""
    media = response.headers["content-type"].split(";")[0]
    ds = rdflib.Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's parsers use its own deprecated names
        ds.parse(data=response.content, format=RDFLIB_FORMATS[media], publicID=BASE)
    return ds


def triples(ds: rdflib.Dataset) -> set:
    return {(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))}


def rapper() -> str | None:
    """raptor's `rapper` (Debian raptor2-utils; .ci/run installs it). Missing: skip here, fail in CI."""
    path = shutil.which("rapper")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("rapper (raptor2-utils) is missing: .ci/run should install it")
        pytest.skip("rapper (raptor2-utils) is not installed")
    return path
