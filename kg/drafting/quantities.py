"""The quantity grammar: numbers as the text states them, and the casualty figures they make.

A figure keeps its words' meaning (docs/annotation-format.md, "casualties"): "at least 250" is
min 250, "more than 800" min 801, "fewer than 1,000" max 999, "up to 250" max 250, "between 10,000
and 40,000" min and max, "about 1000" count 1000 with amount "about 1000", "almost 70%" max 70,
"scores"/"hundreds"/"tens of thousands" an amount with open bounds. A casualty figure is a
quantity of people (or of military vehicles) with an outcome word near it in the same clause:
killed, wounded, missing, captured, displaced... Anything else numbered (rockets, tanks, days) is
a figure of the event its clause describes; durations, ages, years and dates are not figures."""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {"zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
         "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
         "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
         "dozen": 12}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
NUMBER_WORD = r"(?:" + "|".join(sorted((u for u in UNITS if u not in ("a", "an")), key=len, reverse=True)) + r")"
NUMERAL = (rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|half a million|(?:a|{NUMBER_WORD})(?:[- ]{NUMBER_WORD})?"
           rf"(?: (?:hundred|thousand|million))+|{NUMBER_WORD}(?:-{NUMBER_WORD})?)")
VAGUE = (r"tens of thousands|hundreds of thousands|thousands|hundreds|dozens|scores|a few thousand|a few hundred|"
         r"a few dozen|several thousand|several hundred|several dozen|a handful|many|several|some|a number")
LOWER = {"at least": 0, "more than": 1, "over": 1, "upwards of": 1, "in excess of": 1, "surpassed": 1,
         "exceeded": 1, "topped": 1, "no fewer than": 0, "not less than": 0}
UPPER = {"fewer than": -1, "less than": -1, "under": -1, "up to": 0, "as many as": 0, "no more than": 0,
         "at most": 0, "almost": 0, "nearly": 0, "just under": 0, "close to": 0}
ABOUT = ("about", "around", "some", "roughly", "approximately", "an estimated", "estimated", "more or less")
PREFIX = "|".join(sorted([*LOWER, *UPPER, *ABOUT], key=len, reverse=True))

QUANTITY = re.compile(
    rf"\b(?:(?P<between>between) (?P<lo>{NUMERAL}) and (?P<hi>{NUMERAL})"
    rf"|(?:from )?(?P<lo2>{NUMERAL}) (?:to|-) (?P<hi2>{NUMERAL})(?= \w)"
    rf"|(?:(?P<prefix>{PREFIX}) )?(?P<n>{NUMERAL})(?P<pct>%| per ?cent)?"
    rf"|(?P<vague>{VAGUE}))\b(?!-(?:year|month|week|day|hour|kilomet))", re.I)

VICTIMS = [  # (pattern of the counted noun, victim category); first match wins
    (r"civilians?|non-combatants", "civilians"), (r"children|kids|minors|babies", "children"),
    (r"women", "women"), (r"journalists?|reporters?|photojournalists?", "journalists"),
    (r"rebels?|insurgents?|opposition fighters|revolution fighters?|revolutionaries", "rebels"),
    (r"soldiers?|troops|servicemen", "soldiers"), (r"security forces|police(?:men)?|officers", "security-forces"),
    (r"fighters?|combatants|militants|gunmen", "fighters"), (r"deserters?|defectors?", "deserters"),
    (r"prisoners?|detainees?|captives", "prisoners"), (r"residents?|inhabitants|families|households", "residents"),
    (r"tanks?|(?:armou?red |military )?vehicles?|armou?red vehicles?", "military-vehicles"),
    (r"people|persons|others|dead|bodies|victims|martyrs|lives|casualties|individuals|men|displaced|refugees|"
     r"wounded|injured", "people"),
]
OUTCOMES = [  # (pattern, outcome)
    (r"killed|killing|dead|died|deaths?|death toll|lost their lives|massacred|fell victim|slain|martyred|"
     r"executed|lay in the street|corpses?|bodies", "killed"),
    (r"wounded|injured|injuring|injuries|hurt", "wounded"),
    (r"missing|disappeared", "missing"),
    (r"captured|detained|arrested|taken prisoner|abducted|kidnapped", "captured"),
    (r"surrendered|surrendering|gave themselves up", "surrendered"),
    (r"displaced|fled|fleeing|flee|refugees|driven out|uprooted", "displaced"),
    (r"evacuated|evacuation|left the district|relocated|bussed out", "evacuated"),
    (r"besieged|trapped|holed up|hiding|remain(?:ed)? in the besieged|under siege|encircled", "besieged"),
    (r"released|freed", "released"),
    (r"destroyed|destroying|burned|torched", "destroyed"),
    (r"seized|captured", "seized"),
]
NOT_COUNTS = re.compile(  # what follows a number that is not a count of anything here
    r"^[- ]?(?:years?|months?|weeks?|days?|hours?|minutes?|km|kilomet\w*|miles?|metres|meters|am|pm|a\.m|p\.m|"
    r"percent|per cent|%|o’clock|-year-old|year-old|th|st|nd|rd|times)\b", re.I)
MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"


@dataclass
class Quantity:
    start: int
    end: int
    text: str
    count: int | None = None
    min: int | None = None
    max: int | None = None
    amount: str | None = None
    percent: bool = False

    def as_fields(self) -> dict:
        return {k: v for k, v in (("count", self.count), ("min", self.min), ("max", self.max),
                                  ("amount", self.amount)) if v is not None}


def number(words: str) -> int | None:
    """'7,600' -> 7600; 'forty' -> 40; 'two thousand' -> 2000; 'half a million' -> 500000."""
    w = words.lower().replace(",", "").strip()
    if w == "half a million":
        return 500_000
    try:
        return int(float(w))
    except ValueError:
        pass
    total, current = 0, 0
    for part in re.split(r"[- ]+", w):
        if part in UNITS:
            current += UNITS[part]
        elif part in SCALES:
            current = max(current, 1) * SCALES[part]
            if SCALES[part] >= 1000:
                total, current = total + current, 0
        else:
            return None
    return total + current


def quantities(text: str, lo: int, hi: int) -> list[Quantity]:
    """Every quantity in text[lo:hi] that counts something (not a year, date, age or duration)."""
    out = []
    for m in QUANTITY.finditer(text, lo, hi):
        after = text[m.end():m.end() + 20]
        before = text[max(lo, m.start() - 12):m.start()]
        q = Quantity(m.start(), m.end(), m.group(0))
        if m.group("vague"):
            if m.group("vague").lower() in ("some", "many", "several", "a number") and not re.match(r"\s+(?:of\s+)?\w", after):
                continue
            q.amount = m.group("vague").lower()
        elif m.group("between") or m.group("lo2"):
            lo_n, hi_n = number(m.group("lo") or m.group("lo2")), number(m.group("hi") or m.group("hi2"))
            if lo_n is None or hi_n is None or lo_n > hi_n:
                continue
            q.min, q.max = lo_n, hi_n
        else:
            n = number(m.group("n"))
            if n is None or _not_a_count(m.group("n"), before, after):
                continue
            q.percent = bool(m.group("pct"))
            prefix = (m.group("prefix") or "").lower()
            if prefix in LOWER:
                q.min = n + LOWER[prefix]
            elif prefix in UPPER:
                q.max = n + UPPER[prefix]
            elif prefix in ABOUT:
                q.count, q.amount = n, f"{prefix} {m.group('n')}"
            else:
                q.count = n
        out.append(q)
    return out


def _not_a_count(numeral: str, before: str, after: str) -> bool:
    digits = numeral.replace(",", "")
    if digits.isdigit() and len(digits) == 4 and 1900 <= int(digits) <= 2100 and "," not in numeral:
        return True  # a year
    if re.search(rf"(?:{MONTHS})\s*$", before) or re.match(rf"\s*(?:{MONTHS})\b", after):
        return True  # a date
    if after.startswith(",") and digits.isdigit() and int(digits) < 120 and re.search(r"[A-Z][\w’'-]+,\s*$", before):
        return True  # "Mohammed Jomaa, 25, ..." an age
    if numeral.lower() in ("one", "a", "an") and not re.match(r"\s+(?:of\s+)?(?:the\s+)?\w", after):
        return True
    return bool(NOT_COUNTS.match(after)) and not after.startswith(("%", " per"))


@dataclass
class Casualty:
    quantity: Quantity
    victims: str
    outcome: list[str]
    start: int  # the span a quote should cover: the number, its noun and the outcome word
    end: int
    noun: str


