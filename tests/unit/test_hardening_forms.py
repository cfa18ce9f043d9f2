"""The SPARQL endpoint's form decoder (api.routers.sparql.form_fields, issue 15 item 6) reads every
application/x-www-form-urlencoded body as urllib.parse.parse_qsl does (the protocol's reading: `+` is a
space, percent escapes, blank values kept, fields without `=`, empty fields skipped, UTF-8 strictly),
in a few passes of C over the bytes (what it costs: bench/HARDENING.md)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given, settings
from hypothesis import strategies as st

from api.routers.sparql import form_fields

PIECES = [b"a", b"query", b"=", b"&", b"%", b"+", b"2", b"B", b"f", b"%2B", b"%2b", b"%C3%A9", b"%ZZ", b"%4", b"\xc3\xa9",
          b"%E2%82", b"\xe2\x82", b";", b" ", b"%00", b"%26", b"%3D", b"&&", b"\xff"]


def reference(body: bytes):
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return "not UTF-8"


def ours(body: bytes):
    try:
        body.decode("utf-8")  # as parse_request checks the whole body first
        return form_fields(body)
    except UnicodeDecodeError:
        return "not UTF-8"


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16).map(b"".join))
def test_every_form_reads_as_parse_qsl_reads_it(body):
    assert ours(body) == reference(body)


def test_known_forms():
    assert form_fields(b"query=SELECT+*+WHERE+%7B%7D&default-graph-uri=&named-graph-uri") == [
        ("query", "SELECT * WHERE {}"), ("default-graph-uri", ""), ("named-graph-uri", "")]
    assert form_fields(b"a=%2B+%C3%A9&&b=1%3D2%262") == [("a", "+ é"), ("b", "1=2&2")]
    assert ours(b"q=%FF") == ours(b"q=\xff") == "not UTF-8"


def test_an_8_mb_form():
    body = b"query=%23" + b"x" * (8 << 20) + b"%0AASK%7B%7D"
    assert form_fields(body) == reference(body) == [("query", "#" + "x" * (8 << 20) + "\nASK{}")]
