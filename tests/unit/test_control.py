"""Control of territory over time (issue 13): changes, statements, derived periods, and the two
canned queries, with known answers from the five articles."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

from kg.errors import AnnotationError
from kg.loading.load import load
from kg.querying.catalogue import catalogue, run
from kg.storage.graphs import graph_sizes
from kg.storage.opening import open_store
from support import BASE, select

A002, A004 = f"{BASE}article/a002-syria-direct-fall-of-homs", f"{BASE}article/a004-keystone-ats-homs-exodus"
EV002, EV004 = f"{BASE}event/a002-syria-direct-fall-of-homs/", f"{BASE}event/a004-keystone-ats-homs-exodus/"


def rows(store, iris, name: str, **params) -> list[dict]:
    result = run(store, catalogue()[name], params, iris)
    names = [v.value for v in result.variables]
    return [{n: (r[n].value if r[n] is not None else None) for n in names} for r in result]


def test_old_homs_in_april_2014_was_held_by_the_rebels_under_siege(store, iris):
    found = rows(store, iris, "control_at", place="old-homs", date="2014-04-15")
    certain = [r for r in found if r["certainty"] == "certain"]
    assert {(r["controllerLabel"], r["status"]) for r in certain} == {("rebels in Old Homs", "besieged")}
    row = certain[0]
    assert row["quote"] == "the long-besieged Old City" and row["article"] == A002
    assert row["rule"] == "control as stated"
    assert (row["startLatest"], row["endEarliest"]) == ("2012-06-01", "2014-05-07")


def test_old_homs_returned_to_the_regime_by_the_may_2014_truce(store, iris):
    found = rows(store, iris, "control_at", place="old-homs", date="2014-06-15")
    old_homs = [r for r in found if r["where"] == f"{BASE}place/old-homs"]
    assert {(r["controllerLabel"], r["certainty"]) for r in old_homs} == {("Syrian government", "no end reported")}
    assert old_homs[0]["restsOn"] == EV002 + "fall-of-old-homs"
    assert old_homs[0]["startEarliest"] == "2014-05-01" and old_homs[0]["startLatest"] == "2014-05-31"
    # the truce is the agreement the handover implements
    handover = select(store, "SELECT ?a WHERE { ?e hk:implements ?a ; a hk:Handover }", e=NamedNode(EV002 + "fall-of-old-homs"))
    assert [r["a"] for r in handover] == [f"{BASE}agreement/a002-syria-direct-fall-of-homs/old-homs-truce"]
    # inside Old Homs, Jourat al-Shiyah "returned to regime control earlier this month"
    assert any(r["where"] == f"{BASE}place/jourat-al-shiyah" and r["controllerLabel"] == "Syrian government"
               and r["quote"] == "when it returned to regime control earlier this month" for r in found)


def test_jeb_al_jandali_was_seized_and_given_up_within_days(store, iris):
    timeline = rows(store, iris, "control_timeline", place="jeb-al-jandali")
    period = f"{BASE}control-period/a002-syria-direct-fall-of-homs/jeb-al-jandali/after-jeb-al-jandali-capture"
    assert {r["period"] for r in timeline} == {period}
    assert {(r["startedBy"], r["endedBy"], r["controllers"]) for r in timeline} == {
        (EV002 + "jeb-al-jandali-capture", EV002 + "jeb-al-jandali-withdrawal", "rebels in Old Homs")}
    assert {r["quote"] for r in timeline} == {"seizing the neighborhood of Jeb al-Jandali on April 20",
                                               "But they withdrew just as quickly"}
    hands = select(store, """SELECT ?e ?dir WHERE { VALUES ?dir { hk:controlFrom hk:controlTo }
        ?e ?dir <https://w3id.org/homs-kg/actor/old-homs-rebels> ; hk:controlOf <https://w3id.org/homs-kg/place/jeb-al-jandali> }""")
    assert {(r["e"], r["dir"].rsplit("#")[1]) for r in hands} == {
        (EV002 + "jeb-al-jandali-capture", "controlTo"), (EV002 + "jeb-al-jandali-withdrawal", "controlFrom")}
    # held from 20 April, the withdrawal (after the capture, in April) ends it
    held = rows(store, iris, "control_at", place="jeb-al-jandali", date="2014-04-20")
    assert {(r["controllerLabel"], r["certainty"]) for r in held} == {("rebels in Old Homs", "certain")}
    assert {r["endLatest"] for r in held} == {"2014-04-30"}
    assert rows(store, iris, "control_at", place="jeb-al-jandali", date="2014-05-15") == []


def test_hama_captured_in_december_2024_and_aleppo_held_by_the_government_from_2016(store, iris):
    after = rows(store, iris, "control_at", place="hama", date="2024-12-06")
    hts = [r for r in after if r["controllerLabel"].startswith("HTS-led")]
    assert hts and {r["certainty"] for r in hts} == {"no end reported"}
    assert {r["quote"] for r in hts} == {"the rebels captured Hama, a nearby strategic city"}
    before = rows(store, iris, "control_at", place="hama", date="2024-11-01")
    # the capture (from 27 November) took it from the government; the army's withdrawal is dated only
    # "by 5 December", so the army may have left before 1 November as far as the article tells
    assert {(r["controllerLabel"], r["certainty"]) for r in before} == {
        ("Syrian government", "no start reported"), ("Syrian Arab Army", "possible")}
    aleppo = rows(store, iris, "control_at", place="aleppo", date="2020-01-01")
    assert {(r["controllerLabel"], r["certainty"]) for r in aleppo} == {("Syrian government", "certain")}
    assert {r["restsOn"] for r in aleppo} == {EV004 + "government-retakes-aleppo-2016", EV004 + "capture-of-aleppo"}


def test_two_articles_accounts_of_homs_in_april_2014_stay_side_by_side(store, iris):
    found = rows(store, iris, "control_at", place="homs", date="2014-04-20")
    by_article = {}
    for r in found:
        by_article.setdefault(r["article"], set()).add((r["whereLabel"], r["controllerLabel"], r["status"]))
    a001 = by_article[f"{BASE}article/a001-homs-city-army-advance"]
    assert ("besieged, rebel-held parts of Homs", "rebels in Old Homs", "besieged") in a001
    assert ("Old Homs", "rebels in Old Homs", "besieged") in by_article[A002]
    # each period is one article's: derived from it, never merged with another's
    periods = select(store, "SELECT ?p (COUNT(DISTINCT ?a) AS ?n) WHERE { ?p a hk:ControlPeriod ; prov:wasDerivedFrom ?a } GROUP BY ?p")
    assert periods and all(r["n"] == "1" for r in periods)


def test_who_says_so_the_sources_the_article_names(store, iris):
    found = rows(store, iris, "control_at", place="talbiseh", date="2012-02-09")
    fighters = [r for r in found if r["controllerLabel"] == "revolution fighters in Homs"]
    assert fighters and fighters[0]["reportedBy"] == "revolution fighters in Homs"
    assert fighters[0]["quote"] == "expelled them from Talbiseh"
    # the article only tells that the expulsion was over by the original report (about 10 February 2012)
    assert fighters[0]["startLatest"] == "2012-02-10" and fighters[0]["startEarliest"] is None


def test_every_period_names_its_rule_and_rests_on_facts_with_evidence(store):
    bad = select(store, """SELECT ?p WHERE { ?p a hk:ControlPeriod .
        FILTER NOT EXISTS { ?p hk:rule ?r ; hk:controller ?c ; hk:controlStatus ?s ; hk:restsOn ?f . ?f hk:evidence ?e } }""")
    assert bad == []
    n = select(store, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a hk:ControlPeriod }")
    assert int(n[0]["n"]) >= 15


def _break(seeds_copy, old: str, new: str):
    path = seeds_copy / "002_36c9516b5ee8d58f.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("old,new,problem", [
    ("    control: {places: [qusayr], from: [syrian-rebels]}", "    control: {places: [qusayr]}", "needs 'from' and/or 'to'"),
    ("    control: {places: [qusayr], from: [syrian-rebels]}", "    control: {places: [qusayr], from: [syrian-navy]}",
     "unknown actor 'syrian-navy'"),
    ("    participant: [feras]\n", "    participant: [feras]\n    control: {places: [jourat-al-shiyah], to: [syrian-government]}\n",
     "only a control change"),
    ("    status: besieged\n    opponent: syrian-government\n    quote: \"the long-besieged Old City\"",
     "    status: starving\n    opponent: syrian-government\n    quote: \"the long-besieged Old City\"", "status"),
])
def test_a_bad_control_annotation_is_one_clear_error_and_nothing_is_written(seeds_copy, iris, old, new, problem):
    path = _break(seeds_copy, old, new)
    s = open_store(":memory:")
    with pytest.raises(AnnotationError) as err:
        load(s, [seeds_copy], iris)
    assert err.value.path == path and err.value.line and problem in err.value.problem
    assert graph_sizes(s) == {}
