"""The `kg` command: load, validate, query, export and inspect the graph. Thin: the work is in kg."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from pyoxigraph import QueryBoolean, QuerySolutions, QueryTriples, RdfFormat, serialize

from kg import queries as canned
from kg.errors import AnnotationError
from kg.executor import QueryTimeout
from kg.export import export, graph_for
from kg.formats import RDF_FORMATS, RESULT_FORMATS, rdf_format
from kg.namespaces import PREFIXES, SPARQL_PREFIXES, Iris
from kg.stats import statistics
from kg.store import (SEEDS, compile_files, is_empty, is_remote, load, location_name, open_store, store_location,
                      store_path)


def _remember(ctx, param, value):
    if value:
        ctx.meta[f"kg.{param.name}"] = value
    return value


def store_option(command):
    """--store (a folder, or a SPARQL server's query URL) and, for a server, its other endpoints."""
    for option in reversed([
            click.option("--store", "store", envvar="KG_STORE", default=None,
                         help="Store folder, or the URL of a SPARQL 1.1 query endpoint (a remote store: "
                              "docs/remote-store.md). Default: $KG_STORE, else ./kg-store."),
            click.option("--update-url", envvar="KG_UPDATE_URL", default=None, expose_value=False,
                         callback=_remember, help="Remote store: its SPARQL Update endpoint ($KG_UPDATE_URL; "
                                                  "default: the query URL with /query -> /update, else the same URL)."),
            click.option("--graph-store-url", envvar="KG_GRAPH_STORE_URL", default=None, expose_value=False,
                         callback=_remember, help="Remote store: its Graph Store Protocol endpoint "
                                                  "($KG_GRAPH_STORE_URL; default: /query -> /store, else the same URL).")]):
        command = option(command)
    return command


def _open(store, read_only=False, timeout=None):
    location = store_location(store)
    if read_only and not isinstance(location, str) and not location.exists():
        raise click.ClickException(f"no store at {location}: run `kg load` first")
    meta = click.get_current_context().meta
    try:
        return open_store(location, read_only=read_only, timeout=timeout, update_url=meta.get("kg.update_url"),
                          graph_store_url=meta.get("kg.graph_store_url"))
    except OSError as e:
        if "lock" in str(e).lower():  # RocksDB's LOCK: another process (a running `kg serve`) holds the store
            raise click.ClickException(
                f"the store at {location_name(location)} is locked by another process, such as a running `kg serve`: "
                "load through the server (POST /load with its write token, docs/api.md) or stop it, "
                "then run this again") from None
        raise click.ClickException(f"cannot open the store at {location_name(location)}: {e}") from None


@click.group()
@click.version_option(package_name="homs-kg")
def main():
    """homs-kg: a knowledge graph of the war in and around Homs, built from annotated articles."""


@main.command("load")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--allow-drafts", is_flag=True,
              help="Load items still pending review (kg draft), marked hk:reviewStatus hk:unreviewed in the graph.")
