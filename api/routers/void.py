"""/void and /.well-known/void: the VoID description of the dataset (RFC 5785 well-known location).
<base>dataset, the dataset's IRI, redirects here."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pyoxigraph import Store

from api.deps import Settings, get_settings, get_store
from api.render import choose, rdf_response, templates
from api.routing import Route
from kg import formats
from kg.describing import void
from kg.formats import HTML
from kg.querying import sparql

router = APIRouter(tags=["service description"], route_class=Route)


@router.get("/.well-known/void", name="void_well_known", summary="VoID description of the dataset")
@router.get("/void", name="void_description", summary="VoID description of the dataset (as /.well-known/void)")
def void_description(request: Request, store: Store = Depends(get_store),
                     settings: Settings = Depends(get_settings)) -> Response:
    """Title, size, class partitions, one subset per named graph, the SPARQL endpoint and the dumps.
    Turtle by default; any RDF format by Accept; HTML shows the Turtle."""
    media = choose(request, [*formats.GRAPH_MEDIA, HTML])
    dumps = [str(request.url_for("export_dataset", ext=ext)) for ext in ("trig", "nq")]
    triples = void.void(store, settings.iris, str(request.url_for("sparql_get")), dumps,
                        example=settings.iris.place("homs").value)
    if media == HTML:
        turtle = sparql.write_triples(triples, formats.GRAPH_MEDIA["text/turtle"]).decode("utf-8")
        return templates.TemplateResponse(request, "void.html", {"turtle": turtle}, headers={"Vary": "Accept"})
    return rdf_response(triples, formats.GRAPH_MEDIA[media])


@router.get("/dataset", include_in_schema=False)
def dataset(request: Request) -> Response:
    """<base>dataset, the IRI of the dataset, is described by the VoID document."""
    return RedirectResponse(str(request.url_for("void_description")), status_code=303)
