"""Canned answers kept until a write changes them, and their ETags.

The graph is read-mostly, so a canned query's page is kept (its bytes, media type and headers) and
served again without a query, until a write changes what it depends on. Entries are keyed by

    query name + every parameter's RDF term after resolution ("Bab Amr" -> <…/place/baba-amr>, a
    missing one -> its default) + the format the request gets (suffix or Accept outcome) + limit
    + offset, and the request's URL only when the answer holds it (a `next` link).

The cache follows the executor's `version`, which every write bumps once it is visible to queries
(api/routers/writes.py runs each write inside the executor's `writing()`). Before the bump, the write
tells the cache what it changed (`note_write`: a kg.loading.touched.Changes, for an article's load
analysed by kg.loading.touched; anything else, and a version the cache was told nothing about, changes
everything). On seeing a newer version, the cache drops what each write in between touched: an
answer whose IRI parameters are among the write's terms (a place's answer when the load touched a
place within it), every answer without an IRI parameter when anything changed, everything for
an unanalysed write. So a query never gets a pre-write answer for something the write touched:
the version a request reads after the write's answer is the new one, the cache applies the write's
changes before answering at it, and an answer computed at an older version is never kept.

The parent process cannot resolve a name without a query, so it also remembers which resolved key
each request's own spelling led to (`aliases`), and how: the kinds of entity (place, actor,
article) it looked up by name or alias, and the entities it found by their slug or IRI. A write
that changes the names, aliases or types of entities of such a kind, or of such an entity, drops
the alias (the spelling is resolved again, by a query). Both tables are bounded (entries and bytes; least recently used out first), and
an answer larger than an eighth of the byte bound is not kept.

The cache is off when the store is not the app's own pyoxigraph Store (a remote SPARQL store: other
clients may write there). Every canned answer carries an `ETag` (a hash of its media type and
bytes) and `Cache-Control: no-cache`; a request whose `If-None-Match` names it gets 304, cache or not:
an answer the write did not change keeps its bytes, so its tag stays valid.

`Front`, an ASGI middleware, answers a request it has seen before — the same path, query string,
Accept and Host, while its alias and answer are kept — from the cache before FastAPI routes it: the
handler (api/routers/canned.py) passed it, validated and resolved it once, and its answer depends on
nothing else (the If-None-Match header is checked again each time). That takes FastAPI's routing,
validation and dependencies off the path of a repeated request (bench/RESULTS.md: the profile)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

from fastapi import Request
from fastapi.responses import Response
from pyoxigraph import Store

from kg.loading.touched import EVERYTHING, Changes

MiB = 1 << 20


@dataclass(frozen=True)
class Entry:
    body: bytes
    media_type: str
    headers: dict = field(default_factory=dict)  # every header of the answer but ETag

    @cached_property
    def etag(self) -> str:
        return etag(self.media_type, self.body)

    @cached_property
    def raw(self) -> tuple[list, list]:
        """The ASGI headers of the 200 and of the 304, as Starlette writes them."""
        ok = Response(self.body, media_type=self.media_type, headers=self._headers()).raw_headers
        return ok, Response(status_code=304, headers=self._headers(304)).raw_headers

    def _headers(self, status: int = 200) -> dict:
        headers = {**self.headers, "ETag": self.etag, "Cache-Control": "no-cache"}
        if status == 304:  # what a 200 would have said about caching (RFC 9110, 15.4.5)
            return {k: v for k, v in headers.items() if k in ("ETag", "Cache-Control", "Vary", "Link")}
        return headers


def etag(media_type: str, body: bytes) -> str:
    """A strong entity tag: a hash of the media type and the bytes."""
    digest = hashlib.blake2b(media_type.encode("utf-8") + b"\0" + body, digest_size=16).hexdigest()
    return f'"{digest}"'


def not_modified(header: str | None, tag: str) -> bool:
    """True when an If-None-Match header names `tag` (or is `*`); weak tags compare weakly."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(t.strip().removeprefix("W/") == tag for t in header.split(","))


