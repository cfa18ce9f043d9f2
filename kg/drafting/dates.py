"""Dates in the text, resolved against the publication date with dateparser.

"on Tuesday" is the Tuesday before publication (basis: inferred, with the reason); "last week"
the week before; "in mid-April" April of the publication year, or of the year before when April
is still to come; "on May 7" / "February 3" take the publication year; a date with its year is
stated. Without a publication date only dates with their year are kept."""

from __future__ import annotations

import calendar
import datetime as dt
import re

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
DATE = re.compile(
    rf"\b(?:(?P<full>(?:{MONTHS}) \d{{1,2}},? \d{{4}}|\d{{1,2}} (?:{MONTHS}),? \d{{4}})"
    rf"|(?P<md>(?:on |since |by |until )?(?:the night of )?(?:{MONTHS}) \d{{1,2}}(?!\d|,? \d{{4}})|\d{{1,2}} (?:{MONTHS})(?! \d))"
    rf"|(?P<my>(?:in |since |by )?(?:early |mid-|late |mid )?(?:{MONTHS}),? \d{{4}})"
    rf"|(?P<m>(?:in |since |by )(?:early |mid-|late |mid )?(?:{MONTHS}))\b"
    rf"|(?P<wd>(?:on |last |this |since |by )?(?:{WEEKDAYS})(?: (?:night|evening|morning|afternoon))?)"
    rf"|(?P<rel>yesterday|today|last night|last week|last month|last year|this week|earlier this (?:week|month|year))"
    rf"|(?P<y>(?:in |since |by )(?:early |mid-|late )?(?:19|20)\d\d))\b")


def _day(text: str, base: dt.date) -> dt.date | None:
    import dateparser

    settings = {"RELATIVE_BASE": dt.datetime.combine(base, dt.time()), "PREFER_DATES_FROM": "past",
                "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": []}
    found = dateparser.parse(text, languages=["en"], settings=settings)
    return found.date() if found else None


def resolve(phrase: str, kind: str, published: dt.date | None) -> dict | None:
    """The `when:` of a date phrase of kind full|md|my|m|wd|rel|y, or None."""
    words = re.sub(r"^(?:on|in|since|by|until|the night of|last|this)\s+", "", phrase.strip(), flags=re.I)
    words = re.sub(r"^the night of\s+", "", words, flags=re.I)
    when = {"text": phrase}
    since = phrase.lower().startswith("since")
    if kind == "full":
        day = _day(words, published or dt.date(2000, 1, 1))
        return day and _span(when, day.isoformat(), since, published, None)
    if kind == "y":
        year = re.search(r"\d{4}", phrase).group(0)
        return _span(when, year, since, published, None)
    if published is None:
        return None
    if kind == "my":
        m = re.search(rf"({MONTHS}),? (\d{{4}})", phrase)
        month = list(calendar.month_name).index(m.group(1))
        return _span(when, f"{m.group(2)}-{month:02d}", since, published, None)
    if kind == "m":
        name = re.search(MONTHS, phrase).group(0)
        month = list(calendar.month_name).index(name)
        year = published.year if month <= published.month else published.year - 1
        reason = f"{name} {year}: the last {name} up to publication on {_long(published)}"
        return _span(when, f"{year}-{month:02d}", since, published, reason)
    if kind == "rel" and "week" in phrase.lower():
        monday = published - dt.timedelta(days=published.weekday() + (7 if "last" in phrase.lower() else 0))
        end = monday + dt.timedelta(days=6) if "last" in phrase.lower() else published
        return {"from": monday.isoformat(), "to": end.isoformat(), **when, "basis": "inferred",
                "reason": f"'{phrase}' counted from publication on {_long(published)}"}
    if kind == "rel" and ("month" in phrase.lower() or "year" in phrase.lower()):
        last = "last" in phrase.lower()
        if "month" in phrase.lower():
            first = (published.replace(day=1) - dt.timedelta(days=1)).replace(day=1) if last else published.replace(day=1)
            value = first.isoformat()[:7]
        else:
            value = str(published.year - 1 if last else published.year)
        return {"date": value, **when, "basis": "inferred",
                "reason": f"'{phrase}' counted from publication on {_long(published)}"}
    weekday = re.search(WEEKDAYS, phrase)
    if kind == "wd" and weekday and weekday.group(0) == published.strftime("%A") and not phrase.lower().startswith("last"):
        return _span(when, published.isoformat(), since, published,  # "on Friday" in a Friday paper: that day
                     f"'{phrase}': the day of publication, {_long(published)}")
    day = _day(words if kind != "rel" else phrase, published)
    if day is None or day > published:
        return None
    if kind == "md":
        reason = f"day and month stated; the year from publication on {_long(published)}"
    elif day == published:
        reason = f"'{phrase}': the day of publication, {_long(published)}"
    else:
        reason = f"'{phrase}': the {day.strftime('%A')} before publication on {_long(published)}, i.e. {_long(day)}"
    return _span(when, day.isoformat(), since, published, reason)


def _span(when: dict, value: str, since: bool, published: dt.date | None, reason: str | None) -> dict:
    if since and published:
        when.update({"from": value, "to": published.isoformat()})
        reason = (reason + "; " if reason else "") + f"'since': up to publication on {_long(published)}"
    else:
        when["date"] = value
    if reason:
        when.update(basis="inferred", reason=reason)
    else:
        when["basis"] = "stated"
    return when


def _long(day: dt.date) -> str:
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def find_dates(text: str, lo: int, hi: int, published: dt.date | None) -> list[tuple[int, int, dict]]:
    """(start, end, when) of every date phrase in text[lo:hi] that resolves."""
    out = []
    for m in DATE.finditer(text, lo, hi):
        kind = m.lastgroup
        when = resolve(m.group(0), kind, published)
        if when:
            out.append((m.start(), m.end(), when))
    return out


def parse_date(text: str) -> dt.date | None:
    """A publication date as the page writes it ("May 22, 2014", "December 06, 2024 – 06:41")."""
    import dateparser

    found = dateparser.parse(text, languages=["en"], settings={"REQUIRE_PARTS": ["day", "month", "year"]})
    return found.date() if found else None
