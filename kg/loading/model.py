"""The annotation format (docs/annotation-format.md) as pydantic models.

These models check the shape of one file: keys, value types, slugs, dates, counts. Whether a type
name exists in the ontology, whether an id is defined and whether a quote is in the text is checked
afterwards, against the ontology and the article (kg.check)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]


def _as_list(value):
    """A single value where a list is expected is read as a list of one."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


Slugs = Annotated[list[Slug], BeforeValidator(_as_list)]
Names = Annotated[list[str], BeforeValidator(_as_list)]
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Review(Strict):
    """What a draft proposed and where its review stands (docs/annotating.md). `pending` items are
    refused by `kg load` unless drafts are allowed; `rejected` ones always (delete them)."""

    status: Literal["pending", "accepted", "rejected"]
    rule: str | None = None  # the rule of kg.drafting that proposed the item
    confidence: Annotated[float, Field(ge=0, le=1)] | None = None
    note: str | None = None
    alternatives: Names = Field(default_factory=list)


# --- dates -------------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _date_text(value) -> str:
    # YAML reads 2014-05-07 as a date and 2014 as an integer; both mean the text the user wrote.
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


PartialDate = Annotated[str, BeforeValidator(_date_text)]


def date_bounds(text: str) -> tuple[dt.date, dt.date, str]:
    """`2014`, `2014-05` or `2014-05-07` -> (first day, last day, precision: year|month|day)."""
    m = _DATE.match(text)
    if not m:
        raise ValueError(f"bad date {text!r}: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        if day:
            d = dt.date(int(year), int(month), int(day))
            return d, d, "day"
        if month:
            last = calendar.monthrange(int(year), int(month))[1]
            return dt.date(int(year), int(month), 1), dt.date(int(year), int(month), last), "month"
        return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31), "year"
    except ValueError as err:
        raise ValueError(f"bad date {text!r}: {err}") from None


class When(Strict):
    date: PartialDate | None = None
    from_: PartialDate | None = Field(None, alias="from")
    to: PartialDate | None = None
    text: str | None = None
    basis: Literal["stated", "inferred"] = "stated"
    reason: str | None = None

    @model_validator(mode="after")
    def _check(self):
        if self.date and (self.from_ or self.to):
            raise ValueError("give either 'date' or 'from'/'to', not both")
        if not (self.date or self.from_ or self.to):
            raise ValueError("give 'date', or 'from' and/or 'to'")
        if self.basis == "inferred" and not self.reason:
            raise ValueError("an inferred date needs a 'reason'")
        lo, hi, _ = self.bounds()  # raises on a bad date
        if lo and hi and lo > hi:
            raise ValueError(f"'from' ({self.from_}) is after 'to' ({self.to})")
        return self

    def bounds(self) -> tuple[dt.date | None, dt.date | None, str | None]:
        """(earliest, latest, precision); precision is that of the coarser bound."""
        if self.date:
            return date_bounds(self.date)
        lo = date_bounds(self.from_) if self.from_ else None
        hi = date_bounds(self.to) if self.to else None
        order = {"day": 0, "month": 1, "year": 2}
        precisions = [b[2] for b in (lo, hi) if b]
        return (lo[0] if lo else None, hi[1] if hi else None, max(precisions, key=order.get))


# --- shared parts ------------------------------------------------------------------------------


class Meta(Strict):
    value: str | int | dt.date | None  # None: unknown (then basis is inferred and reason says why)
    basis: Literal["stated", "inferred"]
    reason: str | None = None
    quote: Text | None = None
    review: Review | None = None

    @model_validator(mode="after")
    def _check(self):
        if self.basis == "inferred" and not self.reason:
            raise ValueError("an inferred value needs a 'reason'")
        if self.value is None and self.basis != "inferred":
            raise ValueError("an unknown value (null) needs basis: inferred and a reason")
        return self


class Place(Strict):
    id: Slug
    type: Text
    label: Text
    aliases: Names = Field(default_factory=list)
    partOf: Slugs = Field(default_factory=list)
    coordinates: tuple[float, float] | None = None
    note: str | None = None
    quote: Text | None = None
    review: Review | None = None

    @model_validator(mode="after")
    def _check(self):
        if self.coordinates:
            lat, lon = self.coordinates
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"coordinates {list(self.coordinates)} are not [latitude, longitude]")
        return self


class Actor(Strict):
    id: Slug
    type: Text
    label: Text
    aliases: Names = Field(default_factory=list)
    memberOf: Slugs = Field(default_factory=list)
    basedIn: Slug | None = None
    note: str | None = None
    quote: Text | None = None
    review: Review | None = None


class SharedEvent(Strict):
    """One event several articles report (issue 13): `reports` name article events as `article-id/event-id`."""

    id: Slug
    label: Text
    reports: Annotated[list[Annotated[str, Field(pattern=SLUG_PATTERN[:-1] + "/" + SLUG_PATTERN[1:])]],
                       Field(min_length=2)]
    note: str | None = None