def respond(request: Request, entry: Entry) -> Response:
    """The answer, or 304 Not Modified when the client holds it already."""
    if not_modified(request.headers.get("if-none-match"), entry.etag):
        return Response(status_code=304, headers=entry._headers(304))
    return Response(entry.body, media_type=entry.media_type, headers=entry._headers())


def front_key(scope) -> tuple:
    """What a canned answer depends on besides the store: the path and query string, the Accept
    header, and what the request's URL is made of (its `next` link is absolute)."""
    accept = host = None
    for name, value in scope["headers"]:
        if name == b"accept" and accept is None:
            accept = value
        elif name == b"host" and host is None:
            host = value
    return (_bounded(scope["path"].encode()), _bounded(scope.get("query_string", b"")), _bounded(accept),
            _bounded(host), scope.get("scheme"), scope.get("root_path", ""), tuple(scope.get("server") or ()))


def _bounded(value: bytes | None) -> bytes | None:
    """A key part of at most 64 bytes: a long value by its SHA-256 (issue 15: each distinct 4 MB
    Accept header was kept whole in the key, +857 MB after 100 requests)."""
    if value is None or len(value) <= 64:
        return value
    return b"sha256:" + hashlib.sha256(value).digest()


class AnswerCache:
    """Pages of canned answers for one version of the store; thread-safe, bounded."""

    def __init__(self, max_entries: int = 1024, max_bytes: int = 64 * MiB, reads: frozenset[str] | None = None):
        """`reads`: the predicates the canned queries with parameters read (kg.loading.touched.
        predicates_read); None: any changed statement about shared nodes changes everything."""
        if max_entries < 1 or max_bytes < 1024:
            raise ValueError("the answer cache needs room for at least one entry and 1 KiB")
        self.max_entries, self.max_bytes, self.reads = max_entries, max_bytes, reads
        self.version: int | None = None
        self.size = 0  # bytes held
        self.hits = self.misses = 0
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._aliases: OrderedDict[tuple, tuple] = OrderedDict()  # request key -> (key, names, ids): put()
        self._writes: dict[int, Changes] = {}  # version -> what the write that made it changed
        self._front: OrderedDict[tuple, tuple] = OrderedDict()  # front_key -> (request key, URL)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def note_write(self, version: int, changes: Changes | None) -> None:
        """What the write that brings the store to `version` changed (None: everything). Called
        inside the write, before the executor's version is bumped."""
        with self._lock:
            self._writes[version] = changes or EVERYTHING

    def forget_write(self, version: int) -> None:
        """The write meant to bring the store to `version` failed: it describes nothing."""
        with self._lock:
            self._writes.pop(version, None)

    def _at(self, version: int) -> bool:
        """(Lock held.) Move to `version`, dropping what each write in between changed; False for
        an older version."""
        if self.version is not None and version < self.version:
            return False
        if version != self.version:
            if self.version is None:
                self._clear()
            else:
                for v in range(self.version + 1, version + 1):
                    self._drop(self._writes.get(v, EVERYTHING))  # a write nobody described: everything
            self._writes = {v: c for v, c in self._writes.items() if v > version}
            self.version = version
        return True

    def _clear(self) -> None:
        self._entries.clear()
        self._aliases.clear()
        self._front.clear()
        self.size = 0

    def _drop(self, changes: Changes) -> None:
        """(Lock held.) Every kept answer and alias `changes` may have changed."""
        if changes.everything or (changes.shared and (self.reads is None or not changes.shared.isdisjoint(self.reads))):
            self._clear()
            return
        for full in [f for f in self._entries if changes.touches(f[0][0], iri_parameters(f[0]))]:
            self.size -= len(self._entries.pop(full).body) + 256
        if changes.names or changes.renamed:
            for request_key in [r for r, (_, names, ids) in self._aliases.items()
                                if not names.isdisjoint(changes.names) or not ids.isdisjoint(changes.renamed)]:
                del self._aliases[request_key]

    def get(self, version: int, request_key: tuple, url: str) -> Entry | None:
        with self._lock:
            return self._get(version, request_key, url)

    def front_get(self, version: int, front: tuple) -> Entry | None:
        """The answer to a request seen before (by its front_key), if it is still kept."""
        with self._lock:
            seen = self._front.get(front) if self._at(version) else None
            if seen is None:
                return None
            entry = self._get(version, *seen)
            if entry is None:
                del self._front[front]
            return entry

    def remember(self, version: int, front: tuple, request_key: tuple, url: str) -> None:
        """A request (by its front_key) that the handler answered with `request_key`'s answer."""
        with self._lock:
            if self._at(version):
                self._front[front] = (request_key, url)
                self._front.move_to_end(front)
                while len(self._front) > 4 * self.max_entries:
                    self._front.popitem(last=False)

    def _get(self, version: int, request_key: tuple, url: str) -> Entry | None:
        if not self._at(version) or (alias := self._aliases.get(request_key)) is None:
            self.misses += 1
            return None
        key = alias[0]
        entry = None
        for full in ((key, None), (key, url)):
            entry = self._entries.get(full)
            if entry is not None:
                self._entries.move_to_end(full)
                self._aliases.move_to_end(request_key)
                break
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry

    def put(self, version: int, request_key: tuple, key: tuple, url: str | None, entry: Entry,
            names: frozenset[str] = frozenset(), ids: frozenset[str] = frozenset()) -> None:
        """Keep `entry` as the answer of `key` (and of `url`, when the answer holds its URL), computed
        at `version`; and remember that `request_key` resolves to `key`, having looked up names of
        the kinds `names` and found the entities `ids` by their slug or IRI."""
        size = len(entry.body) + 256
        with self._lock:
            if not self._at(version):
                return  # computed before a write: never served
            self._aliases[request_key] = (key, frozenset(names), frozenset(ids))
            self._aliases.move_to_end(request_key)
            while len(self._aliases) > 4 * self.max_entries:
                self._aliases.popitem(last=False)
            if size > self.max_bytes // 8:
                return
            full = (key, url)
            old = self._entries.pop(full, None)
            if old is not None:
                self.size -= len(old.body) + 256
            self._entries[full] = entry
            self.size += size
            while len(self._entries) > self.max_entries or self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped.body) + 256


