"""Binding values to a SPARQL query's variables in its text: a one-row VALUES block at the head of
the query's outermost group, each term written by pyoxigraph (`str(term)`: an IRI it validated, a
literal it escaped), never a request's text.

One way for both stores. The SPARQL protocol has no bindings, so a remote store needs this; and the
embedded store's `substitutions` are invisible to Oxigraph 0.5's planner (it plans as if the
variable were free, starting from the pattern it guesses smallest and evaluating each OPTIONAL over
the whole store), while a one-row VALUES block is the smallest operand, so the plan becomes lookups
from the bound values (bench/RESULTS.md). Not a trailing VALUES clause: SPARQL joins that one after
GROUP BY and HAVING, so the variable would be unbound in the WHERE clause's FILTERs."""

from __future__ import annotations

import re

from pyoxigraph import Literal, NamedNode, Variable

# What cannot hold a brace that matters: strings, IRIs, comments, variables and prefixed names.
_OPAQUE = re.compile(r'''"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
                     r'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|#[^\n]*'''
                     r'''|[?$]\w+|[\w.-]*:[\w.:%-]*''')


def _mask(query: str) -> str:
    return _OPAQUE.sub(lambda m: " " * len(m.group(0)), query)


def _outer_group(query: str) -> int | None:
    """The offset of the `{` that opens the query's WHERE clause, or None (e.g. `DESCRIBE <x>`)."""
    masked = _mask(query)
    m = re.search(r"(?i)\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", masked)
    if m is None:
        return None
    i = m.end()
    if m.group(1).upper() == "CONSTRUCT":
        j = len(masked) - len(masked[i:].lstrip())
        if masked[j:j + 1] == "{":  # skip the template
            depth = 0
            for k in range(j, len(masked)):
                depth += {"{": 1, "}": -1}.get(masked[k], 0)
                if depth == 0:
                    i = k + 1
                    break
    depth = 0
    for k in range(i, len(masked)):
        c = masked[k]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "{" and depth == 0:
            return k
    return None


def values_block(substitutions: dict) -> str:
    """`VALUES (?a ?b) { (<…> "…") }`, every term written by pyoxigraph."""
    names, terms = [], []
    for var, term in substitutions.items():
        name = var.value if isinstance(var, Variable) else str(var).lstrip("?$")
        Variable(name)  # ValueError for a bad name
        if not isinstance(term, (NamedNode, Literal)):
            raise ValueError(f"a remote store binds IRIs and literals only, not {type(term).__name__} (?{name})")
        names.append(f"?{name}")
        terms.append(str(term))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def bind(query: str, substitutions: dict) -> str:
    """The query with the values bound: a VALUES block at the head of its outermost group (see the
    module docstring); a trailing VALUES clause when it has no group (e.g. `DESCRIBE ?x`)."""
    block = values_block(substitutions)
    at = _outer_group(query)
    if at is None:
        return f"{query}\n{block}"
    return f"{query[:at + 1]} {block} {query[at + 1:]}"