def casualties(text: str, clause: tuple[int, int], quantities_: list[Quantity]) -> tuple[list[Casualty], list[tuple[Quantity, str]]]:
    """Casualty figures of one clause, and the other figures (quantity, what it counts) in it."""
    lo, hi = clause
    found, others = [], []
    clause_text = text[lo:hi]
    for q in quantities_:
        if not (lo <= q.start < hi):
            continue
        tail = text[q.end:hi]
        m = re.match(r"\s*(?:of\s+(?:the\s+)?)?((?:[\w’'-]+\s+){0,3}?)(" + "|".join(p for p, _ in VICTIMS) + r")\b", tail, re.I)
        if q.percent:
            others.append((q, "percent" + _noun_phrase(tail)))
            continue
        if not m:
            implied = _implied(text, lo, q, found)
            if implied:
                found.append(implied)
                continue
            noun = _noun_phrase(tail)
            others.append((q, noun)) if noun else None
            continue
        victims = next(cat for p, cat in VICTIMS if re.fullmatch(p, m.group(2), re.I))
        noun_end = q.end + m.end()
        outcome, o_start, o_end = _outcome(text, lo, hi, q.start, noun_end, m.group(2))
        if outcome and not (q.start - 30 <= o_start and o_end <= noun_end + 30):
            o_start, o_end = q.start, noun_end  # the outcome word is far: the quote is the number and its noun
        if not outcome:
            others.append((q, text[q.end:noun_end].strip()))
            continue
        if victims == "military-vehicles" and outcome[0] not in ("destroyed", "seized", "captured"):
            others.append((q, text[q.end:noun_end].strip()))
            continue
        outcome = ["seized" if o == "captured" and victims == "military-vehicles" else o for o in outcome]
        found.append(Casualty(q, victims, outcome, min(q.start, o_start), max(noun_end, o_end), m.group(2)))
    return found, others


_OUTCOME_WORDS = "|".join(p for p, _ in OUTCOMES)


def _implied(text: str, lo: int, q: Quantity, found: list) -> Casualty | None:
    """A number with no noun that still counts people: next to an outcome word ("25 more missing",
    "injuring dozens", "killed 14") or after a death toll ("the death toll surpassed 100,000")."""
    victims = found[-1].victims if found else "people"
    after = re.match(rf"\s+(?:more\s+|others?\s+|people\s+)?(?:were\s+)?({_OUTCOME_WORDS})\b", text[q.end:q.end + 40], re.I)
    before = re.search(rf"\b({_OUTCOME_WORDS})\s+(?:some\s+|at least\s+)?$", text[max(lo, q.start - 30):q.start], re.I)
    toll = re.search(r"\b(?:death toll|toll|number of (?:the )?(?:dead|deaths|people killed))\b[^.;]{0,40}$",
                     text[max(lo, q.start - 60):q.start], re.I)
    if after:
        word, start, end = after.group(1), q.start, q.end + after.end()
    elif before:
        word, start, end = before.group(1), q.start - len(before.group(0)) + before.start(1), q.end
    elif toll:
        word, start, end = "killed", q.start - len(toll.group(0)) + toll.start(), q.end
    else:
        return None
    outcome = next(o for p, o in OUTCOMES if re.fullmatch(p, word, re.I))
    outcomes = [outcome]
    pair = re.match(r"\s+or\s+(\w+)", text[end:end + 30])
    if pair:
        extra = next((o for p, o in OUTCOMES if re.fullmatch(p, pair.group(1), re.I)), None)
        if extra and extra != outcome:
            outcomes.append(extra)
            end += pair.end()
    return Casualty(q, victims, outcomes, start, end, "")


def _outcome(text: str, lo: int, hi: int, q_start: int, noun_end: int, noun: str) -> tuple[list[str], int, int]:
    """The outcome word nearest the figure in its clause (a noun like "dead" is its own outcome);
    "missing or captured" gives both."""
    best = None
    for pattern, outcome in OUTCOMES:
        for m in re.finditer(rf"\b(?:{pattern})\b", text[lo:hi], re.I):
            s, e = lo + m.start(), lo + m.end()
            distance = 0 if q_start <= s < noun_end else min(abs(s - noun_end), abs(q_start - e))
            if best is None or distance < best[0]:
                best = (distance, outcome, s, e)
    if best is None:
        return [], q_start, noun_end
    distance, outcome, s, e = best
    outcomes = [outcome]
    pair = re.match(r"\s+or\s+(\w+)", text[e:hi])
    if pair:
        extra = next((o for p, o in OUTCOMES if re.fullmatch(p, pair.group(1), re.I)), None)
        if extra and extra not in outcomes:
            outcomes.append(extra)
            e += pair.end()
    return outcomes, s, e


def _noun_phrase(tail: str) -> str:
    m = re.match(r"\s*((?:of\s+)?(?:[a-z][\w’'-]*\s+){0,2}[a-z][\w’'-]*)", tail)
    return m.group(1).strip() if m else ""
