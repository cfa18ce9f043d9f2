"""Write a draft as YAML in the annotation format, readable by a person and by kg's loader.

Small mappings (body, when, review, figures) are written on one line, as the hand-written seeds
do; the rest in block style. Strings that YAML would read as something else are quoted."""

from __future__ import annotations

import yaml

FLOW_KEYS = {"body", "when", "review"}


class _Flow(dict):
    pass


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True))
_Dumper.add_representer(dict, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False))


def _mark(node, key=None):
    if isinstance(node, dict):
        marked = {k: _mark(v, k) for k, v in node.items()}
        return _Flow(marked) if key in FLOW_KEYS or key == "figures-item" else marked
    if isinstance(node, list):
        return [_mark(v, "figures-item" if key == "figures" else None) for v in node]
    return node


def dump(doc: dict, header: str = "") -> str:
    body = yaml.dump(_mark(doc), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120,
                     default_flow_style=False)
    lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return lines + body
