"""Keyset paging for the whole-graph canned queries: a page is "the next items after this one", never
"sort the whole graph, then skip".

A query opts in with a `keyset` entry in its `#+` header: a small SPARQL SELECT (the file's PREFIXes
are prepended) listing the query's items with their sort key, and the key's order:

    #+ keyset:
    #+   keys: SELECT DISTINCT ?place ?label WHERE { ?place a hk:Place ; rdfs:label ?label }
    #+   order: [label, place]

Its first variable is the item, all of its variables (the key) are projected by the query, whose
ORDER BY starts with the key in that order and then orders the rest of each row (so the order is
total, and an item's rows come in the same order whatever else is on the page). The keys are sorted
here (`sort_key`, SPARQL's order for IRIs, strings, dates and numbers), not by an ORDER BY: on an
on-disk store Oxigraph decodes both terms at every comparison, and sorting 45,000 event IRIs took it
15 s of an 18 s keys query at 10,000 articles (bench/RESULTS.md, "Paging the whole-graph queries"). The query marks where a page's
items are bound: a `# @page keys` comment line (a VALUES block of the items, once, in the group that
projects the key; the query finds the rest of each key itself, as it does for the whole answer) and
any number of `# @page item` lines (the same block, e.g. at the head of a sub-select, so its planner
starts from them). Without a page the markers are comments: the query is the whole answer, in the
same order. A page keeps the rows of the keys it asked for (an item may have two keys: two labels).

A page: the key list (the keys query's answer, computed once per store version in the process that
answers: a query worker's store never changes, a new generation of workers opens each write's new
view; `version` tells the in-process stores apart) gives the next items; one query with those items
bound in VALUES gives their rows (lookups: flat in the size of the store); rows beyond `limit` are
left for the next page, whose cursor is the last row's key and how many rows of that item were sent.
The cursor is opaque to clients (base64url of JSON), parsed strictly, its terms made by pyoxigraph
and bound as terms (kg.querying.binding), never pasted as text. A cursor whose item is gone (a
write in between) resumes at the first key after it."""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import math
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pyoxigraph import BlankNode, Literal, NamedNode, Store

from kg.errors import QueryError
from kg.querying.binding import bind

KEYS_MARK = re.compile(r"(?m)^[ \t]*# @page keys[ \t]*$")
ITEM_MARK = re.compile(r"(?m)^[ \t]*# @page item[ \t]*$")
_PROLOGUE = re.compile(r"(?im)^\s*(PREFIX|BASE)\s[^\n]*$")
_PROJECTED = re.compile(r"(?is)^\s*SELECT\s+(?:DISTINCT\s+)?((?:\?\w+\s+)+)WHERE\b")
MAX_CURSOR = 4096  # characters: a key of a few terms is far shorter
MIN_BATCH = 20  # items fetched at least at once: items with no row (the keys are a superset) do not cost a query each
KEPT = 16  # key lists kept per process


class BadCursor(QueryError):
    """An `after=` cursor that is not one this service made for this query (400)."""


@dataclass(frozen=True)
class Keyset:
    keys_sparql: str  # the keys query with the file's prologue
    variables: tuple[str, ...]  # its projection: the item first, then the rest of the key
    order: tuple[int, ...] = ()  # the positions in `variables` the order compares, first to last

    @property
    def item(self) -> str:
        return self.variables[0]


def parse_keyset(spec, text: str, name: str) -> Keyset | None:
    """The `keyset` entry of a query file's header (None when absent); QueryError when malformed."""
    if spec is None:
        return None
    keys = spec.get("keys") if isinstance(spec, dict) else None
    if not isinstance(keys, str):
        raise QueryError(f"{name}: keyset needs `keys`, a SELECT of the items and their sort key")
    m = _PROJECTED.match(keys)
    if m is None:
        raise QueryError(f"{name}: keyset keys must be `SELECT [DISTINCT] ?item ?key… WHERE …`")
    variables = tuple(v[1:] for v in m.group(1).split())
    order = spec.get("order", list(variables))
    if (not isinstance(order, list) or sorted(order) != sorted(variables)):
        raise QueryError(f"{name}: keyset order must list the keys' variables ({', '.join(variables)}), each once")
    if len(KEYS_MARK.findall(text)) != 1:
        raise QueryError(f"{name}: a keyset query marks one `# @page keys` line")
    for v in variables:
        if re.search(r"\?" + v + r"\b", text) is None:
            raise QueryError(f"{name}: keyset variable ?{v} is not in the query")
    prologue = "\n".join(m.group(0).strip() for m in _PROLOGUE.finditer(text))
    return Keyset(f"{prologue}\n{keys}", variables, tuple(variables.index(v) for v in order))


# --- the page query ---------------------------------------------------------------------------------


