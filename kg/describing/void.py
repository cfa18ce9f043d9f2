"""Self-descriptions of the service: a VoID description of the dataset and a SPARQL 1.1 Service
Description of the endpoint, as triples. Counts come from the store; URLs from the caller (a server
knows where it is deployed; the data's base IRI may be elsewhere)."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Triple

from kg.describing.stats import COUNTED
from kg.formats import RDF_FORMATS, RESULT_FORMATS
from kg.namespaces import DCTERMS, ONTOLOGY, PREFIXES, RDF, RDFS, SPARQL_PREFIXES, XSD, Iris, Namespace
from kg.storage.graphs import graph_sizes

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = "http://www.w3.org/ns/formats/"
# W3C's format IRIs (pyoxigraph names JSON-LD by its newer IRI; the registry lists the short one)
FORMAT_IRIS = {**{f.name: NamedNode(f.iri) for f in (*RDF_FORMATS.values(), *RESULT_FORMATS.values())},
               "JSON-LD": NamedNode(FORMATS_NS + "JSON-LD")}
TITLE = "homs-kg: a knowledge graph of the war in and around Homs, Syria"
DESCRIPTION = ("Events, agreements, casualty figures and claims from news articles (2012-2024), each linked "
               "to the article and the exact text that states it; figures from different sources side by "
               "side, each with who reported it.")


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


DISTINCT_TRIPLES = """SELECT (COUNT(*) AS ?n) WHERE {
  SELECT DISTINCT ?s ?p ?o WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }
}"""


def distinct_triples(store: Store) -> int:
    """How many triples the union of the graphs holds (a triple stated in two graphs counts once),
    counted by the store (embedded, or a remote server whose default graph is that union)."""
    return int(next(iter(store.query(DISTINCT_TRIPLES)))["n"].value)


def dataset_iri(iris: Iris) -> NamedNode:
    return NamedNode(iris.base + "dataset")


def void(store: Store, iris: Iris, sparql_endpoint: str, dumps: list[str], example: str | None = None) -> list[Triple]:
    """The VoID description: title, size, URI space, vocabulary, class partitions, one subset per graph,
    the SPARQL endpoint and the dumps."""
    ds = dataset_iri(iris)
    sizes = graph_sizes(store)
    t = [Triple(ds, RDF.type, VOID.Dataset),
         Triple(ds, DCTERMS.title, Literal(TITLE, language="en")),
         Triple(ds, DCTERMS.description, Literal(DESCRIPTION, language="en")),
         Triple(ds, VOID.sparqlEndpoint, NamedNode(sparql_endpoint)),
         Triple(ds, VOID.uriSpace, Literal(iris.base)),
         Triple(ds, VOID.vocabulary, NamedNode(ONTOLOGY)),
         Triple(ds, VOID.triples, _int(distinct_triples(store))),
         Triple(ds, VOID.feature, NamedNode(FORMATS_NS + "TriG")),
         Triple(ds, VOID.feature, NamedNode(FORMATS_NS + "N-Quads"))]
    t += [Triple(ds, VOID.dataDump, NamedNode(d)) for d in dumps]
    if example:
        t.append(Triple(ds, VOID.exampleResource, NamedNode(example)))
    for cls in COUNTED.values():
        q = SPARQL_PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}"
        n = next(iter(store.query(q, use_default_graph_as_union=True)))["n"]
        part = BlankNode()
        t += [Triple(ds, VOID.classPartition, part),
              Triple(part, VOID["class"], NamedNode(_expand(cls))),
              Triple(part, VOID.entities, n)]
    for graph, n in sizes.items():
        if graph.startswith(("http://", "https://")):
            sub = NamedNode(graph)  # a named graph's name stands for the subset it holds
            t += [Triple(ds, VOID.subset, sub), Triple(sub, RDF.type, VOID.Dataset),
                  Triple(sub, VOID.triples, _int(n))]
    return t


def service_description(store: Store, iris: Iris, endpoint: str, void_url: str) -> list[Triple]:
    """The SPARQL 1.1 Service Description of the endpoint: language, result formats, features and its
    default dataset (the union of the graphs as default graph, each named graph with its size)."""
    svc, dataset, default = NamedNode(endpoint), dataset_iri(iris), BlankNode()
    t = [Triple(svc, RDF.type, SD.Service),
         Triple(svc, SD.endpoint, svc),
         Triple(svc, SD.supportedLanguage, SD.SPARQL11Query),
         Triple(svc, SD.feature, SD.UnionDefaultGraph),
         Triple(svc, DCTERMS.title, Literal(TITLE, language="en")),
         Triple(svc, RDFS.seeAlso, NamedNode(void_url)),
         Triple(svc, SD.defaultDataset, dataset),
         Triple(dataset, RDF.type, SD.Dataset),
         Triple(dataset, SD.defaultGraph, default),
         Triple(default, RDF.type, SD.Graph)]
    t += [Triple(svc, SD.resultFormat, iri) for iri in FORMAT_IRIS.values()]
    sizes = graph_sizes(store)
    t.append(Triple(default, VOID.triples, _int(distinct_triples(store))))
    for graph, n in sizes.items():
        if graph.startswith(("http://", "https://")):
            named, g = BlankNode(), BlankNode()
            t += [Triple(dataset, SD.namedGraph, named), Triple(named, RDF.type, SD.NamedGraph),
                  Triple(named, SD.name, NamedNode(graph)), Triple(named, SD.graph, g),
                  Triple(g, RDF.type, SD.Graph), Triple(g, VOID.triples, _int(n))]
    return t


def _expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local
