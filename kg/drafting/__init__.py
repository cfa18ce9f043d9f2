"""`kg draft`: a raw article -> an annotation draft whose every item is quote-backed and awaits review.

Modules, one job each: text (body, sentences, unique quotes), metadata (headline, byline,
publisher, date), gazetteer (corpus + GeoNames names), names (new places and actors from patterns),
lexicon (event and agreement triggers), quantities (the quantity grammar and casualty figures),
attribution (who reports it), dates (relative dates), draft (the steps together), writer (YAML).
docs/annotating.md describes the workflow: draft -> review -> load."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def draft_file(text_path: Path, corpus: Path, out: Path, published: dt.date | None = None,
               publisher: str | None = None, article_id: str | None = None) -> dict:
    """Draft `text_path` against the corpus folder and write the YAML to `out`; the draft's tree."""
    from kg.drafting.draft import draft
    from kg.drafting.writer import dump

    doc = draft(text_path, corpus, published, publisher, article_id)
    header = (f"Draft of {text_path.name}, written by `kg draft` on {dt.date.today().isoformat()}.\n"
              "Every item carries review: {status: pending, ...}. Check each against the text, correct it,\n"
              "then set status: accepted (or delete the item). `kg load` refuses pending items.\n"
              "See docs/annotating.md.")
    out.write_text(dump(doc, header), encoding="utf-8")
    return doc
