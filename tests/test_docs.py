"""Docs that tests keep honest."""

from __future__ import annotations

import re
from pathlib import Path

from kg.queries import catalogue
from kg.reference import REFERENCE_FILE, render

ROOT = Path(__file__).resolve().parent.parent


def test_the_ontology_reference_is_up_to_date():
    assert REFERENCE_FILE.read_text(encoding="utf-8") == render(), "docs/ontology.md is stale: run `kg docs`"


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
