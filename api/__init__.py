"""The HTTP service of homs-kg: SPARQL endpoint, canned REST endpoints, exports and linked data."""

from api.app import create_app

__all__ = ["create_app"]