class ReferencePlace(Place):
    """A place of entities.yaml: it may carry its GeoNames id (reference knowledge, kg/geonames.py)."""
    geonames: int | None = Field(default=None, gt=0)


class Entities(Strict):
    places: list[ReferencePlace] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    events: list[SharedEvent] = Field(default_factory=list)


# --- article files -----------------------------------------------------------------------------


class Body(Strict):
    start: Text
    end: Text


class Original(Strict):
    publisher: Meta | None = None
    published: Meta | None = None


class ArticleMeta(Strict):
    id: Slug
    text: Text
    body: Body
    headline: Meta  # value null when the page shows none
    publisher: Meta | None = None
    authors: list[Meta] = Field(default_factory=list)
    published: Meta | None = None
    language: str = "en"
    original: Original | None = None


class Mention(Strict):
    """Where the article names an entity; one entity may be mentioned several times, each with the
    name as the article writes it there (`name`, a part of the quote)."""

    entity: Slug
    quote: Text
    review: Review | None = None
    name: Text | None = None

    @model_validator(mode="after")
    def _name_in_quote(self):
        if self.name and " ".join(self.name.split()) not in " ".join(self.quote.split()):
            raise ValueError(f"name {self.name!r} is not in the quote: write the name as the article does")
        return self


# words that make a number approximate: "about 1000" is `about: 1000`, never an exact `count`
APPROXIMATE = re.compile(r"^(about|some|around|nearly|almost|approximately|roughly|an estimated|half)\b", re.I)
RATE_UNITS = ("day", "week", "month", "year")


class Quantity(Strict):
    """A reported number: an exact count, an approximate one, a range (either bound may be open), or
    a vague amount; optionally a rate (`per: day`), and marked as a reading (`basis: inferred`)."""

    count: Annotated[int, Field(ge=0, strict=True)] | None = None
    about: Annotated[int, Field(ge=0, strict=True)] | None = None
    min: Annotated[int, Field(ge=0, strict=True)] | None = None
    max: Annotated[int, Field(ge=0, strict=True)] | None = None
    amount: Text | None = None
    per: Literal[RATE_UNITS] | None = None  # type: ignore[valid-type]
    basis: Literal["stated", "inferred"] = "stated"
    reason: str | None = None

    @model_validator(mode="after")
    def _check_quantity(self):
        given = [k for k in ("count", "about") if getattr(self, k) is not None]
        if given and (self.min is not None or self.max is not None):
            raise ValueError(f"give '{given[0]}', or 'min'/'max', not both")
        if len(given) == 2:
            raise ValueError("give 'count' (exact) or 'about' (approximate), not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"'min' ({self.min}) is greater than 'max' ({self.max})")
        if not given and self.min is None and self.max is None and self.amount is None:
            raise ValueError("give 'count', 'about', 'min'/'max' or 'amount'")
        if self.count is not None and self.amount and APPROXIMATE.match(self.amount):
            raise ValueError(f"{self.amount!r} is approximate: write 'about: {self.count}', not 'count'")
        if self.basis == "inferred" and not self.reason:
            raise ValueError("an inferred reading needs a 'reason'")
        return self


UNSPECIFIED = "unspecified"  # the amount of a figure whose source gives no number at all


def _words_in_quote(item):
    """`amount` keeps the text's own words: it must occur in the item's quote."""
    if item.amount and item.amount != UNSPECIFIED:
        if " ".join(item.amount.split()).lower() not in " ".join(item.quote.split()).lower():
            raise ValueError(f"amount {item.amount!r} is not in the quote: keep the text's own words "
                             f"(or '{UNSPECIFIED}' when it gives no number)")
    return item


class Figure(Quantity):
    id: Slug
    of: Text
    quote: Text
    reportedBy: Slugs = Field(default_factory=list)
    review: Review | None = None
    partOf: Slugs = Field(default_factory=list)  # figures of the same event it is a part of

    _check_words = model_validator(mode="after")(_words_in_quote)


class Roles(Strict):
    """The roles actors may play; each a list of actor ids."""

    attacker: Slugs = Field(default_factory=list)
    target: Slugs = Field(default_factory=list)
    victim: Slugs = Field(default_factory=list)
    participant: Slugs = Field(default_factory=list)
    organiser: Slugs = Field(default_factory=list)
    speaker: Slugs = Field(default_factory=list)
    supporter: Slugs = Field(default_factory=list)
    party: Slugs = Field(default_factory=list)
    mediator: Slugs = Field(default_factory=list)
    guarantor: Slugs = Field(default_factory=list)
    escort: Slugs = Field(default_factory=list)


ROLES = tuple(Roles.model_fields)


class Support(Strict):
    """Which side one of the event's supporters supports, where the article says so."""

    supporter: Slug
    side: Slug
    quote: Text


class PlaceRoles(Strict):
    """Places with a role beyond where a movement or attack is located (issue 14)."""

    origin: Slugs = Field(default_factory=list)
    destination: Slugs = Field(default_factory=list)


PLACE_ROLES = ("origin", "destination", "firedFrom", "launchedFrom")


class Control(Strict):
    """What a control change hands on (issue 13): which places, from whom, to whom."""

    places: Annotated[list[Slug], BeforeValidator(_as_list), Field(min_length=1)]
    from_: Slugs = Field(default_factory=list, alias="from")
    to: Slugs = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self):
        if not (self.from_ or self.to):
            raise ValueError("a control change needs 'from' and/or 'to'")
        return self


