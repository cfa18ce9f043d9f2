"""Depth the articles need (issue 14), each capability tested against the seeds.

Positions of people; places with a role (origin, destination, fired from, launched from); figures
that are part of other figures; victim categories as a SKOS hierarchy the reasoner materialises;
which side a supporter supports; links between agreements; several mentions of one entity in one
article with the name as written. Known answers come from the articles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
from pydantic import ValidationError
from pyoxigraph import NamedNode

from kg.errors import AnnotationError
from kg.loading import model
from kg.loading.load import load
from kg.loading.shapes import DATA_SHAPES, check, to_rdflib
from kg.namespaces import Iris
from kg.ontology import ontology_triples
from kg.paths import SEEDS
from kg.querying.catalogue import catalogue, run
from kg.storage.opening import open_store
from support import BASE, FIXTURES, select

A000 = "a000-france24-final-offensive"
A002 = "a002-syria-direct-fall-of-homs"
A003 = "a003-battle-for-homs"
A004 = "a004-keystone-ats-homs-exodus"
HK = "https://w3id.org/homs-kg/ontology#"



@pytest.fixture(scope="module")
def seeds():
    """The seeds, loaded once for this module's read-only checks."""
    s = open_store(":memory:")
    load(s, [SEEDS], Iris(BASE))
    return s


def node(kind: str, *parts: str) -> NamedNode:
    return NamedNode(f"{BASE}{kind}/" + "/".join(parts))


def objects(store, subject: NamedNode, prop: str) -> set:
    return {r["o"] for r in select(store, f"SELECT ?o WHERE {{ ?s {prop} ?o }}", s=subject)}


def canned(store, name: str, **params) -> list[dict]:
    q = catalogue()[name]
    result = run(store, q, params)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def graph_of(store, s: NamedNode, p: str, o: NamedNode) -> set:
    return {r["g"] for r in select(store, f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s {p} ?o }} }}", s=s, o=o)}


# --- positions ---------------------------------------------------------------------------------

def test_a_person_holds_a_dated_post_in_an_organisation(seeds):
    head = node("position", A002, "abu-al-joud-head-of-homs-al-hadath")
    assert objects(seeds, head, "hk:holder") == {f"{BASE}actor/abu-al-joud"}
    assert objects(seeds, head, "hk:roleName") == {"head"}
    assert objects(seeds, head, "hk:positionIn") == {f"{BASE}actor/homs-al-hadath"}
    assert (objects(seeds, head, "hk:earliest"), objects(seeds, head, "hk:latest")) == ({"2014-04-10"}, {"2014-04-20"})
    # the reasoner gives the person the post, and the membership the post implies
    abu = node("actor", "abu-al-joud")
    assert head.value in objects(seeds, abu, "hk:holds")
    assert f"{BASE}actor/homs-al-hadath" in objects(seeds, abu, "hk:memberOf")


def test_an_envoy_is_of_an_organisation_and_for_a_country_and_a_governor_for_a_province(seeds):
    envoy = node("position", "a001-homs-city-army-advance", "brahimi-un-envoy")
    assert objects(seeds, envoy, "hk:positionIn") == {f"{BASE}actor/united-nations"}
    assert objects(seeds, envoy, "hk:positionFor") == {f"{BASE}place/syria"}
    rows = canned(seeds, "positions")
    roles = {(r["holderLabel"], r["role"]) for r in rows}
    assert {("Talal al-Barazi", "governor"), ("Marie Colvin", "veteran war reporter"),
            ("Remi Ochlik", "photojournalist"), ("Ali Abbas", "Defense Minister")} <= roles
    minister = next(r for r in rows if r["role"] == "Defense Minister")
    assert minister["earliest"] == "2024-12-05" and "Ali Abbas assured Thursday" in minister["quote"]


