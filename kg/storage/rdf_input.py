"""RDF sent by a client (a Graph Store PUT or POST body), parsed under a bound on what it may expand to.

RDF/XML may declare internal entities in its DOCTYPE, and pyoxigraph's parser expands them, each
reference to one inside another multiplying the text: 690 bytes of nested declarations ("billion
laughs") expand to gigabytes. Before the parser sees an RDF/XML body, each internal entity's
expanded length is computed from its declaration (references to other entities included), and
the references in the document are added up; past EXPANSION_LIMIT characters the body is refused
(ValueError), nothing parsed. Ordinary declarations (`<!ENTITY rdf "http://…">`, used for
namespaces) expand to a few kilobytes and pass. Parameter entities (`<!ENTITY % …>`) are refused:
RDF has no use for them. The other formats have no entities."""

from __future__ import annotations

import re

from pyoxigraph import RdfFormat, Triple, parse

from kg import formats

EXPANSION_LIMIT = 16 << 20  # characters that entity references may add to a body, in all

_ENTITY = re.compile(r"""<!ENTITY\s+(%\s+)?([^\s"'>]+)\s+(?:"([^"]*)"|'([^']*)'|([^>]*))\s*>""")
_REFERENCE = re.compile(r"&([A-Za-z_:][\w.:-]*);")
_PREDEFINED = {"lt", "gt", "amp", "apos", "quot"}


def parse_upload(body: bytes, media: str) -> list[Triple]:
    """The triples of a client's body in the RDF format of media type `media` (one of
    kg.formats.TRIPLE_MEDIA). ValueError for an RDF/XML body whose entities expand too far,
    SyntaxError (the parser's) for one that does not parse."""
    fmt = formats.TRIPLE_MEDIA[media]
    if fmt == RdfFormat.RDF_XML:
        check_entities(body)
    return [q.triple for q in parse(body, format=fmt)]


def check_entities(body: bytes) -> None:
    """ValueError if the internal entities of an XML document would expand past EXPANSION_LIMIT."""
    if b"<!ENTITY" not in body and b"\x00" not in body[:4] and not body.startswith((b"\xfe\xff", b"\xff\xfe")):
        return  # no declaration (and not UTF-16, where one would hide from this test)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("an RDF/XML body that declares entities must be UTF-8 (they are checked before "
                         "parsing)") from None
    declarations: dict[str, str] = {}
    found = list(_ENTITY.finditer(text))
    if len(found) != text.count("<!ENTITY"):
        raise ValueError("an <!ENTITY declaration of the body could not be read: refused, nothing was written")
    for m in found:
        parameter, name, value = m.group(1), m.group(2), m.group(3) if m.group(3) is not None else m.group(4)
        if parameter:
            raise ValueError(f"parameter entities (<!ENTITY % {name} …>) are not accepted in RDF/XML uploads")
        if value is not None:  # external entities (SYSTEM, PUBLIC) are never fetched: the parser ignores them
            declarations.setdefault(name, value)  # XML: the first declaration binds
    lengths: dict[str, int] = {}
    total = 0
    for m in _REFERENCE.finditer(text):  # in declarations too: counted twice, on the safe side
        name = m.group(1)
        if name in declarations:
            total += _expanded(name, declarations, lengths, ())
            if total > EXPANSION_LIMIT:
                raise ValueError(f"the body's XML entities expand past {EXPANSION_LIMIT:,} characters "
                                 f"(at &{name};): refused, nothing was written")


def _expanded(name: str, declarations: dict[str, str], lengths: dict[str, int], path: tuple) -> int:
    """The length of entity `name` once every reference in it is expanded (memoised)."""
    if name in lengths:
        return lengths[name]
    if name in path:
        raise ValueError(f"the XML entity &{name}; refers to itself")
    value = declarations[name]
    n = len(_REFERENCE.sub("", value))
    for ref in _REFERENCE.findall(value):
        if ref in declarations:
            n += _expanded(ref, declarations, lengths, (*path, name))
        elif ref not in _PREDEFINED:
            n += len(ref) + 2
        else:
            n += 1
        if n > EXPANSION_LIMIT:
            raise ValueError(f"the XML entity &{name}; expands past {EXPANSION_LIMIT:,} characters: refused, "
                             "nothing was written")
    lengths[name] = n
    return n
