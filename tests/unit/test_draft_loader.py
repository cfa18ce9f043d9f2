"""Drafts at the loader: pending items are refused with their count and lines unless drafts are
allowed, and then the graph marks them unreviewed; `kg validate` lists every error of a file and
checks a file outside the corpus; `kg load` on a store that a server holds says what to do."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode

from kg.cli import main
from kg.errors import AnnotationError
from kg.loading.load import load
from kg.namespaces import Iris
from kg.paths import SEEDS
from kg.storage.opening import open_store
from support import ROOT

BASE = "https://w3id.org/homs-kg/"
HK = "https://w3id.org/homs-kg/ontology#"
DRAFT = """article:
  id: a900-wire
  text: wire.txt
  body: {start: "Government forces shelled", end: "had broken down."}
  headline: {value: Shelling in Tall Kalakh, basis: stated, quote: "Shelling in Tall Kalakh",
             review: {status: accepted, rule: metadata.headline, confidence: 0.8}}
places:
  - {id: tall-kalakh, type: Town, label: Tall Kalakh, coordinates: [34.6684, 36.2598],
     quote: "the town of Tall Kalakh", review: {status: pending, rule: geonames.exact, confidence: 0.6}}
mentions:
  - {entity: osdh, quote: "Syrian Observatory for Human Rights", review: {status: accepted, rule: gazetteer.exact, confidence: 0.9}}
events:
  - id: shelling-tall-kalakh
    type: Shelling
    label: Government forces shelled Tall Kalakh
    quote: "Government forces shelled the town of Tall Kalakh"
    places: [tall-kalakh]
    review: {status: pending, rule: "trigger.Shelling:shelled", confidence: 0.6}
casualties:
  - id: civilians-killed
    quote: "killing at least 12 civilians"
    min: 12
    amount: at least 12
    victims: civilians
    outcome: killed
    reportedBy: [osdh]
    review: {status: pending, rule: quantity.casualty, confidence: 0.6}