def test_a_position_of_an_unknown_holder_is_refused_with_file_and_line(seeds_copy):
    path = next(seeds_copy.glob("000_*.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("holder: marie-colvin", "holder: marie-colvinn"),
                    encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"000_\w+\.yaml:\d+: .*unknown actor 'marie-colvinn'"):
        load(open_store(":memory:"), [seeds_copy], Iris(BASE))


# --- places with a role ------------------------------------------------------------------------

def test_where_shells_were_fired_from_is_not_where_the_shelling_is_located(seeds):
    origin = node("event", A003, "khaldiyeh-shelling-origin")
    fired = objects(seeds, origin, "hk:firedFrom")
    assert {f"{BASE}place/homs-citadel", f"{BASE}place/homs-state-security-hq"} <= fired
    assert f"{BASE}place/ghouta-homs" in fired  # the headquarters lies in Ghota: containment holds
    located = objects(seeds, origin, "hk:locatedIn")
    assert f"{BASE}place/khaldiyeh" in located and f"{BASE}place/homs-citadel" not in located
    assert f"{BASE}place/homs-citadel" in objects(seeds, origin, "hk:concernsPlace")  # a sub-property
    roles = {(r["roleLabel"], r["place"].rsplit("/", 1)[1]) for r in canned(seeds, "event_places", event=origin.value)}
    assert roles == {("located in", "khaldiyeh"), ("fired from", "homs-citadel"),
                     ("fired from", "homs-state-security-hq")}


def test_an_offensive_launched_from_idlib_is_not_located_there(seeds):
    offensive = node("event", A004, "rebel-offensive")
    assert objects(seeds, offensive, "hk:launchedFrom") >= {f"{BASE}place/idlib-governorate"}
    assert f"{BASE}place/idlib-governorate" not in objects(seeds, offensive, "hk:locatedIn")


def test_a_flight_has_an_origin_and_a_destination_and_its_figures_count_at_both_ends(seeds):
    exodus = node("event", A004, "homs-exodus")
    assert objects(seeds, exodus, "hk:origin") >= {f"{BASE}place/homs"}
    assert f"{BASE}place/syrian-coast" in objects(seeds, exodus, "hk:destination")
    assert f"{BASE}place/syrian-coast" not in objects(seeds, exodus, "hk:locatedIn")
    fled = node("casualty", A004, "homs-residents-fled-osdh")
    assert {f"{BASE}place/homs", f"{BASE}place/syrian-coast"} <= objects(seeds, fled, "hk:concernsPlace")
    # but the toll of a shelling is not counted where the shells were fired from
    citadel = [r for r in canned(seeds, "casualties_in_place", place="homs-citadel")]
    assert citadel == []


def test_the_withdrawal_from_old_homs_goes_to_the_northern_countryside(seeds):
    withdrawal = node("event", A002, "old-homs-rebel-withdrawal")
    assert objects(seeds, withdrawal, "hk:origin") >= {f"{BASE}place/old-homs", f"{BASE}place/homs"}
    assert f"{BASE}place/northern-homs-countryside" in objects(seeds, withdrawal, "hk:destination")
    assert f"{BASE}place/northern-homs-countryside" not in objects(seeds, withdrawal, "hk:locatedIn")


# --- figures part of figures -------------------------------------------------------------------

def test_111_civilians_are_part_of_826_dead_and_43_children_of_559_killed(seeds):
    assert objects(seeds, node("casualty", A004, "offensive-civilians-dead-osdh"), "hk:partOfFigure") == {
        f"{BASE}casualty/{A004}/offensive-dead-osdh"}
    whole = node("casualty", A003, "offensive-killed-council")
    assert objects(seeds, whole, "hk:hasPartFigure") == {f"{BASE}casualty/{A003}/offensive-children-killed-council",
                                                          f"{BASE}casualty/{A003}/offensive-women-killed-council"}
    # the inverse is derived, not asserted
    child = node("casualty", A003, "offensive-children-killed-council")
    assert graph_of(seeds, whole, "hk:hasPartFigure", child) == {f"{BASE}graph/inferred/{A003}"}


CIVILIANS_PART = '    partOf: [offensive-dead-osdh]      # "826 dead, including 111 civilians"'


@pytest.mark.parametrize("replacement, problem", [
    ("    partOf: [no-such-figure]", "unknown casualty of this article 'no-such-figure'"),
    ("    partOf: [offensive-civilians-dead-osdh]", "cannot be part of itself"),
])
def test_a_bad_part_of_a_figure_is_refused(seeds_copy, replacement, problem):
    path = next(seeds_copy.glob("004_*.yaml"))
    text = path.read_text(encoding="utf-8")
    assert CIVILIANS_PART in text
    path.write_text(text.replace(CIVILIANS_PART, replacement), encoding="utf-8")
    with pytest.raises(AnnotationError, match=problem):
        load(open_store(":memory:"), [seeds_copy], Iris(BASE))


def test_a_cycle_of_parts_is_refused(seeds_copy):
    path = next(seeds_copy.glob("003_*.yaml"))
    text = path.read_text(encoding="utf-8")
    text = text.replace("  - id: offensive-killed-council\n",
                        "  - id: offensive-killed-council\n    partOf: [offensive-children-killed-council]\n")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnnotationError, match="part of itself"):
        load(open_store(":memory:"), [seeds_copy], Iris(BASE))


