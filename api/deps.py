"""What handlers get from the app: the store, the settings and the query executor, by dependencies
tests can override. They are `async def`: FastAPI runs them on the event loop, with no trip to the
thread pool (a plain `def` dependency costs a thread hop per request, bench/RESULTS.md)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Depends, Request
from pyoxigraph import Store

from kg.executor.inline import InlineExecutor
from kg.executor.limits import Limits
from kg.namespaces import Iris
from kg.paths import QUERIES_DIR, SEEDS
from kg.querying import catalogue as canned

MiB = 1 << 20


@dataclass(frozen=True)
class Settings:
    base: str  # the base of the data's IRIs; request paths map to IRIs under it
    queries_dir: Path = QUERIES_DIR
    limits: Limits = field(default_factory=Limits)  # what one query may take (kg.executor)
    write_limits: Limits = field(default_factory=lambda: Limits(timeout=120.0))  # one write (kg.executor.writer)
    max_body: int = 8 * MiB  # request bodies larger than this are refused (413)
    max_url: int = 32 * 1024  # request paths + query strings longer than this are refused (413)
    write_token: str | None = None  # None: the service is read-only; else writes need this bearer token
    entities_file: Path = SEEDS / "entities.yaml"  # the shared entities a POST /load compiles against
    corpus: Path = SEEDS  # the annotated articles' folder, which the workbench saves into (api/routers/workbench.py)

    @property
    def iris(self) -> Iris:
        return Iris(self.base)

    def catalogue(self) -> dict[str, canned.CannedQuery]:
        return canned.catalogue(self.queries_dir)


async def get_store(request: Request) -> Store:
    """The store, opened (or handed over) when the app starts: a pyoxigraph Store, or a
    kg.storage.remote.RemoteStore (a SPARQL server) that offers the same methods."""
    return request.app.state.store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


_lazy = threading.Lock()


async def get_executor(request: Request, store: Store = Depends(get_store)):
    """Where this request's queries run: the app's executor (a pool of worker processes for an
    on-disk store) for the app's store; in the calling thread for a store a test substituted."""
    state = request.app.state
    served_by_a_writer = getattr(getattr(state, "executor", None), "writer", None) is not None
    if store is not state.store and not served_by_a_writer:  # (a writer's server swaps its store after each write)
        return InlineExecutor(store, state.settings.limits)
    if getattr(state, "executor", None) is None:
        with _lazy:  # the lifespan did not run (a TestClient used without `with`)
            if getattr(state, "executor", None) is None:
                state.executor = InlineExecutor(store, state.settings.limits)
    return state.executor
