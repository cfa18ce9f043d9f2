"""`kg validate`: every error of an annotation file, not only the first.

The loader stops at the first problem (kg.loading.compiler raises one AnnotationError). To list them all,
a file is checked in rounds: every shape error at once (pydantic reports them together); then
compiled, and on an error the item that holds it (an event, a casualty, a place...) is set aside
and the rest compiled again, until it compiles. Errors that only follow from a set-aside item
(a reference to its id) are not repeated. Lines are those of the file as written.

A file outside the corpus folder is checked against `--corpus` (its entities.yaml, and the ids
its other articles define)."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from kg.errors import AnnotationError
from kg.loading import compiler as build
from kg.loading import model
from kg.loading.reader import Located, _plain, read_yaml, refuse_hostile, shape_errors
from kg.namespaces import Iris

SECTIONS = ("places", "actors", "mentions", "events", "agreements", "casualties", "claims")
MOST_ROUNDS = 500


class _Edited(Located):
    """The file's tree with some items set aside; lines are still those of the original file."""

    def __init__(self, original: Located, tree: dict, kept: dict[str, list[int]]):
        super().__init__(original.path, tree, text="")
        self.original, self.kept = original, kept
        self._lines = None

    def line(self, loc: tuple) -> int | None:
        if len(loc) >= 2 and loc[0] in self.kept and isinstance(loc[1], int) and loc[1] < len(self.kept[loc[0]]):
            loc = (loc[0], self.kept[loc[0]][loc[1]]) + tuple(loc[2:])
        return self.original.line(loc)


def check_file(path: Path, entities: build.EntitiesGraph, iris: Iris | None = None,
               others: list[Path] = ()) -> list[AnnotationError]:
    """Every error of one article file; `others`: the corpus's other article files (for id clashes)."""
    iris = iris or Iris()
    try:
        located = read_yaml(path)
    except AnnotationError as e:
        return [e]
    tree = located.tree if located._lines is not located.tree else _plain(located.tree)
    try:
        model.ArticleFile.model_validate(tree)
    except ValidationError as err:
        return shape_errors(located, err)
    errors = _compile_rounds(path, located, tree, entities, iris)
    return errors + _clashes(path, located, tree, others)


def _compile_rounds(path, located, tree, entities, iris) -> list[AnnotationError]:
    tree = copy.deepcopy(tree)
    kept = {s: list(range(len(tree.get(s) or []))) for s in SECTIONS}
    starts = sorted((located.line((s, i)) or 0, s, i) for s in SECTIONS for i in kept[s])
    errors, removed = [], set()
    for _ in range(MOST_ROUNDS):
        edited = _Edited(located, tree, kept)
        try:
            build._ArticleCompiler(path, entities, iris, edited).compile()
            return errors
        except AnnotationError as e:
            if not any(f"{slug!r}" in e.problem for slug in removed) or not e.problem.startswith("unknown"):
                errors.append(e)
            culprit = _item_at(starts, e.line, kept)
            if culprit is None:
                return errors
            section, original = culprit
            index = kept[section].index(original)
            item = tree[section].pop(index)
            kept[section].pop(index)
            if isinstance(item, dict):
                removed.add(item.get("id") or item.get("entity"))
    return errors


def _item_at(starts, line, kept) -> tuple[str, int] | None:
    """The (section, original index) of the item still in the tree whose text holds `line`."""
    if not line:
        return None
    before = [(ln, s, i) for ln, s, i in starts if ln <= line]
    if not before:
        return None
    _, section, index = before[-1]
    return (section, index) if index in kept[section] else None


@lru_cache(maxsize=4096)
def _ids_of(path: str, mtime_ns: int, size: int) -> tuple[object, tuple] | None:
    """A corpus file's article id and its local place and actor ids, in order; None if it does not
    read (its own check says why). Kept per (file, modification time, size): checking a corpus of N
    files reads each other file once, not N times."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        refuse_hostile(path, text)  # another file of the corpus is as untrusted as this one
        doc = yaml.safe_load(text) or {}
    except (OSError, UnicodeDecodeError, AnnotationError, yaml.YAMLError):
        return None
    if not isinstance(doc, dict):
        return None
    article = doc.get("article")
    local = tuple(item.get("id") for section in ("places", "actors") for item in (doc.get(section) or [])
                  if isinstance(item, dict) and isinstance(item.get("id"), str))
    return (article.get("id") if isinstance(article, dict) else None), local


def _clashes(path: Path, located: Located, tree: dict, others: list[Path]) -> list[AnnotationError]:
    """Article id and article-local place and actor ids that another corpus file uses already."""
    errors = []
    local = {item["id"]: (section, i) for section in ("places", "actors")
             for i, item in enumerate(tree.get(section) or []) if isinstance(item, dict) and "id" in item}
    article_id = (tree.get("article") or {}).get("id")
    for other in others:
        if other.resolve() == path.resolve():
            continue
        try:
            stat = other.stat()
        except OSError:
            continue
        ids = _ids_of(str(other.resolve()), stat.st_mtime_ns, stat.st_size)
        if ids is None:
            continue
        other_article, other_local = ids
        if other_article == article_id:
            errors.append(located.error(("article", "id"), f"article id {article_id!r} is also used by {other}"))
        for item_id in other_local:
            if item_id in local:
                errors.append(located.error(local[item_id] + ("id",),
                                            f"id {item_id!r} is also defined in {other.name}; move it to "
                                            "entities.yaml and reference it from both"))
    return errors
