"""A store with a graph outside the base (issue 15, item 9): a Graph Store write to a graph such as
the docs' own https://example.org/notes used to leave a store that `kg serve` refused to open ever
after. Such a graph is data like any other: the store opens and serves, and the graph is listed
(VoID, the Service Description, `kg stats`)."""

from __future__ import annotations

import subprocess
import sys

import httpx

from support.servers import running_server

TOKEN = "s3cret-token-for-tests"
NOTES = "https://example.org/notes"


def test_a_store_with_a_graph_outside_the_base_opens_and_serves(tmp_path):
    store = tmp_path / "kg-store"
    with running_server(tmp_path, "--write-token", TOKEN, store=str(store)) as url:
        r = httpx.put(f"{url}/graph-store", params={"graph": NOTES}, content=b"<https://example.org/n1> "
                      b"<http://www.w3.org/2000/01/rdf-schema#comment> \"a note\" .\n",
                      headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"})
        assert r.status_code == 201, r.text
    with running_server(tmp_path, "--no-load", store=str(store)) as url:  # read-only, as after a restart
        assert httpx.get(f"{url}/").status_code == 200
        void = httpx.get(f"{url}/void", headers={"Accept": "application/n-triples"})
        assert void.status_code == 200 and f"<{NOTES}>" in void.text
        ask = httpx.get(f"{url}/sparql", params={"query": f"ASK {{ GRAPH <{NOTES}> {{ ?s ?p \"a note\" }} }}"},
                        headers={"Accept": "application/sparql-results+json"})
        assert ask.json()["boolean"] is True
        assert httpx.get(f"{url}/api/places").status_code == 200
    stats = subprocess.run([sys.executable, "-c", "from api.cli import main; main()", "stats", "--store", str(store)],
                           capture_output=True, text=True, timeout=120)
    assert stats.returncode == 0 and NOTES in stats.stdout, stats.stderr