def values_rows(names: tuple[str, ...], rows: list[tuple]) -> str:
    """`VALUES (?a ?b) { (<…> "…") (<…> UNDEF) }`, every term written by pyoxigraph."""
    def term(t) -> str:
        if t is None:
            return "UNDEF"
        if not isinstance(t, (NamedNode, Literal)):
            raise ValueError(f"a page binds IRIs and literals only, not {type(t).__name__}")
        return str(t)
    body = " ".join("(" + " ".join(term(t) for t in row) + ")" for row in rows)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ {body} }}"


def page_sparql(sparql: str, keyset: Keyset, keys: list[tuple]) -> str:
    """The query with these keys' items bound at its marks (its parameters are bound after, by `bind`).
    The items alone, each once, not the key tuples: Virtuoso 7.2's VALUES of several variables and
    rows matches nothing when a column holds a language-tagged literal (a label key: `actors`,
    `places`; docs/remote-store.md). An item with another key too may then give rows of that key:
    `fetch` keeps the rows of the keys asked for."""
    item_block = values_rows((keyset.item,), list(dict.fromkeys(k[:1] for k in keys)))
    text = KEYS_MARK.sub(lambda _: item_block, sparql)
    return ITEM_MARK.sub(lambda _: item_block, text)


# --- the key list, per store version ------------------------------------------------------------------


@dataclass
class KeyList:
    keys: list[tuple]  # the key tuples, in the query's order
    order: tuple[int, ...]  # Keyset.order
    index: dict = field(default_factory=dict)  # key tuple -> its position

    def __post_init__(self):
        self.keys.sort(key=self.sort_key)
        self.index = {k: i for i, k in enumerate(self.keys)}

    def sort_key(self, key: tuple) -> tuple:
        return tuple(_term_order(key[i]) for i in self.order)

    def position(self, key: tuple) -> tuple[int, bool]:
        """Where `key` is (and True), else where the first key after it is (and False)."""
        if key in self.index:
            return self.index[key], True
        return bisect.bisect_right(self.keys, self.sort_key(key), key=self.sort_key), False


_lists: dict[tuple, KeyList] = {}
_lock = threading.Lock()


def key_list(store, name: str, keyset: Keyset, bound: dict, version: int) -> KeyList:
    """The query's keys on this store: computed once per (store, version, parameters) in this process
    (an embedded store only: a remote store can change behind our back, so it is asked each time)."""
    cacheable = isinstance(store, Store)
    cache_key = (id(store), version, name, tuple(sorted((v.value, str(t)) for v, t in bound.items())))
    if cacheable:
        with _lock:
            found = _lists.get(cache_key)
        if found is not None:
            return found
    text = bind(keyset.keys_sparql, bound) if bound else keyset.keys_sparql
    result = store.query(text, use_default_graph_as_union=True)
    listed = KeyList([tuple(row[v] for v in keyset.variables) for row in result], keyset.order or
                     tuple(range(len(keyset.variables))))
    if cacheable:
        with _lock:
            for old in [k for k in _lists if k[0] == id(store) and k[1] != version]:
                del _lists[old]  # another version of this store: never asked for again
            while len(_lists) >= KEPT:
                del _lists[next(iter(_lists))]
            _lists[cache_key] = listed
    return listed


def forget() -> None:
    """Drop every kept key list (tests)."""
    with _lock:
        _lists.clear()


# --- the order of keys, for a cursor whose item is gone -----------------------------------------------

_NUMERIC = {"http://www.w3.org/2001/XMLSchema#" + t for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}


def _term_order(t) -> tuple:
    """SPARQL's ORDER BY of terms as Oxigraph sorts them: unbound, blank nodes, IRIs, then literals
    (numbers by value; strings, dates and the rest by their text, which orders ISO dates and times of
    one time zone). The tests compare every page with the query's own ORDER BY."""
    if t is None:
        return (0,)
    if isinstance(t, BlankNode):
        return (1, t.value)
    if isinstance(t, NamedNode):
        return (2, t.value)
    if t.datatype.value in _NUMERIC:
        try:
            return (3, 0, Decimal(t.value), "")
        except InvalidOperation:
            pass
    return (3, 1, Decimal(0), t.value)


# --- cursors -----------------------------------------------------------------------------------------------


def _encode_term(t):
    if t is None:
        return None
    if isinstance(t, NamedNode):
        return ["i", t.value]
    if isinstance(t, Literal):
        return ["l", t.value, t.language or "", "" if t.language else t.datatype.value]
    raise ValueError(f"a cursor holds IRIs and literals only, not {type(t).__name__}")