# --- victim categories -------------------------------------------------------------------------

def test_a_query_for_civilians_counts_children_women_and_journalists(seeds):
    civilians = {r["c"].rsplit("/", 1)[1] for r in select(seeds, "SELECT ?c WHERE { ?c hk:countsCategory hk:civilians }")}
    assert {"offensive-children-killed-council", "offensive-women-killed-council", "wednesday-journalists-killed",
            "offensive-civilians-dead-osdh"} <= civilians
    assert "hama-fighters-dead-osdh" not in civilians and "offensive-dead-osdh" not in civilians
    fighters = {r["c"].rsplit("/", 1)[1] for r in select(seeds, "SELECT ?c WHERE { ?c hk:countsCategory hk:fighters }")}
    assert {"soldiers-captured-many", "khaldiyeh-fighter-killed", "hama-fighters-dead-osdh"} <= fighters
    assert not civilians & fighters
    # everyone counted is people, except materiel
    people = {r["c"] for r in select(seeds, "SELECT ?c WHERE { ?c hk:countsCategory hk:people }")}
    everyone = {r["c"] for r in select(seeds, """SELECT ?c WHERE { ?c a hk:Casualty
                                                  FILTER NOT EXISTS { ?c hk:victimCategory hk:militaryVehicles } }""")}
    assert people == everyone and len(people) > 35


def test_the_category_hierarchy_is_skos_and_its_closure_is_inferred_not_asserted(seeds):
    broader = {(r["n"].rsplit("#", 1)[1], r["b"].rsplit("#", 1)[1])
               for r in select(seeds, "SELECT ?n ?b WHERE { ?n skos:broader ?b ; skos:inScheme hk:victimCategories }")}
    assert {("children", "civilians"), ("women", "civilians"), ("soldiers", "fighters"), ("civilians", "people")} <= broader
    children = node("casualty", A003, "offensive-children-killed-council")
    assert graph_of(seeds, children, "hk:countsCategory", NamedNode(HK + "civilians")) == {f"{BASE}graph/inferred/{A003}"}
    assert graph_of(seeds, children, "hk:countsCategory", NamedNode(HK + "people")) == {f"{BASE}graph/inferred/{A003}"}


def test_the_canned_query_for_civilians_shows_which_figure_each_is_part_of(seeds):
    rows = {r["casualty"].rsplit("/", 1)[1]: r for r in canned(seeds, "casualties_of_category", category="civilians")}
    assert rows["offensive-children-killed-council"]["count"] == "43"
    assert rows["offensive-children-killed-council"]["ownCategory"] == "children"
    assert rows["offensive-children-killed-council"]["partOfLabel"] == "559 people killed"
    assert rows["offensive-civilians-dead-osdh"]["partOf"] == f"{BASE}casualty/{A004}/offensive-dead-osdh"
    assert rows["wednesday-civilians-killed"]["partOf"] is None


