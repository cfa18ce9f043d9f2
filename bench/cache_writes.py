"""The answer cache across a write (issue 17, part 3): after one new article is loaded into a
generated store, the share of canned answers still kept (the hit rate), and that none is stale.

    python -m bench.cache_writes [--articles 1000] [--places 150] [--actors 50] [--work DIR]

Generates articles 0..N (bench.generate: article i is the same in every corpus), bulk-loads 0..N-1
into an on-disk store, and serves it with query worker processes (the app `kg serve` runs, here in
process so the cache's counters can be read). It asks a set of canned requests across places (the
place queries for every governorate, and a seeded sample of cities, districts and
neighbourhoods) and actors (`entity` and `mentions`), plus the whole-graph `actors`, once each to
fill the cache; loads article N over HTTP (POST /load, the write token); then asks them all again.
Reported: kept / asked (overall and per query), the time of each round and of the load (and of its
analysis, kg.loading.touched.changes, which runs inside the write), and the
number of kept answers that differ from a fresh one computed by a new app over the same store
(`--verify`, on by default: it must be 0)."""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

from pyoxigraph import Store

from bench.generate import SEED, build_world, generate
from kg.executor.limits import Limits
from kg.loading import touched
from kg.loading.load import load
from kg.namespaces import Iris

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "bench-token"
PLACE_QUERIES = ("ceasefires", "events_in_place", "timeline", "casualties_in_place")  # control_timeline: > 120 s for a governorate at 1k


def build(work: Path, articles: int) -> tuple[Path, Path, Path]:
    """The corpus of articles 0..N-1, article N aside (its two files), and the store of the corpus."""
    corpus, new, disk = work / "corpus", work / "new", work / "store"
    if not disk.exists():
        shutil.rmtree(corpus, ignore_errors=True)
        generate(corpus, articles + 1, jobs=2)
        new.mkdir(parents=True, exist_ok=True)
        last = sorted(corpus.glob("*.yaml"))
        last = [p for p in last if p.name != "entities.yaml"][-1]
        for p in (last, last.with_suffix(".txt")):
            shutil.move(p, new / p.name)
        t = time.perf_counter()
        store = Store(str(disk))
        load(store, [corpus], Iris())
        store.flush()
        del store
        print(f"loaded {articles} articles in {time.perf_counter() - t:.0f} s")
    return corpus, new, disk


def requests(places: int, actors: int, seed: int = SEED) -> list[tuple[str, dict]]:
    world = build_world(seed)
    rng = random.Random(1)
    governorates = [p for p in world.places if p.type == "Governorate"]
    chosen = governorates + rng.sample(world.cities, min(len(world.cities), 30)) \
        + rng.sample(world.districts, min(len(world.districts), places // 3)) \
        + rng.sample(world.neighbourhoods, min(len(world.neighbourhoods), places - places // 3))
    iris = Iris()
    out = [(f"/api/{q}", {"place": p.id}) for p in chosen for q in PLACE_QUERIES]
    for a in rng.sample(world.actors, min(len(world.actors), actors)):
        out += [("/api/entity", {"entity": iris.actor(a.id).value}), ("/api/mentions", {"entity": iris.actor(a.id).value})]
    out.append(("/api/actors", {"limit": 10000}))
    return out


def ask(client: TestClient, asked: list) -> tuple[list[bool], float]:
    cache = client.app.state.answer_cache
    hits, t = [], time.perf_counter()
    for path, params in asked:
        before = cache.hits
        r = client.get(path, params=params)
        if r.status_code != 200:
            raise SystemExit(f"{path} {params}: {r.status_code} {r.text[:300]}")
        hits.append(cache.hits == before + 1)
    return hits, time.perf_counter() - t


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", "-n", type=int, default=1000)
    ap.add_argument("--places", type=int, default=150, help="districts and neighbourhoods sampled (besides every governorate and city)")
    ap.add_argument("--actors", type=int, default=50)
    ap.add_argument("--work", type=Path, help="folder for the corpus and store (kept; default: a temporary one)")
    ap.add_argument("--no-verify", dest="verify", action="store_false")
    args = ap.parse_args(argv)
    from api import create_app

    work = args.work or Path(tempfile.mkdtemp(prefix="kg-cache-writes-"))
    corpus, new, disk = build(work, args.articles)
    run = work / "run-store"  # the load changes the store: each run on a copy
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(disk, run)
    app = create_app(store=run, write_token=TOKEN, corpus=corpus, isolation="process", workers=2,
                     limits=Limits(timeout=120))
    asked = requests(args.places, args.actors)
    annotation = next(new.glob("*.yaml"))
    analysis = []  # seconds kg.loading.touched.changes took (in the write, before it is answered)
    analyse = touched.changes

    def timed(*a):
        t = time.perf_counter()
        try:
            return analyse(*a)
        finally:
            analysis.append(time.perf_counter() - t)

    touched.changes = timed
    with TestClient(app) as c:
        _, cold = ask(c, asked)
        warm_hits, warm = ask(c, asked)
        assert all(warm_hits), "every answer is kept before the write"
        t = time.perf_counter()
        r = c.post("/load", headers={"authorization": f"Bearer {TOKEN}"},
                   files={"annotation": (annotation.name, annotation.read_bytes()),
                          "text": (annotation.with_suffix(".txt").name, annotation.with_suffix(".txt").read_bytes())})
        assert r.status_code == 200, r.text
        loaded = time.perf_counter() - t
        hits, after = ask(c, asked)
        stale = 0
        if args.verify:
            with TestClient(create_app(store=app.state.store, isolation="thread", limits=Limits(timeout=120))) as fresh:
                for (path, params), kept in zip(asked, hits):
                    if kept and c.get(path, params=params).content != fresh.get(path, params=params).content:
                        stale += 1
                        print("STALE", path, params)
    per = Counter(path for path, _ in asked)
    kept = Counter(path for (path, _), h in zip(asked, hits) if h)
    print(f"\n{args.articles} articles + 1 loaded over HTTP ({annotation.stem}): {len(asked)} canned requests")
    print(f"cold round {cold:.1f} s, warm round {warm:.2f} s, POST /load {loaded:.1f} s (of which analysing what it "
          f"changed {sum(analysis):.2f} s), round after the load {after:.1f} s")
    print(f"kept after the load: {sum(hits)}/{len(asked)} = {sum(hits) / len(asked):.1%}"
          + (f"; stale kept answers: {stale}" if args.verify else ""))
    for path in per:
        print(f"  {path:<28} {kept[path]:>4}/{per[path]:<4} kept")
    shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    main()
