"""Saving an article into the corpus folder and the running store together (the workbench, and
POST /load's shared entities).

The corpus folder (`kg serve --corpus DIR`) is the source of truth; the store is derived from it
(`kg serve` loads it on start). So a save:

1. checks the article (kg.loading.validation: every error, with its line) against the corpus's
   entities plus the new shared ones, and refuses items still pending review or rejected;
2. in the caller's write section: compares the file on disk with the version the editor read
   (`tag`, a hash of its bytes; "absent" for a new article) and refuses a concurrent edit
   (ConflictError), never overwriting it;
3. writes the files, each atomically (a temporary file in the same folder, flushed, then renamed
   over the old one): the entities file (only additions), the text, the annotation last — the
   annotation's rename is the commit point. A crash before it leaves the corpus as it was, but for
   entities no article uses yet; a crash after it leaves a corpus the next `kg serve` loads;
4. loads the annotation into the store (kg.loading.load: nothing is written unless it compiles, each
   article's graphs in one transaction). If the load fails, the files are put back as they were.

New shared places and actors are added to entities.yaml by a round-trip through ruamel.yaml, so
the file's comments and layout stay as they were written; an id that exists already is refused."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pyoxigraph import Store

from kg.errors import AnnotationError, ConflictError, UploadError, ValidationFailed
from kg.loading.compiler import compile_entities
from kg.loading.corpus import ENTITIES_FILE
from kg.loading.load import LoadReport, load
from kg.loading.review import items_under_review
from kg.loading.touched import tracked_load
from kg.loading.validation import check_file
from kg.namespaces import Iris

ABSENT = "absent"  # the tag of a file that does not exist (a new article)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}$")
ENTITY_SECTIONS = ("places", "actors")


def file_tag(path: Path) -> str:
    """The version of a file as the editor read it: a hash of its bytes, or ABSENT."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ABSENT
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` by `data` all at once: a reader (or a crash) sees the old file or the new one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # the rename itself survives a power cut once the folder is synced
        dirfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
    except OSError:
        pass


def check_name(name: str, suffix: str) -> str:
    """A plain file name in the corpus folder ending in `suffix`; UploadError(422) otherwise."""
    if not isinstance(name, str) or not NAME.match(name) or not name.endswith(suffix) or name == ENTITIES_FILE:
        raise UploadError(422, f"{name!r} is not a plain {suffix} file name for the corpus folder")
    return name


# --- new shared entities ------------------------------------------------------------------------


def _yaml():
    from ruamel.yaml import YAML

    y = YAML()  # round-trip: comments and layout kept
    y.width, y.preserve_quotes = 120, True
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def parse_additions(data: bytes | str | dict | None) -> dict[str, list[dict]]:
    """New shared entities as {places: [...], actors: [...]} from YAML (or a parsed mapping)."""
    if data is None or data == b"" or data == "":
        return {}
    if isinstance(data, (bytes, str)):
        import yaml

        try:
            data = yaml.safe_load(data)
        except yaml.YAMLError as e:
            raise UploadError(422, f"the entities part is not YAML: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) - set(ENTITY_SECTIONS):
        raise UploadError(422, "the new shared entities are a mapping with `places:` and/or `actors:` lists")
    out = {}
    for section in ENTITY_SECTIONS:
        items = data.get(section) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise UploadError(422, f"`{section}:` must be a list of mappings")
        if items:
            out[section] = items
    return out


def add_entities(entities_text: str, additions: dict[str, list[dict]]) -> str:
    """entities.yaml's text with the new places and actors appended to their sections; an id that
    is already there is an UploadError(409)."""
    if not additions:
        return entities_text
    y = _yaml()
    doc = y.load(entities_text)
    taken = {item.get("id") for s in ENTITY_SECTIONS for item in (doc.get(s) or [])}
    for section in ENTITY_SECTIONS:
        for item in additions.get(section, []):
            if item.get("id") in taken:
                raise UploadError(409, f"{section[:-1]} id {item.get('id')!r} is already defined in entities.yaml")
            taken.add(item.get("id"))
            if doc.get(section) is None:
                doc[section] = []
            doc[section].append(_flow(item))
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue()


def _flow(item: dict):
    """One entity on one line, as the hand-written file has them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    m = CommentedMap()
    for k, v in item.items():
        if isinstance(v, list):
            v = CommentedSeq(v)
            v.fa.set_flow_style()
        m[k] = v
    m.fa.set_flow_style()
    return m


# --- ids other articles of the corpus use -------------------------------------------------------------


@lru_cache(maxsize=256)
def _ids_of(path: Path, mtime_ns: int, size: int) -> tuple[str | None, frozenset]:
    """(article id, its local place and actor ids) of a corpus file, read once per version."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        doc = yaml.load(path.read_bytes(), Loader=loader) or {}
    except (OSError, yaml.YAMLError):
        return None, frozenset()
    local = frozenset(i.get("id") for s in ENTITY_SECTIONS for i in doc.get(s) or [] if isinstance(i, dict))
    return (doc.get("article") or {}).get("id"), local


def clashes(corpus: Path, name: str, annotation: bytes) -> list[AnnotationError]:
    """The article id, and article-local place and actor ids, that another corpus file uses."""
    import yaml

    from kg.loading.reader import read_yaml

    doc = yaml.load(annotation, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    mine = (doc.get("article") or {}).get("id")
    local = {i.get("id"): (s, n) for s in ENTITY_SECTIONS for n, i in enumerate(doc.get(s) or []) if isinstance(i, dict)}
    found = []
    for path in sorted(corpus.glob("*.yaml")):
        if path.name in (ENTITIES_FILE, name):
            continue
        st = path.stat()
        article_id, ids = _ids_of(path, st.st_mtime_ns, st.st_size)
        if article_id and article_id == mine:
            found.append((("article", "id"), f"article id {mine!r} is also used by {path.name}"))
        for ident in sorted(set(local) & ids):
            found.append((local[ident] + ("id",), f"id {ident!r} is also defined in {path.name}; move it to "
                                                  "entities.yaml and reference it from both"))
    if not found:
        return []
    with tempfile.TemporaryDirectory(prefix="kg-clash-") as tmp:
        (Path(tmp) / name).write_bytes(annotation)
        located = read_yaml(Path(tmp) / name)
        return [AnnotationError(name, located.line(loc), problem) for loc, problem in found]


# --- saving an article ------------------------------------------------------------------------------


@dataclass
class SaveReport:
    name: str
    tag: str  # the annotation's new version
    load: LoadReport
    added: dict = field(default_factory=dict)  # the shared entities added


def check_article(corpus: Path, name: str, annotation: bytes, text_name: str, text: bytes,
                  additions: dict[str, list[dict]], iris: Iris) -> list[AnnotationError]:
    """Every error of the article as it would be saved (against the corpus's entities plus the
    additions, and its other articles for id clashes); file names in errors are `name`."""
    entities_text = add_entities((corpus / ENTITIES_FILE).read_text(encoding="utf-8"), additions)
    folder = Path(tempfile.mkdtemp(prefix="kg-check-"))
    try:
        (folder / ENTITIES_FILE).write_text(entities_text, encoding="utf-8")
        (folder / name).write_bytes(annotation)
        (folder / text_name).write_bytes(text)
        try:
            entities = compile_entities(folder / ENTITIES_FILE, iris)
        except AnnotationError as e:
            return [AnnotationError(ENTITIES_FILE, e.line, e.problem)]
        errors = check_file(folder / name, entities, iris) + clashes(corpus, name, annotation)
        review = [AnnotationError(name, i.line, f"{i.where} is still {i.status}: accept or reject it")
                  for i in items_under_review(folder / name)] if b"review" in annotation else []
        return [AnnotationError(name, e.line, e.problem) for e in errors] + review
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save_article(store: Store, corpus: Path, name: str, annotation: bytes, text_name: str, text: bytes,
                 tag: str, iris: Iris, additions: dict[str, list[dict]] | None = None,
                 write: Callable | None = None) -> SaveReport:
    """Check, write into `corpus` and load one article (see the module's docstring); `write(work)`
    as in kg.loading.upload.load_upload (the load runs through work's `apply`). Raises
    ValidationFailed (every error), ConflictError (the file changed since `tag`), UploadError."""
    check_name(name, ".yaml")
    check_name(text_name, ".txt")
    additions = additions or {}
    errors = check_article(corpus, name, annotation, text_name, text, additions, iris)
    if errors:
        raise ValidationFailed(errors)

    def work(apply: Callable) -> SaveReport:
        target, text_file, entities_file = corpus / name, corpus / text_name, corpus / ENTITIES_FILE
        now = file_tag(target)
        if now != tag:
            raise ConflictError(f"{name} changed since it was opened (it is {'gone' if now == ABSENT else 'edited'}"
                                f"{'' if now == ABSENT else ' by someone else'}): reload it, nothing was overwritten"
                                if tag != ABSENT else f"{name} exists already: open it instead of a new draft")
        before = {p: (p.read_bytes() if p.exists() else None) for p in (entities_file, text_file, target)}
        try:
            if additions:
                atomic_write(entities_file, add_entities(before[entities_file].decode("utf-8"), additions).encode())
            if before[text_file] != text:
                atomic_write(text_file, text)
            atomic_write(target, annotation)  # the commit point
            report = apply(tracked_load, target, iris, load)  # with what it changed (the answer cache)
        except BaseException:
            for path, data in reversed(before.items()):  # put the corpus back as it was
                if data is None:
                    path.unlink(missing_ok=True)
                elif path.read_bytes() != data:
                    atomic_write(path, data)
            raise
        return SaveReport(name, file_tag(target), report, additions)

    return (write or in_process(store))(work)


def in_process(store: Store) -> Callable:
    """The `write` of a caller without a write section (kg.loading.upload too): work(apply), with
    apply(fn, *args) running fn(store, *args) here."""
    return lambda work: work(lambda fn, *args: fn(store, *args))
