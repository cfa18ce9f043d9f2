"""Docs that tests keep honest."""

from __future__ import annotations

import re

from kg.describing.reference import REFERENCE_FILE, render
from kg.querying.catalogue import catalogue
from support import ROOT


def test_the_ontology_reference_is_up_to_date():
    assert (ROOT / REFERENCE_FILE).read_text(encoding="utf-8") == render(), "docs/ontology.md is stale: run `kg docs`"


def test_every_canned_query_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, query in catalogue().items():
        assert f"`{name}`" in readme, name
        assert query.summary in readme, name


def test_readme_gives_the_two_setup_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    test_command = next(b for b in blocks if "pytest" in b)
    assert "pip install" in blocks[0] and "kg " in blocks[0]
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_readme_map_names_every_folder_and_the_code_map_every_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    folders = [p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")
               and p.name not in ("build", "dist", "kg-store", "test-artifacts") and not p.name.endswith(".egg-info")]
    assert len(folders) >= 9, folders  # the listing found the repository's folders
    for name in folders + [".ci"]:
        assert f"`{name}/`" in readme, f"README.md's map does not name {name}/"
    code_map = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = [p for pkg in ("kg", "api") for p in (ROOT / pkg).rglob("*.py")
               if p.name != "__init__.py" and "data" not in p.relative_to(ROOT).parts]
    assert len(modules) > 40, modules
    for path in modules:
        assert f"`{path.stem}`" in code_map or f"`{path.name}`" in code_map, f"docs/architecture.md does not name {path}"
