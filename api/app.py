"""The service: create_app() puts the routers together over one store."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pyoxigraph import Store

from api import errors
from api.deps import Settings
from api.middleware.cache import AnswerCache, Front
from api.middleware.headers import SecurityHeaders
from api.middleware.limits import SizeLimits
from api.routers import canned as queries
from api.routers import conflict, docs, export, sparql, ui, void, workbench, writes
from api.routers import linked_data as pages
from kg import __version__
from kg.executor.inline import InlineExecutor
from kg.executor.limits import Limits
from kg.executor.pool import ProcessPool
from kg.executor.share import Shares, default_share
from kg.executor.views import Checkpoint, DiskCopy, hold_store_lock
from kg.executor.writer import Writer
from kg.loading.touched import predicates_read
from kg.namespaces import base_iri
from kg.paths import QUERIES_DIR
from kg.storage.opening import is_remote, open_store, store_location
from kg.storage.remote import RemoteStore, is_url

DESCRIPTION = """A knowledge graph of the war in and around Homs, Syria, built from annotated news articles.
Every event, agreement, casualty figure and claim links to the article and the exact text that states it.

- **SPARQL 1.1** at [/sparql](/sparql) (the default graph is the union of all graphs)
- **Canned queries** at [/api](/api): one GET endpoint per file in `queries/`
- **Exports** at [/export](/export); the VoID description at [/void](/void)
- **Linked data**: every IRI under the base dereferences (HTML for a browser, RDF otherwise)

Every query runs under a time limit (a query past it is stopped and answered `503`, before any
byte of a result is sent) and row and size caps (an answer a cap cut says so in `KG-Truncated`).
The service is read-only unless it was started with a write token.

