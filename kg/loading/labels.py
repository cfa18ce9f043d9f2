"""Generated labels of casualty figures, in the text's own quantity words.

A casualty figure has no label of its own in the annotation: the loader writes one from its number,
victim category and outcome. The number must read as the article wrote it: "more than 2,000 rebels
evacuated", not "at least 2001 rebels"; "fewer than 1,000", not "up to 999"; "dozens of people",
"1 person". The bounds (hk:minCount 2001) stay exact for queries; the label is for people.
An exact count is written as the quote writes it ("7,600", "two") when the quote has it."""

from __future__ import annotations

import re

SINGULAR = {"people": "person", "civilians": "civilian", "fighters": "fighter", "rebels": "rebel",
            "soldiers": "soldier", "security-forces": "member of the security forces", "children": "child",
            "women": "woman", "journalists": "journalist", "deserters": "deserter", "prisoners": "prisoner",
            "residents": "resident", "military-vehicles": "military vehicle"}
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve")
# vague amounts that take "of" before the noun: "dozens of people", "tens of thousands of residents"
PARTITIVE = re.compile(r"\b(dozens|hundreds|thousands|millions|scores|tens|thirds|quarters)$", re.I)


def count_words(n: int, quote: str) -> str:
    """An exact count as the quote writes it: "7,600", "7600", "two"; else the digits."""
    forms = [f"{n:,}", str(n)] + ([NUMBER_WORDS[n]] if n < len(NUMBER_WORDS) else [])
    for form in forms:
        m = re.search(rf"(?<![\w,.]){re.escape(form)}(?![\w]|,\d)", quote, re.I)
        if m:
            return m.group(0).lower()  # "One revolution fighter" -> "one"
    return str(n)


def quantity_words(item) -> str:
    """The number of a casualty figure in the text's words (`amount` when the annotation keeps them)."""
    if item.amount and item.amount != "unspecified":
        return item.amount
    if item.count is not None:
        return count_words(item.count, item.quote)
    return ""  # unspecified: no number (an inexact number always has `amount`, kg.loading.model checks it)


def casualty_label(c) -> str:
    words = quantity_words(c)
    singular = c.count == 1 and not c.amount
    noun = SINGULAR[c.victims] if singular else c.victims.replace("-", " ")
    if words and PARTITIVE.search(words):
        noun = "of " + noun
    outcome = " or ".join(c.outcome)
    rate = f" per {c.per}" if c.per else ""
    if not words:
        return f"{noun} {outcome}{rate} (number not given)"
    return f"{words} {noun} {outcome}{rate}"
