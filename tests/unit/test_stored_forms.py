"""A graph read back from a store against the graph it was given (kg.storage.stored_forms): the forms
Virtuoso keeps literals in (docs/remote-store.md) are the same values, and any other difference is one."""

from pyoxigraph import Literal, NamedNode, Triple

from kg.namespaces import GEO, HK, RDFS, XSD
from kg.storage.stored_forms import same_triples

GEOMETRY = NamedNode("https://w3id.org/homs-kg/place/homs/geometry")
VIRTRDF_GEOMETRY = NamedNode("http://www.openlinksw.com/schemas/virtrdf#Geometry")
HOMS = NamedNode("https://w3id.org/homs-kg/place/homs")


def point(wkt: str, datatype=GEO.wktLiteral) -> Triple:
    return Triple(GEOMETRY, GEO.asWKT, Literal(wkt, datatype=datatype))


GIVEN = {point("POINT(36.73 34.715)"), Triple(HOMS, RDFS.label, Literal("Homs", language="en")),
         Triple(HOMS, HK.bodyStart, Literal("2720", datatype=XSD.nonNegativeInteger)),
         Triple(HOMS, HK.heldThroughout, Literal("true", datatype=XSD.boolean))}
# as Virtuoso 7.2.5 reads them back (measured: tests/e2e/test_e2e_remote.py loads over HTTP there)
AS_VIRTUOSO_KEEPS = {point("POINT(36.729999542236 34.715000152588)", VIRTRDF_GEOMETRY),
                     Triple(HOMS, RDFS.label, Literal("Homs", language="en")),
                     Triple(HOMS, HK.bodyStart, Literal("2720", datatype=XSD.integer)),
                     Triple(HOMS, HK.heldThroughout, Literal("1", datatype=XSD.boolean))}


def test_the_forms_a_server_keeps_are_the_same_values():
    assert same_triples(GIVEN, GIVEN)
    assert same_triples(AS_VIRTUOSO_KEEPS, GIVEN)


def test_a_moved_point_is_a_change():
    moved = AS_VIRTUOSO_KEEPS - {point("POINT(36.729999542236 34.715000152588)", VIRTRDF_GEOMETRY)} \
        | {point("POINT(36.7301 34.715)", VIRTRDF_GEOMETRY)}  # 0.0001 degree: about 9 m
    assert not same_triples(moved, GIVEN)


def test_other_values_and_missing_or_extra_triples_are_changes():
    label = Triple(HOMS, RDFS.label, Literal("Homs", language="en"))
    assert not same_triples(AS_VIRTUOSO_KEEPS - {label} | {Triple(HOMS, RDFS.label, Literal("Hims", language="en"))},
                            GIVEN)
    assert not same_triples(AS_VIRTUOSO_KEEPS - {label}, GIVEN)
    assert not same_triples(AS_VIRTUOSO_KEEPS | {point("POINT(36.8 34.7)")}, GIVEN)  # a second point
    assert not same_triples(AS_VIRTUOSO_KEEPS - {Triple(HOMS, HK.bodyStart, Literal("2720", datatype=XSD.integer))}
                            | {Triple(HOMS, HK.bodyStart, Literal("2721", datatype=XSD.integer))}, GIVEN)
    assert not same_triples(AS_VIRTUOSO_KEEPS - {Triple(HOMS, HK.heldThroughout, Literal("1", datatype=XSD.boolean))}
                            | {Triple(HOMS, HK.heldThroughout, Literal("0", datatype=XSD.boolean))}, GIVEN)
