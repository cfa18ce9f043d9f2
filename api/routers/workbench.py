"""The annotation workbench (issue 12): review a draft and annotate by selecting text, in the browser.

/workbench is the page (api/templates/workbench.html, api/static/js/workbench.js); its JSON API is
under /workbench/api/, every call of it with the write token (api/routers/writes.py `authorize`),
since it reads and writes the corpus folder (`kg serve --corpus DIR`, Settings.corpus):

- GET  /workbench/api/articles             the corpus's articles (to open one)
- GET  /workbench/api/articles/{name}      one article: its text, its annotation as a tree, its tag (ETag)
- POST /workbench/api/draft                a pasted or uploaded text, drafted by kg.drafting
- POST /workbench/api/check                the tree as it would be saved: its YAML, every error with
                                           its line and the item it concerns, each item's span in the text
- PUT  /workbench/api/articles/{name}      save: into the corpus folder and the store (kg.loading.saving),
                                           409 if the file changed since it was read (If-Match / `tag`)
- GET  /workbench/api/lookup               the pickers: the ontology's classes, the shared places and actors
- GET  /workbench/api/gazetteer?q=         GeoNames places (the drafter's gazetteer) for a new shared place

The editor works on the annotation as a JSON tree (the YAML's own structure). Items a reviewer
rejected are left out of what is checked and saved; the rest is written by kg.drafting.writer in
the format of docs/annotation-format.md. An opened file is rewritten in that layout when saved (its
comments are not kept)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import Store

from api.deps import Settings, get_executor, get_settings, get_store
from api.errors import ApiError
from api.middleware.cache import cache_for
from api.routers import ui
from api.routers.writes import authorize, run_write
from api.routing import Route
from kg.errors import AnnotationError, ConflictError, UploadError, ValidationFailed
from kg.loading import quotes
from kg.loading.corpus import ENTITIES_FILE
from kg.loading.saving import ABSENT, check_article, check_name, file_tag, parse_additions, save_article
from kg.namespaces import HK

router = APIRouter(tags=["workbench"], route_class=Route, include_in_schema=False)
SECTIONS = ("places", "actors", "mentions", "events", "agreements", "casualties", "claims")
META = ("headline", "publisher", "published", "authors", "original")
HEADER = "Annotated in the homs-kg workbench (docs/annotating.md); format: docs/annotation-format.md"


def workbench_writer(request: Request, settings: Settings = Depends(get_settings)) -> None:
    authorize(request, settings, "the workbench writes the corpus: start the service with a write token to use it")


WRITE = [Depends(workbench_writer)]


@router.get("/workbench", name="ui_workbench")
def page(request: Request) -> Response:
    """The workbench page (the token is asked for in the page; every call it makes needs it)."""
    return ui._page(request, "workbench.html")


# --- the annotation as a tree, and back to YAML ------------------------------------------------------


def plain(node):
    """A YAML tree made JSON-safe (dates as ISO text, as the format reads them)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    return node


def _rejected(node) -> bool:
    return isinstance(node, dict) and isinstance(node.get("review"), dict) and node["review"].get("status") == "rejected"


def clean(tree: dict) -> tuple[dict, dict[str, list[int]]]:
    """The tree without rejected items, and for each section the original index of each kept item."""
    if not isinstance(tree, dict) or not isinstance(tree.get("article"), dict):
        raise ApiError(422, "the annotation must be a mapping with an `article:` mapping")
    out, kept = {"article": {k: v for k, v in tree["article"].items() if not _rejected(v)}}, {}
    authors = out["article"].get("authors")
    if isinstance(authors, list):
        out["article"]["authors"] = [a for a in authors if not _rejected(a)]
    for section in SECTIONS:
        items = tree.get(section)
        if items is None:
            continue
        if not isinstance(items, list):
            raise ApiError(422, f"`{section}:` must be a list")
        kept[section] = [i for i, item in enumerate(items) if not _rejected(item)]
        if kept[section]:
            out[section] = [items[i] for i in kept[section]]
    return out, kept


def to_yaml(tree: dict) -> str:
    from kg.drafting.writer import dump

    return dump(tree, HEADER)


