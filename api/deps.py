"""What handlers get from the app: the store and the settings, by dependencies tests can override."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from pyoxigraph import Store

from kg import queries as canned
from kg.namespaces import Iris


@dataclass(frozen=True)
class Settings:
    base: str  # the base of the data's IRIs; request paths map to IRIs under it
    queries_dir: Path = canned.QUERIES_DIR

    @property
    def iris(self) -> Iris:
        return Iris(self.base)

    def catalogue(self) -> dict[str, canned.CannedQuery]:
        return canned.catalogue(self.queries_dir)


def get_store(request: Request) -> Store:
    """The store, opened (or handed over) when the app starts."""
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings
