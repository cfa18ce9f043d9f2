"""Untrusted annotation files and RDF uploads (issue 15, item 7): a YAML alias bomb, YAML nested
too deep and RDF/XML whose internal entities expand to gigabytes ("billion laughs") are refused
with a clear error — naming the file and line for YAML — before they are expanded, through every
door: the reader, `kg validate`, `kg load`, POST /load, and Graph Store PUT/POST.

The commands run in a subprocess under a memory cap and a generous deadline, so that the code
before the fix (27 s and 2.4 GB for a 27 KB bomb) fails the test instead of hanging it; how fast
the refusal is, is measured in bench/HARDENING.md, not here."""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from api import create_app
from kg.errors import AnnotationError
from kg.loading.reader import read_yaml
from kg.storage.rdf_input import EXPANSION_LIMIT, parse_upload
from support import BASE
from support.api import TestClient

TOKEN = "s3cret-token-for-tests"
ARTICLE = "001_3a4d3b3a0feccd62"


def alias_bomb(levels: int, width: int = 9) -> str:
    """YAML whose last anchor expands to width**levels strings (a 'billion laughs' in YAML)."""
    lines = ['bomb0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"bomb{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def deep(n: int) -> str:
    return "deep: " + "[" * n + "]" * n + "\n"


def with_extra(seeds, text: str):
    """An article file of the seeds copy with `text` appended; returns its path and the first
    line of `text` in it."""
    path = seeds / f"{ARTICLE}.yaml"
    original = path.read_text(encoding="utf-8")
    if not original.endswith("\n"):
        original += "\n"
    path.write_text(original + text, encoding="utf-8")
    return path, original.count("\n") + 1


def billion_laughs(levels: int) -> bytes:
    """RDF/XML of ~600 bytes whose one literal expands to 30 * 10**levels characters."""
    ents = '<!ENTITY a0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, levels + 1))
    return (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{ents}]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
            f'<rdf:Description rdf:about="http://example.org/s"><ex:p>&a{levels};</ex:p></rdf:Description>'
            '</rdf:RDF>').encode()


