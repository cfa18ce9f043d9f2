"""SPARQL JSON results as kg.querying.answers writes them (from each term's kept JSON text): the text
json.dumps makes of the SPARQL 1.1 Query Results JSON document, byte for byte, for every kind of term,
and the same again once the texts are kept; long terms are not kept."""

from __future__ import annotations

import json

from pyoxigraph import BlankNode, Literal, NamedNode, QueryResultsFormat, Triple, parse_query_results

from kg.querying import answers

XSD = "http://www.w3.org/2001/XMLSchema#"


def reference(names, rows) -> bytes:
    doc = {"head": {"vars": names}, "results": {"bindings": [
        {n: answers.json_term(t) for n, t in zip(names, row) if t is not None} for row in rows]}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


ROWS = [
    (NamedNode("https://w3id.org/homs-kg/place/homs"), Literal("Homs", language="en"), None),
    (BlankNode("b0"), Literal("42", datatype=NamedNode(XSD + "integer")), Literal("plain \"quoted\" \\ é ☃\n")),
    (None, Literal("حمص", language="ar"), Triple(NamedNode("http://a"), NamedNode("http://b"), Literal("c"))),
    (NamedNode("https://w3id.org/homs-kg/place/homs"), Literal("x" * 5000), Literal("2012-02-03", datatype=NamedNode(XSD + "date"))),
]


def test_json_is_json_dumps_of_the_document_byte_for_byte():
    names = ["s", "label", "o"]
    answers._TEXTS.clear()
    first = answers.solutions_bytes(names, ROWS, QueryResultsFormat.JSON)
    again = answers.solutions_bytes(names, ROWS, QueryResultsFormat.JSON)  # from the kept texts
    assert first == again == reference(names, ROWS)
    parsed = list(parse_query_results(first, format=QueryResultsFormat.JSON))
    assert parsed[0]["label"] == Literal("Homs", language="en") and parsed[2]["s"] is None
    assert parsed[3]["label"].value == "x" * 5000


def test_long_terms_are_not_kept_and_the_cache_is_bounded():
    answers._TEXTS.clear()
    answers.solutions_bytes(["o"], [(Literal("y" * 5000),), (NamedNode("http://short"),)], QueryResultsFormat.JSON)
    assert Literal("y" * 5000) not in answers._TEXTS and NamedNode("http://short") in answers._TEXTS
    rows = [(NamedNode(f"http://example.org/{i}"),) for i in range(answers._TEXTS_MAX + 10)]
    assert answers.solutions_bytes(["o"], rows, QueryResultsFormat.JSON) == reference(["o"], rows)
    assert len(answers._TEXTS) <= answers._TEXTS_MAX


def test_other_formats_still_come_from_the_same_rows():
    csv = answers.solutions_bytes(["s", "label", "o"], ROWS[:2], QueryResultsFormat.CSV).decode()
    assert csv.splitlines()[0] == "s,label,o" and "https://w3id.org/homs-kg/place/homs,Homs," in csv