# --- supporters and their sides ----------------------------------------------------------------

def test_which_side_a_supporter_supports(seeds):
    russia, turkey = node("actor", "russia-state"), node("actor", "turkey-state")
    assert {f"{BASE}actor/syrian-government", f"{BASE}actor/bashar-al-assad", f"{BASE}actor/syrian-army"} <= \
        objects(seeds, russia, "hk:supports")
    assert objects(seeds, turkey, "hk:supports") == {f"{BASE}actor/syrian-rebels"}
    assert graph_of(seeds, turkey, "hk:supports", node("actor", "syrian-rebels")) == {f"{BASE}graph/inferred/{A004}"}
    rows = canned(seeds, "supports")
    moscow = [r for r in rows if r["event"].endswith("/russian-support")]
    assert [(r["supporterLabel"], r["sideLabel"], r["quote"]) for r in moscow] == [
        ("Russia (state)", "Syrian government", "Moscow to have continued supporting the Assad regime")]


def test_a_side_given_for_an_actor_who_is_not_a_supporter_is_refused(seeds_copy):
    path = next(seeds_copy.glob("000_*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      - {supporter: russia-state, side: syrian-government",
                                 "      - {supporter: syrian-army, side: syrian-government"), encoding="utf-8")
    with pytest.raises(AnnotationError, match="'syrian-army' supports a side but is not among this event's supporters"):
        load(open_store(":memory:"), [seeds_copy], Iris(BASE))


# --- links between agreements ------------------------------------------------------------------

def test_the_72_hour_ceasefire_accompanies_the_withdrawal_deal_both_ways(seeds):
    ceasefire, deal = node("agreement", A002, "april-72-hour-ceasefire"), node("agreement", A002, "april-withdrawal-deal")
    assert objects(seeds, ceasefire, "hk:accompanies") == {deal.value}
    assert objects(seeds, deal, "hk:accompanies") == {ceasefire.value}
    assert graph_of(seeds, deal, "hk:accompanies", ceasefire) == {f"{BASE}graph/inferred/{A002}"}
    assert len(canned(seeds, "agreement_links")) == 2


def _mini_with_second_agreement(tmp_path: Path, supersedes: str) -> Path:
    folder = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", folder)
    article = folder / "article.yaml"
    text = article.read_text(encoding="utf-8")
    text = text.replace("\ncasualties:", f"""
  - id: old-town-extension
    type: Truce
    label: The truce held for a second day
    quote: "held for a second day"
    status: implemented
    supersedes: [{supersedes}]

casualties:""")
    article.write_text(text, encoding="utf-8")
    return folder


def test_an_agreement_that_supersedes_another_is_superseded_by_it(tmp_path):
    store = open_store(":memory:")
    load(store, [_mini_with_second_agreement(tmp_path, "old-town-truce")], Iris(BASE))
    later, earlier = node("agreement", "mini-truce", "old-town-extension"), node("agreement", "mini-truce", "old-town-truce")
    assert objects(store, later, "hk:supersedes") == {earlier.value}
    assert objects(store, earlier, "hk:supersededBy") == {later.value}
    assert objects(store, later, "dcterms:replaces") == {earlier.value}


def test_an_agreement_cannot_supersede_itself(tmp_path):
    with pytest.raises(AnnotationError, match="cannot supersede itself"):
        load(open_store(":memory:"), [_mini_with_second_agreement(tmp_path, "old-town-extension")], Iris(BASE))


# --- several mentions, each with the name as written -------------------------------------------

