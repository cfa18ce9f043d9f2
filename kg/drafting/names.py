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
          r"doctor|official|boss|Secretary-General|Secretary General")
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
            "province": "Governorate", "governorate": "Governorate", "refinery": "Site", "stadium": "Site",
            "mountains": "Region", "mountain range": "Region", "valley": "Region", "coast": "Region",
            "desert": "Region", "plain": "Region", "countryside": "Region"}
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


_TITLE_WORD = re.compile(rf"^(?i:{TITLES})$")


def _clean_name(name: str) -> str:
    """Without a leading function word or title ("The", "Activist")."""
    words = name.split()
    while words and (words[0] in NOT_NAMES or _TITLE_WORD.match(words[0])):
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

    for m in re.finditer(rf"\b(?i:{TITLES})(?: (?:to|of|for) [A-Z][\w’'-]+)?,? ({NAME})", body):
        add("actor", m.group(1), "Person", m.start(1), m.end(1), "person.title", 0.7)
    for m in re.finditer(rf"\b(?:{SPEECH}) ({NAME})(?=[,.\s])", body):
        if m.group(1).split()[0] not in NOT_NAMES:
            add("actor", m.group(1), "Person", m.start(1), m.end(1), "person.speech", 0.6)
    for m in re.finditer(rf"(?<![\w’'-])({NAME})(?:, (?:\d+, )?(?:a|an|the|director|head|one|spokesman|member)\b| (?:{SPEECH})\b)", body):
        locative = re.search(r"\b(?:in|to|for|from|towards|of|at|near)\s+$", body[max(0, m.start(1) - 12):m.start(1)])
        if m.group(1).split()[0] not in NOT_NAMES and not locative:
            add("actor", m.group(1), "Person", m.start(1), m.end(1), "person.speech", 0.5)
    for m in re.finditer(ORG, body):
        words = m.group(0).split()
        kinds = [ORG_WORDS[w] for w in words if w in ORG_WORDS]
        if kinds and len(words) >= 2:
            start = m.start() + (len(words[0]) + 1 if words[0] in NOT_NAMES else 0)
            add("actor", m.group(0), kinds[-1], start, m.end(), "org.keyword", 0.6)
    for m in re.finditer(rf"({NAME}) \(([A-Z]{{2,6}})\)", body):  # "Hayat Tahrir al-Sham (HTS)"
        words = m.group(1).split()
        kinds = [ORG_WORDS[w] for w in words if w in ORG_WORDS]
        add("actor", m.group(1), kinds[-1] if kinds else "NonStateArmedGroup", m.start(1), m.end(2) + 1, "org.acronym", 0.5)
    for m in re.finditer(r"(?<![\w(])([A-Z]{2,6})(?![\w)])", body):  # "told AFP"
        if m.group(1) not in ("I", "II", "III", "IV", "TV", "US", "UK", "NGO", "NGOS", "IDP", "IDPS", "AM", "PM", "GMT"):
            told = re.search(r"\b(?:told|to|by|for|from)\s+$", body[max(0, m.start() - 6):m.start()])
            add("actor", m.group(1), "MediaOutlet" if told else "NonStateArmedGroup", m.start(1), m.end(1),
                "org.acronym", 0.3)
    for m in re.finditer(r"\b((?:Syrian )?state (?:television|TV|media|news agency|radio))\b", body, re.I):
        add("actor", m.group(1), "MediaOutlet", m.start(1), m.end(1), "org.state-media", 0.6)
    for m in re.finditer(r"\b((?:[a-z]+-[a-zA-Z]+|hardcore|local|armed) (?:protesters|protestors|rebels|militias?|"
                         r"activists|fighters|residents|groups|deserters))\b", body):
        add("actor", m.group(1), "CivilianGroup" if re.search(r"protest|activist|resident", m.group(1))
            else "ProGovernmentMilitia" if "militia" in m.group(1) else "NonStateArmedGroup",
            m.start(1), m.end(1), "group.qualified", 0.4)
    for m in re.finditer(r"\baccording to (?:the )?((?:local |some |several )?"
                         r"(?:residents|activists|sources|witnesses|officials))\b", body):
        add("actor", m.group(1), "CivilianGroup", m.start(1), m.end(1), "source.unnamed", 0.4)
    for m in re.finditer(r"\b(?:according to|said|reported by)\s+(an?|security|military)\s+"
                         r"(NGO|monitor|sources?|officials?|activists?|residents?|witness(?:es)?|diplomat)\b", body):
        noun = m.group(2) if m.group(1) in ("a", "an") else f"{m.group(1)} {m.group(2)}"
        type_ = UNNAMED.get(noun) or UNNAMED.get(m.group(2), "CivilianGroup")
        add("actor", f"unnamed {noun}", type_, m.start(1), m.end(2), "source.unnamed", 0.5)
    for m in re.finditer(r"\b(?:one|a|an) ((?:senior |local |top |rebel |opposition )?(?:leader|member|official|commander|"
                         r"resident|activist|doctor|fighter|spokesman|source|witness)(?: of (?:the )?[^,.;“”\"]{3,60}?)?)"
                         r"(?=,? (?:said|says|told|added)\b)", body):
        add("actor", f"unnamed {m.group(1)}", "Person", m.start(), m.end(1), "person.unnamed", 0.4)
    for m in re.finditer(rf"\b(?:neighbou?rhoods? of|districts? of|town of|village of|suburbs? of|city of) ({NAME})", body):
        add("place", m.group(1), "Neighbourhood" if "neighbo" in m.group(0) or "district" in m.group(0) else "Town",
            m.start(1), m.end(1), "place.named-as", 0.6)
    for m in re.finditer(rf"\b(?:in|from|to|into|towards|toward|near|of|around|outside|inside|at) "
                         rf"((?:al|el|Al|El|Wadi|Jeb|Bab|Tal|Tell|Deir|Kafr|Beit|Ras|Jabal|Jisr)[- ]{NAME_WORD}(?: {NAME_WORD})?)", body):
        add("place", m.group(1), "Town", m.start(1), m.end(1), "place.arabic-name", 0.4)
    for m in re.finditer(r"\b(?:the )?(Middle East|North Africa|Levant|Gulf|Arabian Peninsula|Mediterranean|Balkans|Caucasus|"
                         r"Central Asia|Horn of Africa|Sahel|Maghreb)\b", body):
        add("place", m.group(1), "Region", m.start(1), m.end(1), "place.region", 0.5)
    for m in re.finditer(r"\b(?:an?|the) ((?:[\w-]+ ){0,2}?(?:field hospital|hospital|prison|headquarters|building|"
                         r"bases?|checkpoint|mosque|church|school|bakery|market|citadel|airport|air base))\b"
                         r"((?: (?:in|of|on) (?:the )?(?:[A-Z][\w’'-]+ ?)+| on high ground)?)", body):
        label = (m.group(1) + m.group(2)).strip()
        kind = next((FEATURES[w] for w in ("hospital", "prison", "headquarters", "checkpoint", "mosque", "citadel",
                                            "airport", "air base") if w in m.group(1)), "Building")
        add("place", label, "MilitaryBase" if "base" in m.group(1) else kind, m.start(1), m.end(2) or m.end(1),
            "place.facility", 0.4)
    for m in re.finditer(r"\b(?:the )?((?:(?:government|rebel|regime|opposition)-(?:held|controlled) |besieged )?"
                         r"(?:parts?|areas?|districts|neighbou?rhoods|cent(?:er|re)) of (?:the city|[A-Z][\w’'-]+(?: city)?))",
                         body):
        add("place", m.group(1), "District", m.start(1), m.end(1), "place.part-of", 0.4)
    for m in re.finditer(r"\b(?:the )?((?:west|east|north|south)(?:ern)? coast)\b", body, re.I):
        add("place", m.group(1), "Region", m.start(1), m.end(1), "place.region", 0.4)
    for m in re.finditer(rf"((?:[A-Z][\w’'-]+ )+?)({'|'.join(FEATURES)})\b", body):
        name = _clean_name(m.group(1).strip())
        if name and not name.endswith(("’s", "'s", "’")):
            add("place", f"{name} {m.group(2)}", FEATURES[m.group(2)], m.start(1), m.end(2), "place.feature", 0.5)
    for m in re.finditer(r"\b([A-Z][a-z]+)-based\b", body):
        add("place", m.group(1), "City", m.start(1), m.end(0), "place.based", 0.5)
    return _dedupe(out)


def list_neighbours(text: str, lo: int, hi: int, places: list[tuple[int, int, str, str]],
                    known_spans: list[tuple[int, int]]) -> list[Proposal]:
    """Names listed together with a known place ("Qusur, Inshaat, Karm al-Zeiton and Bab Tadmur")
    are places too."""
    out = []
    starts = {s for s, _, _, _ in places}
    ends = {e for _, e, _, _ in places}
    for m in re.finditer(rf"(?<![\w-])({NAME})", text[lo:hi]):
        s, e = lo + m.start(1), lo + m.end(1)
        if any(a < e and s < b for a, b in known_spans) or m.group(1).split()[0] in NOT_NAMES:
            continue
        before, after = text[max(lo, s - 6):s], text[e:e + 6]
        joined_before = re.search(r"(?:,|,? and) $", before) and any(0 < s - x <= 6 for x in ends)
        joined_after = re.match(r"^(?:,|,? and) ", after) and any(0 < x - e <= 6 for x in starts)
        if joined_before or joined_after:
            out.append(Proposal("place", m.group(1), "Neighbourhood", s, e, "place.listed-with", 0.4))
    return out


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
