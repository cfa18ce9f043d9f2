"""The files of a load: the entities file and the article files named by files or folders, compiled
and checked across files before anything is written."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import AnnotationError
from kg.loading.compiler import ArticleGraph, EntitiesGraph, compile_article, compile_entities
from kg.namespaces import Iris

ENTITIES_FILE = "entities.yaml"


def annotation_files(paths: Iterable[str | os.PathLike]) -> tuple[Path, list[Path]]:
    """(the entities file, the article annotation files) named by files or folders."""
    articles, folders = [], set()
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.glob("*.yaml") if f.name != ENTITIES_FILE)
            if not found:
                raise AnnotationError(p, None, "no annotation files (*.yaml) in this folder")
            articles += found
            folders.add(p.resolve())
        elif p.is_file():
            if p.name != ENTITIES_FILE:
                articles.append(p)
            folders.add(p.resolve().parent)
        else:
            raise AnnotationError(p, None, "no such file or folder")
    if len(folders) != 1:
        raise AnnotationError(Path(sorted(map(str, folders))[0]), None,
                              "a load takes files from one folder (the one holding entities.yaml)")
    entities = folders.pop() / ENTITIES_FILE
    if not entities.is_file():
        raise AnnotationError(entities, None, "the shared entities file is missing")
    return entities, articles


@dataclass
class Compiled:
    entities: EntitiesGraph
    articles: list[ArticleGraph] = field(default_factory=list)


def compile_stream(paths: Iterable[str | os.PathLike], iris: Iris,
                   progress: Callable[[Path], None] | None = None) -> tuple[EntitiesGraph, Iterator[ArticleGraph]]:
    """The entities of a load, and its articles compiled one at a time (so a load need not hold them
    all). The iterator raises the first AnnotationError, including the checks across files."""
    entities_file, article_files = annotation_files(paths)
    entities = compile_entities(entities_file, iris)

    def articles() -> Iterator[ArticleGraph]:
        check = AcrossFiles(article_files, entities, iris)
        for n, f in enumerate(article_files):
            if progress:
                progress(f)
            article = compile_article(f, entities, iris)
            check(n, article.article_id, article.local_ids)
            yield article

    return entities, articles()


class AcrossFiles:
    """The checks between the files of a load: article ids and article-local place and actor ids
    are unique. Holds ids and file numbers only, not graphs."""

    def __init__(self, files: list[Path], entities: EntitiesGraph, iris: Iris):
        self.files, self.entities, self.iris = files, entities, iris
        self.seen: dict[str, int] = {}  # article id -> number of its file
        self.local_ids: dict[str, int] = {}

    def __call__(self, n: int, article_id: str, local_ids: Iterable[str]):
        f = self.files[n]
        if article_id in self.seen:
            raise AnnotationError(f, 2, f"article id {article_id!r} is also used by {self.files[self.seen[article_id]]}")
        self.seen[article_id] = n
        # an article-local place or actor id mints a global IRI: two articles may not both define it
        for slug in local_ids:
            if slug in self.local_ids:
                lines = local_ids if isinstance(local_ids, Mapping) else compile_article(f, self.entities, self.iris).local_ids
                raise AnnotationError(f, lines[slug], f"id {slug!r} is also defined in {self.files[self.local_ids[slug]].name}; "
                                      "move it to entities.yaml and reference it from both")
            self.local_ids[slug] = n


def compile_files(paths: Iterable[str | os.PathLike], iris: Iris,
                  progress: Callable[[Path], None] | None = None) -> Compiled:
    """Check and compile every file of a load. Raises the first AnnotationError; writes nothing."""
    entities, articles = compile_stream(paths, iris, progress)
    return Compiled(entities, list(articles))
