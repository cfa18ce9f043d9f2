"""Where the data that ships with homs-kg is: the ontology, the canned queries and the seed corpus.

They live at the top of the repository (ontology/, queries/, seeds/) and ship inside the package as
kg/data/<name> (symlinks in the repository, copies in a wheel), found through importlib.resources,
so the same code works from a checkout, an editable install and a wheel installed anywhere."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_dir(name: str) -> Path:
    """The folder kg/data/<name>, as a real path; FileNotFoundError, loudly, when it is missing."""
    path = Path(str(files("kg") / "data" / name)).resolve()
    if not path.is_dir():
        raise FileNotFoundError(f"homs-kg's {name}/ folder is missing from the installed package ({path})")
    return path


ONTOLOGY_DIR = data_dir("ontology")
ONTOLOGY_FILE = ONTOLOGY_DIR / "homs-kg.ttl"
SHAPES_DIR = ONTOLOGY_DIR / "shapes"
QUERIES_DIR = data_dir("queries")
SEEDS = data_dir("seeds")
