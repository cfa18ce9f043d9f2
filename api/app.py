"""The service: create_app() puts the routers together over one store."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pyoxigraph import Store

from api import docs, errors, export, pages, queries, sparql, void
from api.deps import Settings
from kg import __version__
from kg import queries as canned
from kg.namespaces import base_iri
from kg.store import open_store, store_path

DESCRIPTION = """A knowledge graph of the war in and around Homs, Syria, built from annotated news articles.
Every event, agreement, casualty figure and claim links to the article and the exact text that states it.

- **SPARQL 1.1** at [/sparql](/sparql) (the default graph is the union of all graphs)
- **Canned queries** at [/api](/api): one GET endpoint per file in `queries/`
- **Exports** at [/export](/export); the VoID description at [/void](/void)
- **Linked data**: every IRI under the base dereferences (HTML for a browser, RDF otherwise)

Errors are RFC 9457 problem documents: `{"type", "title", "status", "detail"}`, with `candidates` or
`errors` when there are some."""

TAGS = [{"name": "SPARQL", "description": "The W3C SPARQL 1.1 Protocol (queries; the endpoint is read-only)."},
        {"name": "canned queries", "description": "One endpoint per `queries/*.rq` file."},
        {"name": "exports", "description": "The dataset and its graphs, for download."},
        {"name": "service description", "description": "VoID and the SPARQL Service Description."},
        {"name": "linked data", "description": "IRIs under the base, dereferenced."}]


def create_app(store: Store | str | os.PathLike | None = None, base: str | None = None,
               queries_dir: Path | None = None) -> FastAPI:
    """The app over `store`: an open Store, or a path opened read-only when the app starts
    (default: $KG_STORE, else ./kg-store). `base`: the base of the data's IRIs (default $KG_BASE,
    else https://w3id.org/homs-kg/); request paths map to IRIs under it."""
    base = base or base_iri()
    settings = Settings(base if base.endswith("/") else base + "/", queries_dir or canned.QUERIES_DIR)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if getattr(app.state, "store", None) is None:
            path = store_path(store)
            if not path.exists():
                raise RuntimeError(f"no store at {path}: run `kg load` first")
            app.state.store = open_store(path, read_only=True)
        yield

    app = FastAPI(title="homs-kg", version=__version__, description=DESCRIPTION, openapi_tags=TAGS,
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.store = store if isinstance(store, Store) else None
    for exc, handler in errors.HANDLERS.items():
        app.add_exception_handler(exc, handler)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"], expose_headers=["Link", "Content-Disposition", "Content-Type"])
    docs.mount_assets(app)
    app.include_router(docs.router)
    app.include_router(sparql.router)
    app.include_router(void.router)
    app.include_router(export.router)
    app.include_router(queries.build_router(settings.catalogue()))
    app.include_router(pages.router)  # last: it answers /<kind>/… for any kind under the base
    return app
