"""Read an annotation file: YAML -> pydantic model, every error with its file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from kg.errors import AnnotationError

M = TypeVar("M", bound=BaseModel)


class Located:
    """A parsed YAML document that can tell the line of any path inside it."""

    def __init__(self, path: Path, tree: Any):
        self.path = path
        self.tree = tree

    def line(self, loc: tuple) -> int | None:
        """1-based line of the deepest node of `loc` (keys and list indices) that exists."""
        node, line = self.tree, 1
        for step in loc:
            lc = getattr(node, "lc", None)
            try:
                if isinstance(step, int) and isinstance(node, list):
                    line = lc.item(step)[0] + 1 if lc else line
                    node = node[step]
                elif isinstance(node, dict) and step in node:
                    line = lc.key(step)[0] + 1 if lc else line
                    node = node[step]
                else:
                    break
            except (KeyError, IndexError, TypeError):
                break
        return line

    def error(self, loc: tuple, problem: str) -> AnnotationError:
        return AnnotationError(self.path, self.line(loc), problem)


class _Constructor(RoundTripConstructor):
    """Dates stay text: kg.model checks them, so a bad date gets the same clear error as any value."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def read_yaml(path: Path) -> Located:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise AnnotationError(path, None, f"cannot read file: {err.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise AnnotationError(path, line, f"not UTF-8: byte {raw[err.start]:#x} at offset {err.start}") from None
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = " ".join(p for p in (err.context, err.problem) if p)
        if err.context_mark and err.problem_mark and err.context_mark.line != err.problem_mark.line:
            problem += f" (the construct began on line {err.context_mark.line + 1})"
        raise AnnotationError(path, mark.line + 1 if mark else None, f"YAML syntax: {problem}") from None
    except Exception as err:  # ruamel raises a few non-marked errors (e.g. duplicate keys in some forms)
        raise AnnotationError(path, None, f"YAML: {err}") from None
    if not isinstance(tree, dict):
        raise AnnotationError(path, 1, "expected a mapping at the top of the file")
    return Located(path, tree)


def _describe(loc: tuple) -> str:
    return ".".join(str(s) for s in loc if not str(s).startswith("function-")) or "(top)"


def parse(located: Located, model: type[M]) -> M:
    """Validate the YAML tree against `model`; the first error becomes an AnnotationError."""
    try:
        return model.model_validate(_plain(located.tree))
    except ValidationError as err:
        first = err.errors()[0]
        # pydantic appends the tag of a failed union member or of a Literal to loc; keep only real keys
        loc = tuple(s for s in first["loc"] if isinstance(s, int) or not any(c in str(s) for c in "[]()'"))
        msg = first["msg"]
        if first["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
        elif first["type"] == "missing":
            msg = f"missing key {loc[-1]!r}"
        raise located.error(loc, f"{_describe(loc)}: {msg}") from None


def _plain(node: Any) -> Any:
    """ruamel's round-trip containers -> plain dicts and lists (pydantic wants plain ones)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if hasattr(node, "__float__") and type(node).__name__.startswith("Scalar"):
        return float(node)
    return node
