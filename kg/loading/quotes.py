"""Find a quote in an article: exactly once, whitespace runs matching any whitespace run."""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTEXT = 32  # characters of prefix / suffix kept with each quote (Web Annotation TextQuoteSelector)


@dataclass(frozen=True)
class Span:
    start: int  # offsets in Unicode code points of the article text, end exclusive
    end: int
    exact: str  # the article's own characters (it may differ from the quote in white space only)
    prefix: str
    suffix: str


class QuoteError(ValueError):
    pass


def _pattern(quote: str) -> re.Pattern:
    words = quote.split()
    if not words:
        raise QuoteError("empty quote")
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def find(text: str, quote: str, lo: int = 0, hi: int | None = None, where: str = "the article body") -> Span:
    """The one place `quote` occurs in text[lo:hi]; QuoteError if it is absent or occurs twice."""
    hi = len(text) if hi is None else hi
    hits = [m for m in _pattern(quote).finditer(text, lo, hi)]
    if not hits:
        outside = _pattern(quote).search(text)
        if outside:
            raise QuoteError(f"quote {_short(quote)!r} is outside {where} (at offset {outside.start()}): "
                             "page furniture yields no facts")
        raise QuoteError(f"quote not found in {where}: {_short(quote)!r}")
    if len(hits) > 1:
        offsets = ", ".join(str(m.start()) for m in hits[:5])
        raise QuoteError(f"quote is ambiguous, it occurs {len(hits)} times in {where} (offsets {offsets}): "
                         f"{_short(quote)!r}; quote more of the sentence")
    m = hits[0]
    return Span(m.start(), m.end(), m.group(0), text[max(0, m.start() - CONTEXT):m.start()],
                text[m.end():m.end() + CONTEXT])


def _short(quote: str, n: int = 80) -> str:
    return quote if len(quote) <= n else quote[: n - 1] + "…"