def test_one_article_spells_one_place_two_ways_and_both_are_kept(seeds):
    rows = canned(seeds, "mentions", entity=f"{BASE}place/jourat-al-shiyah")
    in_002 = [(r["nameAsWritten"], r["quote"]) for r in rows if r["article"].endswith(A002)]
    assert in_002 == [("Jourat al-shish", "the blockaded district of Jourat al-shish"),
                      ("Jourat a-Shiah", "Jourat a-Shiah and Wadi Sayeh")]
    assert {r["nameAsWritten"] for r in rows if r["article"].endswith(A003)} == {"Jurt Ashayah"}


def test_the_observatory_is_named_three_ways_in_one_article(seeds):
    rows = canned(seeds, "mentions", entity=f"{BASE}actor/osdh")
    names = [r["nameAsWritten"] for r in rows if r["article"].endswith(A004)]
    assert names == ["Syrian Observatory for Human Rights", "OSDH", "the Observatory"]
    evidence = {r["e"] for r in select(seeds, """SELECT ?e WHERE { ?osdh hk:evidence ?e .
        ?e oa:hasTarget/oa:hasSource ?a }""", osdh=NamedNode(f"{BASE}actor/osdh"), a=NamedNode(f"{BASE}article/{A004}"))}
    assert evidence == {f"{BASE}evidence/{A004}/mention/osdh", f"{BASE}evidence/{A004}/mention/osdh/2",
                        f"{BASE}evidence/{A004}/mention/osdh/3"}


def test_a_name_as_written_must_be_in_its_quote():
    with pytest.raises(ValidationError, match="not in the quote"):
        model.Mention(entity="osdh", quote="according to the OSDH", name="SOHR")


def test_the_same_mention_twice_is_refused(seeds_copy):
    path = next(seeds_copy.glob("004_*.yaml"))
    text = path.read_text(encoding="utf-8")
    line = '  - {entity: osdh, quote: "including 111 civilians, according to the OSDH", name: "OSDH"}\n'
    assert line in text
    path.write_text(text.replace(line, line + line), encoding="utf-8")
    with pytest.raises(AnnotationError, match="mentioned with this quote already"):
        load(open_store(":memory:"), [seeds_copy], Iris(BASE))


# --- shapes ------------------------------------------------------------------------------------

def test_depth_shapes_tell_the_valid_fixture_from_the_invalid_one():
    onto = to_rdflib(ontology_triples())
    ok, report = check(rdflib.Graph().parse(FIXTURES / "shapes" / "depth-valid.ttl"), DATA_SHAPES, onto)
    assert ok, report
    ok, report = check(rdflib.Graph().parse(FIXTURES / "shapes" / "depth-invalid.ttl"), DATA_SHAPES, onto)
    assert not ok
    for fault in ("a position has exactly one holder", "a position must carry its evidence",
                  "names an actor, not a place", "counts more than the whole", "part only of a figure of the same article",
                  "the one side it is for", "not a supporter of the event", "cannot accompany or supersede itself",
                  "name as written is not in the quoted span"):
        assert fault in report, fault


def test_a_figure_of_an_event_can_be_part_of_another_figure_of_that_event_only(seeds_copy, iris):
    path = next(seeds_copy.glob("000_*.yaml"))
    text = path.read_text(encoding="utf-8")
    old = '{id: barrage-hours, of: duration of the barrage in hours, count: 24,'
    assert old in text
    path.write_text(text.replace(old, old + " partOf: [rockets-and-shells],"), encoding="utf-8")
    store = open_store(":memory:")
    load(store, [seeds_copy], iris)  # (a nonsense part, but a well-formed one: the loader checks references)
    part = node("figure", A000, "tuesday-barrage-barrage-hours")
    assert objects(store, part, "hk:partOfFigure") == {f"{BASE}figure/{A000}/tuesday-barrage-rockets-and-shells"}
    path.write_text(text.replace(old, old + " partOf: [tanks-and-vans],"), encoding="utf-8")
    with pytest.raises(AnnotationError, match="unknown figure of this event 'tanks-and-vans'"):
        load(open_store(":memory:"), [seeds_copy], iris)
