"""Draft one article: from its text to an annotation file whose every item awaits review.

The steps, each in its module: the body and its sentences (text), metadata (metadata), places
and actors (gazetteer, names), events and agreements (lexicon), figures (quantities), who reports
each (attribution), dates (dates); then every item gets a unique quote and a `review:` record:
the rule that proposed it, a confidence, status pending, and notes and alternatives where the
draft could not decide. Nothing is guessed silently: an ambiguous name lists its candidates."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kg.drafting import attribution, dates, lexicon, metadata, names, quantities
from kg.drafting import text as T
from kg.drafting.gazetteer import COUNTRY_NAMES, LOCATIVE, Entry, Gazetteer, Hit, elsewhere, fold

ARMED = {"StateArmedForce", "NonStateArmedGroup", "ProGovernmentMilitia", "RebelCoalition", "Government",
         "State", "SecurityService"}
CIVIL = {"CivilianGroup", "ReligiousGroup", "Person"}


def review(rule: str, confidence: float, note: str | None = None, alternatives: list | None = None) -> dict:
    r = {"status": "pending", "rule": rule, "confidence": round(confidence, 2)}
    if note:
        r["note"] = note
    if alternatives:
        r["alternatives"] = alternatives
    return r


@dataclass
class Found:
    """A place or actor named in the text, resolved to an id of the draft."""

    start: int
    end: int
    id: str
    kind: str
    type: str
    label: str


@dataclass
class Draft:
    text: str
    lo: int
    hi: int
    published: dt.date | None
    doc: dict = field(default_factory=dict)
    found: list[Found] = field(default_factory=list)
    ids: set = field(default_factory=set)
    local: dict = field(default_factory=dict)  # id -> place/actor entry of this article

    def quote(self, start: int, end: int, least_words: int = 1) -> str | None:
        return T.unique_quote(self.text, start, end, self.lo, self.hi, least_words)

    def new_id(self, base: str, taken: set) -> str:
        base = names.slug(base)
        ident, n = base, 2
        while ident in taken:
            ident, n = f"{base}-{n}", n + 1
        taken.add(ident)
        return ident


def draft(text_path: Path, corpus: Path, published: dt.date | None = None, publisher: str | None = None,
          article_id: str | None = None, gazetteer: Gazetteer | None = None) -> dict:
    """The draft annotation of the article at `text_path`, as a YAML-ready tree."""
    text = text_path.read_text(encoding="utf-8")
    gaz = gazetteer or Gazetteer.from_corpus(corpus, exclude={text_path.with_suffix(".yaml").name})
    lo, hi = T.body_span(text)
    corpus_ids = {e.id for e in gaz.corpus}
    # --- metadata
    known_people = {e.label.lower(): e.id for e in gaz.corpus if e.kind == "actor"}
    outlets = {n: e.id for e in gaz.corpus if e.kind == "actor" and e.type == "MediaOutlet" for n in e.names}
    pub_meta, new_outlet = metadata.publisher(text, (lo, hi), outlets, publisher)
    authors, new_authors = metadata.byline(text, lo, hi, known_people)
    date_meta, day = metadata.published(text, lo, published)
    d = Draft(text, lo, hi, day)
    d.ids |= corpus_ids
    aid = article_id or names.slug("a-" + text_path.stem)
    article = {"id": aid, "text": text_path.name,
               "body": {"start": T.edge_quote(text, lo, True), "end": T.edge_quote(text, hi, False)},
               "headline": metadata.headline(text, lo), "publisher": pub_meta}
    if authors:
        article["authors"] = authors
    article["published"] = date_meta
    for key in ("headline", "publisher", "published"):
        article[key]["review"] = review(f"metadata.{key}", 0.8 if article[key].get("quote") else 0.4)
    for a in article.get("authors", []):
        a["review"] = review("metadata.byline", 0.8)
    d.doc["article"] = article
    places, actors, mentions = [], [], []
    for entry in [new_outlet] * bool(new_outlet) + new_authors:
        if entry["id"] not in d.ids:
            d.ids.add(entry["id"])
            actors.append({**entry, "review": review("metadata.byline" if entry in new_authors else "metadata.publisher", 0.7)})
    # --- places and actors
    hits = gaz.find(text, lo, hi)
    _entities(d, gaz, hits, places, actors, mentions)
    publisher_id = pub_meta["value"]
    d.doc.update(places=places, actors=actors, mentions=mentions)
    # --- events, agreements, figures
    events, agreements, casualties = _facts(d, publisher_id, actors)
    if publisher_id is None and any(c["reportedBy"] == ["unnamed-publisher"] for c in casualties):
        pub_meta.update(value="unnamed-publisher")
        pub_meta["reason"] += "; figures the article states itself are reported by it: replace unnamed-publisher"
        actors.append({"id": "unnamed-publisher", "type": "MediaOutlet", "label": "the publisher of this page (not named)",
                       "review": review("metadata.publisher", 0.2, "the page names no publisher")})
    d.doc.update(events=events, agreements=agreements, casualties=casualties)
    return {k: v for k, v in d.doc.items() if v or k == "article"}


# --- places and actors ----------------------------------------------------------------------------


def _entities(d: Draft, gaz: Gazetteer, hits: list[Hit], places: list, actors: list, mentions: list):
    text = d.text
    mentioned: dict[str, dict] = {}
    # a person's name wins over a GeoNames place it happens to resemble ("activist Orhan Gazi")
    people = [(p.start, p.end) for p in names.propose(text, d.lo, d.hi, []) if p.type == "Person"]
    hits = [h for h in hits if h.entries[0].source != "geonames" or not any(a < h.end and h.start < b for a, b in people)]
    for h in hits:
        entry = _choose(text, h)
        alternatives = [_describe(e) for e in h.entries if e is not entry] if _ambiguous(h, entry) else []
        if entry.id:  # a corpus entity: reuse its id
            if entry.id not in mentioned and entry.id not in d.local:
                q = d.quote(h.start, h.end)
                if q:
                    note = h.note
                    if entry.kind == "place" and entry.source == "entities.yaml":
                        abroad = elsewhere(entry.names)
                        if abroad:
                            note = ((note + "; ") if note else "") + "also the name of " + ", ".join(
                                f"a place in {COUNTRY_NAMES.get(c['countrycode'], c['countrycode'])} "
                                f"(GeoNames {c['geonameid']})" for c in abroad[:3])
                    conf = (0.9 if h.how == "exact" else 0.6) * (0.5 if alternatives else 1)
                    item = {"entity": entry.id, "quote": q,
                            "review": review(f"gazetteer.{h.how}" + ("" if entry.source == "entities.yaml" else ".article"),
                                             conf, note, alternatives)}
                    if entry.source != "entities.yaml":  # defined in another article: a flagged copy here
                        mentioned[entry.id] = _local_copy(d, entry, h, places, actors, q)
                    else:
                        mentions.append(item)
                        mentioned[entry.id] = entry.id
            if entry.id in mentioned:
                d.found.append(Found(h.start, h.end, mentioned[entry.id], entry.kind, entry.type, entry.label))
        elif entry.type == "Country" and not _locative(text, h.start):  # "supported by Russia and Iran": the state
            ident = next((i for i, a in d.local.items() if a.get("label") == f"{h.name} (state)"), None)
            if ident is None:
                q = d.quote(h.start, h.end)
                if not q:
                    continue
                ident = d.new_id(f"{h.name}-state", d.ids)
                item = {"id": ident, "type": "State", "label": f"{h.name} (state)", "aliases": [h.name], "quote": q,
                        "review": review("geonames.country-as-state", 0.4,
                                         f"the country named as an actor; the place is GeoNames {entry.geonames}")}
                actors.append(item)
                d.local[ident] = item
            d.found.append(Found(h.start, h.end, ident, "actor", "State", h.name))
        else:  # a GeoNames place no article has named
            key = fold(h.name)
            ident = next((i for i, p in d.local.items() if fold(p["label"]) == key), None)
            if ident is None:
                q = d.quote(h.start, h.end)
                if not q:
                    continue
                ident = d.new_id(h.name, d.ids)
                place = {"id": ident, "type": entry.type, "label": h.name}
                if alternatives:
                    place["review"] = review("geonames.ambiguous", 0.3, f"{len(h.entries)} GeoNames places bear this name; "
                                             "pick one (its id and coordinates) or none", [_describe(e) for e in h.entries])
                else:
                    if fold(entry.label) != key:
                        place["aliases"] = [entry.label]
                    if entry.coordinates:
                        place["coordinates"] = [round(entry.coordinates[0], 5), round(entry.coordinates[1], 5)]
                    place["geonames"] = entry.geonames
                    abroad = [c for c in elsewhere(entry.names, entry.country) if int(c["geonameid"]) != entry.geonames]
                    note = (f"GeoNames {entry.geonames}: {entry.label} "
                            f"({COUNTRY_NAMES.get(entry.country, entry.country)}, population {entry.population})")
                    if abroad:
                        note += "; also the name of " + ", ".join(
                            f"a place in {COUNTRY_NAMES.get(c['countrycode'], c['countrycode'])} (GeoNames {c['geonameid']})"
                            for c in abroad[:3])
                    place["note"] = note
                    place["review"] = review(f"geonames.{h.how}", 0.6 if h.how == "exact" else 0.4, h.note,
                                             [_describe_city(c) for c in abroad[:3]] if abroad else None)
                place["quote"] = q
                places.append({k: place[k] for k in ("id", "type", "label", "aliases", "coordinates", "geonames",
                                                      "note", "quote", "review") if k in place})
                d.local[ident] = place
            d.found.append(Found(h.start, h.end, ident, "place", entry.type, h.name))
    _proposals(d, gaz, places, actors)


def _local_copy(d: Draft, entry: Entry, h: Hit, places: list, actors: list, quote: str):
    """An entity another article defines: this article may not reuse its id (ids defined in an
    article are that article's own). Propose it again here under a new id, flagged: the reviewer
    moves the other article's entry to entities.yaml and mentions it from both."""
    ident = d.new_id(entry.id, d.ids)
    item = {"id": ident, "type": entry.type, "label": entry.label}
    if len(entry.names) > 1:
        item["aliases"] = entry.names[1:]
    item["quote"] = quote
    item["review"] = review("gazetteer.other-article", 0.5,
                            f"the same as {entry.id!r}, which {entry.source} defines: two articles may not share an "
                            f"article-local id; move {entry.id!r} to entities.yaml and mention it here instead",
                            [entry.id])
    (places if entry.kind == "place" else actors).append(item)
    d.local[ident] = item
    return ident


def _proposals(d: Draft, gaz: Gazetteer, places: list, actors: list):
    text = d.text
    spans = [(f.start, f.end) for f in d.found]
    generic = {fold(n): e.id for e in gaz.corpus if e.kind == "actor" for n in e.names}
    types = {e.id: e.type for e in gaz.corpus}
    proposals = names.propose(text, d.lo, d.hi, spans)
    place_hits = [(f.start, f.end, f.label, f.id) for f in d.found if f.kind == "place"]
    place_hits += [(p.start, p.end, p.label, None) for p in proposals if p.kind == "place"]
    proposals += names.list_neighbours(text, d.lo, d.hi, place_hits, spans + [(p.start, p.end) for p in proposals])
    proposals += names.group_in_place(text, d.lo, d.hi, place_hits)
    by_label: dict[str, str] = {}
    for p in sorted(proposals, key=lambda p: -p.confidence):
        key = (p.kind, fold(p.label))
        if p.kind == "actor" and key[1] in generic:  # the corpus knows the name after all (a title stripped, say)
            d.found.append(Found(p.start, p.end, generic[key[1]], p.kind, types[generic[key[1]]], p.label))
            continue
        if key in by_label:
            d.found.append(Found(p.start, p.end, by_label[key], p.kind, p.type, p.label))
            continue
        q = d.quote(p.start, p.end)
        if not q:
            continue
        ident = d.new_id(p.label, d.ids)
        by_label[key] = ident
        item = {"id": ident, "type": p.type, "label": p.label}
        member = generic.get(p.generic) if p.generic else None
        if member and p.kind == "actor":
            item["memberOf"] = [member]
        item["quote"] = q
        item["review"] = review(p.rule, p.confidence, "type guessed from the words; check it")
        (places if p.kind == "place" else actors).append(item)
        d.local[ident] = item
        d.found.append(Found(p.start, p.end, ident, p.kind, p.type, p.label))
    d.found.sort(key=lambda f: f.start)


def _locative(text: str, at: int) -> bool:
    prev = re.search(r"(\w+)\W*(?:(?:the|a|an|neighbou?ring|nearby|northern|southern|eastern|western)\W+)*$",
                     text[max(0, at - 40):at], re.I)
    return bool(prev and prev.group(1).lower() in LOCATIVE)


def _choose(text: str, h: Hit) -> Entry:
    """Of a name's entries, the one the context points to: a place after "in", "to", "from"...,
    else an actor; among equals the shared (entities.yaml) one, then the first."""
    kinds = {e.kind for e in h.entries}
    candidates = h.entries
    if len(kinds) > 1:
        want = "place" if _locative(text, h.start) else "actor"
        candidates = [e for e in h.entries if e.kind == want] or h.entries
    shared = [e for e in candidates if e.source == "entities.yaml"]
    return (shared or candidates)[0]


def _ambiguous(h: Hit, chosen: Entry) -> bool:
    same_kind = [e for e in h.entries if e.kind == chosen.kind]
    return len(same_kind) > 1


def _describe_city(c: dict) -> str:
    return (f"GeoNames {c['geonameid']}: {c['name']} ({COUNTRY_NAMES.get(c['countrycode'], c['countrycode'])}, "
            f"population {c.get('population', 0)})")


def _describe(e: Entry) -> str:
    if e.source == "geonames":
        where = f"{e.coordinates[0]:.4f} {e.coordinates[1]:.4f}, " if e.coordinates else ""
        return f"GeoNames {e.geonames}: {e.label} ({COUNTRY_NAMES.get(e.country, e.country)}, {where}population {e.population})"
    return f"{e.id} ({e.kind}, {e.type}, from {e.source})"


# --- events, agreements and figures ---------------------------------------------------------------


def _trigger_patterns():
    def compile_(table):
        return {t: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b", re.I)
                for t, words in table.items()}
    return compile_(lexicon.EVENTS), compile_(lexicon.AGREEMENTS)


EVENT_PATTERNS, AGREEMENT_PATTERNS = _trigger_patterns()


def _facts(d: Draft, publisher_id: str | None, actors: list) -> tuple[list, list, list]:
    text = d.text
    events, agreements, casualties = [], [], []
    event_ids, agreement_ids, casualty_ids = set(), set(), set()
    people = {a["id"] for a in actors if a.get("type") == "Person"}
    named = [attribution.Named(f.start, f.end, f.id, f.type) for f in d.found if f.kind == "actor"]
    last_person = None
    found_dates = dates.find_dates(text, d.lo, d.hi, d.published)
    carried, paragraph_end = (None, None), -1
    for s in T.sentences(text, d.lo, d.hi):
        reporter, rule = attribution.reporter(s.text, s.start, named, last_person)
        if s.start > paragraph_end:  # a new paragraph: nothing carries over
            carried, paragraph_end = (None, None), text.find("\n", s.start) % (len(text) + 1) or len(text)
        if reporter:
            carried = (reporter, rule)
        elif carried[0]:  # "X said it had documented...; About 100 others were wounded": X still speaks
            reporter, rule = carried[0], "attribution.carried"
        for f in d.found:
            if s.start <= f.start < s.end and f.kind == "actor" and (f.id in people or f.type == "Person"):
                last_person = f.id
        sentence_events = _events(d, s, reporter, found_dates, event_ids)
        events += sentence_events
        agreements += _agreements(d, s, reporter, found_dates, agreement_ids)
        casualties += _figures(d, s, reporter, rule, publisher_id, found_dates, sentence_events, casualty_ids)
    return events, agreements, casualties


def _in(f_or_span, lo, hi) -> bool:
    start = f_or_span.start if hasattr(f_or_span, "start") else f_or_span[0]
    return lo <= start < hi


def _nearest_places(d: Draft, lo: int, hi: int, at: int, sentence: T.Sentence) -> list[str]:
    inside = [f for f in d.found if f.kind == "place" and _in(f, lo, hi)]
    if not inside:
        inside = [f for f in d.found if f.kind == "place" and _in(f, sentence.start, sentence.end)]
    if not inside:
        return []
    best = min(inside, key=lambda f: abs(f.start - at))
    return [best.id]


def _when(found_dates, lo: int, hi: int, sentence: T.Sentence) -> dict | None:
    inside = [w for s, e, w in found_dates if lo <= s < hi] or \
             [w for s, e, w in found_dates if sentence.start <= s < sentence.end]
    return dict(inside[0]) if inside else None


def _events(d: Draft, s: T.Sentence, reporter: str | None, found_dates, taken: set) -> list[dict]:
    text = d.text
    by_clause: dict[tuple[int, int], dict[str, re.Match]] = {}
    for etype, pattern in EVENT_PATTERNS.items():
        for m in pattern.finditer(text, s.start, s.end):
            span = T.clause(text, s, m.start())
            by_clause.setdefault(span, {}).setdefault(etype, m)
    out = []
    for (lo, hi), triggers in by_clause.items():
        for general in [g for t in triggers for g in lexicon.SPECIFIC.get(t, ())]:
            triggers.pop(general, None)
        for etype, m in triggers.items():
            q = d.quote(lo, hi, least_words=3)
            if not q:
                continue
            place = _nearest_places(d, lo, hi, m.start(), s)
            event = {"id": d.new_id(f"{etype}-{place[0] if place else 'event'}", taken), "type": etype,
                     "label": _label(text[lo:hi]), "quote": q}
            when = _when(found_dates, lo, hi, s)
            if when:
                event["when"] = when
            if place:
                event["places"] = place
            for role, ids in _roles(d, etype, lo, hi, m.start(), reporter).items():
                event[role] = ids
            if reporter:
                event["reportedBy"] = [reporter]
            mod = lexicon.modality(text[lo:hi])
            if mod != "occurred":
                event["modality"] = mod
            event["review"] = review(f"trigger.{etype}:{m.group(0).lower()}", 0.5 + 0.1 * bool(place))
            out.append(event)
    return out


def _roles(d: Draft, etype: str, lo: int, hi: int, at: int, reporter: str | None) -> dict:
    roles: dict[str, list] = {}
    for f in d.found:
        if f.kind != "actor" or not _in(f, lo, hi) or f.id == reporter:
            continue
        if etype in lexicon.VIOLENT:
            role = ("attacker" if f.start < at else "target") if f.type in ARMED else "victim"
        elif etype in lexicon.SPEAKING:
            role = "speaker" if f.start < at else "participant"
        else:
            role = "participant"
        if f.id not in roles.get(role, []):
            roles.setdefault(role, []).append(f.id)
    return roles


def _agreements(d: Draft, s: T.Sentence, reporter: str | None, found_dates, taken: set) -> list[dict]:
    text = d.text
    for atype, pattern in AGREEMENT_PATTERNS.items():
        m = pattern.search(text, s.start, s.end)
        if not m:
            continue
        lo, hi = T.clause(text, s, m.start(), least_words=8)
        q = d.quote(lo, hi, least_words=3)
        if not q:
            return []
        place = _nearest_places(d, s.start, s.end, m.start(), s)
        item = {"id": d.new_id(f"{atype}-{place[0] if place else 'agreement'}", taken),
                "type": lexicon.agreement_types(atype, s.text), "label": _label(text[lo:hi]), "quote": q,
                "status": lexicon.agreement_status(s.text)}
        when = _when(found_dates, lo, hi, s)
        if when:
            item["when"] = when
        if place:
            item["places"] = place
        parties = [f.id for f in d.found if f.kind == "actor" and _in(f, s.start, s.end) and f.type in ARMED | {"OppositionBody"}]
        if parties:
            item["parties"] = list(dict.fromkeys(parties))
        if reporter:
            item["reportedBy"] = [reporter]
        item["review"] = review(f"trigger.{atype}:{m.group(0).lower()}", 0.6)
        return [item]
    return []


def _figures(d: Draft, s: T.Sentence, reporter: str | None, rule: str, publisher_id: str | None, found_dates,
             events: list[dict], taken: set) -> list[dict]:
    text = d.text
    out = []
    for q in quantities.quantities(text, s.start, s.end):
        found, others = quantities.casualties(text, (s.start, s.end), [q])
        for c in found:
            quote = d.quote(c.start, c.end, least_words=2)
            if not quote:
                continue
            lo, hi = T.clause(text, s, c.start)
            item = {"id": d.new_id(f"{c.victims}-{c.outcome[0]}", taken), "quote": quote, **c.quantity.as_fields(),
                    "victims": c.victims, "outcome": c.outcome if len(c.outcome) > 1 else c.outcome[0]}
            place = _nearest_places(d, lo, hi, c.start, s)
            if place:
                item["places"] = place
            event = _event_of(d, events, c.start, c.end)
            if event:
                item["event"] = event
            when = _when(found_dates, lo, hi, s)
            if when:
                item["when"] = when
            item["reportedBy"] = [reporter or publisher_id or "unnamed-publisher"]
            note = None if reporter else "no attribution in the sentence: reported by the publisher"
            item["review"] = review(f"quantity.casualty+{rule}", 0.6 if reporter else 0.5, note)
            out.append(item)
        for qty, noun in others:
            _event_figure(d, events, qty, noun, reporter)
    return out


def _event_of(d: Draft, events: list[dict], start: int, end: int) -> str | None:
    best = None
    for e in events:
        span = T._compiled(e["quote"]).search(d.text, d.lo, d.hi)
        if span and span.start() <= start and end <= span.end() + 40:
            best = e["id"]
    return best or (events[0]["id"] if events else None)


def _event_figure(d: Draft, events: list[dict], q: quantities.Quantity, noun: str, reporter: str | None):
    if not events or not noun or not re.match(r"[a-z]", noun):
        return
    event = next((e for e in events if q.text in e["quote"]), events[0])
    end = q.end + len(d.text[q.end:].split(noun, 1)[0]) + len(noun)
    quote = d.quote(q.start, end, least_words=2)
    if not quote:
        return
    figure = {"id": names.slug(noun)[:40] or "figure", "of": noun, **q.as_fields(), "quote": quote}
    if reporter:
        figure["reportedBy"] = [reporter]
    figure["review"] = review("quantity.figure", 0.4)
    figures = event.setdefault("figures", [])
    ids = {f["id"] for f in figures}
    base, n = figure["id"], 2
    while figure["id"] in ids:
        figure["id"], n = f"{base}-{n}", n + 1
    # keep `review` last in the event: figures go before it
    rv = event.pop("review")
    figures.append(figure)
    event["review"] = rv


def _label(clause: str, most: int = 90) -> str:
    words = " ".join(clause.split()).strip("“”\"' ")
    return words if len(words) <= most else words[: most - 1].rsplit(" ", 1)[0] + "…"


def summary(doc: dict) -> Counter:
    """How many items of each section a draft proposes."""
    c = Counter()
    for section in ("places", "actors", "mentions", "events", "agreements", "casualties"):
        c[section] = len(doc.get(section) or [])
    c["figures"] = sum(len(e.get("figures") or []) for e in doc.get("events") or [])
    return c
