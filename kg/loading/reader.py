"""Read an annotation file: YAML -> pydantic model, every error with its file and line.

Two readers give the same tree. The reference is ruamel.yaml's round-trip loader (YAML 1.2), which
knows the line of every node; it is pure Python and was most of the time of a load. So a file is
first read by libyaml (PyYAML's C parser) with YAML 1.2 scalar rules, into plain dicts and lists;
anything that reader is not sure to read exactly as ruamel does (a syntax error, a duplicate key,
a tag, a merge key, a %YAML directive, an int or float in a non-trivial notation) falls back to
ruamel. Lines are needed only for errors: then ruamel re-reads the file (`Located.line`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from kg.errors import AnnotationError

M = TypeVar("M", bound=BaseModel)


class Located:
    """A parsed YAML document that can tell the line of any path inside it.

    `tree` is ruamel's (with lines), or the fast reader's plain one together with the `text` to
    re-read with ruamel the first time a line is asked for."""

    def __init__(self, path: Path, tree: Any, text: str | None = None):
        self.path = path
        self.tree = tree
        self._text = text
        self._lines = None if text is not None else tree

    def line(self, loc: tuple) -> int | None:
        """1-based line of the deepest node of `loc` (keys and list indices) that exists."""
        if self._lines is None:
            self._lines = _read_round_trip(self.path, self._text)
        node, line = self._lines, 1
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
    """Dates stay text: kg.loading.model checks them, so a bad date gets the same clear error as any value."""


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
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise AnnotationError(path, line, "unacceptable character: the file contains a NUL byte")
    refuse_hostile(path, text)  # before either reader builds anything
    tree = _read_fast(text)
    if tree is not None:
        return Located(path, tree, text)
    return Located(path, _read_round_trip(path, text))


def _read_round_trip(path: Path, text: str) -> Any:
    """ruamel.yaml's round-trip reading (the reference): a mapping whose nodes know their lines."""
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
    return tree


# --- what neither reader is given: anchors, aliases, deep nesting ---------------------------------

MAX_DEPTH = 32  # nested mappings and lists: the annotation format needs 6 (docs/annotation-format.md)