@store_option
def load_cmd(paths, allow_drafts, store):
    """Check and load annotation files (default: the seeds/ folder) into the store.

    Every file is checked first; if one is bad, nothing is written. Each article's graph is
    replaced in one transaction. A file with drafted items still pending review is refused
    unless --allow-drafts (docs/annotating.md)."""
    paths = paths or (SEEDS,)
    db = _open(store)
    try:
        report = load(db, paths, Iris(), progress=lambda f: click.echo(f"checking {f}", err=True),
                      allow_drafts=allow_drafts)
    except AnnotationError as e:
        raise click.ClickException(str(e)) from None
    except (QueryTimeout, OSError, RuntimeError) as e:  # a remote store that failed or refused a write
        raise click.ClickException(f"the load failed: {e}") from None
    db.flush()
    total = sum(report.triples.values())
    click.echo(f"loaded {len(report.articles)} article(s), {total} triples, into {location_name(store_location(store))}")


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--corpus", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="The corpus folder (entities.yaml and the other articles) for files outside it.")
@click.option("--shacl/--no-shacl", default=True, help="Also check the compiled RDF against the SHACL shapes.")
def validate_cmd(paths, corpus, shacl):
    """Check annotation files without loading them: format, references, quotes, and SHACL shapes.

    Reports every error of every file, not only the first."""
    from kg.build import compile_article, compile_entities
    from kg.shapes import validate_data
    from kg.store import Compiled, ENTITIES_FILE, annotation_files
    from kg.validation import check_file

    iris = Iris()
    try:
        if corpus:
            entities_file = corpus / ENTITIES_FILE
            files = [f for p in paths for f in (sorted(p.glob("*.yaml")) if p.is_dir() else [p])
                     if f.name != ENTITIES_FILE]
        else:
            entities_file, files = annotation_files(paths or (SEEDS,))
        entities = compile_entities(entities_file, iris)
    except AnnotationError as e:
        raise click.ClickException(str(e)) from None
    others = sorted(f for f in entities_file.parent.glob("*.yaml") if f.name != ENTITIES_FILE) + files
    errors = [e for f in files for e in check_file(f, entities, iris, others)]
    if errors:
        for e in errors:
            click.echo(str(e), err=True)
        raise click.ClickException(f"{len(errors)} error{'s' if len(errors) != 1 else ''} "
                                   f"in {len({e.path for e in errors})} file(s)")
    if shacl:
        compiled = Compiled(entities, [compile_article(f, entities, iris) for f in files])
        conforms, report = validate_data(compiled)
        if not conforms:
            raise click.ClickException("SHACL validation failed:\n" + report)
    click.echo(f"ok: {entities_file} and {len(files)} article file(s)")


