"""`kg draft` measured against the hand annotations: leave one out over the seed articles.

    python -m bench.draft [--hints] [--json FILE] [--only 000]

For each seed article in turn: its annotation is set aside, and so are the places and actors it
alone defines or uses (its article-local ones, and the entities.yaml entries no other article
names); the draft is made from its text with the rest of the corpus as the gazetteer; then it is
compared with the hand annotation, class by class:

  places, actors   a hand item (a local definition or a mention) is found when a draft item has
                   its id (a reused corpus id), or a quote overlapping the hand quote, or a label
                   within rapidfuzz ratio 85 of one of its names; precision the other way round
  events, agreements, casualties, figures
                   found when the quotes overlap (character spans in the text); for events also
                   whether a type agrees; for casualty figures whether the bounds
                   (count/about/min/max, or a vague amount), the outcome, the victims and the reporter
                   are right, and the share with bounds and outcome both right (the issue's target)
                   (a reporter the draft named anew counts as right when it is the actor the
                   entity comparison matched with the hand's reporter)
  dates            on matched events and casualties whose hand item has a `when`: the draft's dates
                   give the same first and last day

--hints gives the draft the hand annotation's publisher and publication date, as a person who
knows where the page came from would (`kg draft --publisher --published`); without it the draft
has only the page. Not a timed test: it prints a table (and JSON with --json)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from kg.drafting import draft as drafting
from kg.drafting.gazetteer import Gazetteer, corpus_entries, fold
from kg.loading import model
from kg.loading.quotes import _pattern

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
TARGETS = {"places": ("recall", 0.90), "actors": ("recall", 0.80), "casualties": ("bounds+outcome", 0.70),
           "events": ("recall", 0.60)}


def span(text: str, quote: str) -> tuple[int, int] | None:
    m = _pattern(quote).search(text)
    return (m.start(), m.end()) if m else None


def overlaps(a, b) -> bool:
    return bool(a and b and a[0] < b[1] and b[0] < a[1])


def ids_used(doc) -> set[str]:
    out = set()

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and re.fullmatch(model.SLUG_PATTERN, node):
            out.add(node)
    walk(doc)
    return out


def gazetteer_without(article: Path) -> Gazetteer:
    """The corpus minus the article: its file, and the shared entries only it uses."""
    docs = {f.name: yaml.safe_load(f.read_text(encoding="utf-8")) for f in SEEDS.glob("0*.yaml")}
    used_elsewhere = set().union(*(ids_used(d) for name, d in docs.items() if name != article.name))
    entries = [e for e in corpus_entries(SEEDS, exclude={article.name})
               if e.source != "entities.yaml" or e.id in used_elsewhere]
    return Gazetteer(entries)


# --- items of a file, as comparable records ------------------------------------------------------


def entity_items(doc: dict, kind: str, text: str, kinds_of: dict) -> list[dict]:
    out = []
    for item in doc.get(kind + "s") or []:
        out.append({"id": item["id"], "names": [item["label"], *(item.get("aliases") or [])],
                    "span": span(text, item["quote"]) if item.get("quote") else None})
    for m in doc.get("mentions") or []:
        if kinds_of.get(m["entity"]) == kind:
            out.append({"id": m["entity"], "names": kinds_of.get(("names", m["entity"]), []),
                        "span": span(text, m["quote"])})
    return out


def same_entity(a: dict, b: dict) -> bool:
    if a["id"] == b["id"] or overlaps(a["span"], b["span"]):
        return True
    return any(fuzz.ratio(fold(x), fold(y)) >= 85 for x in a["names"] for y in b["names"])


def closeness(a: dict, b: dict) -> float:
    """How surely two matched entity items are one: same id, then same name, then the best ratio."""
    if a["id"] == b["id"]:
        return 300
    ratio = max(fuzz.ratio(fold(x), fold(y)) for x in a["names"] for y in b["names"])
    return 200 if ratio == 100 else ratio + (50 if overlaps(a["span"], b["span"]) else 0)


def fact_items(doc: dict, section: str, text: str) -> list[dict]:
    items = []
    if section == "figures":
        for e in doc.get("events") or []:
            for f in e.get("figures") or []:
                items.append({**f, "span": span(text, f["quote"])})
        return items
    for item in doc.get(section) or []:
        items.append({**item, "span": span(text, item["quote"])})
    return items


def match(hand: list[dict], drafted: list[dict], same) -> tuple[int, int, list[tuple[dict, dict]]]:
    """(hand items found, draft items that match a hand item, pairs: each hand item with its best)."""
    pairs = []
    for h in hand:
        hits = [d for d in drafted if same(h, d)]
        if hits:
            pairs.append((h, hits))
    precise = sum(1 for d in drafted if any(same(h, d) for h in hand))
    return len(pairs), precise, pairs


def _types(item) -> set:
    t = item.get("type")
    return set(t if isinstance(t, list) else [t])


def _bounds(c: dict) -> tuple:
    numbers = tuple(c.get(k) for k in ("count", "about", "min", "max"))
    return numbers if any(n is not None for n in numbers) else ("vague",)


def _outcome(c: dict) -> set:
    o = c.get("outcome")
    return set(o if isinstance(o, list) else [o])


def _days(when: dict | None):
    if not when:
        return None
    try:
        return model.When.model_validate(when).bounds()[:2]
    except Exception:
        return None


def compare(hand: dict, drafted: dict, text: str, kinds_of: dict) -> dict:
    rows, same_as = {}, {}  # draft entity id -> the hand id it was matched with
    for kind in ("place", "actor"):
        h, d = entity_items(hand, kind, text, kinds_of), entity_items(drafted, kind, text, kinds_of)
        found, precise, pairs = match(h, d, same_entity)
        best: dict[str, tuple] = {}
        for a, bs in pairs:
            for b in bs:
                score = closeness(a, b)
                if score > best.get(b["id"], (-1,))[0]:
                    best[b["id"]] = (score, a["id"])
        same_as.update({k: v[1] for k, v in best.items()})
        rows[kind + "s"] = {"hand": len(h), "draft": len(d), "found": found, "precise": precise}
    same_as.update({m: m for m in [hand["article"].get("publisher", {}).get("value")] if m})
    dated = {"hand": 0, "draft": 0, "right": 0}
    for section in ("events", "agreements", "casualties", "figures"):
        h, d = fact_items(hand, section, text), fact_items(drafted, section, text)
        found, precise, pairs = match(h, d, lambda a, b: overlaps(a["span"], b["span"]))
        row = {"hand": len(h), "draft": len(d), "found": found, "precise": precise}
        if section in ("events", "agreements"):
            row["type right"] = sum(1 for a, bs in pairs if any(_types(a) & _types(b) for b in bs))
        if section == "casualties":
            best = [(a, next((b for b in bs if _bounds(b) == _bounds(a)), bs[0])) for a, bs in pairs]
            row["bounds right"] = sum(1 for a, b in best if _bounds(a) == _bounds(b))
            row["outcome right"] = sum(1 for a, b in best if _outcome(a) == _outcome(b))
            row["bounds+outcome"] = sum(1 for a, b in best if _bounds(a) == _bounds(b) and _outcome(a) == _outcome(b))
            row["victims right"] = sum(1 for a, b in best if a["victims"] == b["victims"])
            row["reporter right"] = sum(1 for a, b in best
                                        if set(a["reportedBy"]) == {same_as.get(r, r) for r in b["reportedBy"]})
        if section == "figures":
            row["bounds right"] = sum(1 for a, bs in pairs if any(_bounds(b) == _bounds(a) for b in bs))
        rows[section] = row
        if section in ("events", "casualties"):
            for a, bs in pairs:
                if a.get("when"):
                    dated["hand"] += 1
                    drafted_days = [_days(b.get("when")) for b in bs if b.get("when")]
                    dated["draft"] += bool(drafted_days)
                    dated["right"] += _days(a["when"]) in drafted_days
    rows["dates"] = {"hand": dated["hand"], "draft": dated["draft"], "found": dated["right"], "precise": dated["right"]}
    return rows


def run(hints: bool, only: str | None) -> dict:
    entities = yaml.safe_load((SEEDS / "entities.yaml").read_text(encoding="utf-8"))
    results = {}
    for yaml_file in sorted(SEEDS.glob("0*.yaml")):
        if only and not yaml_file.name.startswith(only):
            continue
        hand = yaml.safe_load(yaml_file.read_text(encoding="utf-8"))
        text_file = SEEDS / hand["article"]["text"]
        text = text_file.read_text(encoding="utf-8")
        kinds_of = {}
        for doc in [entities, hand]:
            for kind in ("place", "actor"):
                for item in doc.get(kind + "s") or []:
                    kinds_of[item["id"]] = kind
                    kinds_of[("names", item["id"])] = [item["label"], *(item.get("aliases") or [])]
        clock = time.perf_counter()
        gazetteer = gazetteer_without(yaml_file)
        gaz_seconds = time.perf_counter() - clock
        published = publisher = None
        if hints:
            meta = hand["article"]
            value = (meta.get("published") or {}).get("value")
            published = dt.date.fromisoformat(str(value)) if value and len(str(value)) == 10 else None
            publisher = (meta.get("publisher") or {}).get("value")
        clock = time.perf_counter()
        drafted = drafting.draft(text_file, SEEDS, published, publisher, gazetteer=gazetteer)
        seconds = time.perf_counter() - clock
        for doc in [drafted]:
            for kind in ("place", "actor"):
                for item in doc.get(kind + "s") or []:
                    kinds_of.setdefault(item["id"], kind)
        rows = compare(hand, drafted, text, kinds_of)
        results[yaml_file.stem] = {"rows": rows, "seconds": round(seconds, 2), "gazetteer_seconds": round(gaz_seconds, 2)}
        print(f"{yaml_file.stem}: drafted in {seconds:.1f} s (gazetteer {gaz_seconds:.1f} s)", file=sys.stderr)
    return results


def table(results: dict) -> str:
    classes = ["places", "actors", "events", "agreements", "casualties", "figures", "dates"]
    total = {c: {} for c in classes}
    for r in results.values():
        for c in classes:
            for k, v in r["rows"][c].items():
                total[c][k] = total[c].get(k, 0) + v
    pct = lambda a, b: f"{100 * a / b:5.1f}%" if b else "    -"  # noqa: E731
    lines = [f"{'class':<12}{'hand':>6}{'draft':>7}{'recall':>9}{'precision':>11}  details",
             "-" * 100]
    for c in classes:
        t = total[c]
        extra = []
        for key in ("type right", "bounds right", "outcome right", "bounds+outcome", "victims right", "reporter right"):
            if key in t:
                extra.append(f"{key} {t[key]}/{t['hand']} ({pct(t[key], t['hand']).strip()})")
        lines.append(f"{c:<12}{t['hand']:>6}{t['draft']:>7}{pct(t['found'], t['hand']):>9}"
                     f"{pct(t['precise'], t['draft']):>11}  " + "; ".join(extra))
    lines.append("")
    for name, (measure, target) in TARGETS.items():
        t = total[name]
        got = (t["bounds+outcome"] if measure == "bounds+outcome" else t["found"]) / t["hand"] if t["hand"] else 0
        extra = ""
        if name == "events":
            prec = t["precise"] / t["draft"] if t["draft"] else 0
            extra = f", precision {100 * prec:.1f}% (target 60%)"
        lines.append(f"target {name} {measure} >= {100 * target:.0f}%: {100 * got:.1f}%{extra}")
    seconds = sum(r["seconds"] for r in results.values())
    lines.append(f"drafting time: {seconds:.1f} s for {len(results)} articles (plus the gazetteer)")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hints", action="store_true", help="give the draft the hand publisher and date")
    parser.add_argument("--only", default=None, help="only the seed whose file name starts with this")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    results = run(args.hints, args.only)
    print(table(results))
    for name, r in results.items():
        print(f"\n{name}: " + "; ".join(f"{c} {v['found']}/{v['hand']} found, {v['precise']}/{v['draft']} precise"
                                         for c, v in r["rows"].items()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