def _capped():
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def kg(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The kg command in a subprocess under a 3 GB address-space cap; a hang fails the test."""
    try:
        return subprocess.run([sys.executable, "-c", "from api.cli import main; main()", *args], capture_output=True,
                              text=True, timeout=timeout, preexec_fn=_capped)
    except subprocess.TimeoutExpired:
        pytest.fail(f"kg {' '.join(args)} did not finish within {timeout} s")


# --- YAML: the reader ----------------------------------------------------------------------------------


def test_reader_refuses_an_alias_with_its_line(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("article:\n  id: x\nfirst: &x [1, 2]\nsecond: *x\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as err:
        read_yaml(path)
    assert err.value.line == 3 and "anchor" in err.value.problem, str(err.value)
    assert str(path) in str(err.value)


def test_reader_refuses_a_merge_key_alias(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("base: &b {x: 1}\nother:\n  <<: *b\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as err:
        read_yaml(path)
    assert err.value.line == 1


def test_reader_refuses_deep_nesting_with_its_line(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("article:\n  id: x\n" + deep(100_000), encoding="utf-8")
    with pytest.raises(AnnotationError) as err:
        read_yaml(path)
    assert err.value.line == 3 and "nest" in err.value.problem, str(err.value)


def test_reader_refuses_deep_block_nesting(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("".join(f"{'  ' * i}k{i}:\n" for i in range(200)) + f"{'  ' * 200}leaf\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as err:
        read_yaml(path)
    assert "nest" in err.value.problem and err.value.line is not None


def test_reader_reads_moderate_nesting_and_every_seed(seeds_copy):
    for path in sorted(seeds_copy.glob("*.yaml")):
        assert isinstance(read_yaml(path).tree, dict)


def test_the_fallback_reader_is_guarded_too(tmp_path):
    """A file that only ruamel can read (a tag sends it there) is checked before ruamel reads it."""
    path = tmp_path / "a.yaml"
    path.write_text("tagged: !custom x\nfirst: &x [1, 2]\nsecond: *x\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as err:
        read_yaml(path)
    assert err.value.line == 2


# --- YAML: the commands, and POST /load ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "load"])
def test_commands_refuse_a_yaml_alias_bomb(seeds_copy, tmp_path, command):
    path, line = with_extra(seeds_copy, alias_bomb(9))  # ~1 KB; 9**9 strings once expanded
    extra = ["--store", str(tmp_path / "store")] if command == "load" else []
    result = kg(command, *extra, str(seeds_copy))
    assert result.returncode != 0
    assert f"{path}:{line}" in result.stderr and "anchor" in result.stderr, result.stderr[-2000:]


def test_validate_refuses_deep_nesting(seeds_copy):
    path, line = with_extra(seeds_copy, deep(200_000))
    result = kg("validate", str(seeds_copy))
    assert result.returncode != 0
    assert f"{path}:{line}" in result.stderr and "nest" in result.stderr, result.stderr[-2000:]


def test_post_load_refuses_a_yaml_alias_bomb(api_store, seeds_copy):
    """Over HTTP the bomb is a 422 naming the line (6 levels: the code before the fix expanded it
    and answered something else)."""
    path, line = with_extra(seeds_copy, alias_bomb(6))
    text = (seeds_copy / f"{ARTICLE}.txt").read_bytes()
    client = TestClient(create_app(store=api_store, base=BASE, write_token=TOKEN))
    r = client.post("/load", headers={"Authorization": f"Bearer {TOKEN}"},
                    files={"annotation": (path.name, path.read_bytes()), "text": (f"{ARTICLE}.txt", text)})
    assert r.status_code == 422, r.text
    assert f"{path.name}:{line}" in r.json()["detail"] and "anchor" in r.json()["detail"]


# --- RDF/XML with internal entities ---------------------------------------------------------------------


def test_parse_upload_refuses_billion_laughs():
    with pytest.raises(ValueError, match="entit"):
        parse_upload(billion_laughs(8), "application/rdf+xml")  # 3 GB once expanded


def test_parse_upload_takes_rdfxml_with_ordinary_entities():
    doc = (b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY ex "http://example.org/">'
           b'<!ENTITY rdf "http://www.w3.org/1999/02/22-rdf-syntax-ns#">]>'
           b'<rdf:RDF xmlns:rdf="&rdf;" xmlns:ex="&ex;"><rdf:Description rdf:about="&ex;s">'
           b'<ex:p rdf:resource="&ex;o"/></rdf:Description></rdf:RDF>')
    triples = parse_upload(doc, "application/rdf+xml")
    assert [(t.subject.value, t.object.value) for t in triples] == [("http://example.org/s", "http://example.org/o")]


def test_parse_upload_bounds_the_expansion_not_the_nesting():
    """Many references to one flat entity expand as much as nested ones: the bound is on the total."""
    big = "x" * 100_000
    body = "".join("<ex:p>&big;</ex:p>" for _ in range(EXPANSION_LIMIT // len(big) + 10))
    doc = (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY big "{big}">]>'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
           f'<rdf:Description rdf:about="http://example.org/s">{body}</rdf:Description></rdf:RDF>').encode()
    with pytest.raises(ValueError, match="entit"):
        parse_upload(doc, "application/rdf+xml")


@pytest.mark.parametrize("method", ["put", "post"])
def test_graph_store_refuses_billion_laughs(api_store, method):
    client = TestClient(create_app(store=api_store, base=BASE, write_token=TOKEN))
    r = getattr(client, method)("/graph-store?graph=https://example.org/notes", content=billion_laughs(7),
                                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/rdf+xml"})
    assert r.status_code == 400, r.text[:500]
    assert "entit" in r.json()["detail"]
    assert not api_store.contains_named_graph(__import__("pyoxigraph").NamedNode("https://example.org/notes"))