"""
WIRE = ("Shelling in Tall Kalakh\n\nGovernment forces shelled the town of Tall Kalakh on Tuesday, killing at least "
        "12 civilians, according to the Syrian Observatory for Human Rights. Residents said a ceasefire agreed last "
        "week had broken down.\n")


def line_of(text: str, words: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if words in line)


PLACE, EVENT, CASUALTY = (line_of(DRAFT, w) for w in ("id: tall-kalakh", "id: shelling-tall-kalakh", "id: civilians-killed"))


@pytest.fixture
def corpus(tmp_path) -> Path:
    """The seeds plus one drafted article with pending items."""
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    (folder / "wire.txt").write_text(WIRE, encoding="utf-8")
    (folder / "wire.yaml").write_text(DRAFT, encoding="utf-8")
    return folder


def test_load_refuses_pending_items_saying_how_many_and_where(corpus):
    store = open_store(":memory:")
    with pytest.raises(AnnotationError) as caught:
        load(store, [corpus], Iris(BASE))
    message = str(caught.value)
    assert message.startswith(f"{corpus / 'wire.yaml'}:{PLACE}: 3 items still pending review "
                              f"(lines {PLACE}, {EVENT}, {CASUALTY})")
    assert "--allow-drafts" in message
    assert len(store) == 0  # nothing written


def test_the_cli_load_refuses_pending_items_in_one_line(corpus, tmp_path):
    result = CliRunner().invoke(main, ["load", "--store", str(tmp_path / "store"), str(corpus)])
    assert result.exit_code != 0
    assert f"wire.yaml:{PLACE}: 3 items still pending review" in result.output


def test_allowed_drafts_are_marked_unreviewed_and_accepted_ones_reviewed(corpus):
    store = open_store(":memory:")
    load(store, [corpus], Iris(BASE), allow_drafts=True)
    status = {s.value.removeprefix(BASE): o.value.removeprefix(HK) for s, _, o, _ in
              store.quads_for_pattern(None, NamedNode(HK + "reviewStatus"), None)}
    assert status["event/a900-wire/shelling-tall-kalakh"] == "unreviewed"
    assert status["casualty/a900-wire/civilians-killed"] == "unreviewed"
    assert status["place/tall-kalakh"] == "unreviewed"
    assert status["article/a900-wire/meta/headline"] == "reviewed"
    assert status["evidence/a900-wire/mention/osdh"] == "reviewed"  # the mention, not the shared entity
    assert not any(k.startswith(("actor/", "event/a0")) for k in status)  # hand-written items carry none


def test_the_cli_loads_drafts_with_the_flag(corpus, tmp_path):
    result = CliRunner().invoke(main, ["load", "--allow-drafts", "--store", str(tmp_path / "store"), str(corpus)])
    assert result.exit_code == 0, result.output
    assert "loaded 6 article(s)" in result.output


def test_rejected_items_are_refused_even_with_drafts_allowed(corpus):
    path = corpus / "wire.yaml"
    path.write_text(DRAFT.replace("status: pending, rule: quantity", "status: rejected, rule: quantity"), encoding="utf-8")
    with pytest.raises(AnnotationError, match=rf"wire\.yaml:{CASUALTY}: 1 rejected item \(line {CASUALTY}\): delete them"):
        load(open_store(":memory:"), [corpus], Iris(BASE), allow_drafts=True)


def test_validate_accepts_a_draft_and_reports_every_error_of_a_file(corpus, runner=CliRunner()):
    ok = runner.invoke(main, ["validate", str(corpus / "wire.yaml")])
    assert ok.exit_code == 0, ok.output  # validating a draft is allowed: only loading refuses pending items
    bad = (DRAFT.replace('quote: "Government forces shelled the town of Tall Kalakh"', 'quote: "no such words"')
           .replace("places: [tall-kalakh]", "places: [atlantis]")
           .replace('quote: "killing at least 12 civilians"', 'quote: "killing at least 13 civilians"')
           .replace("amount: at least 12", "amount: at least 13"))
    (corpus / "wire.yaml").write_text(bad, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(corpus / "wire.yaml")])
    assert result.exit_code != 0
    lines = [ln for ln in result.output.splitlines() if "wire.yaml:" in ln]
    assert len(lines) == 2, result.output  # the event (its first error) and the casualty
    assert "quote not found" in lines[0] and f":{line_of(bad, 'no such words')}:" in lines[0]
    assert "killing at least 13 civilians" in lines[1] and f":{line_of(bad, 'at least 13')}:" in lines[1]
    assert "2 errors in 1 file(s)" in result.output


def test_validate_lists_every_shape_error_at_once(corpus):
    bad = DRAFT.replace("victims: civilians", "victims: martians").replace("type: Shelling", "type: Shelling\n    colour: red")
    (corpus / "wire.yaml").write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(corpus / "wire.yaml")])
    assert "unknown key 'colour'" in result.output and "casualties.0.victims" in result.output
    assert "2 errors" in result.output


def test_validate_checks_a_file_outside_the_corpus(tmp_path, corpus):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for name in ("wire.txt", "wire.yaml"):
        shutil.move(corpus / name, outside / name)
    alone = CliRunner().invoke(main, ["validate", str(outside / "wire.yaml")])
    assert alone.exit_code != 0 and "entities file is missing" in alone.output
    result = CliRunner().invoke(main, ["validate", "--corpus", str(corpus), str(outside / "wire.yaml")])
    assert result.exit_code == 0, result.output
    clash = DRAFT.replace("id: tall-kalakh", "id: london")  # an id the corpus's a000 defines
    (outside / "wire.yaml").write_text(clash, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--corpus", str(corpus), str(outside / "wire.yaml")])
    assert "'london' is also defined in 000_35252a5669b2457e.yaml" in result.output


def test_load_into_a_store_a_server_holds_says_what_to_do(tmp_path):
    path = tmp_path / "store"
    open_store(str(path)).flush()
    holder = subprocess.Popen(  # what `kg serve` does while it serves read-only (kg.executor.views.hold_store_lock)
        [sys.executable, "-c", "import sys, time; from kg.executor.views import hold_store_lock; "
         f"lock = hold_store_lock({str(path)!r}); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = CliRunner().invoke(main, ["load", "--store", str(path)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "is locked by another process, such as a running `kg serve`" in lines[0]
    assert "POST /load with its write token" in lines[0] and "or stop it" in lines[0]
    assert "Resource temporarily unavailable" not in lines[0]