def _decode_term(value):
    if value is None:
        return None
    if isinstance(value, list) and len(value) == 2 and value[0] == "i" and isinstance(value[1], str):
        return NamedNode(value[1])  # ValueError: not an IRI
    if (isinstance(value, list) and len(value) == 4 and value[0] == "l"
            and all(isinstance(x, str) for x in value[1:])):
        _, text, language, datatype = value
        if language:
            return Literal(text, language=language)
        return Literal(text, datatype=NamedNode(datatype))
    raise ValueError("not a term")


def encode_cursor(name: str, key: tuple, sent: int) -> str:
    """The cursor after `sent` rows of the item whose key is `key`."""
    doc = {"q": name, "k": [_encode_term(t) for t in key], "n": sent}
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, name: str, keyset: Keyset) -> tuple[tuple, int]:
    """(key, rows of that item already sent) from a cursor; BadCursor unless it is one `encode_cursor`
    made for this query."""
    bad = BadCursor(f"not a cursor of {name}: give the `after` value from a page's next link")
    if not cursor or len(cursor) > MAX_CURSOR or not re.fullmatch(r"[A-Za-z0-9_-]+", cursor):
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        doc = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if (not isinstance(doc, dict) or set(doc) != {"q", "k", "n"} or doc["q"] != name
            or not isinstance(doc["k"], list) or len(doc["k"]) != len(keyset.variables)
            or type(doc["n"]) is not int or doc["n"] < 0):
        raise bad
    try:
        key = tuple(_decode_term(v) for v in doc["k"])
    except (ValueError, TypeError):
        raise bad from None
    if key[0] is None:
        raise bad
    return key, doc["n"]


# --- a page ----------------------------------------------------------------------------------------------------


@dataclass
class Page:
    columns: list[str]
    rows: list[tuple]  # each row's terms, in column order: `limit + 1` at most (one more tells there is a next page)
    keys: list[tuple]  # each row's key
    skipped: int  # rows of the first item sent by earlier pages

    def cursor(self, name: str, n: int) -> str:
        """The cursor after the first `n` rows of this page (n >= 1)."""
        last = self.keys[n - 1]
        sent = sum(1 for k in self.keys[:n] if k == last)
        if last == self.keys[0]:
            sent += self.skipped
        return encode_cursor(name, last, sent)


def fetch(ctx, name: str, sparql: str, keyset: Keyset, bound: dict, version: int, limit: int,
          after: str | None) -> Page:
    """The rows of a page: up to `limit + 1` from the start or after the cursor, with their keys."""
    listed = key_list(ctx.store, name, keyset, bound, version)
    i, skip, first = 0, 0, None
    if after is not None:
        first, skip = decode_cursor(after, name, keyset)
        i, found = listed.position(first)
        if not found:
            first, skip = None, 0
    columns: list[str] | None = None
    rows: list[tuple] = []
    keys: list[tuple] = []
    batch, items_read, rows_read = max(limit + 1, MIN_BATCH), 0, 0
    while len(rows) <= limit and i < len(listed.keys):
        ctx.check()
        if items_read:  # the items a page still needs, at the rows per item seen so far (some have none)
            batch = max(MIN_BATCH, math.ceil((limit + 1 - len(rows)) * 1.25 * items_read / max(rows_read, 1)))
        items = listed.keys[i:i + batch]
        wanted = set(items)  # an item's rows of another key (its other label) belong to that key's page
        i += len(items)
        items_read += len(items)
        text = page_sparql(sparql, keyset, items)
        result = ctx.store.query(bind(text, bound) if bound else text, use_default_graph_as_union=True)
        columns = [v.value for v in result.variables]
        missing = [v for v in keyset.variables if v not in columns]
        if missing:
            raise QueryError(f"{name}: the keyset variable(s) {', '.join(missing)} are not projected")
        found = []
        for n, solution in enumerate(result):
            if n % 256 == 0:
                ctx.check()
            rows_read += 1
            key = tuple(solution[v] for v in keyset.variables)
            if key in wanted:
                found.append((key, tuple(solution)))
        # in key order, an item's rows in the store's order: Virtuoso's ORDER BY put two labels of
        # the 1k corpus in the wrong order, so pages repeated rows (docs/remote-store.md)
        found.sort(key=lambda pair: listed.sort_key(pair[0]))
        for key, row in found:
            if skip and key == first:
                skip -= 1
                continue
            rows.append(row)
            keys.append(key)
        skip = 0
    if columns is None:  # no items left: the columns from the query's projection, with no rows
        text = page_sparql(sparql, keyset, [])
        result = ctx.store.query(bind(text, bound) if bound else text, use_default_graph_as_union=True)
        columns = [v.value for v in result.variables]
    skipped = 0
    if after is not None and first is not None and keys and keys[0] == first:
        skipped = decode_cursor(after, name, keyset)[1]
    return Page(columns, rows[:limit + 1], keys[:limit + 1], skipped)
