"""Who says so: the reporter of a fact, from the attribution in its sentence.

"... according to the OSDH", "the Observatory said", "said Raed", "The UN reported ...",
"..., told AFP" (the outlet that carried it, after the speaker). The reporter is the actor named
nearest the cue on the side the cue points to. A sentence with no attribution is the article's own
word: its reporter is the publisher. A pronoun ("he said") takes the last named person."""

from __future__ import annotations

import re
from dataclasses import dataclass

ACCORDING = r"according to|reported by|cited by|quoted by|citing"
INVERTED = r"said|says|told|added|explained|argued"  # "said Raed, an opposition fighter"
BEFORE = (r"said|says|reported|reports|added|affirmed|claimed|announced|documented|stated|told|explains|"
          r"argues|believes|insisted|warned|confirmed|estimated|counted|recorded|boasted|assured|announced")


@dataclass
class Named:
    start: int
    end: int
    id: str
    type: str


def reporter(sentence: str, offset: int, actors: list[Named], last_person: str | None) -> tuple[str | None, str]:
    """(actor id, rule) for the sentence starting at `offset`; (None, "none") if it names no source."""
    here = [a for a in actors if offset <= a.start < offset + len(sentence)]
    for m in re.finditer(rf"\b(?:{ACCORDING})\s+", sentence, re.I):
        cue_end = offset + m.end()  # an actor's span may begin with its article ("an NGO")
        after = [a for a in here if 0 <= a.start - cue_end <= 60]
        if after:
            return min(after, key=lambda a: a.start).id, "attribution.according-to"
    for m in re.finditer(rf"\b(?:{BEFORE})\b", sentence, re.I):
        cue = offset + m.start()
        before = [a for a in here if 0 <= cue - a.end <= 40]
        if before:
            return max(before, key=lambda a: a.end).id, "attribution.subject"
    for m in re.finditer(rf"\b(?:{INVERTED})\s+", sentence, re.I):
        cue_end = offset + m.end()
        after = [a for a in here if 0 <= a.start - cue_end <= 4]
        if after:
            return after[0].id, "attribution.inverted"
    for m in re.finditer(rf"\b(?:{BEFORE})\b", sentence, re.I):
        if re.search(r"\b(he|she)\s*$", sentence[:m.start()], re.I) and last_person:
            return last_person, "attribution.pronoun"
    return None, "none"
