"""What a query or an update would do, read from its parse, not its text: whether it reaches the
network (`SERVICE`; `LOAD` in an update), and whether it names its own dataset (FROM / FROM NAMED).

Issue 15: a keyword match on the text was passed by spelling that Oxigraph's grammar still reads
as `SERVICE` (`SERVICE:x`, a prefixed name right after the keyword), and the engine fetched the
URL. The parse here is rdflib's SPARQL 1.1 parser (pyoxigraph exposes no algebra): a `SERVICE`
clause is a `ServiceGraphPattern` node, a `LOAD` a `Load` node, FROM a `datasetClause`.

Parsing costs (rdflib takes seconds for a 200 KB query), so it is done only when it can matter:
a keyword can only be read where its letters stand in the text, once `\\uXXXX` escapes are expanded
and case is folded, so a query whose text nowhere holds "service" (strings and comments included)
has no SERVICE clause, and none is parsed. When rdflib cannot parse a query that holds the word
(a construct Oxigraph reads and rdflib does not, such as RDF-star or LATERAL), the query is
refused: it is never handed on unverified. Behind this check, query workers have no network at
all (kg/executor/sandbox.py)."""

from __future__ import annotations

import re
from functools import lru_cache

from kg.errors import SparqlError

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescaped(text: str) -> str:
    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)
    return _ESCAPE.sub(char, text)


def _mentions(text: str, word: str) -> bool:
    """True unless `word` cannot be a keyword of `text` (its letters appear nowhere in it)."""
    return word in text.casefold() or word in _unescaped(text).casefold()


@lru_cache(maxsize=16)
def _parse(text: str, update: bool):
    """rdflib's parse of a query (or update), or None when rdflib cannot parse it."""
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        return (parseUpdate if update else parseQuery)(text)
    except Exception:  # noqa: BLE001 — pyparsing's errors, and rdflib's own: either way, unread
        return None


def _names(tree):
    """The names of every node (rdflib CompValue) in a parse tree."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node.name
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(node)


def _refuse(text: str, update: bool, words: dict[str, str]) -> None:
    """SparqlError when the parse of `text` holds one of `words` (node name → why refused)."""
    keywords = {"ServiceGraphPattern": "service", "Load": "load"}
    if not any(_mentions(text, keywords[name]) for name in words):
        return
    tree = _parse(text, update)
    if tree is None:
        raise SparqlError(f"this {'update' if update else 'query'} mentions "
                          f"{' or '.join(keywords[n].upper() for n in words)} and this service cannot parse it "
                          "to make sure it does not reach the network; it was not run")
    found = set(_names(tree)) & set(words)
    if found:
        raise SparqlError(words[sorted(found)[0]])


def refuse_network(query: str) -> None:
    """SparqlError for a query with a SERVICE clause (or one that might have one)."""
    _refuse(query, False, {"ServiceGraphPattern": "federated queries (SERVICE) are not supported by this endpoint"})


def refuse_network_update(update: str) -> None:
    """SparqlError for an update with LOAD or SERVICE (or one that might have either)."""
    _refuse(update, True, {"ServiceGraphPattern": "federated updates (SERVICE) are not supported",
                           "Load": "LOAD would fetch from the network: POST the data to /graph-store instead"})


def declares_dataset(query: str) -> bool:
    """True when the query has a FROM or FROM NAMED clause. A query that says "from" somewhere and
    that rdflib cannot parse is taken at its word (its FROM clauses apply)."""
    if not _mentions(query, "from"):
        return False
    tree = _parse(query, False)
    if tree is None:
        return True
    return any(isinstance(part, dict) and bool(dict.get(part, "datasetClause")) for part in tree)