def refuse_hostile(path: Path | str, text: str) -> None:
    """AnnotationError (with its line) for an anchor or alias, or nesting deeper than MAX_DEPTH.

    An annotation file is untrusted input. Aliases let a few kilobytes stand for billions of nodes
    (an "alias bomb": 27 KB took 27 s and 2.4 GB before this check), and deep nesting exhausts the
    readers' recursion; the format needs neither. The check reads the file's parse events, one
    pass with constant memory (libyaml's, else PyYAML's pure-Python parser: no node is built and
    no alias expanded), and stops at the first offence. A syntax error is left to the readers,
    which say it with its line."""
    if _pyyaml is None:  # pragma: no cover — PyYAML is a declared dependency
        return
    loader = _EventLoader(text)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            kind = type(event)
            if kind is _pyyaml.AliasEvent or getattr(event, "anchor", None) is not None:
                raise AnnotationError(path, event.start_mark.line + 1, "YAML anchors and aliases (&name, *name, "
                                      "<<: *name) are not accepted in annotation files: write the values out")
            if kind in (_pyyaml.MappingStartEvent, _pyyaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise AnnotationError(path, event.start_mark.line + 1,
                                          f"YAML nested more than {MAX_DEPTH} levels deep: not an annotation file")
            elif kind in (_pyyaml.MappingEndEvent, _pyyaml.SequenceEndEvent):
                depth -= 1
    except _pyyaml.MarkedYAMLError as err:
        if "nesting depth" in str(err.problem):  # libyaml's own limit (1,000 flow levels), found scanning ahead
            mark = err.problem_mark or err.context_mark
            raise AnnotationError(path, mark.line + 1 if mark else None,
                                  f"YAML nested more than {MAX_DEPTH} levels deep: not an annotation file") from None
        return  # a syntax error: the readers report it, with its line
    except _pyyaml.YAMLError:
        return
    finally:
        loader.dispose()


# --- the fast reader ----------------------------------------------------------------------------

try:  # PyYAML with libyaml (a declared dependency; its wheels carry libyaml); without it, ruamel reads everything
    import yaml as _pyyaml
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover
    _pyyaml = None

_TAG = "tag:yaml.org,2002:"
_DECIMAL = re.compile(r"^(?:0|[-+]?[1-9][0-9]*)$")  # ruamel keeps "-0", "007"... as ScalarInt
_SIMPLE_FLOAT = re.compile(r"^[-+]?[0-9]+\.[0-9]+$")
_DIRECTIVE = re.compile(r"(?m)^%")
_MAYBE_TAG = re.compile(r"(?:^|[\s\[{,])![^\s]")  # libyaml does not tell an explicit tag from a resolved one


class _Unsure(Exception):
    """The fast reader cannot promise ruamel's result for this file: let ruamel read it."""


if _pyyaml is not None:
    class _Resolver(_pyyaml.resolver.BaseResolver):
        """YAML 1.2 implicit types, with ruamel's own patterns (ruamel.yaml.resolver)."""

    for _tag, _pattern, _first in [
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("float", r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                     |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
                     |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
                     |[-+]?\.(?:inf|Inf|INF)
                     |\.(?:nan|NaN|NAN))$""", "-+0123456789."),
        ("int", r"""^(?:[-+]?0b[0-1_]+
                   |[-+]?0o?[0-7_]+
                   |[-+]?[0-9_]+
                   |[-+]?0x[0-9a-fA-F_]+)$""", "-+0123456789"),
        ("merge", r"^(?:<<)$", "<"),
        ("null", r"^(?: ~ |null|Null|NULL | )$", ["~", "n", "N", ""]),
        ("timestamp", r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                         |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                         (?:[Tt]|[ \t]+)[0-9][0-9]?
                         :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                         (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", "0123456789"),
        ("value", r"^(?:=)$", "="),
    ]:
        _Resolver.add_implicit_resolver(_TAG + _tag, re.compile(_pattern, re.X), list(_first))

    class _FastLoader(_CParser, _Resolver):
        def __init__(self, stream):
            _CParser.__init__(self, stream)
            _Resolver.__init__(self)

        def resolve(self, kind, value, implicit, _resolvers=_Resolver.yaml_implicit_resolvers):
            """BaseResolver.resolve without its path resolvers (none here): called for every node."""
            if kind is _pyyaml.ScalarNode:
                if implicit[0]:
                    for tag, regexp in _resolvers.get(value[:1], ()):
                        if regexp.match(value):
                            return tag
                return _TAG + "str"
            return _TAG + ("seq" if kind is _pyyaml.SequenceNode else "map")

    _Scalar, _Sequence, _Mapping = _pyyaml.ScalarNode, _pyyaml.SequenceNode, _pyyaml.MappingNode

    _EventLoader = getattr(_pyyaml, "CBaseLoader", _pyyaml.BaseLoader)  # only its parser's events are used


def _read_fast(text: str) -> dict | None:
    """The tree ruamel would give (after `_plain`), or None when only ruamel can say."""
    if _pyyaml is None or _DIRECTIVE.search(text) or ("!" in text and _MAYBE_TAG.search(text)):
        return None
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        tree = _build(node) if node is not None else None
    except (_Unsure, _pyyaml.YAMLError, RecursionError, TypeError, ValueError):
        return None
    finally:
        loader.dispose()
    return tree if isinstance(tree, dict) else None


def _build(node) -> Any:
    tag = node.tag
    if isinstance(node, _Scalar):
        value = node.value
        if tag == _TAG + "str" or tag == _TAG + "timestamp":  # dates stay text, as in _Constructor
            return value
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return value in ("true", "True", "TRUE")
        if tag == _TAG + "int" and _DECIMAL.match(value):
            return int(value)
        if tag == _TAG + "float" and _SIMPLE_FLOAT.match(value):
            return float(value)
        raise _Unsure(tag)
    if isinstance(node, _Sequence) and tag == _TAG + "seq":
        return [_build(n) for n in node.value]
    if isinstance(node, _Mapping) and tag == _TAG + "map":
        out, keys = {}, set()
        for key_node, value_node in node.value:
            key = _build(key_node)
            if key in keys:  # ruamel refuses duplicate keys: let it say so
                raise _Unsure("duplicate key")
            keys.add(key)
            out[str(key)] = _build(value_node)
        return out
    raise _Unsure(tag)


def _describe(loc: tuple) -> str:
    return ".".join(str(s) for s in loc if not str(s).startswith("function-")) or "(top)"


def parse(located: Located, model: type[M]) -> M:
    """Validate the YAML tree against `model`; the first error becomes an AnnotationError."""
    try:
        tree = located.tree if located._lines is not located.tree else _plain(located.tree)
        return model.model_validate(tree)
    except ValidationError as err:
        raise shape_errors(located, err)[0] from None


def shape_errors(located: Located, err: ValidationError) -> list[AnnotationError]:
    """Every problem pydantic found, each an AnnotationError with its line (kg.loading.validation lists them all)."""
    out = []
    for e in err.errors():
        # pydantic appends the tag of a failed union member or of a Literal to loc; keep only real keys
        loc = tuple(s for s in e["loc"] if isinstance(s, int) or not any(c in str(s) for c in "[]()'"))
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
        elif e["type"] == "missing":
            msg = f"missing key {loc[-1]!r}"
        out.append(located.error(loc, f"{_describe(loc)}: {msg}"))
    return out


def _plain(node: Any) -> Any:
    """ruamel's round-trip containers -> plain dicts and lists (pydantic wants plain ones)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if hasattr(node, "__float__") and type(node).__name__.startswith("Scalar"):
        return float(node)
    return node
