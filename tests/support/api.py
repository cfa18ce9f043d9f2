"""Helpers for the API tests (the fixtures api_store and client are in tests/conftest.py).

Every test gets a fresh in-memory store holding the seeds. Compiling and reasoning over the seeds
takes seconds, so the seeds are loaded once per session (the conftest way: `load(store, [SEEDS])`)
and each test gets its own store copied from that load's N-Quads, in a quarter of a second."""

from __future__ import annotations

import os
import shutil
import warnings

import pytest
import rdflib
from pyoxigraph import RdfFormat

from kg.loading.load import load
from kg.namespaces import Iris
from kg.paths import SEEDS
from kg.storage.opening import open_store
from support import BASE

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice that its TestClient will want httpx2
    from fastapi.testclient import TestClient  # noqa: F401 — the tests import it from here


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
