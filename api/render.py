"""Responses in the format a client asks for: content negotiation, RDF, and the HTML templates."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple

from kg import formats
from kg.describing.resources import short
from kg.namespaces import ONTOLOGY
from kg.querying import sparql

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


def choose(request: Request, offered: list[str]) -> str:
    """The offered media type (default first) the request's Accept header ranks highest, else 406."""
    return formats.choose(request.headers.get("accept"), offered)


def rdf_response(triples: Iterable[Triple], fmt: RdfFormat, filename: str | None = None) -> Response:
    headers = {"Vary": "Accept"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(sparql.write_triples(triples, fmt), media_type=formats.media_type(fmt), headers=headers)


# --- template helpers ----------------------------------------------------------------------------


def local_path(request: Request, iri: str) -> str | None:
    """The path this server answers an IRI on, when the IRI is under the data's base."""
    base = request.app.state.settings.base
    if not iri.startswith(base):
        return None
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{root}/{iri[len(base):]}"


@pass_context
def href(context, iri: str) -> str:
    """Where a link to an IRI goes: this server for IRIs under the base (and the ontology), else the
    IRI if it is http(s); None (no link) for any other scheme."""
    request = context["request"]
    if iri.startswith(ONTOLOGY):
        root = request.scope.get("root_path", "").rstrip("/")
        return f"{root}/ontology#{iri[len(ONTOLOGY):]}"
    local = local_path(request, iri)
    if local is not None:
        return local
    return iri if iri[:8].lower().startswith(("http://", "https://")) else None  # never javascript: and the like


def term_kind(term) -> str:
    if isinstance(term, NamedNode):
        return "iri"
    if isinstance(term, BlankNode):
        return "blank"
    return "literal" if isinstance(term, Literal) else "other"


templates.env.filters["href"] = href
templates.env.filters["short"] = short
templates.env.filters["kind"] = term_kind