Errors are RFC 9457 problem documents: `{"type", "title", "status", "detail"}`, with `candidates` or
`errors` when there are some."""

TAGS = [{"name": "SPARQL", "description": "The W3C SPARQL 1.1 Protocol (queries; updates only with the write token)."},
        {"name": "canned queries", "description": "One endpoint per `queries/*.rq` file."},
        {"name": "exports", "description": "The dataset and its graphs, for download."},
        {"name": "service description", "description": "VoID and the SPARQL Service Description."},
        {"name": "linked data", "description": "IRIs under the base, dereferenced."},
        {"name": "writes", "description": "Off unless the service has a write token: Graph Store Protocol, /load."}]


def create_app(store: Store | str | os.PathLike | None = None, base: str | None = None,
               queries_dir: Path | None = None, *, limits: Limits | None = None, write_token: str | None = None,
               write_limits: Limits | None = None,
               isolation: str = "auto", workers: int | None = None, path: str | os.PathLike | None = None,
               max_body: int | None = None, max_url: int | None = None, entities_file: Path | None = None,
               corpus: Path | None = None) -> FastAPI:
    """The app over `store`: an open Store, or a path opened when the app starts (read-only unless
    writes are on; default: $KG_STORE, else ./kg-store), or a remote store (kg.storage.remote.RemoteStore, or
    the URL of a SPARQL server's query endpoint): its queries run on the server, in the calling
    thread whatever `isolation` says, under the limit as the HTTP client's deadline. `base`: the base of the data's IRIs (default
    $KG_BASE, else https://w3id.org/homs-kg/); request paths map to IRIs under it.

    Queries run under `limits` (kg.executor.Limits: time, rows, bytes, memory). `isolation`: where —
    "auto" (worker processes over the on-disk store when there is one: a path, or an open Store
    with its `path`; in the calling thread for an in-memory Store), "process" (always workers: an
    in-memory store is copied to a temporary on-disk one) or "thread" (always in process; the limit
    is then checked between rows only). `workers`: how many query processes (default: cores + 1).
    The worker pool starts with the app (its lifespan): a TestClient used without `with` evaluates in
    process. `write_token`: None keeps the service read-only; else writes need it (api/routers/writes.py).
    `write_limits`: what one write may take (time, memory): on an on-disk store with worker processes,
    writes run in a write worker under them (kg.executor.writer); in process otherwise, unlimited.
    `max_body` / `max_url`: request size limits in bytes (413 beyond). `corpus`: the folder of
    annotated articles the workbench saves into (default seeds/); its entities.yaml is then the
    shared entities file unless `entities_file` says otherwise."""
    if isolation not in ("auto", "process", "thread"):
        raise ValueError(f"isolation is auto, process or thread, not {isolation!r}")
    base = base or base_iri()
    if corpus is not None and entities_file is None:
        entities_file = Path(corpus) / "entities.yaml"
    options = {k: v for k, v in (("limits", limits), ("write_limits", write_limits), ("max_body", max_body), ("max_url", max_url),
                                 ("entities_file", entities_file), ("corpus", corpus)) if v is not None}
    settings = Settings(base if base.endswith("/") else base + "/", queries_dir or QUERIES_DIR,
                        write_token=write_token, **options)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        disk, cleanup, opened, lock, writer = (Path(path) if path is not None else None), None, None, None, None
        if getattr(app.state, "store", None) is None:
            location = store_location(store)
            if is_url(location):  # a SPARQL server (kg.storage.remote)
                opened = app.state.store = await anyio.to_thread.run_sync(
                    lambda: open_store(location, read_only=write_token is None, timeout=settings.limits.timeout))
            else:
                disk = location
                if not disk.exists():
                    raise RuntimeError(f"no store at {disk}: run `kg load` first")
                if write_token is None:  # read-only: and no other process may write it while we serve it
                    lock = hold_store_lock(disk)
                if write_token is not None and isolation != "thread":  # writes in the write worker, under
                    writer = await anyio.to_thread.run_sync(  # limits; this process reads its checkpoints
                        lambda: Writer(disk, settings.write_limits))
                else:
                    app.state.store = open_store(disk, read_only=write_token is None)
        if writer is None and is_remote(app.state.store):
            # a remote store is not a pyoxigraph Store: queries run on the server, from this process's
            # threads, and its HTTP deadline is the query limit (QueryTimeout past it, a 503)
            app.state.store.timeout = settings.limits.timeout
            app.state.executor = InlineExecutor(app.state.store, settings.limits)
        elif isolation == "process" or (isolation == "auto" and disk is not None):
            views = None
            if disk is None:  # an in-memory store: the workers read a copy, made again after each write
                views = DiskCopy(app.state.store)
            elif write_token is not None:  # a live store we write: the workers read checkpoints of it
                views = await anyio.to_thread.run_sync(lambda: Checkpoint(writer or app.state.store, disk))
            sync = views.refresh if views else None
            if writer is not None:  # this process reads the checkpoint the workers read, the new one after a write
                app.state.store = Store.read_only(str(views.path))

                def sync():
                    view = views.refresh()
                    app.state.store = Store.read_only(str(view))
                    return view
            if views:  # a query of the old generation may run to its limit on the old view after a write
                views.linger = settings.limits.timeout + 5
            if views:
                disk, cleanup = views.path, views.cleanup
            app.state.executor = await anyio.to_thread.run_sync(
                lambda: ProcessPool(disk, settings.limits, workers, sync=sync))
            # one client holds at most all workers but one (kg/executor/share.py)
            app.state.shares = Shares(default_share(app.state.executor.size), settings.limits.timeout)
            app.state.executor.writer = writer
        else:
            app.state.executor = InlineExecutor(app.state.store, settings.limits)
        build_routes(app.router.routes)  # now, not on the event loop under the first request of each router
        try:
            yield
        finally:
            app.state.executor.close()
            if writer is not None:
                writer.close()
            if cleanup:
                cleanup()
            if opened is not None:
                opened.close()
            if lock is not None:
                lock.close()

    app = FastAPI(title="homs-kg", version=__version__, description=DESCRIPTION, openapi_tags=TAGS,
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.store = store if isinstance(store, (Store, RemoteStore)) else None
    app.state.executor = None
    # canned answers until a write changes them (api/middleware/cache.py; off for a remote store)
    app.state.answer_cache = AnswerCache(reads=predicates_read(settings.queries_dir))
    for exc, handler in errors.HANDLERS.items():
        app.add_exception_handler(exc, handler)
    app.add_middleware(sparql.Direct)  # innermost: SPARQL queries answered before routing (api/routers/sparql.py)
    app.add_middleware(Front)  # repeated canned requests answered from the cache (api/middleware/cache.py)
    app.add_middleware(SizeLimits, max_url=settings.max_url, max_body=settings.max_body)
    app.add_middleware(SecurityHeaders)  # CSP and nosniff on every response, errors included
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"], expose_headers=["Link", "Content-Disposition", "Content-Type",
                                                            sparql.TRUNCATED, "Retry-After"])
    docs.mount_assets(app)
    app.include_router(docs.router)
    app.include_router(sparql.router)
    app.include_router(void.router)
    app.include_router(export.router)
    app.include_router(writes.router)
    app.include_router(conflict.router)  # before the canned queries: /api/<name>.csv would be theirs
    app.include_router(workbench.router)
    app.include_router(queries.build_router(settings.catalogue()))
    ui.install(app)  # the web interface's pages and /static (api/static/)
    app.include_router(pages.router)  # last: it answers /<kind>/… for any kind under the base
    return app


def build_routes(routes) -> int:
    """Build every included router's routes now; how many were built. FastAPI (0.16x) builds them
    (dependants, validation models) when the first request reaches a router, on the event loop: the
    canned queries' took 0.2 s on a quiet machine and over 1 s at load 8 on 2 cores, and every other
    client waited (issue 15: the stall in test_hardening_server.py). A FastAPI that builds routes in
    include_router has nothing here to build."""
    built = 0
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)  # an included router, built lazily
        if not callable(candidates):
            continue
        children = candidates()
        low_priority = getattr(route, "effective_low_priority_routes", None)
        if callable(low_priority):
            low_priority()
        built += len(children) + build_routes(children)
    return built
