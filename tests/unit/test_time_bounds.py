"""Derived time bounds (issue 13): dates the articles imply, materialised with the rule that gave them."""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.loading.load import load
from kg.querying.catalogue import catalogue, run
from kg.storage.opening import open_store
from support import BASE, select

A000, A001, A002, A003, A004 = (f"{BASE}event/{a}/" for a in (
    "a000-france24-final-offensive", "a001-homs-city-army-advance", "a002-syria-direct-fall-of-homs",
    "a003-battle-for-homs", "a004-keystone-ats-homs-exodus"))


def derivations(store, event: str) -> dict:
    """{"earliest" | "latest": (value, rule local name, source IRI)} of one event."""
    rows = select(store, """SELECT ?which ?value ?rule ?source WHERE {
        ?e hk:boundDerivation ?r . ?r hk:bound ?which ; hk:boundValue ?value ; hk:rule ?rule ; hk:boundFrom ?source }""",
                  e=NamedNode(event))
    return {r["which"].rsplit("#", 1)[1]: (r["value"], r["rule"].rsplit("#", 1)[1], r["source"]) for r in rows}


def dates(store, event: str) -> tuple:
    rows = select(store, "SELECT ?lo ?hi WHERE { OPTIONAL { ?e hk:earliest ?lo } OPTIONAL { ?e hk:latest ?hi } }",
                  e=NamedNode(event))
    assert len(rows) == 1, rows  # never two values of a bound: a derived one never sits beside a stated one
    return rows[0]["lo"], rows[0]["hi"]


def test_a_sub_event_lies_within_its_parent(store):
    # "Army shelling specific districts of the Old City" (a001) is undated, part of the latest push
    # (from 18 April 2014, published in April 2014)
    got = derivations(store, A001 + "old-city-shelling")
    assert got["earliest"] == ("2014-04-18", "withinParent", A001 + "latest-push")
    assert got["latest"] == ("2014-04-30", "withinParent", A001 + "latest-push")
    assert dates(store, A001 + "old-city-shelling") == ("2014-04-18", "2014-04-30")


def test_within_parent_goes_down_a_chain_of_sub_events(store):
    # wounded captured during the Jourat al-Shiyah attack, itself part of the offensive begun 3 February 2012
    got = derivations(store, A003 + "wounded-and-evacuators-captured")
    assert got["earliest"] == ("2012-02-03", "withinParent", A003 + "jourat-al-shiyah-attack")


def test_a_past_event_ended_by_the_publication_of_the_original_report(store):
    # a003 was republished in 2025; the original Al Jazeera report appeared about 10 February 2012
    got = derivations(store, A003 + "checkpoint-shooting")
    assert got["latest"] == ("2012-02-10", "beforePublication", f"{BASE}article/a003-battle-for-homs")
    # and an event of a 2014 article ends by that article's day, 22 May 2014
    assert derivations(store, A002 + "rebel-defections")["latest"][:2] == ("2014-05-22", "beforePublication")


def test_an_event_that_follows_another_began_no_earlier_than_it(store):
    # the rebels' celebrations in Hama follow its capture (from 27 November 2024)
    got = derivations(store, A004 + "rebels-in-hama-streets")
    assert got["earliest"] == ("2024-11-27", "afterPrecedingEvent", A004 + "capture-of-hama")
    # through a derived bound: the video message follows the entry announcement, itself after the capture
    assert derivations(store, A004 + "jolani-video-message")["earliest"] == (
        "2024-11-27", "afterPrecedingEvent", A004 + "jolani-entry-announcement")


def test_stated_dates_are_never_overwritten(store, iris):
    # the capture of Hama has both bounds annotated: nothing is derived for it
    assert derivations(store, A004 + "capture-of-hama") == {}
    # and no inferred graph holds a bound of an event whose article graph states that bound
    rows = select(store, """SELECT ?e WHERE {
        GRAPH ?g { ?e hk:earliest ?a } GRAPH ?h { ?e hk:earliest ?b } FILTER(?g != ?h) }""")
    assert rows == []
    rows = select(store, """SELECT ?e WHERE {
        GRAPH ?g { ?e hk:latest ?a } GRAPH ?h { ?e hk:latest ?b } FILTER(?g != ?h) }""")
    assert rows == []