def _starts(annotation: str, tree: dict, kept: dict) -> list[tuple[int, str]]:
    """(first line, item key) of every item of the written YAML, keys as the editor names them:
    "events/3" (its index in the editor's tree), "article/headline"."""
    root = yaml.compose(annotation, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out = []
    for key_node, value in root.value if root is not None else []:
        section = key_node.value
        if section == "article":
            for k, _v in value.value:
                out.append((k.start_mark.line + 1, f"article/{k.value}" if k.value in META else "article"))
        elif section in kept and isinstance(value, yaml.SequenceNode):
            for j, node in enumerate(value.value):
                out.append((node.start_mark.line + 1, f"{section}/{kept[section][j]}"))
    return sorted(out)


def _item_of(starts, line) -> str | None:
    if not line:
        return None
    before = [key for ln, key in starts if ln <= line]
    return before[-1] if before else None


def spans(text: str, tree: dict) -> dict[str, dict]:
    """Where each item's quote is in the text (key -> {start, end}), or why it is not found."""
    article = tree.get("article") or {}
    body = article.get("body") or {}
    lo, hi = 0, len(text)
    try:
        lo = quotes.find(text, body["start"]).start
        hi = quotes.find(text, body["end"], lo).end
    except (quotes.QuoteError, KeyError, TypeError, AttributeError):
        pass
    out = {"body": {"start": lo, "end": hi}}

    def place(key, quote, a, b):
        if isinstance(quote, str) and quote.strip():
            try:
                s = quotes.find(text, quote, a, b)
                out[key] = {"start": s.start, "end": s.end}
            except quotes.QuoteError as e:
                out[key] = {"problem": str(e)}

    for key in META:
        value = article.get(key)
        if isinstance(value, dict):
            place(f"article/{key}", value.get("quote"), 0, len(text))
    for section in SECTIONS:
        for i, item in enumerate(tree.get(section) or []):
            if isinstance(item, dict):
                place(f"{section}/{i}", item.get("quote"), lo, hi)
    return out


def _text_name(name: str) -> str:
    return name[: -len(".yaml")] + ".txt"


def check(settings: Settings, name: str, text: str, tree: dict, entities) -> dict:
    """The tree as it would be saved: its YAML and every error (line, problem, item)."""
    check_name(name, ".yaml")
    cleaned, kept = clean(tree)
    text_name = _text_name(name)
    cleaned["article"]["text"] = text_name
    annotation = to_yaml(cleaned).encode("utf-8")
    additions = parse_additions(entities)
    errors = check_article(settings.corpus, name, annotation, text_name, text.encode("utf-8"), additions,
                           settings.iris)
    try:
        starts = _starts(annotation.decode("utf-8"), cleaned, kept)
    except yaml.YAMLError:
        starts = []
    listed = [{"line": e.line, "problem": e.problem, "file": e.path.name,
               "item": _item_of(starts, e.line) if e.path.name == name else None} for e in errors]
    return {"yaml": annotation.decode("utf-8"), "errors": listed, "spans": spans(text, tree),
            "pending": sum(1 for e in errors if e.problem.endswith("still pending: accept or reject it"))}


# --- the endpoints ---------------------------------------------------------------------------------


def _body(data) -> dict:
    if not isinstance(data, dict):
        raise ApiError(422, "send a JSON object")
    return data


def _article(settings: Settings, name: str) -> Path:
    check_name(name, ".yaml")
    return settings.corpus / name


@router.get("/workbench/api/articles", dependencies=WRITE)
def list_articles(settings: Settings = Depends(get_settings)) -> dict:
    out = []
    for path in sorted(settings.corpus.glob("*.yaml")):
        if path.name == ENTITIES_FILE or path.name.startswith("."):
            continue
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            article = doc.get("article") or {}
            headline = (article.get("headline") or {}).get("value")
            out.append({"name": path.name, "id": article.get("id"), "headline": headline})
        except (OSError, yaml.YAMLError, AttributeError):
            out.append({"name": path.name, "id": None, "headline": None})
    return {"corpus": str(settings.corpus), "articles": out}


@router.get("/workbench/api/articles/{name}", dependencies=WRITE)
def open_article(name: str, settings: Settings = Depends(get_settings)) -> Response:
    path = _article(settings, name)
    if not path.is_file():
        raise ApiError(404, f"no article {name} in the corpus folder")
    data = path.read_bytes()
    tree = plain(yaml.safe_load(data) or {})
    text_name = (tree.get("article") or {}).get("text") or _text_name(name)
    try:
        text = (settings.corpus / check_name(text_name, ".txt")).read_text(encoding="utf-8")
    except (OSError, UploadError) as e:
        raise ApiError(422, f"the article's text {text_name!r} cannot be read: {e}") from None
    tag = file_tag(path)
    return JSONResponse({"name": name, "text": text, "tree": tree, "tag": tag}, headers={"ETag": f'"{tag}"'})


def new_name(corpus: Path, text: str) -> str:
    """NNN_<hash>.yaml, as the seeds are named: the next number, and a hash of the text."""
    numbers = [int(m.group(1)) for p in corpus.glob("*.txt") if (m := re.match(r"^(\d+)_", p.name))]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{max(numbers, default=-1) + 1:03d}_{digest}.yaml"


@router.post("/workbench/api/draft", dependencies=WRITE)
def draft_article(data: dict, settings: Settings = Depends(get_settings)) -> dict:
    """Draft a pasted or uploaded article: {text, published?: YYYY-MM-DD, publisher?: actor id}."""
    data = _body(data)
    text = data.get("text")
    if not isinstance(text, str) or len(text.split()) < 5:
        raise ApiError(422, "send the article's text (`text`), a few words at least")
    published = None
    if data.get("published"):
        try:
            published = dt.date.fromisoformat(str(data["published"]))
        except ValueError:
            raise ApiError(422, f"published must be a date YYYY-MM-DD, not {data['published']!r}") from None
    publisher = data.get("publisher") or None
    from kg.drafting.draft import draft

    name = new_name(settings.corpus, text)
    folder = Path(tempfile.mkdtemp(prefix="kg-draft-"))
    try:
        path = folder / _text_name(name)
        path.write_text(text, encoding="utf-8")
        tree = draft(path, settings.corpus, published, publisher)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"name": name, "text": text, "tree": plain(tree), "tag": ABSENT}


