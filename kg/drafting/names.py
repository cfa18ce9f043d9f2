"""Places and actors no gazetteer knows, proposed from how the text introduces them.

Hand-written patterns, each a rule name the draft's `review:` records:
- person.title      a title or role before a name ("Defense Minister Ali Abbas", "activist Orhan Gazi")
- person.speech     a name next to a verb of saying ("said Raed", "Balanche argues", "Haidar, a resident")
- org.keyword       a capitalised name holding an organisation word ("Century International", "... Council")
- group.in-place    a group noun tied to a known place ("the rebels in Baba Amr", "residents of Homs")
- source.unnamed    an unnamed source ("according to an NGO", "security sources")
- place.feature     a name before a kind of place ("Qahira roundabout", "Hikma hospital")
- place.based       "London-based"
Each proposal carries a type guessed from its words; the reviewer checks it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

NAME_WORD = r"(?:(?:al|el|a|Al|El|Abu|Abdel|Abdul|bin|ibn|de|van)[- ])?[A-Z][a-zà-ÿ’'-]+"
NAME = rf"{NAME_WORD}(?: {NAME_WORD}){{0,3}}"
TITLES = (r"President|Prime Minister|(?:Defen[cs]e|Foreign|Interior|Information) Minister|Minister|Governor|"
          r"General|Gen\.|Colonel|Col\.|Brigadier|Sheikh|Dr\.|Mr\.|Mrs\.|Ms\.|leader|commander|spokesman|"
          r"spokeswoman|envoy|researcher|analyst|activist|journalist|photojournalist|reporter|director|chief|"
          r"doctor|official|Secretary-General|Secretary General")
SPEECH = r"said|says|told|added|explains|explained|argues|argued|claimed|stated|insisted|warned|believes"
ORG_WORDS = {
    "Observatory": "Monitor", "Council": "OppositionBody", "Committee": "OppositionBody", "Coalition": "OppositionBody",
    "Front": "NonStateArmedGroup", "Brigade": "NonStateArmedGroup", "Brigades": "NonStateArmedGroup",
    "Battalion": "NonStateArmedGroup", "Army": "NonStateArmedGroup", "Forces": "NonStateArmedGroup",
    "Ministry": "Government", "League": "InternationalOrganisation", "Nations": "InternationalOrganisation",
    "Network": "MediaOutlet", "Television": "MediaOutlet", "TV": "MediaOutlet", "Agency": "MediaOutlet",
    "News": "MediaOutlet", "Times": "MediaOutlet", "Post": "MediaOutlet", "Press": "MediaOutlet",
    "Institute": "ResearchOrganisation", "International": "ResearchOrganisation", "Centre": "ResearchOrganisation",
    "Center": "ResearchOrganisation", "Group": "ResearchOrganisation", "University": "ResearchOrganisation",
    "Party": "PoliticalBody", "Brotherhood": "OppositionBody", "Movement": "OppositionBody",
    "Commission": "InternationalOrganisation", "Crescent": "NGO", "Directorate": "SecurityService",
    "Security": "SecurityService", "Intelligence": "SecurityService", "Amnesty": "NGO", "Watch": "NGO",
}
ORG = r"[A-Z][\w’'-]*(?:(?: (?:of|for|and|the|on|in))* [A-Z][\w’'-]*)+"
GROUPS = {"rebels": ("NonStateArmedGroup", "rebels"), "fighters": ("NonStateArmedGroup", "rebels"),
          "revolutionaries": ("NonStateArmedGroup", "rebels"), "militants": ("NonStateArmedGroup", "rebels"),
          "deserters": ("NonStateArmedGroup", None), "troops": ("StateArmedForce", "army"),
          "residents": ("CivilianGroup", None), "inhabitants": ("CivilianGroup", None),
          "civilians": ("CivilianGroup", None), "activists": ("CivilianGroup", "activists"),
          "protesters": ("CivilianGroup", None), "protestors": ("CivilianGroup", None)}
UNNAMED = {"NGO": "NGO", "monitor": "Monitor", "source": "CivilianGroup", "sources": "CivilianGroup",
           "official": "Person", "officials": "Government", "activist": "Person", "activists": "CivilianGroup",
           "resident": "Person", "residents": "CivilianGroup", "witness": "Person", "witnesses": "CivilianGroup",
           "security sources": "SecurityService", "military source": "StateArmedForce", "diplomat": "Person"}
FEATURES = {"roundabout": "Roundabout", "square": "Site", "checkpoint": "Checkpoint", "hospital": "Hospital",
            "mosque": "Mosque", "church": "Building", "prison": "Prison", "bridge": "Bridge", "highway": "Road",
            "road": "Road", "citadel": "Citadel", "airport": "MilitaryBase", "air base": "MilitaryBase",
            "airbase": "MilitaryBase", "headquarters": "Headquarters", "neighborhood": "Neighbourhood",
            "neighbourhood": "Neighbourhood", "district": "District", "village": "Village", "town": "Town",
            "province": "Governorate", "governorate": "Governorate", "refinery": "Site", "stadium": "Site"}
NOT_NAMES = {"The", "This", "That", "These", "Those", "But", "And", "After", "Before", "When", "While", "In", "On",
             "At", "For", "From", "With", "Since", "Some", "Many", "Most", "One", "Two", "He", "She", "They", "We",
             "It", "His", "Her", "Their", "Our", "Syrian", "Syrians", "Russian", "Iranian", "Turkish", "Arab",
             "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Today", "Meanwhile",
             "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December", "Still", "Even", "Why", "What", "How", "Local", "Furthermore", "Finally"}


@dataclass
class Proposal:
    kind: str  # place | actor
    label: str
    type: str
    start: int  # the span of the text that names it
    end: int
    rule: str
    confidence: float
    member_of: list[str] = field(default_factory=list)
    generic: str | None = None  # for group.in-place: the generic group noun's gazetteer key


def slug(label: str) -> str:
    text = unicodedata.normalize("NFKD", label)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[’'`]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-") or "item"


def _clean_name(name: str) -> str:
    words = name.split()
    while words and words[0] in NOT_NAMES:
        words = words[1:]
    return " ".join(words)


def propose(text: str, lo: int, hi: int, known_spans: list[tuple[int, int]]) -> list[Proposal]:
    """Proposals for names in text[lo:hi] that lie outside every span the gazetteer already found."""
    body = text[lo:hi]
    out: list[Proposal] = []

    def add(kind, label, type_, s, e, rule, confidence, **kw):
        s, e = lo + s, lo + e
        label = _clean_name(label)
        if not label or any(a <= s and e <= b for a, b in known_spans):
            return
        out.append(Proposal(kind, label, type_, s, e, rule, confidence, **kw))

    for m in re.finditer(rf"\b(?:{TITLES}) ({NAME})", body):
        add("actor", m.group(1), "Person", m.start(1), m.end(1), "person.title", 0.7)
    for m in re.finditer(rf"\b(?:{SPEECH}) ({NAME})(?=[,.\s])", body):
        if m.group(1).split()[0] not in NOT_NAMES:
            add("actor", m.group(1), "Person", m.start(1), m.end(1), "person.speech", 0.6)
    for m in re.finditer(rf"(?<![\w’'-])({NAME})(?:, (?:\d+, )?(?:a|an|the|director|head|one|spokesman|member)\b| (?:{SPEECH})\b)", body):
        if m.group(1).split()[0] not in NOT_NAMES:
            add("actor", m.group(1), "Person", m.start(1), m.end(1), "person.speech", 0.5)
    for m in re.finditer(ORG, body):
        words = m.group(0).split()
        kinds = [ORG_WORDS[w] for w in words if w in ORG_WORDS]
        if kinds and len(words) >= 2:
            start = m.start() + (len(words[0]) + 1 if words[0] in NOT_NAMES else 0)
            add("actor", m.group(0), kinds[-1], start, m.end(), "org.keyword", 0.6)
    for m in re.finditer(r"\b(?:according to|said|reported by)\s+(an?|security|military)\s+(NGO|monitor|sources?|officials?|activists?|residents?|witness(?:es)?|diplomat)\b", body):
        noun = m.group(2) if m.group(1) in ("a", "an") else f"{m.group(1)} {m.group(2)}"
        type_ = UNNAMED.get(noun) or UNNAMED.get(m.group(2), "CivilianGroup")
        add("actor", f"unnamed {noun}", type_, m.start(1), m.end(2), "source.unnamed", 0.5)
    for m in re.finditer(rf"((?:[A-Z][\w’'-]+ )+?)({'|'.join(FEATURES)})\b", body):
        name = _clean_name(m.group(1).strip())
        if name and not name.endswith(("’s", "'s", "’")):
            add("place", f"{name} {m.group(2)}", FEATURES[m.group(2)], m.start(1), m.end(2), "place.feature", 0.5)
    for m in re.finditer(r"\b([A-Z][a-z]+)-based\b", body):
        add("place", m.group(1), "City", m.start(1), m.end(0), "place.based", 0.5)
    return _dedupe(out)


def group_in_place(text: str, lo: int, hi: int, places: list[tuple[int, int, str, str]]) -> list[Proposal]:
    """`the rebels in Baba Amr`, `residents of Homs`: a group noun followed by a known place
    (places: (start, end, label, id) of place names found in the text)."""
    out = []
    for start, end, label, _ in places:
        before = text[max(lo, start - 40):start]
        m = re.search(rf"\b({'|'.join(GROUPS)}) (in|of|from) (?:the )?$", before)
        if m:
            s = start - len(before) + m.start(1)
            type_, generic = GROUPS[m.group(1)]
            out.append(Proposal("actor", f"{m.group(1)} {m.group(2)} {label}", type_, s, end, "group.in-place", 0.5,
                                generic=generic))
    return out


def _dedupe(proposals: list[Proposal]) -> list[Proposal]:
    """One proposal per span; a longer span wins over one it contains."""
    proposals.sort(key=lambda p: (p.start, -(p.end - p.start), -p.confidence))
    out = []
    for p in proposals:
        if any(q.start <= p.start and p.end <= q.end and q.kind == p.kind for q in out):
            continue
        out.append(p)
    return out
