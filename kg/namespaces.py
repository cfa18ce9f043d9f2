"""Vocabularies, and the one place where IRIs of the graph are minted."""

from __future__ import annotations

import os

from pyoxigraph import NamedNode

ONTOLOGY = "https://w3id.org/homs-kg/ontology#"
DEFAULT_BASE = "https://w3id.org/homs-kg/"

PREFIXES = {
    "hk": ONTOLOGY,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "schema": "https://schema.org/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
    "void": "http://rdfs.org/ns/void#",
}


class Namespace:
    def __init__(self, iri: str):
        self.iri = iri

    def __getattr__(self, name: str) -> NamedNode:
        # Kept on the instance, so the next access is a plain attribute read: the loader's per-triple
        # loops compare predicates with HK.x, and a new NamedNode each time was ~14 % of a load's CPU.
        node = NamedNode(self.iri + name)
        setattr(self, name, node)
        return node

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self.iri + name)


HK = Namespace(ONTOLOGY)
RDF = Namespace(PREFIXES["rdf"])
RDFS = Namespace(PREFIXES["rdfs"])
OWL = Namespace(PREFIXES["owl"])
XSD = Namespace(PREFIXES["xsd"])
SKOS = Namespace(PREFIXES["skos"])
DCTERMS = Namespace(PREFIXES["dcterms"])
PROV = Namespace(PREFIXES["prov"])
SCHEMA = Namespace(PREFIXES["schema"])
GEO = Namespace(PREFIXES["geo"])
TIME = Namespace(PREFIXES["time"])
OA = Namespace(PREFIXES["oa"])

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def base_iri() -> str:
    """The base of every data IRI: KG_BASE, or the stable default. Always ends with '/'."""
    base = os.environ.get("KG_BASE", DEFAULT_BASE)
    return base if base.endswith("/") else base + "/"


class Iris:
    """Mints the IRIs of one graph: <base>place/homs, <base>event/<article>/<id>, <base>graph/<article>..."""

    def __init__(self, base: str | None = None):
        self.base = base or base_iri()

    def entity(self, kind: str, slug: str) -> NamedNode:  # kind: place | actor
        return NamedNode(f"{self.base}{kind}/{slug}")

    def place(self, slug: str) -> NamedNode:
        return self.entity("place", slug)

    def actor(self, slug: str) -> NamedNode:
        return self.entity("actor", slug)

    def article(self, article: str) -> NamedNode:
        return NamedNode(f"{self.base}article/{article}")

    def fact(self, kind: str, article: str, slug: str) -> NamedNode:  # event | agreement | casualty | figure | claim
        return NamedNode(f"{self.base}{kind}/{article}/{slug}")

    def evidence(self, article: str, kind: str, slug: str) -> NamedNode:
        return NamedNode(f"{self.base}evidence/{article}/{kind}/{slug}")

    def graph(self, name: str) -> NamedNode:  # an article id, "ontology" or "entities"
        return NamedNode(f"{self.base}graph/{name}")

    def inferred_graph(self, name: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/inferred/{name}")