def test_derived_bounds_are_in_the_inferred_graphs_marked_with_rule_reason_and_article(store, iris):
    event = NamedNode(A001 + "old-city-shelling")
    rows = select(store, "SELECT ?g WHERE { GRAPH ?g { ?e hk:earliest ?d } }", e=event)
    assert [r["g"] for r in rows] == [iris.inferred_graph("a001-homs-city-army-advance").value]
    rows = select(store, """SELECT ?basis ?reason ?article WHERE {
        ?e hk:boundDerivation ?r . ?r a hk:DerivedBound ; hk:bound hk:earliest ; hk:basis ?basis ;
           hk:reason ?reason ; prov:wasDerivedFrom ?article }""", e=event)
    assert len(rows) == 1
    assert rows[0]["basis"] == "https://w3id.org/homs-kg/ontology#inferred"
    assert "2014-04-18" in rows[0]["reason"] and "latest push" in rows[0]["reason"].lower()
    assert rows[0]["article"] == f"{BASE}article/a001-homs-city-army-advance"


def test_no_derived_bound_crosses_the_other_and_most_undated_events_get_one(store):
    assert select(store, "SELECT ?e WHERE { ?e hk:earliest ?lo ; hk:latest ?hi FILTER(?lo > ?hi) }") == []
    undated = select(store, """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a hk:Event ; hk:modality ?m .
        FILTER NOT EXISTS { GRAPH ?g { ?e hk:earliest|hk:latest ?d } FILTER(!CONTAINS(STR(?g), "/inferred/")) } }""")
    still = select(store, """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a hk:Event ; hk:modality ?m .
        FILTER NOT EXISTS { ?e hk:earliest|hk:latest ?d } }""")
    n_undated, n_still = int(undated[0]["n"]), int(still[0]["n"])
    assert n_undated >= 60  # the articles leave these without any date
    assert n_still < n_undated / 3, (n_undated, n_still)


def test_an_event_with_one_bound_is_found_by_events_in_place_and_the_timeline(store, iris):
    # the rebels' defections in Old Homs: only "before 22 May 2014" is known
    assert dates(store, A002 + "rebel-defections") == (None, "2014-05-22")
    q = catalogue()
    found = [r["event"].value for r in run(store, q["events_in_place"], {"place": "old-homs", "from": "2014-04-20",
                                                                          "to": "2014-04-20"}, iris)]
    assert A002 + "rebel-defections" in found
    items = [r["item"].value for r in run(store, q["timeline"], {"place": "old-homs"}, iris)]
    assert A002 + "rebel-defections" in items


def test_an_event_that_implements_an_agreement_began_no_earlier_than_it(seeds_copy, iris):
    # take the date off Orhan Gazi's departure "in accordance with the truce" (of 7 May 2014)
    path = seeds_copy / "002_36c9516b5ee8d58f.yaml"
    text = path.read_text(encoding="utf-8")
    quote = '''    quote: "who left Old Homs in accordance with the truce"
'''
    dated = quote + '''    when: {date: 2014-05, basis: inferred, reason: "under the truce implemented in May 2014"}
'''
    assert dated in text
    path.write_text(text.replace(dated, quote), encoding="utf-8")
    s = open_store(":memory:")
    load(s, [seeds_copy], iris)
    got = derivations(s, A002 + "orhan-gazi-leaves-old-homs")
    assert got["earliest"] == ("2014-05-07", "withinAgreement", f"{BASE}agreement/a002-syria-direct-fall-of-homs/old-homs-truce")
    assert got["latest"][:2] == ("2014-05-22", "beforePublication")


def test_articles_reinferred_after_an_entities_change_keep_their_bounds(seeds_copy, iris):
    s = open_store(":memory:")
    load(s, [seeds_copy], iris)
    before = derivations(s, A001 + "old-city-shelling")
    entities = seeds_copy / "entities.yaml"
    entities.write_text(entities.read_text(encoding="utf-8").replace("aliases: [Hims, Homs city]",
                                                                     "aliases: [Hims, Homs city, Emesa]"), encoding="utf-8")
    report = load(s, [seeds_copy / "002_36c9516b5ee8d58f.yaml"], iris)
    assert "a001-homs-city-army-advance" in report.reinferred
    assert derivations(s, A001 + "old-city-shelling") == before != {}
