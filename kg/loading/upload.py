"""One article sent over HTTP (an annotation file and its text, as bytes): checked and loaded exactly
as `kg load` loads a file on disk, against the service's shared entities, in one transaction.

The two files are written to a private temporary folder under names this module chooses (the
annotation's own `article.text`, when it is a plain file name), so nothing a client sends can name
a path. The store's shared entities must be the service's entities file. An upload may add new
shared places and actors (the `entities` part: YAML with `places:` and/or `actors:`, e.g. a new
outlet): they are checked with the article, and once it is loaded appended to the service's
entities file (kg.loading.saving.add_entities; an existing id is refused), so the file and the
store stay the same."""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import Store

from kg.errors import AnnotationError, UploadError
from kg.loading.compiler import compile_entities
from kg.loading.load import LoadReport
from kg.loading.reader import refuse_hostile
from kg.loading.touched import tracked_load
from kg.namespaces import Iris
from kg.storage.graphs import graph_triples
from kg.storage.stored_forms import same_triples


def text_name(annotation: bytes) -> str:
    """The article text's file name the annotation gives (article.text), if it is a plain file
    name; "article.txt" when the annotation does not parse (the loader then says why)."""
    from ruamel.yaml import YAML

    try:
        refuse_hostile("annotation", annotation.decode("utf-8"))  # no alias bomb reaches the reader below
        doc = YAML(typ="safe").load(io.BytesIO(annotation))
        name = doc["article"]["text"]
    except Exception:  # noqa: BLE001 — any unreadable annotation: the loader reports it precisely
        return "article.txt"
    if not isinstance(name, str) or not name or Path(name).name != name or name.startswith(".") \
            or name in ("entities.yaml",) or "\\" in name or "\x00" in name:
        raise UploadError(422, f"article.text must be a plain file name (the `text` part is stored under it), "
                               f"not {name!r}")
    return name


def annotation_name(filename: str) -> str:
    """The name the annotation is stored under: the client's file name if it is a plain .yaml name."""
    name = Path(filename.replace("\\", "/")).name if filename else ""
    ok = name.endswith(".yaml") and name != "entities.yaml" and not name.startswith(".") and "\x00" not in name
    return name if ok else "annotation.yaml"


def load_upload(store: Store, filename: str, annotation: bytes, text: bytes, entities_file: Path, iris: Iris,
                write: Callable | None = None, entities: bytes | None = None) -> LoadReport:
    """Check and load one uploaded article; `write(work)` runs the store write (the service's write
    section: api/routers/writes.run_write), calling work(apply), where apply(fn, *args) runs fn(store,
    *args) — in the write worker, under its limits, on a served store. AnnotationError (with the upload's own file name) for a bad file,
    UploadError for a bad request; nothing is written then."""
    name, text_file = annotation_name(filename), text_name(annotation)
    if text_file == name:
        raise UploadError(422, f"the annotation and its text cannot both be called {name!r}")
    from kg.loading.saving import add_entities, atomic_write, in_process, parse_additions

    additions = parse_additions(entities)
    folder = Path(tempfile.mkdtemp(prefix="kg-load-"))
    try:
        shutil.copyfile(entities_file, folder / "entities.yaml")
        (folder / name).write_bytes(annotation)
        (folder / text_file).write_bytes(text)
        _check_entities(store, iris, folder / "entities.yaml", entities_file.name)
        original = (folder / "entities.yaml").read_bytes()
        merged = add_entities((folder / "entities.yaml").read_text(encoding="utf-8"), additions)
        (folder / "entities.yaml").write_text(merged, encoding="utf-8")

        def work(apply: Callable) -> LoadReport:
            if additions and entities_file.read_bytes() != original:
                raise UploadError(409, f"{entities_file.name} changed meanwhile: send the article again")
            report = apply(tracked_load, folder / name, iris)  # with what it changed (the answer cache)
            if additions:  # the service's file says what the store now holds
                atomic_write(entities_file, merged.encode("utf-8"))
            return report

        try:
            return (write or in_process(store))(work)
        except AnnotationError as e:
            raise AnnotationError(name, e.line, e.problem) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_entities(store: Store, iris: Iris, entities: Path, service_name: str) -> None:
    current = graph_triples(store, iris.graph("entities"))
    if not current:
        return
    try:
        compiled = set(compile_entities(entities, iris).triples)
    except AnnotationError as e:
        raise UploadError(500, f"the service's entities file is bad: {e}") from None
    if not same_triples(current, compiled):
        raise UploadError(409, "the store's shared entities are not the service's entities file "
                               f"({service_name}): load this article with `kg load` from its folder")
