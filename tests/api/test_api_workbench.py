"""The annotation workbench's API (issue 12, api/routers/workbench.py, kg/loading/saving.py) and
POST /load's shared entities: in process, over a store loaded from a tmp copy of the seeds with
article 001 held back (its hand annotation is what the tests save), the copy being the corpus.

The write token is required; a save is refused with 409 when the file changed since it was read;
a save that fails leaves the corpus as it was; validation lists every error with its line and
the item it concerns; new shared places and actors reach entities.yaml, over POST /load too."""

from __future__ import annotations

import shutil

import pytest
import yaml

from api import create_app
from api.routers.workbench import plain
from kg.loading import saving
from kg.loading.load import load
from kg.namespaces import Iris
from kg.paths import SEEDS
from kg.storage.opening import open_store
from support import BASE
from support.api import PROBLEM, TestClient

TOKEN = "wb-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
HELD = "001_3a4d3b3a0feccd62"
A001 = "a001-homs-city-army-advance"


@pytest.fixture
def corpus(tmp_path):
    """seeds/ without article 001 (its text stays aside, as a researcher would have it)."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    (target / f"{HELD}.yaml").unlink()
    (target / f"{HELD}.txt").unlink()
    return target


@pytest.fixture
def app_store(corpus):
    s = open_store(":memory:")
    load(s, [corpus], Iris(BASE))
    return s


@pytest.fixture
def wb(corpus, app_store) -> TestClient:
    return TestClient(create_app(store=app_store, base=BASE, write_token=TOKEN, corpus=corpus))


def held_back() -> tuple[str, dict]:
    return (SEEDS / f"{HELD}.txt").read_text(encoding="utf-8"), \
        plain(yaml.safe_load((SEEDS / f"{HELD}.yaml").read_text(encoding="utf-8")))


def events_in_homs(client: TestClient) -> set[str]:
    r = client.get("/api/events_in_place", params={"place": "homs", "limit": 1000},
                   headers={"accept": "application/json"})
    assert r.status_code == 200, r.text
    return {row["event"] for row in r.json()["rows"]}


# --- access -------------------------------------------------------------------------------------------

def test_every_workbench_call_needs_the_write_token(wb, corpus, app_store):
    text, tree = held_back()
    calls = {
        "list": lambda h: wb.get("/workbench/api/articles", headers=h),
        "open": lambda h: wb.get("/workbench/api/articles/000_35252a5669b2457e.yaml", headers=h),
        "draft": lambda h: wb.post("/workbench/api/draft", json={"text": text}, headers=h),
        "check": lambda h: wb.post("/workbench/api/check", json={"name": f"{HELD}.yaml", "text": text, "tree": tree},
                                   headers=h),
        "save": lambda h: wb.put(f"/workbench/api/articles/{HELD}.yaml",
                                 json={"text": text, "tree": tree, "tag": "absent"}, headers=h),
        "lookup": lambda h: wb.get("/workbench/api/lookup", headers=h),
        "gazetteer": lambda h: wb.get("/workbench/api/gazetteer", params={"q": "Hom"}, headers=h),
    }
    before = len(app_store)
    for name, call in calls.items():
        r = call({})
        assert r.status_code == 401 and r.headers["content-type"] == PROBLEM, (name, r.text)
        assert call({"authorization": "Bearer wrong"}).status_code == 403, name
    assert not (corpus / f"{HELD}.yaml").exists() and len(app_store) == before
    read_only = TestClient(create_app(store=app_store, base=BASE, corpus=corpus))
    assert read_only.get("/workbench/api/lookup", headers=AUTH).status_code == 403
    assert read_only.get("/workbench").status_code == 200  # the page itself is open: it asks for the token


# --- save: into the corpus and the store, seen at once -------------------------------------------------

def test_saving_the_held_back_article_writes_the_corpus_and_answers_queries_at_once(wb, corpus):
    text, tree = held_back()
    before = events_in_homs(wb)  # cached now: the save must invalidate it
    assert not any(A001 in e for e in before)
    r = wb.put(f"/workbench/api/articles/{HELD}.yaml", json={"text": text, "tree": tree, "tag": "absent"}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["articles"] == [A001] and r.headers["etag"] == f'"{r.json()["tag"]}"'
    assert (corpus / f"{HELD}.txt").read_text(encoding="utf-8") == text
    saved = yaml.safe_load((corpus / f"{HELD}.yaml").read_text(encoding="utf-8"))
    assert saved["article"]["id"] == A001 and len(saved["events"]) == len(tree["events"])
    after = events_in_homs(wb)
    assert f"{BASE}event/{A001}/akrama-mosque-bombing" in after and before < after
    assert not list(corpus.glob(".*.tmp"))  # no temporary file left behind
    # the corpus folder now loads as a whole, as the next `kg serve --corpus` would
    assert A001 in load(open_store(":memory:"), [corpus], Iris(BASE)).articles


def test_a_concurrent_edit_is_answered_409_and_never_overwritten(wb, corpus):
    name = "000_35252a5669b2457e.yaml"
    opened = wb.get(f"/workbench/api/articles/{name}", headers=AUTH)
    assert opened.status_code == 200
    doc = opened.json()
    assert opened.headers["etag"] == f'"{doc["tag"]}"'
    someone_else = (corpus / name).read_text(encoding="utf-8") + "# edited by someone else meanwhile\n"
    (corpus / name).write_text(someone_else, encoding="utf-8")
    r = wb.put(f"/workbench/api/articles/{name}", json={"text": doc["text"], "tree": doc["tree"], "tag": doc["tag"]},
               headers=AUTH)
    assert r.status_code == 409 and "reload" in r.json()["detail"]
    assert (corpus / name).read_text(encoding="utf-8") == someone_else
    # If-Match says the same; with the current version the save goes through
    r = wb.put(f"/workbench/api/articles/{name}", json={"text": doc["text"], "tree": doc["tree"]},
               headers={**AUTH, "if-match": '"stale"'})
    assert r.status_code == 409
    r = wb.put(f"/workbench/api/articles/{name}", json={"text": doc["text"], "tree": doc["tree"]},
               headers={**AUTH, "if-match": f'"{saving.file_tag(corpus / name)}"'})
    assert r.status_code == 200, r.text
    # a new article may not replace an existing file
    r = wb.put(f"/workbench/api/articles/{name}", json={"text": doc["text"], "tree": doc["tree"], "tag": "absent"},
               headers=AUTH)
    assert r.status_code == 409 and "exists already" in r.json()["detail"]


def test_a_save_whose_load_fails_leaves_the_corpus_and_the_store_as_they_were(wb, corpus, app_store, monkeypatch):
    text, tree = held_back()
    entities_before = (corpus / "entities.yaml").read_bytes()
    quads_before = set(app_store)

    def crash(*args, **kwargs):
        raise OSError("disk gone during the load")

    monkeypatch.setattr(saving, "load", crash)
    with pytest.raises(OSError):
        saving.save_article(app_store, corpus, f"{HELD}.yaml", yaml.safe_dump(tree).encode(), f"{HELD}.txt",
                            text.encode(), "absent", Iris(BASE),
                            {"actors": [{"id": "new-outlet", "type": "MediaOutlet", "label": "New Outlet"}]})
    assert not (corpus / f"{HELD}.yaml").exists() and not (corpus / f"{HELD}.txt").exists()
    assert (corpus / "entities.yaml").read_bytes() == entities_before
    assert set(app_store) == quads_before
    assert not list(corpus.glob(".*.tmp"))


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        saving.atomic_write(target, "not bytes")  # fails inside the write, after the temporary file exists
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["a.yaml"]
    saving.atomic_write(target, b"new")
    assert target.read_bytes() == b"new"


# --- validation: every error, its line, its item --------------------------------------------------------

def test_check_lists_every_error_with_its_line_and_item(wb):
    text, tree = held_back()
    tree["events"][2]["quote"] = "words the article never says"
    tree["casualties"][0]["places"] = ["atlantis"]
    tree["events"][5]["review"] = {"status": "pending", "rule": "test"}
    unused = next(i for i, e in enumerate(tree["events"]) if i > 5 and f"{e['id']}" not in
                  yaml.safe_dump({k: v for k, v in tree.items() if k != "events"}) + yaml.safe_dump(
                      [x for x in tree["events"] if x is not e]))
    tree["events"][unused]["review"] = {"status": "rejected", "rule": "test"}  # left out, not an error
    r = wb.post("/workbench/api/check", json={"name": f"{HELD}.yaml", "text": text, "tree": tree}, headers=AUTH)
    assert r.status_code == 200, r.text
    out = r.json()
    by_item = {e["item"]: e for e in out["errors"]}
    assert set(by_item) == {"events/2", "casualties/0", "events/5"}, out["errors"]
    assert "quote not found" in by_item["events/2"]["problem"]
    assert "atlantis" in by_item["casualties/0"]["problem"]
    assert "pending" in by_item["events/5"]["problem"] and out["pending"] == 1
    lines = out["yaml"].splitlines()
    for item, e in by_item.items():  # each line is the item's own line (or inside it) in the YAML shown
        index = int(item.split("/")[1])
        assert e["line"] and tree[item.split("/")[0]][index].get("id", "") in "\n".join(lines[:e["line"] + 8]), e
    assert f"id: {tree['events'][unused]['id']}\n" not in out["yaml"]
    assert out["spans"]["events/2"]["problem"].startswith("quote not found")
    s = out["spans"]["events/0"]
    assert text[s["start"]:s["end"]].split() == tree["events"][0]["quote"].split()
    # and the save refuses the same errors, every one listed
    r = wb.put(f"/workbench/api/articles/{HELD}.yaml", json={"text": text, "tree": tree, "tag": "absent"}, headers=AUTH)
    assert r.status_code == 422 and {e["item"] for e in r.json()["errors"]} == set(by_item)


def test_an_opened_seed_checks_clean_after_the_round_trip_through_the_editor(wb):
    r = wb.get("/workbench/api/articles/002_36c9516b5ee8d58f.yaml", headers=AUTH)
    doc = r.json()
    out = wb.post("/workbench/api/check", json={"name": doc["name"], "text": doc["text"], "tree": doc["tree"]},
                  headers=AUTH).json()
    assert out["errors"] == []
    assert all("start" in v for k, v in out["spans"].items()), [k for k, v in out["spans"].items() if "start" not in v]


def test_lookup_offers_the_ontology_classes_and_the_shared_entities(wb):
    out = wb.get("/workbench/api/lookup", headers=AUTH).json()
    assert {"Shelling", "AirStrike"} <= set(out["classes"]["event"]) and "Truce" in out["classes"]["agreement"]
    assert "Neighbourhood" in out["classes"]["place"] and "MediaOutlet" in out["classes"]["actor"]
    assert any(p["id"] == "baba-amr" and "Bab Amr" in p["aliases"] for p in out["places"])
    assert any(a["id"] == "osdh" for a in out["actors"]) and "killed" in out["outcomes"]
    places = wb.get("/workbench/api/gazetteer", params={"q": "Talbis"}, headers=AUTH).json()["places"]
    assert places and places[0]["country"] == "SY" and places[0]["geonames"] and places[0]["coordinates"]


# --- new shared entities: the workbench and POST /load ------------------------------------------------

OUTLET = {"id": "homs-wire", "type": "MediaOutlet", "label": "Homs Wire", "aliases": ["HW"]}


def with_publisher(tree: dict, outlet: str) -> dict:
    tree["article"]["publisher"] = {"value": outlet, "basis": "stated", "quote": "By Monalisa Gangopadhyay"}
    return tree


def test_a_save_adds_new_shared_entities_to_entities_yaml_keeping_its_comments(wb, corpus):
    text, tree = held_back()
    with_publisher(tree, "homs-wire")
    r = wb.put(f"/workbench/api/articles/{HELD}.yaml",
               json={"text": text, "tree": tree, "tag": "absent", "entities": {"actors": [OUTLET]}}, headers=AUTH)
    assert r.status_code == 200, r.text
    entities = (corpus / "entities.yaml").read_text(encoding="utf-8")
    assert "# Places and actors that several articles mention." in entities  # comments kept
    assert any(a["id"] == "homs-wire" for a in yaml.safe_load(entities)["actors"])
    assert wb.get("/actor/homs-wire", headers={"accept": "text/turtle"}).status_code == 200
    # the same id again is refused
    r = wb.post("/workbench/api/check", json={"name": "099_x.yaml", "text": text, "tree": tree,
                                              "entities": {"actors": [OUTLET]}}, headers=AUTH)
    assert r.status_code == 409


def test_post_load_takes_new_shared_entities_so_a_new_outlet_can_be_added_over_http(wb, corpus):
    text, tree = held_back()
    with_publisher(tree, "homs-wire")
    annotation = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False).encode()
    parts = {"annotation": (f"{HELD}.yaml", annotation), "text": (f"{HELD}.txt", text.encode())}
    r = wb.post("/load", files=parts, headers=AUTH)
    assert r.status_code == 422 and "homs-wire" in r.json()["detail"]  # unknown without the entities part
    r = wb.post("/load", files={**parts, "entities": ("new.yaml", yaml.safe_dump({"actors": [OUTLET]}).encode())},
                headers=AUTH)
    assert r.status_code == 200, r.text
    assert any(a["id"] == "homs-wire" for a in yaml.safe_load((corpus / "entities.yaml").read_text())["actors"])
    assert wb.get("/actor/homs-wire", headers={"accept": "text/turtle"}).status_code == 200
    r = wb.post("/load", files=parts, headers=AUTH)  # the store and the file agree: the next upload works
    assert r.status_code == 200, r.text
    r = wb.post("/load", files={**parts, "entities": ("new.yaml", yaml.safe_dump({"actors": [OUTLET]}).encode())},
                headers=AUTH)
    assert r.status_code == 409 and "already defined" in r.json()["detail"]
