"""Issue 15, the stall a runaway query's test saw: FastAPI (0.16x) builds an included router's routes
when the first request reaches it, on the event loop (0.2 s quiet, over 1 s under load, with every
other client waiting). The app builds them all at start-up (api.app.build_routes): once it has
started, serving any route builds none."""

from __future__ import annotations

import fastapi.routing
import pytest

from api import create_app
from support import BASE
from support.api import TestClient

LAZY = getattr(fastapi.routing, "_EffectiveRouteContext", None)


@pytest.mark.skipif(LAZY is None or not hasattr(LAZY, "from_api_route"),
                    reason="this FastAPI builds routes in include_router: nothing is built per request")
def test_no_route_is_built_while_serving(api_store, monkeypatch):
    built = []
    original = LAZY.from_api_route.__func__

    def counting(cls, **kwargs):
        built.append(kwargs["original_route"].path)
        return original(cls, **kwargs)

    monkeypatch.setattr(LAZY, "from_api_route", classmethod(counting))
    with TestClient(create_app(store=api_store, base=BASE)) as client:
        at_start = len(built)
        for path in ("/api/ceasefires?place=homs", "/sparql?query=ASK%7B%7D", "/void", "/place/homs", "/export",
                     "/graph-store?default", "/no/such/page"):
            assert client.get(path).status_code in (200, 404), path
        assert built[at_start:] == []
    assert at_start > 50  # every route (the canned queries' among them) was built at start-up
