"""A private Virtuoso Open Source server (Debian's `virtuoso-opensource`) for the end-to-end tests and
the benchmarks, started the way `oxigraph serve` is (bench/processes.py): `virtuoso-t` in the
foreground with its own virtuoso.ini and database in a folder of ours, on free loopback ports (HTTP
and ISQL), never the packaged service.

Once it answers, one ISQL session (`isql-vt`) sets it up for homs-kg (docs/remote-store.md):
- a new DBA password and a user `kg` with the SPARQL_UPDATE role, both with random passwords: the
  updates go to /sparql-auth and the Graph Store Protocol to /sparql-graph-crud-auth, both HTTP
  Digest;
- Virtuoso's own graphs (its RDF views' metadata `virtrdf:`, `ldp:`, the service description) put in
  the group of private graphs that no user may read: a query without FROM sees every readable
  graph, so the default graph is then exactly the union of homs-kg's graphs;
- read for the anonymous /sparql user, read and write for `kg`, on every other graph.

The ini also lifts Virtuoso's cap on result rows (10,000 by default: larger answers are cut
silently) and sets its own query time limit.

    with running_virtuoso(tmp) as v:
        store = v.open()                          # a RemoteStore with the three endpoints and the credentials
        subprocess.run(["kg", "load", "--store", v.query_url], env={**os.environ, **v.env()})
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.processes import free_port, running

READY_TIMEOUT = 120  # seconds: a new database is created at the first start (2-5 s here)
USER = "kg"
MAX_UPDATE_BYTES = 8_000_000  # Virtuoso refuses an update of ~10 MB ("SR578: … string concatenation is too large")
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"
PRIVATE_GRAPHS = VIRTRDF + "PrivateGraphs"


def commands() -> tuple[str, str]:
    """`virtuoso-t` and Debian's name for Virtuoso's ISQL (`isql-vt`; `isql` is unixODBC's)."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not server or not isql:
        raise RuntimeError("Virtuoso is not installed: apt-get install virtuoso-opensource (.ci/run does)")
    return server, isql


@dataclass
class Virtuoso:
    """A running private Virtuoso: its endpoints and credentials."""

    base: str  # http://127.0.0.1:PORT
    isql_port: int
    password: str  # the user `kg`'s
    dba_password: str

    @property
    def query_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def update_url(self) -> str:
        return f"{self.base}/sparql-auth"

    @property
    def graph_store_url(self) -> str:
        return f"{self.base}/sparql-graph-crud-auth"

    def env(self) -> dict[str, str]:
        """The environment a `kg` command needs for this store (besides --store / KG_STORE)."""
        return {"KG_UPDATE_URL": self.update_url, "KG_GRAPH_STORE_URL": self.graph_store_url,
                "KG_STORE_USER": USER, "KG_STORE_PASSWORD": self.password, "KG_STORE_AUTH": "digest",
                "KG_STORE_MAX_UPDATE_BYTES": str(MAX_UPDATE_BYTES)}

    def open(self, **options):
        """A RemoteStore on this server (checked, like kg.store.open_store, for a union default graph)."""
        from kg.storage.remote import RemoteStore

        store = RemoteStore(self.query_url, self.update_url, self.graph_store_url,
                            auth=httpx.DigestAuth(USER, self.password), max_update_bytes=MAX_UPDATE_BYTES, **options)
        store.check_union()
        return store

    def isql(self, sql: str) -> str:
        """Run SQL statements (`;`-terminated) as DBA; RuntimeError with the output if any fails."""
        return isql(self.isql_port, self.dba_password, sql)


def isql(port: int, password: str, sql: str, timeout: float = 120) -> str:
    done = subprocess.run([commands()[1], f"127.0.0.1:{port}", "dba", password, "VERBOSE=OFF", "BANNER=OFF",
                           "PROMPT=OFF", "ERRORS=STDOUT"], input=sql + "\n", capture_output=True, text=True,
                          timeout=timeout)
    output = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in output:
        raise RuntimeError(f"isql failed:\n{output}")
    return output


def ini(folder: Path, http_port: int, isql_port: int, buffers: int, timeout_s: int) -> str:
    """virtuoso.ini: everything in `folder`, loopback only. `buffers`: 8 kB pages of cache (Virtuoso's
    guide: ~85,000 per GB given to it)."""
    db = folder / "db"
    return f"""\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
ThreadsPerQuery = 2
MaxQueryMem = 1G
CheckpointInterval = 60

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/vsp
ServerThreads = 16
MaxClientConnections = 16
MaxKeepAlives = 16
KeepAliveTimeout = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {timeout_s}
"""


def setup_sql(dba_password: str, password: str, system_graphs: list[str]) -> str:
    """The ISQL statements that make a new database homs-kg's (see the module docstring)."""
    lines = [f"DB.DBA.USER_CREATE ('{USER}', '{password}');",
             f'GRANT SPARQL_SELECT TO "{USER}";', f'GRANT SPARQL_UPDATE TO "{USER}";',
             f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{PRIVATE_GRAPHS}', 1);"]
    lines += [f"DB.DBA.RDF_GRAPH_GROUP_INS ('{PRIVATE_GRAPHS}', '{g}');" for g in system_graphs]
    lines += ["DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);",  # private graphs: nobody reads them
              "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1);",     # the others: anyone reads
              f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('{USER}', 0, 1);",
              f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('{USER}', 3);",     # read and write
              f"DB.DBA.USER_CHANGE_PASSWORD ('dba', 'dba', '{dba_password}');"]
    return "\n".join(lines)


def system_graphs(port: int, password: str) -> list[str]:
    """The graphs a new database already holds (Virtuoso's own), as DBA sees them."""
    out = isql(port, password, "SPARQL SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } };")
    graphs = [line.strip() for line in out.splitlines() if line.strip().startswith(("http://", "https://", "urn:"))]
    if VIRTRDF not in graphs:
        raise RuntimeError(f"no {VIRTRDF} graph in a new Virtuoso database: is it Virtuoso 7?\n{out}")
    return graphs


@contextlib.contextmanager
def running_virtuoso(tmp: Path, *, buffers: int = 10000, timeout_s: int = 60):
    """A new private Virtuoso in `tmp`/virtuoso (see the module docstring); yields a Virtuoso once it
    answers and is set up, ends it after. Its log: tmp/virtuoso/db/virtuoso.log (and virtuoso.out)."""
    server, _ = commands()
    folder = tmp / "virtuoso"
    (folder / "db").mkdir(parents=True, exist_ok=True)
    (folder / "vsp").mkdir(exist_ok=True)
    http_port, isql_port = free_port(), free_port()
    while isql_port == http_port:
        isql_port = free_port()
    (folder / "virtuoso.ini").write_text(ini(folder, http_port, isql_port, buffers, timeout_s))
    base = f"http://127.0.0.1:{http_port}"
    with running([server, "+foreground", "+configfile", str(folder / "virtuoso.ini")], f"{base}/sparql",
                 folder / "virtuoso.out", timeout=READY_TIMEOUT, cwd=folder):
        dba, password = secrets.token_hex(12), secrets.token_hex(12)
        isql(isql_port, "dba", setup_sql(dba, password, system_graphs(isql_port, "dba")))
        yield Virtuoso(base, isql_port, password, dba)


__all__ = ["Virtuoso", "running_virtuoso", "commands"]