def iri_parameters(key: tuple) -> frozenset[str] | None:
    """The IRIs among a key's resolved parameters (N-Triples terms), None when it has none: such an
    answer (a whole-graph one, or one of literals only) depends on every change."""
    iris = frozenset(term[1:-1] for _, term in key[1] if term.startswith("<"))
    return iris or None


def cache_for(request: Request, store, executor) -> AnswerCache | None:
    """The app's answer cache, when it may be used for this request: the store is the app's own
    pyoxigraph Store (not a remote one, not one a test substituted) and its executor has a version."""
    state = request.app.state
    cache = getattr(state, "answer_cache", None)
    if cache is None or not isinstance(store, Store) or store is not getattr(state, "store", None) \
            or executor is not getattr(state, "executor", None) or not hasattr(executor, "version"):
        return None
    return cache


class Front:
    """ASGI middleware: a GET under /api/ seen before at this store version, answered from the
    cache before routing (see the module's docstring); anything else goes on to the app."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith("/api/"):
            entry = self._kept(scope)
            if entry is not None:
                ok, unchanged = entry.raw
                inm = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
                hit = inm is not None and not_modified(inm.decode("latin-1"), entry.etag)
                await send({"type": "http.response.start", "status": 304 if hit else 200,
                            "headers": list(unchanged if hit else ok)})  # a copy: middlewares add to it
                await send({"type": "http.response.body", "body": b"" if hit else entry.body})
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _kept(scope) -> Entry | None:
        app = scope.get("app")
        state = getattr(app, "state", None)
        cache = getattr(state, "answer_cache", None)
        executor = getattr(state, "executor", None)
        if cache is None or app.dependency_overrides or not isinstance(getattr(state, "store", None), Store) \
                or not hasattr(executor, "version"):
            return None
        return cache.front_get(executor.version, front_key(scope))
