"""The graph says what the articles say: known answers, evidence spans, boilerplate, reloads."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode

from kg.loading.load import load
from kg.paths import SEEDS
from kg.storage.graphs import graph_sizes
from kg.storage.opening import open_store
from support import BASE, select

A002 = "a002-syria-direct-fall-of-homs"
TRUCE = NamedNode(f"{BASE}agreement/{A002}/old-homs-truce")
CEASEFIRE_72H = NamedNode(f"{BASE}agreement/{A002}/april-72-hour-ceasefire")


def test_the_may_2014_old_homs_truce_is_as_the_article_says(store):
    rows = select(store, """
        SELECT ?status ?earliest ?escort ?quote WHERE {
          ?a hk:status/rdfs:label ?status ; hk:earliest ?earliest ; hk:escort/rdfs:label ?escort ;
             hk:evidence/oa:hasTarget/oa:hasSelector/oa:exact ?quote .
        }""", a=TRUCE)
    assert rows == [{"status": "implemented", "earliest": "2014-05-07", "escort": "United Nations",
                     "quote": rows[0]["quote"]}]
    assert "ceasefire agreement" in rows[0]["quote"]
    types = {r["t"] for r in select(store, "SELECT ?t WHERE { ?a a ?t }", a=TRUCE)}
    assert {f"{hk}Truce", f"{hk}Ceasefire", f"{hk}EvacuationDeal", f"{hk}Agreement"} <= types


hk = "https://w3id.org/homs-kg/ontology#"


def test_the_tentative_72_hour_ceasefire_broke_down(store):
    rows = select(store, "SELECT ?status ?party WHERE { ?a hk:status ?status ; hk:party/rdfs:label ?party }",
                  a=CEASEFIRE_72H)
    assert {r["status"] for r in rows} == {hk + "brokeDown"}
    assert {r["party"] for r in rows} == {"rebels in Old Homs", "Syrian Arab Army"}


def test_conflicting_khaldiyeh_death_tolls_stay_separate_with_their_reporters(store):
    rows = select(store, """
        SELECT ?count ?amount ?reporter WHERE {
          ?c a hk:Casualty ; hk:inEvent ?e ; hk:victimCategory hk:civilians ; hk:outcome hk:killed ;
             hk:reportedBy/rdfs:label ?reporter .
          ?e rdfs:label ?eventLabel . FILTER(CONTAINS(?eventLabel, "Khaldiyeh"))
          OPTIONAL { ?c hk:count ?count } OPTIONAL { ?c hk:amountText ?amount }
        } ORDER BY ?reporter""")
    assert rows == [{"count": "105", "amount": None, "reporter": "Homs Revolutionary Council"},
                    {"count": None, "amount": "scores", "reporter": "activists in Homs"}]


def test_2024_death_tolls_from_osdh_and_an_unnamed_ngo_are_both_kept(store):
    rows = select(store, """
        SELECT ?reporter ?count ?min WHERE {
          ?c a hk:Casualty ; hk:outcome hk:killed ; hk:reportedBy/rdfs:label ?reporter ;
             prov:wasDerivedFrom/dcterms:identifier "a004-keystone-ats-homs-exodus" .
          OPTIONAL { ?c hk:count ?count } OPTIONAL { ?c hk:minCount ?min }
          FILTER(?count IN (826) || ?min IN (801))
        } ORDER BY ?reporter""")
    assert [(r["reporter"], r["count"], r["min"]) for r in rows] == [
        ("Syrian Observatory for Human Rights", "826", None),
        ("an unnamed NGO (casualty count of more than 800 dead)", None, "801")]


def test_ranges_and_vague_amounts_are_kept_as_stated(store):
    hama = select(store, "SELECT ?min ?max WHERE { ?c a hk:Casualty ; hk:minCount ?min ; hk:maxCount ?max "
                         "FILTER(?min = 10000) }")
    assert hama == [{"min": "10000", "max": "40000"}]
    scores = select(store, "SELECT ?c WHERE { ?c hk:amountText 'scores' FILTER NOT EXISTS { ?c hk:count ?n } "
                           "FILTER NOT EXISTS { ?c hk:minCount ?m } }")
    assert len(scores) == 1


def test_every_evidence_span_is_the_article_text_at_its_offsets(store):
    rows = select(store, """
        SELECT ?exact ?start ?end ?text ?bodyStart ?bodyEnd ?motivation WHERE {
          ?ev oa:motivatedBy ?motivation ; oa:hasTarget ?t .
          ?t oa:hasSource ?article ; oa:hasSelector ?q, ?p .
          ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
          ?article hk:text ?text ; hk:bodyStart ?bodyStart ; hk:bodyEnd ?bodyEnd .
        }""")
    assert len(rows) > 500
    for r in rows:
        start, end = int(r["start"]), int(r["end"])
        assert r["text"][start:end] == r["exact"]
        if r["motivation"].endswith("describing"):  # facts, not byline metadata
            assert int(r["bodyStart"]) <= start < end <= int(r["bodyEnd"]), r["exact"]


def test_boilerplate_yields_no_facts(store):
    """Menus, comments and 'related' stories about Libya, Kashmir and drones are not the article."""
    for word in ("Libya", "Gaddafi", "Kashmir", "Tripoli", "drone", "Page not found", "Comments", "Share this"):
        hits = select(store, "SELECT ?x WHERE { ?x oa:exact ?q FILTER(CONTAINS(?q, ?w)) }",
                      w=Literal(word))
        assert hits == [], word
        labels = select(store, "SELECT ?x WHERE { ?x rdfs:label ?l FILTER(CONTAINS(?l, ?w)) }",
                        w=Literal(word))
        assert labels == [], word


def test_every_fact_is_sourced(store):
    unsourced = select(store, """
        SELECT ?x WHERE {
          VALUES ?c { hk:Event hk:Agreement hk:ReportedFigure hk:Claim }
          ?x a ?c .
          FILTER NOT EXISTS { ?x prov:wasDerivedFrom ?a ; hk:evidence ?e }
        }""")
    assert unsourced == []


def test_metadata_says_what_is_stated_and_what_is_inferred(store):
    rows = select(store, """
        SELECT ?id ?field ?basis ?reason WHERE {
          ?a dcterms:identifier ?id ; hk:metadata ?m . ?m hk:field ?field ; hk:basis/rdfs:label ?basis .
          OPTIONAL { ?m hk:reason ?reason }
        }""")
    by = {(r["id"], r["field"].rsplit("/", 1)[-1]): r for r in rows}
    assert by[(A002, "datePublished")]["basis"] == "stated"
    france24 = by[("a000-france24-final-offensive", "publisher")]
    assert france24["basis"] == "inferred" and france24["reason"]
    published = select(store, "SELECT ?d WHERE { ?a dcterms:identifier ?id ; schema:datePublished ?d }",
                       id=Literal(A002))
    assert published == [{"d": "2014-05-22"}]


def test_inferred_dates_carry_their_reason(store):
    rows = select(store, "SELECT ?x ?reason WHERE { ?x hk:dateBasis hk:inferred OPTIONAL { ?x hk:reason ?reason } }")
    assert rows and all(r["reason"] for r in rows)


def test_the_counts_are_on_the_order_the_articles_hold(store):
    from kg.describing.stats import statistics

    counts = statistics(store)["entities"]
    assert counts["articles"] == 5
    assert counts["places"] >= 50
    assert counts["actors"] >= 60
    assert counts["events"] >= 80
    assert counts["agreements"] >= 4
    assert counts["casualty figures"] >= 30


def _quads(store):
    """The quads, with blank nodes (only in the ontology's axioms) left out for comparison."""
    return {q for q in store if not any(isinstance(t, BlankNode) for t in (q.subject, q.object))}


def test_loading_twice_gives_the_same_graph(store, iris):
    before, sizes = _quads(store), graph_sizes(store)
    load(store, [SEEDS], iris)
    assert _quads(store) == before
    assert graph_sizes(store) == sizes


def test_reloading_a_changed_article_replaces_its_graph_only(seeds_copy, iris):
    s = open_store(":memory:")
    load(s, [seeds_copy], iris)
    others = {q for q in s if q.graph_name != iris.graph(A002) and q.graph_name != iris.inferred_graph(A002)
              and not isinstance(q.subject, BlankNode) and not isinstance(q.object, BlankNode)}
    path = seeds_copy / "002_36c9516b5ee8d58f.yaml"
    text = path.read_text(encoding="utf-8")
    assert "status: implemented" in text
    path.write_text(text.replace("status: implemented", "status: agreed", 1), encoding="utf-8")
    load(s, [path], iris)
    status = select(s, "SELECT ?s WHERE { ?a hk:status ?s }", a=TRUCE)
    assert status == [{"s": hk + "agreed"}]
    assert {q for q in s if q in others} == others
    assert {q for q in s if q.graph_name != iris.graph(A002) and q.graph_name != iris.inferred_graph(A002)
            and not isinstance(q.subject, BlankNode) and not isinstance(q.object, BlankNode)} == others


def test_on_disk_store_persists(tmp_path, iris):
    path = tmp_path / "store"
    s = open_store(path)
    load(s, [SEEDS], iris)
    n = len(s)
    s.flush()
    del s
    reopened = open_store(path, read_only=True)
    assert len(reopened) == n > 10000