@main.command("draft")
@click.argument("article", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--corpus", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="The corpus whose places and actors the draft reuses (default: seeds/).")
@click.option("--published", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Publication date (YYYY-MM-DD), when the page does not state it; relative dates resolve against it.")
@click.option("--publisher", default=None, help="The publisher's actor id, when the page does not name it.")
@click.option("--id", "article_id", default=None, help="The article's id (a slug; default: from the file name).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the draft (default: ARTICLE with .yaml, beside it).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def draft_cmd(article, corpus, published, publisher, article_id, output, force):
    """Draft an annotation of a raw article: every item quote-backed and pending review.

    Then review it (docs/annotating.md), `kg validate` it and `kg load` it."""
    from kg.drafting import draft_file
    from kg.drafting.draft import summary

    output = output or article.with_suffix(".yaml")
    if output.resolve().parent != article.resolve().parent:
        raise click.ClickException(f"write the draft beside its text ({article.parent}/): an annotation names its "
                                   "text as a file in its own folder")
    if output.exists() and not force:
        raise click.ClickException(f"{output} exists: give another -o, or --force to overwrite it")
    if article.suffix == ".yaml":
        raise click.ClickException(f"{article} is an annotation file: give the article's text")
    try:
        doc = draft_file(article, corpus or SEEDS, output, published.date() if published else None, publisher,
                         article_id)
    except (OSError, UnicodeDecodeError) as e:
        raise click.ClickException(f"cannot draft {article}: {e}") from None
    counts = summary(doc)
    click.echo(f"wrote {output}: " + ", ".join(f"{n} {k}" for k, n in counts.items() if n) + "; all pending review")


@main.command("query")
@click.argument("query")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A canned query's parameter.")
@click.option("-f", "--format", "fmt", default="table",
              type=click.Choice(["table", *RESULT_FORMATS, *RDF_FORMATS]),
              help="table (default), json, xml, csv, tsv; CONSTRUCT/DESCRIBE: turtle, ntriples, jsonld...")
@store_option
def query_cmd(query, params, fmt, store):
    """Run a SPARQL query (a string or a .rq file) or a canned query by name, over all graphs."""
    db = _open(store, read_only=True)
    catalogue = canned.catalogue()
    values = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep:
            raise click.ClickException(f"parameter {p!r}: write NAME=VALUE")
        values[name] = value
    try:
        if query.replace("-", "_") in catalogue:
            result = canned.run(db, catalogue[query.replace("-", "_")], values)
        else:
            if values:
                raise click.ClickException("-p is for canned queries; "
                                           f"known: {', '.join(sorted(catalogue))}")
            text = Path(query).read_text(encoding="utf-8") if query.endswith(".rq") else query
            result = db.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
    except canned.QueryError as e:
        extra = "".join(f"\n  {c['label']} <{c['iri']}>" for c in getattr(e, "candidates", []))
        raise click.ClickException(str(e) + extra) from None
    except SyntaxError as e:
        raise click.ClickException(f"SPARQL syntax error: {e}") from None
    except (QueryTimeout, OSError) as e:  # a remote store: past its deadline, or failing
        raise click.ClickException(str(e)) from None
    click.echo(_render(result, fmt), nl=False)


def _render(result, fmt: str) -> str:
    if isinstance(result, QueryBoolean):
        if fmt in RESULT_FORMATS:
            return result.serialize(format=RESULT_FORMATS[fmt]).decode("utf-8")
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, QueryTriples):
        rdf = RDF_FORMATS.get(fmt, RdfFormat.TURTLE)
        return serialize(list(result), format=rdf, prefixes=PREFIXES).decode("utf-8")
    if fmt in RESULT_FORMATS:
        return result.serialize(format=RESULT_FORMATS[fmt]).decode("utf-8")
    if fmt in RDF_FORMATS:
        raise click.ClickException(f"{fmt} is for CONSTRUCT and DESCRIBE queries")
    return _table(result)


def _table(solutions: QuerySolutions, width: int = 60) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[_cell(row[n], width) for n in names] for row in solutions]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    return "\n".join(out) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


def _cell(term, width: int) -> str:
    if term is None:
        return ""
    text = " ".join(term.value.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@main.command("export")
@click.option("-f", "--format", "fmt", default="trig", help="turtle, ntriples, nquads, trig (default), jsonld, rdfxml.")
@click.option("-g", "--graph", default=None, help="One graph: an article id, 'ontology', 'entities', or a graph IRI.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="File (default: stdout).")
@store_option
def export_cmd(fmt, graph, output, store):
    """Export the whole dataset (TriG / N-Quads), the union of its graphs, or one graph."""
    db = _open(store, read_only=True)
    try:
        rdf = rdf_format(fmt)
        data = export(db, rdf, graph_for(db, Iris(), graph) if graph else None)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)


@main.command("stats")
@store_option
def stats_cmd(store):
    """How many places, actors, events, agreements and casualty figures; triples per graph."""
    db = _open(store, read_only=True)
    s = statistics(db)
    for name, n in s["entities"].items():
        click.echo(f"{name:<20}{n:>8}")
    click.echo("")
    for graph, n in s["graphs"].items():
        click.echo(f"{n:>8}  {graph}")
    click.echo(f"{s['total']:>8}  quads in all")


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


@main.command("serve")
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--base", envvar="KG_BASE", default=None,
              help="Base of the data's IRIs, which the service dereferences (default: $KG_BASE, else "
                   "https://w3id.org/homs-kg/).")
@click.option("--load/--no-load", "load_seeds", default=True, show_default=True,
              help="Load seeds/ into the store first (idempotent).")
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
@click.option("--write-token", envvar="KG_WRITE_TOKEN", default=None,
              help="Enable writes (SPARQL Update, Graph Store Protocol, POST /load) for requests bearing this "
                   "token; off without it. Prefer $KG_WRITE_TOKEN: a command line is visible to other users.")
@click.option("--isolation", type=click.Choice(["process", "thread"]), default="process", show_default=True,
              help="Where queries run: worker processes that are killed at the time limit, or the server's "
                   "own threads (no kill; for comparison only).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              help="Server log level; `debug` also logs every request (the access log).")
def serve_cmd(store, host, port, base, load_seeds, query_timeout, query_workers, max_rows, max_result_size,
              query_memory, max_body, max_url, write_token, isolation, log_level):
    """Serve the graph over HTTP: SPARQL endpoint, canned queries, exports and linked-data pages.

    Every query runs in a worker process under --query-timeout (on a remote store, --store URL: on
    the server, under the same limit); the service is read-only unless --write-token (or
    KG_WRITE_TOKEN) is given."""
    import uvicorn

    from api import create_app
    from kg.executor import Limits, hold_store_lock

    iris = Iris(base)
    db = _open(store, timeout=query_timeout)  # a remote store's queries time out at the limit
    where = location_name(store_location(store))
    foreign = [g.value for g in db.named_graphs() if not g.value.startswith(iris.base + "graph/")]
    if foreign:
        raise click.ClickException(f"the store at {where} holds graphs under another base "
                                   f"(e.g. <{foreign[0]}>): serve it with that --base, or use a new --store")
    if load_seeds:
        try:
            report = load(db, [SEEDS], iris)
        except AnnotationError as e:
            raise click.ClickException(str(e)) from None
        db.flush()
        click.echo(f"loaded {len(report.articles)} article(s) into {where}", err=True)
    elif is_empty(db):
        raise click.ClickException(f"the store at {where} is empty: run `kg load`, or drop --no-load")
    try:
        limits = Limits(timeout=query_timeout, max_rows=max_rows, max_bytes=max_result_size, memory=query_memory)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    options = dict(base=iris.base, limits=limits, write_token=write_token or None, workers=query_workers,
                   isolation="auto" if isolation == "process" else "thread", max_body=max_body, max_url=max_url)
    lock = None
    if is_remote(db):  # queries run on the server (in this process's threads); writes only with the token
        db.read_only = write_token is None
        app = create_app(store=db, **options)
    elif write_token:
        app = create_app(store=db, path=store_path(store), **options)  # writes go to this read-write store
    else:
        db.flush()
        del db  # read-only from here on: the app opens the store read-only, and so do its workers;
        try:
            lock = hold_store_lock(store_path(store))  # and no other process may write it meanwhile
        except OSError as e:
            raise click.ClickException(str(e)) from None
        app = create_app(store=store_path(store), **options)
    click.echo(f"serving {iris.base} at http://{host}:{port}/ (SPARQL: http://{host}:{port}/sparql); "
               f"query limit {query_timeout:g} s, {'writes need the token' if write_token else 'read-only'}", err=True)
    try:
        # uvloop and httptools (uvicorn[standard]): the asyncio/h11 defaults cost several times more per
        # request (bench/RESULTS.md, "Over HTTP"); access lines only at --log-level debug (one per request)
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=log_level == "debug",
                    loop="uvloop" if _has("uvloop") else "asyncio", http="httptools" if _has("httptools") else "h11")
    finally:
        if lock is not None:
            lock.close()


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@main.command("docs")
@click.option("--check", is_flag=True, help="Fail if docs/ontology.md is not up to date.")
def docs_cmd(check):
    """Regenerate the ontology reference, docs/ontology.md, from ontology/homs-kg.ttl."""
    from kg.reference import REFERENCE_FILE, render

    text = render()
    if check:
        current = REFERENCE_FILE.read_text(encoding="utf-8") if REFERENCE_FILE.exists() else ""
        if current != text:
            raise click.ClickException(f"{REFERENCE_FILE} is stale: run `kg docs`")
        click.echo("up to date")
        return
    REFERENCE_FILE.write_text(text, encoding="utf-8")
    click.echo(f"wrote {REFERENCE_FILE}")


__all__ = ["main", "SPARQL_PREFIXES"]
