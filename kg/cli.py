"""The `kg` command: load, validate, query, export and inspect the graph. Thin: the work is in kg."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from pyoxigraph import QueryBoolean, QueryTriples, RdfFormat, serialize

from kg.describing.stats import statistics
from kg.errors import AnnotationError, QueryError, QueryTimeout
from kg.formats import RDF_FORMATS, RESULT_FORMATS, rdf_format
from kg.loading.corpus import annotation_files
from kg.loading.load import compact, load
from kg.namespaces import PREFIXES, SPARQL_PREFIXES, Iris
from kg.paths import SEEDS
from kg.progress import Progress
from kg.querying import catalogue as canned
from kg.querying import conflict_data
from kg.storage.export import export, graph_for
from kg.storage.opening import is_remote, location_name, open_store, store_location
from kg.terminal import terminal_table


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


def open_option_store(store, read_only=False, timeout=None):
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
@click.option("--optimize/--no-optimize", default=None,
              help="Compact the store after the load (default: after a bulk load into an empty store only; "
                   "`kg optimize` compacts on demand).")
@store_option
def load_cmd(paths, allow_drafts, optimize, store):
    """Check and load annotation files (default: the seeds/ folder) into the store.

    Every file is checked first; if one is bad, nothing is written. Each article's graph is
    replaced in one transaction. A file with drafted items still pending review is refused
    unless --allow-drafts (docs/annotating.md)."""
    paths = paths or (SEEDS,)
    db = open_option_store(store)
    clock = time.perf_counter()
    try:
        with Progress("checking", _count_articles(paths), unit="files") as bar:
            report = load(db, paths, Iris(), progress=bar.step, allow_drafts=allow_drafts, optimize=optimize)
    except AnnotationError as e:
        raise click.ClickException(str(e)) from None
    except (QueryTimeout, OSError, RuntimeError) as e:  # a remote store that failed or refused a write
        raise click.ClickException(f"the load failed: {e}") from None
    db.flush()
    total = sum(report.triples.values())
    compacted = f" (compacted in {report.seconds['optimize']:.1f} s)" if report.optimized else ""
    click.echo(f"loaded {len(report.articles)} article(s), {total} quads in {len(report.triples)} graphs, "
               f"in {time.perf_counter() - clock:.1f} s{compacted}, into {location_name(store_location(store))}")


@main.command("optimize")
@store_option
def optimize_cmd(store):
    """Compact the store's tables (RocksDB), so lookups read fewer files: worth it after a large
    load; `kg load` does it after a bulk load into an empty store. Not for a remote store."""
    if isinstance(store_location(store), str):  # a URL: a SPARQL server
        raise click.ClickException("a remote store compacts itself: `kg optimize` is for a store folder")
    db = open_option_store(store)
    seconds = compact(db)
    db.flush()
    click.echo(f"compacted {location_name(store_location(store))} in {seconds:.1f} s")


def _count_articles(paths) -> int:
    """How many article files a load or a validation will check (0 when the paths are bad: the
    load itself then says what is wrong)."""
    try:
        return len(annotation_files(paths)[1])
    except (AnnotationError, OSError):
        return 0


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--corpus", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="The corpus folder (entities.yaml and the other articles) for files outside it.")
@click.option("--shacl/--no-shacl", default=True, help="Also check the compiled RDF against the SHACL shapes.")
def validate_cmd(paths, corpus, shacl):
    """Check annotation files without loading them: format, references, quotes, and SHACL shapes.

    Reports every error of every file, not only the first."""
    from kg.loading.compiler import compile_article, compile_entities
    from kg.loading.corpus import ENTITIES_FILE, Compiled, annotation_files
    from kg.loading.shapes import validate_data
    from kg.loading.validation import check_file

    iris, clock = Iris(), time.perf_counter()
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
    errors = []
    with Progress("checking", len(files), unit="files") as bar:
        for f in files:
            errors += check_file(f, entities, iris, others)
            bar.step(f)
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
    click.echo(f"ok: {entities_file} and {len(files)} article file(s), in {time.perf_counter() - clock:.1f} s")


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
              type=click.Choice(["table", "records", *RESULT_FORMATS, *RDF_FORMATS]),
              help="table (default; records when wider than the terminal), records (one block per row), "
                   "json, xml, csv, tsv; CONSTRUCT/DESCRIBE: turtle, ntriples, jsonld...")
@store_option
def query_cmd(query, params, fmt, store):
    """Run a SPARQL query (a string or a .rq file) or a canned query by name, over all graphs."""
    db = open_option_store(store, read_only=True)
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
            result = db.query(text, use_default_graph_as_union=True, prefixes=PREFIXES, base_iri=Iris().base)
    except QueryError as e:
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
    return terminal_table(result, as_records=fmt == "records")


@main.command("export")
@click.option("-f", "--format", "fmt", default="trig", help="turtle, ntriples, nquads, trig (default), jsonld, rdfxml; "
              "or a conflict-data export: acled.csv, ged.csv, events.geojson, places.geojson (docs/conflict-data.md).")
@click.option("-g", "--graph", default=None, help="One graph: an article id, 'ontology', 'entities', or a graph IRI.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="File (default: stdout).")
@store_option
def export_cmd(fmt, graph, output, store):
    """Export the whole dataset (TriG / N-Quads), the union of its graphs, or one graph."""
    db = open_option_store(store, read_only=True)
    clock = time.perf_counter()
    try:
        if fmt in conflict_data.FORMATS:
            if graph:
                raise click.ClickException(f"{fmt} is built from every graph: leave out --graph")
            data = conflict_data.export(db, fmt)[0]
        else:
            rdf, chosen = rdf_format(fmt), graph_for(db, Iris(), graph) if graph else None
            with Progress("exporting", len(db) if chosen is None and not is_remote(db) else 0, unit="quads") as bar:
                data = export(db, rdf, chosen, progress=bar)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {output}, in {time.perf_counter() - clock:.1f} s", err=True)
    else:
        sys.stdout.buffer.write(data)


@main.command("stats")
@store_option
def stats_cmd(store):
    """How many places, actors, events, agreements and casualty figures; triples per graph."""
    db = open_option_store(store, read_only=True)
    s = statistics(db)
    for name, n in s["entities"].items():
        click.echo(f"{name:<20}{n:>8}")
    click.echo("")
    for graph, n in s["graphs"].items():
        click.echo(f"{n:>8}  {graph}")
    click.echo(f"{s['total']:>8}  quads in all")


@main.command("docs")
@click.option("--check", is_flag=True, help="Fail if docs/ontology.md or ontology/homs-kg.rdf is not up to date.")
def docs_cmd(check):
    """Regenerate the ontology reference, docs/ontology.md, and its RDF/XML for OWL tools,
    ontology/homs-kg.rdf, from ontology/homs-kg.ttl."""
    from kg.describing.reference import REFERENCE_FILE, render
    from kg.storage.readable import RDFXML_FILE, ontology_rdfxml

    files = {REFERENCE_FILE: render().encode("utf-8"), RDFXML_FILE: ontology_rdfxml()}
    if check:
        for path, data in files.items():
            if not path.exists() or path.read_bytes() != data:
                raise click.ClickException(f"{path} is stale: run `kg docs`")
        click.echo("up to date")
        return
    for path, data in files.items():
        path.write_bytes(data)
        click.echo(f"wrote {path}")


__all__ = ["main", "SPARQL_PREFIXES"]