@router.post("/workbench/api/check", dependencies=WRITE)
def check_tree(data: dict, settings: Settings = Depends(get_settings)) -> dict:
    """Every error of the annotation as it would be saved: {name, text, tree, entities?}."""
    data = _body(data)
    try:
        return check(settings, data.get("name"), data.get("text") or "", data.get("tree"), data.get("entities"))
    except UploadError as e:
        raise ApiError(e.status, str(e)) from None


@router.put("/workbench/api/articles/{name}", dependencies=WRITE)
def save(name: str, data: dict, request: Request, store: Store = Depends(get_store),
         executor=Depends(get_executor), settings: Settings = Depends(get_settings)) -> Response:
    """Save {text, tree, entities?, tag} into the corpus folder and the store; the tag (or an
    If-Match header) is the version read: 409 if the file changed since, 422 with every error."""
    data = _body(data)
    _article(settings, name)
    tag = (request.headers.get("if-match") or "").strip().strip('"') or data.get("tag")
    if not isinstance(tag, str) or not tag:
        raise ApiError(428, "say which version you edited: `tag` (or If-Match), \"absent\" for a new article")
    text = data.get("text")
    if not isinstance(text, str):
        raise ApiError(422, "send the article's text (`text`)")
    cleaned, _ = clean(data.get("tree"))
    text_name = _text_name(name)
    cleaned["article"]["text"] = text_name
    try:
        report = save_article(store, settings.corpus, name, to_yaml(cleaned).encode("utf-8"), text_name,
                              text.encode("utf-8"), tag, settings.iris, parse_additions(data.get("entities")),
                              write=lambda work: run_write(store, executor, work, cache_for(request, store, executor)))
    except ConflictError as e:
        raise ApiError(409, str(e)) from None
    except UploadError as e:
        raise ApiError(e.status, str(e)) from None
    except ValidationFailed as e:
        result = check(settings, name, text, data.get("tree"), data.get("entities"))
        raise ApiError(422, str(e), errors=result["errors"]) from None
    except AnnotationError as e:
        raise ApiError(422, str(e), errors=[{"line": e.line, "problem": e.problem, "file": e.path.name}]) from None
    return JSONResponse({"name": name, "tag": report.tag, "articles": report.load.articles,
                         "triples": report.load.triples, "added": report.added}, headers={"ETag": f'"{report.tag}"'})


@router.get("/workbench/api/lookup", dependencies=WRITE)
def lookup(settings: Settings = Depends(get_settings)) -> dict:
    """What the pickers offer: the ontology's classes, and the shared places and actors."""
    from kg.ontology import index

    idx = index()
    classes = {kind: sorted(idx.types_under(branch)) for kind, branch in
               (("place", HK.Place), ("actor", HK.Actor), ("event", HK.Event), ("agreement", HK.Agreement))}
    try:
        doc = yaml.safe_load(settings.entities_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise ApiError(500, f"the entities file cannot be read: {e}") from None
    pick = ("id", "type", "label", "aliases", "partOf")
    entities = {s: [{k: e[k] for k in pick if k in e} for e in doc.get(s) or [] if isinstance(e, dict)]
                for s in ("places", "actors")}
    from kg.loading.model import OUTCOMES, VICTIMS

    return {"classes": classes, **entities, "victims": list(VICTIMS), "outcomes": list(OUTCOMES)}


@lru_cache(maxsize=1)
def _geonames() -> list:
    from kg.drafting.gazetteer import fold, geonames_entries

    return [(fold(n), e) for e in geonames_entries() for n in e.names]


@router.get("/workbench/api/gazetteer", dependencies=WRITE)
def gazetteer(q: str = "", limit: int = 15) -> dict:
    """GeoNames places whose name starts with q (Syria's first), for a new shared place."""
    from kg.drafting.gazetteer import fold

    key = fold(q)
    if len(key) < 2:
        return {"places": []}
    seen, out = set(), []
    for _name, e in sorted((x for x in _geonames() if x[0].startswith(key)),
                          key=lambda x: (x[1].country != "SY", -x[1].population)):
        if e.geonames in seen:
            continue
        seen.add(e.geonames)
        out.append({"label": e.label, "type": e.type, "geonames": e.geonames, "country": e.country,
                    "coordinates": list(e.coordinates) if e.coordinates else None})
        if len(out) >= min(limit, 50):
            break
    return {"places": out}
