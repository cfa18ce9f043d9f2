"""The answer cache across writes (issue 17, part 3): an article's load drops only the answers it can
change (kg.loading.touched), on a real store of the seeds with an article held back and then loaded
over HTTP (POST /load, the workbench's save). Every answer after the write is compared with a fresh
one from a new app over the same store: a kept answer that the write changed would fail here."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml
from pyoxigraph import RdfFormat, Store

from api import create_app
from api.middleware.cache import AnswerCache, Entry
from kg.executor.limits import Limits
from kg.loading.load import load
from kg.loading.touched import Changes, predicates_read
from kg.namespaces import HK, Iris
from kg.paths import SEEDS
from kg.querying import catalogue as canned
from kg.storage.opening import open_store
from support import BASE
from support.api import HOMS, TestClient

TOKEN = "cache-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
A001_FILE, A004_FILE = "001_3a4d3b3a0feccd62", "004_cd63f02724043b5a"
HAMA_1982_A000 = f"{BASE}event/a000-france24-final-offensive/hama-1982"  # a report of a shared event; a004 has another
PLACE_QUERIES = ("ceasefires", "events_in_place", "timeline", "casualties_in_place", "control_timeline", "control_at")
FACT_QUERIES = ("sources", "entity", "mentions", "casualties_of_event", "event_actors", "event_places")

STRIDE = 6  # the share of places and items the slower queries are asked for
ALL_PLACES = "SELECT DISTINCT ?p WHERE { ?p a <https://w3id.org/homs-kg/ontology#Place> } ORDER BY ?p"
ALL_ITEMS = """SELECT DISTINCT ?i WHERE { { ?i a <https://w3id.org/homs-kg/ontology#Event> }
  UNION { ?i a <https://w3id.org/homs-kg/ontology#Agreement> } } ORDER BY ?i"""


def corpus_without(tmp_path, held: str):
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    (target / f"{held}.yaml").unlink()
    (target / f"{held}.txt").unlink()
    return target


def store_of(corpus) -> Store:
    s = open_store(":memory:")
    load(s, [corpus], Iris(BASE))
    return s


def requests(store: Store) -> list[tuple[str, dict]]:
    """Canned requests over the whole store: every whole-graph query once; ceasefires, events,
    timeline and casualties for every place; sources and entity for every event and agreement;
    entity for every place; the slower or narrower ones (control, casualties of an event, the
    actors and places of an event, mentions) for a fixed share of them (every STRIDE-th)."""
    places = [r["p"].value for r in store.query(ALL_PLACES, use_default_graph_as_union=True)]
    items = [r["i"].value for r in store.query(ALL_ITEMS, use_default_graph_as_union=True)]
    param = {name: canned.catalogue()[name].params[0].name for name in FACT_QUERIES}
    out = [(f"/api/{q.name}", {"limit": 10000}) for q in canned.catalogue().values() if not q.params]
    out.append(("/api/casualties_of_category", {"category": "civilians"}))
    out += [(f"/api/{name}", {"place": p, "limit": 10000}) for name in PLACE_QUERIES[:4] for p in places]
    out += [(f"/api/{name}", {"place": p, "limit": 10000}) for name in PLACE_QUERIES[4:] for p in places[::STRIDE]]
    out += [(f"/api/{name}", {param[name]: i, "limit": 10000}) for name in FACT_QUERIES[:2] for i in items]
    out += [(f"/api/{name}", {param[name]: i, "limit": 10000}) for name in FACT_QUERIES[2:] for i in items[::STRIDE]]
    out += [("/api/entity", {"entity": p, "limit": 10000}) for p in places]
    out += [("/api/mentions", {"entity": p, "limit": 10000}) for p in places[::STRIDE]]
    return out


def hit(client: TestClient, path: str, params: dict):
    """The response, and whether the cache served it."""
    cache = client.app.state.answer_cache
    hits = cache.hits
    r = client.get(path, params=params)
    assert r.status_code == 200, (path, params, r.text)
    return r, cache.hits == hits + 1


def load_over_http(client: TestClient, held: str, annotation: bytes | None = None) -> None:
    parts = {"annotation": (f"{held}.yaml", annotation or (SEEDS / f"{held}.yaml").read_bytes()),
             "text": (f"{held}.txt", (SEEDS / f"{held}.txt").read_bytes())}
    r = client.post("/load", files=parts, headers=AUTH)
    assert r.status_code == 200, r.text


def kept_and_dropped(client: TestClient, store: Store, asked: list, before: dict) -> tuple[list, list]:
    """Ask everything again after a write: (kept, dropped) requests, each answer checked against a
    fresh one (a new app, a new cache) and, when kept, byte for byte against the answer before."""
    fresh = TestClient(create_app(store=store, base=BASE))
    kept, dropped = [], []
    for path, params in asked:
        r, was_hit = hit(client, path, params)
        if was_hit:  # (an answer not kept was just computed the way `fresh` computes it)
            assert r.content == fresh.get(path, params=params).content, f"stale answer: {path} {params}"
            assert r.content == before[path, str(params)] and r.headers["etag"] == before[path, str(params), "etag"]
            kept.append((path, params))
        else:
            dropped.append((path, params))
    return kept, dropped


def warm(client: TestClient, asked: list) -> dict:
    before = {}
    for path, params in asked:
        r, _ = hit(client, path, params)
        before[path, str(params)], before[path, str(params), "etag"] = r.content, r.headers["etag"]
        assert hit(client, path, params)[1], (path, params)  # kept
    return before


@pytest.mark.parametrize("held", [A004_FILE])  # a004 also reports an event of a000's (issue 13)
def test_a_load_drops_only_the_answers_it_changes(tmp_path, held):
    corpus = corpus_without(tmp_path, held)
    store = store_of(corpus)
    with TestClient(create_app(store=store, base=BASE, write_token=TOKEN, corpus=corpus)) as c:
        asked = requests(store)
        before = warm(c, asked)
        load_over_http(c, held)
        kept, dropped = kept_and_dropped(c, store, asked, before)
    fresh = TestClient(create_app(store=store, base=BASE))
    changed = [(p, q) for p, q in dropped if before[p, str(q)] != fresh.get(p, params=q).content]
    assert changed and len(kept) > len(asked) // 3, (len(kept), len(dropped), len(changed))
    assert ("/api/places", {"limit": 10000}) in dropped  # a whole-graph answer: any change drops it
    homs = [(p, q) for p, q in dropped if q.get("place") == HOMS]
    assert {p for p, _ in homs} >= {"/api/events_in_place", "/api/timeline"}  # the article is about Homs
    if held == A004_FILE:  # a004 reports the Hama massacre of 1982, as a000 does: a000's report lists it
        assert ("/api/sources", {canned.catalogue()["sources"].params[0].name: HAMA_1982_A000, "limit": 10000}) in changed


def test_a_removed_fact_drops_its_answers_and_a_save_without_change_drops_none(tmp_path):
    corpus = corpus_without(tmp_path, A001_FILE)
    store = store_of(corpus)
    with TestClient(create_app(store=store, base=BASE, write_token=TOKEN, corpus=corpus)) as c:
        source = (SEEDS / f"{A001_FILE}.yaml").read_text(encoding="utf-8")
        tree = yaml.safe_load(source)
        shared = (SEEDS / "entities.yaml").read_text(encoding="utf-8")
        removed = next(e for e in reversed(tree["events"]) if e.get("places") and  # one nothing else refers to
                       len(re.findall(rf"\b{re.escape(e['id'])}\b", source)) == 1 and f"/{e['id']}" not in shared)
        gone = f"{BASE}event/a001-homs-city-army-advance/{removed['id']}"
        expected = [("/api/entity", {"entity": gone, "limit": 10000})] + [
            ("/api/events_in_place", {"place": f"{BASE}place/{place}", "limit": 10000}) for place in removed["places"]]
        load_over_http(c, A001_FILE)
        asked = requests(store)[::2]  # half of them: the test above asks them all
        asked += [r for r in expected if r not in asked]
        before = warm(c, asked)
        load_over_http(c, A001_FILE)  # the same article again: the store does not change
        kept, dropped = kept_and_dropped(c, store, asked, before)
        assert dropped == [] and len(kept) == len(asked)
        tree["events"].remove(removed)  # the article without that event
        load_over_http(c, A001_FILE, yaml.safe_dump(tree, allow_unicode=True, sort_keys=False).encode())
        kept, dropped = kept_and_dropped(c, store, asked, before)
    assert all(r in dropped for r in expected) and kept


def test_a_write_the_service_cannot_analyse_drops_everything(tmp_path):
    corpus = corpus_without(tmp_path, A001_FILE)
    store = store_of(corpus)
    with TestClient(create_app(store=store, base=BASE, write_token=TOKEN, corpus=corpus)) as c:
        asked = requests(store)[:40]
        warm(c, asked)
        r = c.post("/sparql", data={"update": f"INSERT DATA {{ GRAPH <{BASE}graph/notes> {{ <{HOMS}> "
                                              "<http://www.w3.org/2000/01/rdf-schema#comment> \"a note\" } }"},
                   headers=AUTH)
        assert r.status_code == 204
        assert not any(hit(c, path, params)[1] for path, params in asked)


def test_behind_the_worker_processes_a_load_keeps_what_it_does_not_touch(tmp_path):
    corpus = corpus_without(tmp_path, A001_FILE)
    disk = tmp_path / "store"
    s = Store(str(disk))
    s.load(store_of(corpus).dump(format=RdfFormat.N_QUADS), format=RdfFormat.N_QUADS)
    s.flush()
    del s
    app = create_app(store=disk, base=BASE, write_token=TOKEN, corpus=corpus, isolation="process", workers=1,
                     limits=Limits(timeout=20))
    with TestClient(app) as c:
        assert app.state.executor.isolated
        store = app.state.store
        far = [(f"/api/{name}", {"place": f"{BASE}place/hama", "limit": 10000}) for name in PLACE_QUERIES]
        near = [(f"/api/{name}", {"place": HOMS, "limit": 10000}) for name in PLACE_QUERIES]
        before = warm(c, far + near)
        version = app.state.executor.version
        load_over_http(c, A001_FILE)
        assert app.state.executor.version == version + 1
        kept, dropped = kept_and_dropped(c, store, far + near, before)
    assert kept == far and {p for p, _ in dropped} >= {"/api/events_in_place", "/api/timeline"}


def test_the_cache_applies_each_write_it_was_told_of_and_drops_everything_for_the_others():
    def filled() -> AnswerCache:
        cache = AnswerCache()
        for name, term in (("a", "<https://x/a>"), ("b", "<https://x/b>"), ("whole", None)):
            key = (name, ((("p", term),) if term else ()), "application/json", 100, 0)
            cache.put(0, (name,), key, None, Entry(name.encode(), "application/json"),
                      frozenset({"place"}) if name == "a" else frozenset(),
                      frozenset({"https://x/b"}) if name == "b" else frozenset())
        return cache

    cache = filled()
    cache.note_write(1, Changes(changed=True, terms=frozenset({"https://x/a"})))
    assert cache.get(1, ("a",), "u") is None and cache.get(1, ("b",), "u").body == b"b"
    assert cache.get(1, ("whole",), "u") is None  # no IRI parameter: any change drops it
    cache = filled()
    cache.note_write(1, Changes())  # nothing changed
    assert all(cache.get(1, (n,), "u") is not None for n in ("a", "b", "whole"))
    cache.note_write(2, Changes(changed=True, terms=frozenset({"https://x/c"}), names=frozenset({"place"})))
    assert cache.get(2, ("a",), "u") is None  # its spelling resolved a place name: resolved again
    assert cache.get(2, ("b",), "u") is not None  # found by its slug or IRI, and that entity is the same
    cache.note_write(3, Changes(changed=True, terms=frozenset({"https://x/c"}), renamed=frozenset({"https://x/b"})))
    assert cache.get(3, ("b",), "u") is None  # that entity was renamed (or removed)
    cache = filled()
    cache.note_write(2, Changes())  # told of version 2, not of 1: 1 changed everything
    assert all(cache.get(2, (n,), "u") is None for n in ("a", "b", "whole"))
    cache = filled()  # a statement about shared nodes: with a predicate the queries read, everything
    cache.note_write(1, Changes(changed=True, terms=frozenset({"https://x/c"}), shared=frozenset({"https://x/p"})))
    assert all(cache.get(1, (n,), "u") is None for n in ("a", "b", "whole"))  # (reads=None: any predicate)
    cache = AnswerCache(reads=frozenset({"https://x/q"}))
    cache.put(0, ("b",), ("b", (("p", "<https://x/b>"),), "application/json", 100, 0), None, Entry(b"b", "text/csv"))
    cache.note_write(1, Changes(changed=True, terms=frozenset({"https://x/c"}), shared=frozenset({"https://x/p"})))
    assert cache.get(1, ("b",), "u") is not None  # a predicate no query with parameters reads
    cache = filled()
    cache.note_write(1, Changes())
    cache.forget_write(1)  # that write failed: version 1 is another write
    assert all(cache.get(1, (n,), "u") is None for n in ("a", "b", "whole"))


def test_queries_read_a_predicate_they_do_not_name_only_from_their_parameter():
    """kg.loading.touched.predicates_read assumes it: a pattern with a variable predicate (`entity`:
    every link of the parameter) has the parameter at one end, so a changed statement about shared
    nodes with a predicate no query names changes only answers keyed by its ends (and whole-graph ones)."""
    seen = set()
    for q in canned.catalogue().values():
        if not q.params:
            continue
        text = re.sub(r"(?m)^\s*#.*$", "", q.sparql)
        where = text[text.index("WHERE"):]
        lines = [line for line in where.splitlines()  # projections and groupings list variables too
                 if not re.match(r"\s*(SELECT|GROUP BY|ORDER BY|\(GROUP_CONCAT|\?\w+ \?\w+ \?\w+ \?\w+)", line)]
        for s, _, o in re.findall(r"(\?\w+)\s+(\?\w+)\s+(\?\w+)", "\n".join(lines)):
            assert {s[1:], o[1:]} & {p.name for p in q.params}, (q.name, s, o)
            seen.add(q.name)
    assert seen >= {"entity", "event_actors", "event_places"}  # the check found them
    read = predicates_read()
    assert HK.locatedIn.value in read and HK.evidence.value in read and HK.supports.value not in read
