"""`kg serve`, the one command that needs the HTTP layer, and `main`: kg's commands plus this one
(the `kg` console script). It lives here so that kg never imports api."""

from __future__ import annotations

from pathlib import Path

import click

from api.app import create_app
from kg.cli import main, open_option_store, store_option
from kg.errors import AnnotationError
from kg.executor.limits import Limits
from kg.loading.load import load
from kg.namespaces import Iris
from kg.paths import SEEDS
from kg.storage.graphs import is_empty
from kg.storage.opening import is_remote, location_name, store_location, store_path, wait_unlocked
from kg.storage.remote import is_url

__all__ = ["main"]


class Size(click.ParamType):
    """A size in bytes: 1048576, 64k, 8M, 2G."""
    name = "size"
    UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        text = str(value).strip().lower().removesuffix("b").removesuffix("i")
        unit = text[-1:] if text[-1:] in "kmg" else ""
        try:
            return int(float(text[: len(text) - len(unit)]) * self.UNITS[unit])
        except ValueError:
            self.fail(f"{value!r} is not a size (e.g. 65536, 64k, 8M, 2G)", param, ctx)


@click.command("serve")
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--base", envvar="KG_BASE", default=None,
              help="Base of the data's IRIs, which the service dereferences (default: $KG_BASE, else "
                   "https://w3id.org/homs-kg/).")
@click.option("--load/--no-load", "load_seeds", default=True, show_default=True,
              help="Load the corpus folder into the store first (idempotent).")
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder of annotated articles (with its entities.yaml) that the service loads and the "
                   "annotation workbench saves into (default: the shipped seeds/).")
@click.option("--query-timeout", envvar="KG_QUERY_TIMEOUT", default=30.0, show_default=True,
              type=click.FloatRange(min=0.05), metavar="SECONDS",
              help="Time limit of every query, SPARQL or canned ($KG_QUERY_TIMEOUT); past it the query is "
                   "stopped and answered 503.")
@click.option("--query-workers", envvar="KG_QUERY_WORKERS", default=None, type=click.IntRange(min=1),
              help="Query worker processes ($KG_QUERY_WORKERS; default: cores + 1).")
@click.option("--max-rows", envvar="KG_MAX_ROWS", default=10_000, show_default=True, type=click.IntRange(min=1),
              help="Most solutions (or triples) in one answer; a cut answer says so ($KG_MAX_ROWS).")
@click.option("--max-result-size", envvar="KG_MAX_RESULT_SIZE", default="32M", show_default=True, type=Size(),
              help="Most bytes in one answer; a cut answer says so ($KG_MAX_RESULT_SIZE).")
@click.option("--query-memory", envvar="KG_QUERY_MEMORY", default="4G", show_default=True, type=Size(),
              help="Address-space cap of each query worker; 0 for none ($KG_QUERY_MEMORY).")
@click.option("--max-body", envvar="KG_MAX_BODY", default="8M", show_default=True, type=Size(),
              help="Largest request body (413 beyond; $KG_MAX_BODY).")
@click.option("--max-url", envvar="KG_MAX_URL", default="32k", show_default=True, type=Size(),
              help="Longest request path + query string (413 beyond; $KG_MAX_URL).")
@click.option("--header-timeout", envvar="KG_HEADER_TIMEOUT", default=10.0, show_default=True,
              type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="A request's line and headers must arrive within this, else 408 (api/connections.py).")
@click.option("--connections-per-client", envvar="KG_CONNECTIONS_PER_CLIENT", default=64, show_default=True,
              type=click.IntRange(min=1), help="Connections one client address may hold open (503 beyond).")
@click.option("--write-token", envvar="KG_WRITE_TOKEN", default=None,
              help="Enable writes (SPARQL Update, Graph Store Protocol, POST /load) for requests bearing this "
                   "token; off without it. Prefer $KG_WRITE_TOKEN: a command line is visible to other users.")
@click.option("--write-timeout", envvar="KG_WRITE_TIMEOUT", default=120.0, show_default=True,
              type=click.FloatRange(min=0.05), metavar="SECONDS",
              help="Time limit of every write (update, Graph Store, /load, workbench save; $KG_WRITE_TIMEOUT): "
                   "past it the write is stopped, nothing of it written, and answered 503.")
@click.option("--write-memory", envvar="KG_WRITE_MEMORY", default="4G", show_default=True, type=Size(),
              help="Address-space cap of the write worker; a write past it is stopped and answered 413; 0 for "
                   "none ($KG_WRITE_MEMORY).")