class ControlStatement(Strict):
    """An article's word that an actor held, contested or besieged a place (issue 13)."""

    id: Slug
    place: Slug
    controller: Annotated[list[Slug], BeforeValidator(_as_list), Field(min_length=1)]
    status: Literal["held", "contested", "besieged"] = "held"
    opponent: Slugs = Field(default_factory=list)
    quote: Text
    when: When | None = None
    reportedBy: Slugs = Field(default_factory=list)


class Event(Roles, PlaceRoles):
    firedFrom: Slugs = Field(default_factory=list)
    launchedFrom: Slugs = Field(default_factory=list)
    supports: list[Support] = Field(default_factory=list)
    id: Slug
    type: Annotated[list[Text], BeforeValidator(_as_list), Field(min_length=1)]
    label: Text
    quote: Text
    when: When | None = None
    places: Slugs = Field(default_factory=list)
    reportedBy: Slugs = Field(default_factory=list)
    partOf: Slugs = Field(default_factory=list)
    after: Slugs = Field(default_factory=list)
    modality: Literal["occurred", "ongoing", "planned", "predicted", "alleged", "denied", "habitual"] = "occurred"
    figures: list[Figure] = Field(default_factory=list)
    review: Review | None = None
    control: Control | None = None


class Term(Strict):
    text: Text
    quote: Text
    review: Review | None = None


class Agreement(PlaceRoles):
    accompanies: Slugs = Field(default_factory=list)  # other agreements of this article
    supersedes: Slugs = Field(default_factory=list)
    id: Slug
    type: Annotated[list[Text], BeforeValidator(_as_list), Field(min_length=1)]
    label: Text
    quote: Text
    status: Literal["proposed", "agreed", "implemented", "broke-down"]
    when: When | None = None
    places: Slugs = Field(default_factory=list)
    parties: Slugs = Field(default_factory=list)
    mediators: Slugs = Field(default_factory=list)
    guarantors: Slugs = Field(default_factory=list)
    escorts: Slugs = Field(default_factory=list)
    terms: list[Term] = Field(default_factory=list)
    events: Slugs = Field(default_factory=list)
    implementedBy: Slugs = Field(default_factory=list)  # issue 13: events that carry it out...
    violatedBy: Slugs = Field(default_factory=list)  # ...or break it
    reportedBy: Slugs = Field(default_factory=list)
    review: Review | None = None


VICTIMS = ("people", "civilians", "fighters", "rebels", "soldiers", "security-forces", "children", "women",
           "journalists", "deserters", "prisoners", "residents", "military-vehicles")
OUTCOMES = ("killed", "dead", "wounded", "missing", "captured", "surrendered", "displaced", "evacuated", "besieged",
            "released", "destroyed", "seized")


class Casualty(Quantity):
    id: Slug
    quote: Text
    victims: Literal[VICTIMS]  # type: ignore[valid-type]
    outcome: Annotated[list[Literal[OUTCOMES]], BeforeValidator(_as_list), Field(min_length=1)]  # type: ignore[valid-type]
    places: Slugs = Field(default_factory=list)
    event: Slug | None = None
    when: When | None = None
    reportedBy: Annotated[list[Slug], BeforeValidator(_as_list), Field(min_length=1)]
    review: Review | None = None
    partOf: Slugs = Field(default_factory=list)  # casualty figures of this article it is a part of

    _check_words = model_validator(mode="after")(_words_in_quote)

    @model_validator(mode="after")
    def _words_for_inexact(self):
        # a casualty's label is generated from its number: an inexact one keeps the text's words
        if self.count is None and self.amount is None:
            raise ValueError("a range or approximate number needs 'amount', the text's own words for it "
                             "(\"more than 2,000\", \"fewer than 1,000\", \"about 1000\")")
        return self


class Claim(Strict):
    id: Slug
    claimant: Slug
    summary: Text
    quote: Text
    about: Slugs = Field(default_factory=list)
    when: When | None = None
    review: Review | None = None


class Position(Strict):
    """An occupation or post the article says an actor holds, dated where it dates it."""

    id: Slug
    holder: Slug
    role: Text  # the post in the article's words: "governor", "veteran war reporter"
    of: Slugs = Field(default_factory=list)  # the organisation (actor) or place (place) it is of
    quote: Text
    when: When | None = None


class ArticleFile(Strict):
    article: ArticleMeta
    places: list[Place] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    casualties: list[Casualty] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    positions: list[Position] = Field(default_factory=list)
    control: list[ControlStatement] = Field(default_factory=list)
