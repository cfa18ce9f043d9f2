"""Article metadata from the page: headline, byline, publisher and publication date.

Each is stated (with the quote where the page says it), inferred with a reason, or null with a
reason: never invented. The headline is the title-like line nearest above the body (a line the
page repeats, as a breadcrumb and a title, is preferred); the byline is a "By First Last (and
First Last)" line; the date a full date in the page furniture before the body (or a "published
on" line); the publisher an outlet of the corpus the furniture names ("(Keystone-ATS)",
"Source: Aljazeera.com", "told Syria Direct"), else what --publisher says."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kg.drafting import dates
from kg.drafting.names import slug
from kg.drafting.text import count, paragraphs

_AUTHOR = r"[A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+){1,3}"
BYLINE = re.compile(rf"\bBy ({_AUTHOR}(?:(?:, and |, | and ){_AUTHOR})*)")
FULL_DATE = re.compile(rf"(?:{dates.MONTHS}) \d{{1,2}},? \d{{4}}|\d{{1,2}} (?:{dates.MONTHS}),? \d{{4}}")


@dataclass
class Metadata:
    fields: dict  # article: headline, publisher, authors, published (each a Meta dict)
    authors: list[dict] = field(default_factory=list)  # actor entries for byline names no corpus knows
    published: dt.date | None = None


def unique_in_file(text: str, start: int, end: int) -> str:
    """A metadata quote: unique in the whole file, lengthened to the right (then left) if not."""
    s, e = start, end
    while count(text, text[s:e], 0, len(text)) > 1:
        nxt = re.search(r"\S+", text[e:])
        if nxt:
            e = e + nxt.end()
        else:
            prev = re.search(r"\S+\s*$", text[:s])
            if not prev:
                break
            s = prev.start()
    return text[s:e]


def headline(text: str, body_start: int) -> dict:
    above = [p for p in paragraphs(text) if p.end <= body_start]
    lines = [p.text for p in above]
    candidates = [p for p in above if 3 <= p.words <= 20 and not FULL_DATE.search(p.text)
                  and not BYLINE.search(p.text) and not re.match(r"^(skip|home|menu|\d+ min)", p.text, re.I)]
    if not candidates:
        return {"value": None, "basis": "inferred", "reason": "no title-like line above the article body"}
    repeated = [p for p in candidates if lines.count(p.text) > 1]
    best = (repeated or candidates)[-1]
    quote = unique_in_file(text, best.start, best.end)
    return {"value": best.text, "basis": "stated", "quote": quote}


def byline(text: str, body_start: int, body_end: int, known: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """Author metadata and the actor entries for authors the corpus does not know (known: folded
    label -> id)."""
    for m in BYLINE.finditer(text):
        if body_start <= m.start() < body_end - 200:  # "by the army" inside the story is no byline
            continue
        names = [n.strip() for n in re.split(r",| and ", m.group(1)) if n.strip()]
        names = [re.sub(r"\s*\W+$", "", n) for n in names]
        if not names:
            continue
        quote = unique_in_file(text, m.start(), m.end())
        authors, new = [], []
        for n in names:
            ident = known.get(n.lower()) or slug(n)
            authors.append({"value": ident, "basis": "stated", "quote": quote})
            if n.lower() not in known:
                new.append({"id": ident, "type": "Person", "label": n})
            quote = None  # one quote for the byline: metadata quotes must each be unique
        if len(authors) > 1:
            for a in authors[1:]:
                a.pop("quote", None)
        return authors, new
    return [], []


def published(text: str, body_start: int, given: dt.date | None) -> tuple[dict, dt.date | None]:
    if given:
        return ({"value": given.isoformat(), "basis": "inferred",
                 "reason": "given by the annotator (kg draft --published); check it against the page"}, given)
    furniture = text[:body_start]
    m = re.search(rf"published on\s+({FULL_DATE.pattern})", text, re.I) or FULL_DATE.search(furniture)
    if m:
        span = m.span(1) if m.re.groups else m.span()
        day = dates.parse_date(text[span[0]:span[1]])
        if day:
            return ({"value": day.isoformat(), "basis": "stated", "quote": unique_in_file(text, *span),
                     }, day)
    return ({"value": None, "basis": "inferred",
             "reason": "the page states no date; give --published, and relative dates will be resolved"}, None)


def publisher(text: str, body: tuple[int, int], outlets: dict[str, str], given: str | None) -> tuple[dict, dict | None]:
    """(publisher metadata, a new outlet's actor entry or None). outlets: name as written -> corpus
    actor id, for every MediaOutlet the corpus knows."""
    if given:
        return ({"value": given, "basis": "inferred",
                 "reason": "given by the annotator (kg draft --publisher); the page does not name it as its publisher"},
                None)
    furniture = [(0, body[0]), (body[1], len(text))]
    for name, ident in sorted(outlets.items(), key=lambda kv: -len(kv[0])):
        for lo, hi in furniture + [(body[0], min(body[1], body[0] + 200))]:
            m = re.search(rf"(?:\(|Source:\s*|©\s*|Copyright\s+){re.escape(name)}\b\)?", text[lo:hi], re.I)
            if m:
                return ({"value": ident, "basis": "stated",
                         "quote": unique_in_file(text, lo + m.start(), lo + m.end())}, None)
    # a wire service's dateline opening a paragraph: "(Keystone-ATS) Located south of ..."
    m = re.search(r"(?m)^\s*\(([A-Z][\w.]*(?:[- ][A-Z][\w.]*){0,3})\)\s", text)
    if m:
        ident = slug(m.group(1))
        quote = unique_in_file(text, m.start(1) - 1, m.end(1) + 1)
        return ({"value": ident, "basis": "stated", "quote": quote},
                {"id": ident, "type": "MediaOutlet", "label": m.group(1)})
    return ({"value": None, "basis": "inferred",
             "reason": "the page does not name its publisher; give --publisher with the outlet's actor id"}, None)