@click.option("--isolation", type=click.Choice(["process", "thread"]), default="process", show_default=True,
              help="Where queries run: worker processes that are killed at the time limit, or the server's "
                   "own threads (no kill; for comparison only).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              help="Server log level; `debug` also logs every request (the access log).")
def serve_cmd(store, host, port, base, load_seeds, corpus, query_timeout, query_workers, max_rows, max_result_size,
              query_memory, max_body, max_url, header_timeout, connections_per_client, write_token, write_timeout,
              write_memory, isolation, log_level):
    """Serve the graph over HTTP: SPARQL endpoint, canned queries, exports and linked-data pages.

    Every query runs in a worker process under --query-timeout (on a remote store, --store URL: on
    the server, under the same limit); the service is read-only unless --write-token (or
    KG_WRITE_TOKEN) is given."""
    import uvicorn

    iris = Iris(base)
    location = store_location(store)
    if not is_url(location):  # a server of this store killed a moment ago: its write worker is still going
        wait_unlocked(location, LOCK_WAIT)  # (if the lock stays, opening says who may hold it)
    db = open_option_store(store, timeout=query_timeout)  # a remote store's queries time out at the limit
    where = location_name(location)
    # Graphs outside the base (a Graph Store write to https://example.org/notes) are data: listed, not
    # fatal. Only a store whose own graphs (ontology, entities) are under another base is refused.
    names = [g.value for g in db.named_graphs()]
    foreign = [g for g in names if not g.startswith(iris.base + "graph/")]
    other_base = [g for g in foreign if g.endswith(("/graph/ontology", "/graph/entities"))]
    if other_base and iris.graph("ontology").value not in names:
        raise click.ClickException(f"the store at {where} was loaded under another base "
                                   f"(it holds <{other_base[0]}>): serve it with that --base, or use a new --store")
    if foreign:
        click.echo(f"the store at {where} holds {len(foreign)} graph(s) outside {iris.base}: "
                   f"{', '.join(sorted(foreign)[:5])}{' …' if len(foreign) > 5 else ''}", err=True)
    if load_seeds:
        try:
            report = load(db, [corpus or SEEDS], iris)
        except AnnotationError as e:
            raise click.ClickException(str(e)) from None
        db.flush()
        click.echo(f"loaded {len(report.articles)} article(s) into {where}", err=True)
    elif is_empty(db):
        raise click.ClickException(f"the store at {where} is empty: run `kg load`, or drop --no-load")
    try:
        limits = Limits(timeout=query_timeout, max_rows=max_rows, max_bytes=max_result_size, memory=query_memory)
        write_limits = Limits(timeout=write_timeout, memory=write_memory)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    options = dict(base=iris.base, limits=limits, write_limits=write_limits, write_token=write_token or None, workers=query_workers,
                   isolation="auto" if isolation == "process" else "thread", max_body=max_body, max_url=max_url,
                   corpus=(corpus or SEEDS).resolve())
    if is_remote(db):  # the app serves the open remote store; every other store it opens itself
        app = create_app(store=db, **options)
    else:
        db.flush()
        del db  # the app opens the store again: read-only (and locked) unless writes are on
        app = create_app(store=store_path(store), **options)
    click.echo(f"serving {iris.base} at http://{host}:{port}/ (SPARQL: http://{host}:{port}/sparql); "
               f"query limit {query_timeout:g} s, {'writes need the token' if write_token else 'read-only'}", err=True)
    # uvloop and httptools (uvicorn[standard]): the asyncio/h11 defaults cost several times more per
    # request (bench/RESULTS.md, "Over HTTP"); access lines only at --log-level debug (one per request)
    # httptools under the connection guard: header timeout, head size, connections (api/connections.py)
    from api.connections import guarded

    http = guarded(header_timeout, per_client=connections_per_client) if _has("httptools") else "h11"
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=log_level == "debug",
                loop="uvloop" if _has("uvloop") else "asyncio", http=http, h11_max_incomplete_event_size=MAX_HEAD)


LOCK_WAIT = 10.0  # seconds `kg serve` waits for a store another process (a server just killed) still holds
MAX_HEAD = 32 * 1024  # the h11 fallback's bound on a request's head (api/connections.MAX_HEAD)


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


main.add_command(serve_cmd)
