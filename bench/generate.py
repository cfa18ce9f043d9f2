"""A deterministic corpus of synthetic annotated articles, in the project's own format.

    python -m bench.generate --articles 1000 --out bench/out/corpus-1k [--seed 6]

writes `entities.yaml` (a place hierarchy of a few thousand places: governorates, cities, districts,
neighbourhoods, sites; a few hundred actors with aliases) and, per article, `NNNNNN_<hash>.txt`
(page furniture around a body of generated sentences) and `NNNNNN_<hash>.yaml` (its annotation:
~10 events, agreements including ceasefires and truces in neighbourhoods, casualty figures with
their reporters, conflicting figures from different sources, claims, mentions and a local actor).

Every quote is a phrase of the generated body and occurs there exactly once (checked as it is
written, with the loader's own matcher); the same seed and size give byte-identical files. Article
i depends only on (seed, i), so the 1k corpus is the first thousand articles of the 100k one.
The format is docs/annotation-format.md; `kg validate --no-shacl` accepts the output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# --- vocabulary (the ontology's own type names) ------------------------------------------------

EVENT_TYPES = {  # type -> (verb phrase, roles used)
    "Shelling": ("shelled", "attacker target"),
    "AirStrike": ("carried out air strikes on", "attacker target"),
    "ArmedClash": ("clashed with rebels in", "participant"),
    "GroundAssault": ("stormed", "attacker target"),
    "Bombing": ("bombed a market in", "attacker victim"),
    "CarBombing": ("set off a car bomb in", "attacker victim"),
    "Shooting": ("opened fire on protesters in", "attacker victim"),
    "Siege": ("tightened the siege of", "attacker target"),
    "CaptureOfTerritory": ("took control of", "attacker target"),
    "Withdrawal": ("withdrew from", "participant"),
    "Evacuation": ("evacuated civilians from", "organiser participant"),
    "Displacement": ("drove families out of", "attacker victim"),
    "AidDelivery": ("delivered food and medicine to", "organiser"),
    "Protest": ("marched through", "participant"),
    "Negotiation": ("held talks over", "participant mediator"),
    "Statement": ("issued a statement about", "speaker"),
    "CaptureOfPersons": ("detained young men in", "attacker victim"),
    "PrisonerRelease": ("released detainees from", "organiser"),
    "Defection": ("saw soldiers defect in", "participant"),
    "CommunicationsBlackout": ("cut telephone lines to", "attacker"),
}
SUB_EVENT_TYPES = ("Shelling", "AirStrike", "GroundAssault", "CaptureOfPersons", "Shooting")
AGREEMENT_KINDS = [  # (types, noun), weighted towards ceasefires
    (["Ceasefire"], "ceasefire"), (["Truce"], "truce"), (["Truce", "EvacuationDeal"], "truce and evacuation deal"),
    (["Ceasefire"], "ceasefire"), (["Truce"], "local truce"), (["AidAccessDeal"], "aid access deal"),
    (["SurrenderDeal"], "surrender deal"), (["Settlement"], "settlement"), (["EvacuationDeal"], "evacuation deal"),
]
STATUSES = ["proposed", "agreed", "implemented", "broke-down"]
VICTIMS = ["civilians", "fighters", "rebels", "soldiers", "children", "women", "residents", "people"]
OUTCOMES = ["killed", "wounded", "missing", "displaced", "captured"]
MODALITIES = ["occurred"] * 12 + ["ongoing", "alleged", "denied", "planned"]
VAGUE = ["scores", "dozens", "hundreds", "several"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

GOVERNORATES = ["Homs", "Hama", "Damascus", "Rif Dimashq", "Aleppo", "Idlib", "Latakia", "Tartus", "Daraa",
                "Quneitra", "Suwayda", "Raqqa", "Deir ez-Zor", "Hasakah"]
SYLLABLES = ["al", "bab", "tal", "kafr", "deir", "ain", "jab", "qas", "mar", "zah", "rab", "sal", "had", "nur",
             "dar", "sha", "wad", "jis", "ram", "kha", "hul", "qar", "bay", "tir", "mal", "fat", "zaw", "rus",
             "hamr", "kas", "naw", "tam", "ghar", "sab", "lad", "hin", "yab", "dum", "sur", "maz"]
SITE_TYPES = ["Mosque", "Hospital", "Roundabout", "Checkpoint", "Bridge", "Road", "Building", "Headquarters",
              "MilitaryBase", "Prison", "Citadel"]
FIRST = ["Ahmad", "Omar", "Khaled", "Rami", "Hassan", "Samer", "Layla", "Rana", "Yusuf", "Nour", "Bilal",
         "Fadi", "Hiba", "Majd", "Tariq", "Zaid", "Salma", "Karim", "Dima", "Walid"]
LAST = ["Haddad", "Khoury", "Mansour", "Saleh", "Nasser", "Darwish", "Hamdan", "Qassem", "Halabi", "Farouk",
        "Jaber", "Sabbagh", "Tamer", "Zein", "Attar", "Masri", "Shami", "Rifai", "Kurdi", "Homsi"]

SEED = 6
CORPUS_FILE = "corpus.json"  # the generator's parameters, beside the corpus (not an annotation file)
HOMS = "homs"  # the canned queries' default place must exist in every corpus
SENTINEL = "bab-hud"  # a neighbourhood with the same truces in every corpus (see build_world)
SENTINEL_EVERY, SENTINEL_UNTIL = 100, 1000


def slug(text: str) -> str:
    out, prev = [], "-"
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            prev = ch
        elif prev != "-":
            out.append("-")
            prev = "-"
    return "".join(out).strip("-")


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


# --- shared entities ---------------------------------------------------------------------------


@dataclass
class Place:
    id: str
    type: str
    label: str
    parent: str | None
    coords: tuple[float, float]
    aliases: list[str] = field(default_factory=list)
    level: int = 0


@dataclass
class Actor:
    id: str
    type: str
    label: str
    aliases: list[str] = field(default_factory=list)
    member_of: str | None = None
    based_in: str | None = None
    role: str = "other"  # armed-state | armed-rebel | monitor | media | journalist | org | civil | person


@dataclass
class World:
    places: list[Place]
    actors: list[Actor]
    neighbourhoods: list[Place]  # where most things happen (weighted)
    districts: list[Place]
    cities: list[Place]
    by_role: dict[str, list[Actor]]
    place_weights: list[float]


def _name(rng: random.Random, used: set[str], parts: int = 2) -> str:
    for attempt in range(10_000):
        name = "-".join(rng.choice(SYLLABLES) for _ in range(parts + attempt // 20))
        name = name[0].upper() + name[1:]
        if slug(name) not in used:
            used.add(slug(name))
            return name
    raise RuntimeError("no unused name left")


WORLDS = {  # (governorates, cities each, districts each, neighbourhoods each, actors scale)
    "full": (14, 8, 5, 4, 1.0),   # 3,458 places, 305 actors
    "small": (2, 2, 2, 2, 0.1),   # for the smoke test: a few dozen places and actors
}


def build_world(seed: int = SEED, world: str = "full") -> World:
    n_gov, n_city, n_district, n_hood, scale = WORLDS[world]

    def scaled(count: int) -> int:
        return max(2, round(count * scale))

    rng = random.Random(f"{seed}-world")
    used: set[str] = {"syria", HOMS}
    places = [Place("syria", "Country", "Syria", None, (35.0, 38.5), ["Syrian Arab Republic"])]
    cities, districts, neighbourhoods = [], [], []
    for gname in GOVERNORATES[:n_gov]:
        gov = Place(slug(gname) + "-governorate", "Governorate", f"{gname} Governorate", "syria",
                    (round(rng.uniform(32.5, 37), 4), round(rng.uniform(35.8, 42), 4)), [f"{gname} province"], 1)
        used.add(gov.id)
        places.append(gov)
        for c in range(n_city):
            if c == 0:
                label = gname if gname != "Rif Dimashq" else "Douma"
                cid = slug(label)
                used.add(cid)
            else:
                label = _name(rng, used)
                cid = slug(label)
            city = Place(cid, "City" if c < 3 else "Town", label, gov.id,
                         (round(gov.coords[0] + rng.uniform(-.5, .5), 4), round(gov.coords[1] + rng.uniform(-.5, .5), 4)),
                         [f"{label} city"] if c == 0 else [], 2)
            places.append(city)
            cities.append(city)
            for _d in range(n_district):
                dlabel = _name(rng, used)
                district = Place(slug(dlabel), "District", dlabel, city.id,
                                 (round(city.coords[0] + rng.uniform(-.05, .05), 4),
                                  round(city.coords[1] + rng.uniform(-.05, .05), 4)), [], 3)
                places.append(district)
                districts.append(district)
                for _n in range(n_hood):
                    nlabel = _name(rng, used)
                    hood = Place(slug(nlabel), "Neighbourhood", nlabel, district.id,
                                 (round(district.coords[0] + rng.uniform(-.01, .01), 5),
                                  round(district.coords[1] + rng.uniform(-.01, .01), 5)),
                                 [nlabel.replace("-", " ")] if rng.random() < .3 else [], 4)
                    places.append(hood)
                    neighbourhoods.append(hood)
                    if rng.random() < .25:
                        stype = rng.choice(SITE_TYPES)
                        slabel = f"{_name(rng, used)} {stype.lower()}"
                        places.append(Place(slug(slabel), stype, slabel, hood.id, hood.coords, [], 5))
    # news is skewed: Homs first, then a long tail (Zipf-like weights over neighbourhoods)
    order = list(range(len(neighbourhoods)))
    rng.shuffle(order)
    weights = [0.0] * len(neighbourhoods)
    for rank, i in enumerate(order):
        weights[i] = 1.0 / (rank + 10) ** 0.8
    by_id = {p.id: p for p in places}
    for i, n in enumerate(neighbourhoods):
        if by_id[n.parent].parent == HOMS:
            weights[i] *= 4

    actors: list[Actor] = []
    by_role: dict[str, list[Actor]] = {}

    def add(a: Actor):
        actors.append(a)
        by_role.setdefault(a.role, []).append(a)
        used.add(a.id)

    add(Actor("syrian-government", "Government", "Syrian government", ["the regime", "Syrian authorities"], role="gov"))
    add(Actor("syrian-army", "StateArmedForce", "Syrian Arab Army", ["government forces", "regime forces"],
              "syrian-government", role="armed-state"))
    add(Actor("syrian-rebels", "NonStateArmedGroup", "Syrian rebels", ["rebels", "armed opposition"], role="armed-rebel"))
    add(Actor("united-nations", "InternationalOrganisation", "United Nations", ["UN"], role="org"))
    add(Actor("osdh", "Monitor", "Syrian Observatory for Human Rights", ["SOHR", "the Observatory"], role="monitor"))
    for _ in range(scaled(40)):
        name = _name(rng, used, 2)
        add(Actor(slug(name) + "-brigade", "NonStateArmedGroup", f"{name} Brigade", [f"{name} fighters"],
                  "syrian-rebels", role="armed-rebel"))
    for _ in range(scaled(20)):
        name = _name(rng, used, 2)
        add(Actor(slug(name) + "-regiment", rng.choice(["StateArmedForce", "ProGovernmentMilitia", "SecurityService"]),
                  f"{name} Regiment", [f"the {name} unit"], "syrian-army", role="armed-state"))
    for _ in range(scaled(25)):
        name = _name(rng, used, 2)
        add(Actor(slug(name) + "-monitor", rng.choice(["Monitor", "NGO", "ResearchOrganisation"]),
                  f"{name} Monitoring Group", [f"{name} monitors"], role="monitor"))
    for _ in range(scaled(40)):
        name = _name(rng, used, 2)
        add(Actor(slug(name) + "-news", "MediaOutlet", f"{name} News", [f"{name} TV"], role="media"))
    for i in range(scaled(120)):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        aid = f"{slug(first)}-{slug(last)}-{i}"
        media = rng.choice(by_role["media"])
        add(Actor(aid, "Person", f"{first} {last}", [last], media.id, role="journalist"))
    for _ in range(scaled(30)):
        name = _name(rng, used, 2)
        hood = rng.choice(neighbourhoods)
        add(Actor(slug(name) + "-council", rng.choice(["OppositionBody", "CivilianGroup", "PoliticalBody"]),
                  f"{name} Local Council", [f"{name} council"], based_in=hood.id, role="civil"))
    for _ in range(scaled(25)):
        name = _name(rng, used, 2)
        add(Actor(slug(name) + "-relief", rng.choice(["NGO", "InternationalOrganisation"]), f"{name} Relief",
                  [f"{name} aid workers"], role="org"))
    # the sentinel: a neighbourhood of Homs that only articles 0, 100, ..., 900 name, each with a truce
    # there; so its ceasefires are the same 10 in every corpus of 1,000 articles or more, and a query
    # for them should not slow down as the corpus grows (bench.queries). Added last: the random draws
    # above, and so every other place and actor, do not depend on it.
    homs_district = next(d for d in districts if d.parent == HOMS)
    places.append(Place(SENTINEL, "Neighbourhood", "Bab Hud", homs_district.id, (34.7301, 36.7189), ["Bab Houd"], 4))
    return World(places, actors, neighbourhoods, districts, cities, by_role, weights)


def entities_yaml(world: World) -> str:
    out = ["# Synthetic shared places and actors (bench/generate.py). Format: docs/annotation-format.md", "",
           "places:"]
    for p in world.places:
        parts = [f"id: {p.id}", f"type: {p.type}", f"label: {q(p.label)}"]
        if p.aliases:
            parts.append(f"aliases: [{', '.join(q(a) for a in p.aliases)}]")
        if p.parent:
            parts.append(f"partOf: {p.parent}")
        parts.append(f"coordinates: [{p.coords[0]}, {p.coords[1]}]")
        out.append("  - {" + ", ".join(parts) + "}")
    out += ["", "actors:"]
    for a in world.actors:
        parts = [f"id: {a.id}", f"type: {a.type}", f"label: {q(a.label)}"]
        if a.aliases:
            parts.append(f"aliases: [{', '.join(q(x) for x in a.aliases)}]")
        if a.member_of:
            parts.append(f"memberOf: [{a.member_of}]")
        if a.based_in:
            parts.append(f"basedIn: {a.based_in}")
        out.append("  - {" + ", ".join(parts) + "}")
    return "\n".join(out) + "\n"


# --- one article -------------------------------------------------------------------------------


class Article:
    """Sentences of the body, each quoted fact pointing into one of them."""

    def __init__(self, world: World, seed: int, index: int):
        self.w = world
        self.rng = random.Random(f"{seed}-article-{index}")
        self.index = index
        self.publisher = self.rng.choice(world.by_role["media"])
        self.aid = f"s{index:06d}-{self.publisher.id}"
        self.stem = f"{index:06d}_{hashlib.sha1(f'{seed}-{index}'.encode()).hexdigest()[:16]}"
        self.sentences: list[str] = []
        self.quotes: list[str] = []
        start = dt.date(2011, 3, 15)
        self.published = start + dt.timedelta(days=self.rng.randrange(0, 13 * 365))
        self.yaml: list[str] = []

    # helpers
    def place(self) -> Place:
        """Mostly a neighbourhood (skewed towards some, and towards Homs), sometimes a district or a city."""
        x = self.rng.random()
        if x < .08:
            return self.rng.choice(self.w.cities)
        if x < .15:
            return self.rng.choice(self.w.districts)
        return self.rng.choices(self.w.neighbourhoods, weights=self.w.place_weights)[0]

    def actor(self, role: str) -> Actor:
        return self.rng.choice(self.w.by_role[role])

    def say(self, sentence: str) -> str:
        """Add a sentence to the body; the returned text is quotable (it occurs once)."""
        self.sentences.append(sentence)
        self.quotes.append(sentence)
        return sentence

    def day(self, back: int = 14) -> dt.date:
        return self.published - dt.timedelta(days=self.rng.randrange(0, back))

    def when(self, d: dt.date) -> str:
        weekday = WEEKDAYS[d.weekday()]
        if self.rng.random() < .5:
            return (f"{{date: {d.isoformat()}, text: {q('on ' + weekday)}, basis: inferred, "
                    f"reason: {q('the ' + weekday + ' before publication')}}}")
        return f"{{date: {d.isoformat()}, text: {q(f'on {d.day} {MONTHS[d.month - 1]}')}}}"

    def build(self) -> tuple[str, str]:
        r, w = self.rng, self.w
        y = self.yaml
        publisher = self.publisher
        author = r.choice([a for a in w.by_role["journalist"]])
        home = self.place()
        headline = f"Fighting and talks in {home.label}: dispatch {self.index}"
        byline = f"By {author.label}, {publisher.label}"
        dateline = f"{self.published.day} {MONTHS[self.published.month - 1]} {self.published.year}"

        # events
        n_events = r.randint(7, 13)
        events = []
        for k in range(n_events):
            etype = r.choice(list(EVENT_TYPES)) if k else r.choice(["Siege", "ArmedClash", "Shelling"])
            verb, roles = EVENT_TYPES[etype]
            place = self.place() if k == 0 or r.random() < .6 else events[0]["place"]
            d = self.day()
            actor = self.actor("armed-state" if r.random() < .6 else "armed-rebel")
            other = self.actor("armed-rebel" if actor.role == "armed-state" else "armed-state")
            reporter = self.actor("monitor") if r.random() < .5 else None
            when_words = r.choice(["early", "late", "around noon", "overnight", "at dawn", "in the afternoon"])
            quote = self.say(f"{actor.label} {verb} {place.label} {when_words} on {WEEKDAYS[d.weekday()]}, "
                             f"item {k + 1} of the day's reports")
            tail = f" according to the {reporter.label}," if reporter else ""
            self.sentences[-1] += f",{tail} and residents counted {r.randint(2, 400)} explosions."
            ev = {"id": f"e{k + 1}-{slug(etype)}", "type": etype, "place": place, "actor": actor, "other": other,
                  "quote": quote, "date": d, "reporter": reporter, "roles": roles.split()}
            events.append(ev)

        # local actor (defined in this article: its id must not repeat in another file)
        local = {"id": f"{self.aid}-witnesses", "label": f"witnesses in {home.label} (dispatch {self.index})"}
        local["quote"] = self.say(f"Witnesses in {home.label} who spoke to us for dispatch {self.index} described the scene")
        self.sentences[-1] += " in detail."

        # casualty figures: each event may have several, from different reporters (conflicting)
        casualties = []
        for ev in events:
            if r.random() < .45:
                victims, outcome = r.choice(VICTIMS), r.choice(OUTCOMES)
                reporters = r.sample(w.by_role["monitor"], k=r.choice([1, 1, 2, 3]))
                base = r.randint(3, 300)
                for j, rep in enumerate(reporters):
                    kind = r.choice(["count", "count", "min", "range", "amount"])
                    n = base + j * r.randint(1, 40)
                    if kind == "count":
                        phrase, qty = f"{n} {victims} {outcome}", {"count": n}
                    elif kind == "min":
                        phrase, qty = f"at least {n} {victims} {outcome}", {"min": n, "amount": f"at least {n}"}
                    elif kind == "range":  # an inexact number keeps the text's words (issue 14)
                        phrase, qty = (f"between {n} and {n + 25} {victims} {outcome}",
                                       {"min": n, "max": n + 25, "amount": f"between {n} and {n + 25}"})
                    else:
                        word = r.choice(VAGUE)
                        phrase, qty = f"{word} of {victims} {outcome}", {"amount": word}
                    quote = self.say(f"The {rep.label} said the {_noun(ev['type'])} in "
                                     f"{ev['place'].label} left {phrase} (figure {len(casualties) + 1})")
                    self.sentences[-1] += "."
                    casualties.append({"id": f"c{len(casualties) + 1}-{slug(rep.label)[:30].rstrip('-')}",
                                       "quote": quote, "qty": qty, "victims": victims, "outcome": outcome,
                                       "event": ev, "reporter": rep})

        # agreements, most of them ceasefires or truces in a neighbourhood
        agreements = []
        for k in range(r.choice([0, 1, 1, 1, 2, 2, 3])):
            types, noun = r.choice(AGREEMENT_KINDS)
            place = self.place() if r.random() < .7 else events[0]["place"]
            a, b = self.actor("armed-state"), self.actor("armed-rebel")
            mediator = self.actor("org") if r.random() < .5 else None
            d = self.day(30)
            quote = self.say(f"A {noun} between {a.label} and {b.label} in {place.label} "
                             f"was announced, the agreement numbered {k + 1} in this report")
            self.sentences[-1] += "."
            terms = []
            for t in range(r.randint(1, 2)):
                what = r.choice(["fighters hand over heavy weapons", "civilians leave through a corridor",
                                 "detainees are released", "aid convoys enter", "shelling stops"])
                tq = self.say(f"Under term {t + 1} of agreement {k + 1}, the {noun} in {place.label}, {what}")
                self.sentences[-1] += ", the parties said."
                terms.append((what, tq))
            agreements.append({"id": f"a{k + 1}-{slug(noun)}", "types": types, "noun": noun, "place": place,
                               "parties": [a, b], "mediator": mediator, "quote": quote, "date": d,
                               "status": r.choice(STATUSES), "terms": terms,
                               "events": [r.choice(events)["id"]]})

        if self.index % SENTINEL_EVERY == 0 and self.index < SENTINEL_UNTIL:  # the sentinel's truce
            sentinel = next(p for p in w.places if p.id == SENTINEL)
            k = len(agreements)
            quote = self.say(f"A truce between Syrian Arab Army and Syrian rebels in Bab Hud was announced, "
                             f"the agreement numbered {k + 1} in this report")
            self.sentences[-1] += "."
            term = self.say(f"Under term 1 of agreement {k + 1}, the truce in Bab Hud, shelling stops")
            self.sentences[-1] += ", the parties said."
            parties = [next(a for a in w.actors if a.id == i) for i in ("syrian-army", "syrian-rebels")]
            agreements.append({"id": f"a{k + 1}-sentinel-truce", "types": ["Truce"], "noun": "truce", "place": sentinel,
                               "parties": parties, "mediator": next(a for a in w.actors if a.id == "united-nations"),
                               "quote": quote, "date": self.published, "status": "agreed",
                               "terms": [("shelling stops", term)], "events": [events[0]["id"]]})

        # claims
        claims = []
        for k in range(r.randint(1, 2)):
            claimant = self.actor(r.choice(["gov", "armed-rebel", "monitor", "civil"]))
            about = r.choice(events)
            summary = f"{claimant.label} blames the other side for the {_noun(about['type'])}"
            quote = self.say(f"{claimant.label} said the other side was to blame for the violence in "
                             f"{about['place'].label}, in statement {k + 1}")
            self.sentences[-1] += "."
            claims.append({"id": f"claim-{k + 1}", "claimant": claimant, "summary": summary, "quote": quote,
                           "about": about["id"]})

        # mentions of shared entities
        mentions = []
        for ent in {e["actor"].id: e["actor"] for e in events[:3]}.values():
            mq = self.say(f"The role of {ent.label} was noted by several observers in dispatch {self.index}")
            self.sentences[-1] += "."
            mentions.append((ent.id, mq))

        # the page: furniture, headline, byline, body (sentences wrapped into paragraphs), footer
        r.shuffle(self.sentences)
        opening = f"{home.label.upper()} ({publisher.label}) dispatch {self.index}:"
        closing = f"This was dispatch {self.index} of the {publisher.label} war desk."
        body_sentences = [opening + " " + self.sentences[0]] + self.sentences[1:] + [closing]
        paragraphs, para = [], []
        for i, s in enumerate(body_sentences):
            para.append(s)
            if len(para) >= r.randint(3, 5) or i == len(body_sentences) - 1:
                paragraphs.append(" ".join(para))
                para = []
        body = "\n\n".join(_wrap(p, r) for p in paragraphs)
        text = (f"Menu | Home | World | Middle East\n\n{headline}\n\n{byline}\n{dateline}\n\n{body}\n\n"
                f"Related: Floods elsewhere in the region\nShare this | Comments (0)\n")

        # the annotation
        y += [f"# Synthetic article {self.index} (bench/generate.py). Format: docs/annotation-format.md", "",
              "article:", f"  id: {self.aid}", f"  text: {self.stem}.txt", "  body:",
              f"    start: {q(opening)}", f"    end: {q(closing)}",
              f"  headline: {{value: {q(headline)}, basis: stated, quote: {q(headline)}}}",
              f"  publisher: {{value: {publisher.id}, basis: stated, quote: {q(byline)}}}",
              "  authors:", f"    - {{value: {author.id}, basis: stated, quote: {q(byline)}}}",
              f"  published: {{value: {self.published.isoformat()}, basis: stated, quote: {q(dateline)}}}", ""]
        y += ["actors:", f"  - id: {local['id']}", "    type: CivilianGroup", f"    label: {q(local['label'])}",
              f"    quote: {q(local['quote'])}", ""]
        y += ["mentions:"] + [f"  - {{entity: {e}, quote: {q(mq)}}}" for e, mq in mentions] + [""]
        y += ["events:"]
        for k, ev in enumerate(events):
            y += [f"  - id: {ev['id']}", f"    type: {ev['type']}",
                  f"    label: {q(_noun(ev['type']).capitalize() + ' in ' + ev['place'].label + ' by ' + ev['actor'].label)}",
                  f"    quote: {q(ev['quote'])}", f"    when: {self.when(ev['date'])}",
                  f"    places: [{ev['place'].id}]"]
            roles = ev["roles"]
            if "attacker" in roles:
                y.append(f"    attacker: [{ev['actor'].id}]")
            if "target" in roles:
                y.append(f"    target: [{ev['other'].id}]")
            if "victim" in roles:
                y.append(f"    victim: [{local['id']}]")
            if "participant" in roles:
                y.append(f"    participant: [{ev['actor'].id}, {ev['other'].id}]")
            if "organiser" in roles:
                y.append(f"    organiser: [{ev['actor'].id}]")
            if "speaker" in roles:
                y.append(f"    speaker: [{ev['actor'].id}]")
            if "mediator" in roles:
                y.append(f"    mediator: [{self.actor('org').id}]")
            if ev["reporter"]:
                y.append(f"    reportedBy: [{ev['reporter'].id}]")
            if k and ev["type"] in SUB_EVENT_TYPES and self.rng.random() < .5:
                y.append(f"    partOf: [{events[0]['id']}]")
            if k > 1 and self.rng.random() < .3:
                y.append(f"    after: [{events[k - 1]['id']}]")
            modality = self.rng.choice(MODALITIES)
            if modality != "occurred":
                y.append(f"    modality: {modality}")
        y.append("")
        if agreements:
            y.append("agreements:")
            for a in agreements:
                types = a["types"][0] if len(a["types"]) == 1 else "[" + ", ".join(a["types"]) + "]"
                y += [f"  - id: {a['id']}", f"    type: {types}",
                      f"    label: {q(a['noun'].capitalize() + ' in ' + a['place'].label)}",
                      f"    quote: {q(a['quote'])}", f"    status: {a['status']}",
                      f"    when: {{date: {a['date'].isoformat()}}}", f"    places: [{a['place'].id}]",
                      f"    parties: [{', '.join(p.id for p in a['parties'])}]"]
                if a["mediator"]:
                    y.append(f"    mediators: [{a['mediator'].id}]")
                y.append("    terms:")
                for what, tq in a["terms"]:
                    y.append(f"      - {{text: {q(what.capitalize())}, quote: {q(tq)}}}")
                y.append(f"    events: [{', '.join(a['events'])}]")
            y.append("")
        if casualties:
            y.append("casualties:")
            for c in casualties:
                y += [f"  - id: {c['id']}", f"    quote: {q(c['quote'])}"]
                y += [f"    {k}: {v if k != 'amount' else q(v)}" for k, v in c["qty"].items()]
                y += [f"    victims: {c['victims']}", f"    outcome: {c['outcome']}",
                      f"    places: [{c['event']['place'].id}]", f"    event: {c['event']['id']}",
                      f"    reportedBy: [{c['reporter'].id}]"]
            y.append("")
        y.append("claims:")
        for c in claims:
            y += [f"  - id: {c['id']}", f"    claimant: {c['claimant'].id}", f"    summary: {q(c['summary'])}",
                  f"    quote: {q(c['quote'])}", f"    about: [{c['about']}]"]
        _check_quotes(self, text, body, [opening, closing], [headline, byline, dateline])
        return text, "\n".join(y) + "\n"


def _noun(event_type: str) -> str:
    """AirStrike -> air strike."""
    return "".join(" " + c.lower() if c.isupper() else c for c in event_type).strip()


def _wrap(paragraph: str, rng: random.Random, width: int = 100) -> str:
    """Break a paragraph into lines; now and then join two words with a no-break space (as real pages do)."""
    lines, line = [], ""
    for word in paragraph.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            sep = "\u00a0" if line and rng.random() < .02 else " "
            line = f"{line}{sep}{word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def _check_quotes(article: Article, text: str, body: str, body_marks: list[str], page_quotes: list[str]):
    """Every quote occurs exactly once: fact quotes in the body, the others in the whole page."""
    import re

    def count(hay: str, quote: str) -> int:
        return len(re.findall(r"\s+".join(re.escape(w) for w in quote.split()), hay))

    for quote in article.quotes:
        if count(body, quote) != 1:
            raise AssertionError(f"article {article.index}: quote does not occur exactly once: {quote!r}")
    for mark in body_marks + page_quotes:
        if count(text, mark) != 1:
            raise AssertionError(f"article {article.index}: {mark!r} does not occur exactly once")


# --- the corpus --------------------------------------------------------------------------------


def _write_articles(out: Path, seed: int, world_name: str, start: int, stop: int, progress: bool = False) -> int:
    world = build_world(seed, world_name)
    size, t0 = 0, time.perf_counter()
    for i in range(start, stop):
        a = Article(world, seed, i)
        text, annotation = a.build()
        (out / f"{a.stem}.txt").write_text(text, encoding="utf-8")
        (out / f"{a.stem}.yaml").write_text(annotation, encoding="utf-8")
        size += len(text.encode()) + len(annotation.encode())
        if progress and (i + 1 - start) % 1000 == 0:
            print(f"  {i + 1 - start} articles, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return size


def _write_range(args) -> int:
    return _write_articles(*args)


def generate(out: Path, articles: int, seed: int = SEED, world: str = "full", progress: bool = False,
             jobs: int = 1) -> dict:
    """Write the corpus (in `jobs` processes); returns its size on disk and the time it took."""
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    world_name, world = world, build_world(seed, world)
    (out / "entities.yaml").write_text(entities_yaml(world), encoding="utf-8")
    size = (out / "entities.yaml").stat().st_size
    if jobs <= 1:
        size += _write_articles(out, seed, world_name, 0, articles, progress)
    else:
        import multiprocessing

        step = -(-articles // jobs)
        ranges = [(out, seed, world_name, k, min(k + step, articles), progress and k == 0)
                  for k in range(0, articles, step)]
        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            size += sum(pool.map(_write_range, ranges))
    meta = {"seed": seed, "world": world_name, "articles": articles, "places": len(world.places),
            "actors": len(world.actors), "bytes": size, "seconds": round(time.perf_counter() - t0, 2)}
    (out / CORPUS_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def corpus_meta(folder: Path) -> dict:
    """How a corpus was generated (its seed and world), from the CORPUS_FILE beside it."""
    path = folder / CORPUS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"seed": SEED, "world": "full"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", "-n", type=int, default=1000)
    ap.add_argument("--out", "-o", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--world", choices=sorted(WORLDS), default="full", help="size of the shared places and actors")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="processes writing articles (the output is the same)")
    args = ap.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        ap.error(f"{args.out} is not empty")
    print(json.dumps(generate(args.out, args.articles, args.seed, args.world, progress=True, jobs=args.jobs)))


if __name__ == "__main__":
    main()
