"""/api/acled.csv, /api/ged.csv, /api/events.geojson, /api/places.geojson: the conflict-data
exports (kg/conflict_data.py, docs/conflict-data.md) at stable URLs beside the canned queries they
are built from. Each answer is the whole export, as a download."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pyoxigraph import Store

from api.deps import Settings, get_settings, get_store
from api.routing import Route
from kg.querying import conflict_data

router = APIRouter(tags=["exports"], route_class=Route)
SUMMARIES = {
    "acled.csv": "The events as ACLED-shaped CSV (docs/conflict-data.md)",
    "ged.csv": "The violent events with figures of people killed as UCDP GED-shaped CSV (docs/conflict-data.md)",
    "events.geojson": "The events and agreements as a GeoJSON FeatureCollection",
    "places.geojson": "The places as a GeoJSON FeatureCollection, at their own coordinates only",
}


def _route(name: str):
    def handler(store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
        data, media = conflict_data.export(store, name, settings.iris)
        return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="homs-kg-{name}"'})
    handler.__name__ = "conflict_" + name.replace(".", "_")
    handler.__doc__ = SUMMARIES[name] + "."
    return handler


for _name in conflict_data.FORMATS:
    router.add_api_route(f"/api/{_name}", _route(_name), methods=["GET"], summary=SUMMARIES[_name],
                         name="conflict_" + _name.replace(".", "_"),
                         responses={200: {"content": {conflict_data.FORMATS[_name][0].split(";")[0]: {}}}})
