"""Every example in the README and docs/ returns rows: each `curl` GET of the service and each
`/api/…?…` URL quoted in the text is asked of the app, and each `kg query` command is run against
a store loaded from the seeds. An example that answers nothing is a broken promise to a reader."""

from __future__ import annotations

import csv
import io
import re
import shlex
from urllib.parse import quote, urlsplit

import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import main
from support import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SERVICE = "http://127.0.0.1:8000"
RDFLIB = {"text/turtle": "turtle", "application/trig": "trig", "application/n-triples": "nt",
          "application/n-quads": "nquads", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}


def shell_blocks() -> list[tuple[str, str]]:
    """(file name, command) of every command of every ```sh block: continuation lines and quotes
    over several lines joined, trailing comments dropped."""
    out = []
    for path in DOCS:
        for block in re.findall(r"```sh\n(.*?)\n```", path.read_text(encoding="utf-8"), re.S):
            pending = ""
            for line in block.replace("\\\n", " ").splitlines():
                pending = f"{pending}\n{line}" if pending else line
                try:
                    shlex.split(pending, comments=True)
                except ValueError:  # a quote still open: the command goes on
                    continue
                out.append((path.name, pending.strip()))
                pending = ""
    return out


def curl_gets() -> list[tuple[str, str, dict]]:
    """(file, path?query, headers) of each `curl` read of the service: a GET, or a form POST of a
    query (`--data-urlencode`), whose form goes in the URL as the protocol allows. Not the writes,
    nor the conditional requests, which docs/api.md shows with a made-up tag."""
    out = []
    for name, command in shell_blocks():
        if not command.startswith("curl ") or re.search(r"-X |-F |If-None-Match|\|", command):
            continue
        words = shlex.split(command, comments=True)
        url = next(w for w in words if w.startswith(SERVICE))
        headers = dict(w.split(": ", 1) for i, w in enumerate(words) if i and words[i - 1] == "-H")
        form = [w for i, w in enumerate(words) if i and words[i - 1] == "--data-urlencode"]
        parts = urlsplit(url)
        query = "&".join(filter(None, [parts.query] + [f"{k}={quote(v)}" for k, _, v in (f.partition("=") for f in form)]))
        out.append((name, parts.path + (f"?{query}" if query else ""), headers))
    return out


def quoted_api_urls() -> list[tuple[str, str]]:
    """(file, URL) of each canned-query URL with parameters quoted in running text."""
    return sorted({(p.name, u) for p in DOCS for u in re.findall(r"`(/api/[a-z_]+(?:\.\w+)?\?[^`\s]+)`",
                                                                   p.read_text(encoding="utf-8"))})


def kg_queries() -> list[tuple[str, list[str]]]:
    out = []
    for name, command in shell_blocks():
        words = shlex.split(command, comments=True)
        if words[:2] in (["kg", "query"], [".venv/bin/kg", "query"]):
            args = words[2:]
            if "--store" in args:  # a remote store's example: run it on the local one
                i = args.index("--store")
                args = args[:i] + args[i + 2:]
            out.append((name, args))
    return out


def rows_in(reply) -> int:
    media = reply.headers["content-type"].split(";")[0]
    if media == "application/json":
        body = reply.json()
        return len(body["rows"]) if "rows" in body else len(body)
    if media == "text/csv":
        return len(list(csv.reader(io.StringIO(reply.text)))) - 1
    if media in RDFLIB:
        return len(rdflib.Dataset().parse(data=reply.content, format=RDFLIB[media]))
    return len(reply.content)


def test_the_docs_have_examples_to_run():
    assert len(curl_gets()) >= 5 and len(quoted_api_urls()) >= 2 and len(kg_queries()) >= 3


@pytest.mark.parametrize("name, url, headers", curl_gets(), ids=lambda v: v if isinstance(v, str) else "")
def test_each_curl_example_answers_rows(client, name, url, headers):
    reply = client.get(url, headers=headers)
    assert reply.status_code == 200, (name, url, reply.text[:500])
    assert rows_in(reply) > 0, (name, url)


@pytest.mark.parametrize("name, url", quoted_api_urls())
def test_each_quoted_api_url_answers_rows(client, name, url):
    reply = client.get(url)
    assert reply.status_code == 200 and rows_in(reply) > 0, (name, url, reply.text[:500])


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory):
    store = str(tmp_path_factory.mktemp("doc-examples") / "store")
    assert CliRunner().invoke(main, ["load", "--store", store]).exit_code == 0
    return store


@pytest.mark.parametrize("name, args", kg_queries(), ids=lambda v: v if isinstance(v, str) else " ".join(v)[:40])
def test_each_kg_query_example_answers_rows(loaded_store, name, args):
    result = CliRunner().invoke(main, ["query", *args, "--store", loaded_store, "--format", "csv"]
                                if "--format" not in args and "-f" not in args else
                                ["query", *args, "--store", loaded_store], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) > 1, (name, args, result.output)
