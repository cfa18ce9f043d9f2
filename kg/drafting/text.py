"""The article as text: where its body begins and ends, its sentences and clauses, and quotes.

A page saved from the web carries furniture around the story (menus, bylines, "related" links,
comments). The body is found as the longest run of prose paragraphs (long lines that read as
sentences), allowing short subheadings inside it. Every quote a draft proposes is a span of the
body that occurs exactly once in it (kg.loading.quotes' rule): `unique_quote` lengthens a span word by word
until it does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.loading.quotes import _pattern

PROSE_WORDS = 10  # a paragraph of at least this many words that ends like a sentence is prose
MAX_GAP = 2  # short lines (subheadings, captions, a dateline) a run of prose may pass over
FURNITURE = re.compile(  # lines that end the body: what follows a story on a web page
    r"^(share\b|related\b|read more|more from|comments?$|show more comments|sign up|subscribe|advertisement|"
    r"copyright|©|you may also like|recommended|most read|newsletter|page not found)|like us on|follow us|"
    r"all rights reserved|logged in to|contributed reporting", re.I)
SENTENCE_END = re.compile(r"[.!?…»”\"’)\]]\s*$")
GLUED = re.compile(r"^[a-z]+(?=[A-Z][a-z])")  # "homsSyrian armed forces": a caption glued to the first word


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())

    def is_furniture(self) -> bool:
        return bool(FURNITURE.search(self.text))

    def is_prose(self) -> bool:
        return self.words >= PROSE_WORDS and bool(SENTENCE_END.search(self.text)) and not self.is_furniture()


def paragraphs(text: str) -> list[Paragraph]:
    out = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            out.append(Paragraph(m.start() + lead, m.start() + lead + len(stripped), stripped))
    return out


def body_span(text: str) -> tuple[int, int]:
    """(start, end) offsets of the article body: the run of prose paragraphs with the most words.
    A run passes over up to MAX_GAP short lines (subheadings, captions) and stops at furniture
    (share, comments, related, copyright...)."""
    paras = paragraphs(text)
    best, best_words = None, 0
    run, words, gap = None, 0, 0
    for i, p in enumerate(paras):
        if p.is_prose():
            run, words, gap = (run[0] if run else i, i), words + p.words, 0
            if words > best_words:
                best, best_words = run, words
        elif p.is_furniture() or gap >= MAX_GAP:
            run, words, gap = None, 0, 0
        elif run:
            gap += 1
    if best is None:  # no prose at all: the whole text
        return (paras[0].start, paras[-1].end) if paras else (0, len(text))
    start = paras[best[0]].start
    glued = GLUED.match(paras[best[0]].text)
    return start + (glued.end() if glued else 0), paras[best[1]].end


def count(text: str, quote: str, lo: int, hi: int) -> int:
    return sum(1 for _ in _compiled(quote).finditer(text, lo, hi))


@lru_cache(maxsize=4096)
def _compiled(quote: str) -> re.Pattern:
    return _pattern(quote)


_WORD = re.compile(r"\S+")


def unique_quote(text: str, start: int, end: int, lo: int, hi: int, least_words: int = 1) -> str | None:
    """The span text[start:end], lengthened a word at a time (right first, then left) within [lo, hi)
    until it occurs exactly once there; None if even the whole range repeats."""
    start, end = _trim(text, start, end)
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, lo, hi)]
    if not words:
        return None
    first = next((i for i, w in enumerate(words) if w[1] > start), 0)
    last = max((i for i, w in enumerate(words) if w[0] < end), default=first)
    a, b = first, max(first, last)
    grow_right = True
    while True:
        s, e = max(words[a][0], start) if a == first else words[a][0], \
            min(words[b][1], end) if b == last else words[b][1]
        quote = text[s:e]
        if b - a + 1 >= least_words and quote.strip() and count(text, quote, lo, hi) == 1:
            return quote
        if a == 0 and b == len(words) - 1:
            return None
        if (grow_right and b < len(words) - 1) or a == 0:
            b += 1
        else:
            a -= 1
        grow_right = not grow_right


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --- sentences and clauses ------------------------------------------------------------------------

_SENT = re.compile(r"[^.!?…\n]*(?:[.!?…]+[”\"’»)]*|\n|$)")
_ABBREV = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Sgt|St|No|Jr|Sr|U\.S|U\.N|Sen|Rep|Gov|Prof|vs)\.$")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str, lo: int, hi: int) -> list[Sentence]:
    """Sentences of text[lo:hi], as spans. A full stop after a title (Mr., Dr.) does not end one."""
    out, begin = [], lo
    for m in _SENT.finditer(text, lo, hi):
        if m.end() == m.start():
            continue
        piece = text[begin:m.end()]
        if _ABBREV.search(piece.rstrip()) and m.end() < hi and text[m.end():m.end() + 1] != "\n":
            continue
        s, e = _trim(text, begin, m.end())
        if e > s:
            out.append(Sentence(s, e, text[s:e]))
        begin = m.end()
    if begin < hi:
        s, e = _trim(text, begin, hi)
        if e > s:
            out.append(Sentence(s, e, text[s:e]))
    return out


_CLAUSE_BREAK = re.compile(r"[,;:–—()]|\s(?:while|whereas|but|after|before|as|when|which|who)\s")


def clause(text: str, sentence: Sentence, at: int, least_words: int = 6) -> tuple[int, int]:
    """The clause of `sentence` around offset `at`: the sentence cut at commas, dashes, semicolons
    and a few conjunctions, widened to neighbouring pieces until it has `least_words` words."""
    cuts = [sentence.start] + [sentence.start + m.start() + (1 if m.group(0)[0] in ",;:–—()" else 0)
                               for m in _CLAUSE_BREAK.finditer(sentence.text)] + [sentence.end]
    cuts = sorted(set(cuts))
    i = max(k for k in range(len(cuts) - 1) if cuts[k] <= at) if at >= cuts[0] else 0
    a, b = i, i + 1
    while len(text[cuts[a]:cuts[b]].split()) < least_words and (a > 0 or b < len(cuts) - 1):
        if b < len(cuts) - 1:
            b += 1
        if len(text[cuts[a]:cuts[b]].split()) < least_words and a > 0:
            a -= 1
    s, e = _trim(text, cuts[a], cuts[b])
    while s < e and text[s] in ",;:–—() ":
        s += 1
    while e > s and text[e - 1] in ",;:–—( ":
        e -= 1
    return s, e


def edge_quote(text: str, at: int, forward: bool, least_words: int = 4) -> str:
    """The first (forward) or last words of the body from offset `at`, as many as it takes to be
    unique in the whole text (body.start / body.end are found in the whole file)."""
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text, at if forward else 0, len(text) if forward else at)]
    if not forward:
        spans.reverse()
    for n in range(1, len(spans) + 1):
        chosen = spans[:n]
        s, e = min(c[0] for c in chosen), max(c[1] for c in chosen)
        if n >= least_words and count(text, text[s:e], 0, len(text)) == 1:
            return text[s:e]
    s, e = min(c[0] for c in spans), max(c[1] for c in spans)
    return text[s:e]
