"""Drafted items and their review: which items of an annotation file still await a person.

`kg draft` marks every item it proposes with `review: {status: pending, ...}`; a person accepts
(status: accepted) or deletes each. Unreviewed items never reach the graph silently: `kg load`
refuses a file with pending items, naming how many and their lines, unless drafts are allowed
(`--allow-drafts`), and then the graph marks them hk:reviewStatus hk:unreviewed (kg.loading.compiler).
Rejected items are always refused: a reviewer deletes them, or the workbench does on saving."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.errors import AnnotationError
from kg.loading.reader import read_yaml

SHOWN = 12  # lines listed in a message; the count says how many in all


@dataclass(frozen=True)
class Item:
    path: Path
    line: int | None
    where: str  # "events[3]", "article.headline"
    status: str


def items_under_review(path: Path, statuses=("pending", "rejected")) -> list[Item]:
    """Every item of the file whose review status is one of `statuses`, in file order."""
    located = read_yaml(path)
    found: list[tuple[tuple, str]] = []

    def walk(node, loc):
        if isinstance(node, dict):
            review = node.get("review")
            if isinstance(review, dict) and review.get("status") in statuses:
                found.append((loc, review["status"]))
            for key, value in node.items():
                if key != "review":
                    walk(value, loc + (key,))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, loc + (i,))

    walk(located.tree, ())
    return [Item(path, located.line(loc), _where(loc), status) for loc, status in found]


def _where(loc: tuple) -> str:
    out = ""
    for step in loc:
        out += f"[{step}]" if isinstance(step, int) else (("." if out else "") + str(step))
    return out


def refuse_unreviewed(paths: list[Path], allow_drafts: bool = False):
    """Raise an AnnotationError for the first file holding rejected items, or pending ones unless
    drafts are allowed: how many, and at which lines."""
    for path in paths:
        try:
            if b"review" not in path.read_bytes():  # most files were written by hand: no need to parse
                continue
        except OSError:
            continue  # the load reports an unreadable file in its own words
        items = items_under_review(path)
        rejected = [i for i in items if i.status == "rejected"]
        pending = [i for i in items if i.status == "pending"]
        if rejected:
            raise AnnotationError(path, rejected[0].line, f"{_count(rejected, 'rejected item')} ({_lines(rejected)}): "
                                  "delete them before loading")
        if pending and not allow_drafts:
            raise AnnotationError(path, pending[0].line, f"{_count(pending, 'item')} still pending review "
                                  f"({_lines(pending)}): review them (docs/annotating.md), or load them marked "
                                  "unreviewed with --allow-drafts")


def _count(items: list, noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"


def _lines(items: list[Item]) -> str:
    lines = [str(i.line) for i in items[:SHOWN] if i.line]
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return "line" + ("s " if len(lines) != 1 else " ") + ", ".join(lines) + more
