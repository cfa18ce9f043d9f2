"""Untrusted input, timed (issue 15, item 7; figures in bench/HARDENING.md): how long, and how much
memory, the YAML alias bomb and the RDF/XML "billion laughs" cost before they are refused.

Each case runs in its own process under a 3 GB address-space cap and a 60 s deadline, and reports
its wall time and peak resident memory. `--code DIR` runs the cases against another checkout (the
code before the fix) by putting DIR first on the import path; there RDF/XML is parsed as the
Graph Store did, with no check.

    python -m bench.untrusted [--code /path/to/older/checkout]"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

CASE = r'''
import json, resource, sys, time
from pathlib import Path
kind, path, checked = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "checked"
import kg.loading.reader, pyoxigraph  # imports are not timed
start = time.perf_counter()
outcome = "accepted"
try:
    if kind == "yaml":
        from kg.loading.reader import read_yaml
        read_yaml(path)
    elif checked:
        from kg.storage.rdf_input import parse_upload
        parse_upload(path.read_bytes(), "application/rdf+xml")
    else:
        from pyoxigraph import RdfFormat, parse
        n = sum(len(q.object.value) for q in parse(path.read_bytes(), format=RdfFormat.RDF_XML))
        outcome = f"accepted: a literal of {n:,} characters"
except Exception as e:
    outcome = f"refused: {type(e).__name__}: {str(e)[:150]}"
print(json.dumps({"seconds": round(time.perf_counter() - start, 4),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "outcome": outcome}))
'''


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """YAML of 600 bytes whose last anchor stands for 9**9 strings."""
    lines = ["article:", "  id: x", 'bomb0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"bomb{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def billion_laughs(levels: int = 8) -> bytes:
    """RDF/XML of 700 bytes whose one literal expands to 3 * 10**9 characters."""
    ents = '<!ENTITY a0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, levels + 1))
    return (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{ents}]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
            f'<rdf:Description rdf:about="http://example.org/s"><ex:p>&a{levels};</ex:p></rdf:Description>'
            '</rdf:RDF>').encode()


def _cap():
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def run(kind: str, path: Path, code: str | None) -> dict:
    env = {**os.environ, "PYTHONPATH": code} if code else None
    try:
        out = subprocess.run([sys.executable, "-c", CASE, kind, str(path), "unchecked" if code else "checked"],
                             capture_output=True, text=True, timeout=60, env=env, preexec_fn=_cap, cwd=code)
    except subprocess.TimeoutExpired:
        return {"seconds": 60.0, "peak_mb": None, "outcome": "still running after 60 s (killed)"}
    if out.returncode != 0:
        return {"seconds": None, "peak_mb": None, "outcome": f"died: exit {out.returncode} {out.stderr[-200:]}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description="The YAML alias bomb and billion laughs, timed.")
    parser.add_argument("--code", help="a checkout to import kg from (the code before the fix)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        yaml_file, rdf_file = Path(tmp) / "bomb.yaml", Path(tmp) / "laughs.rdf"
        yaml_file.write_text(alias_bomb(), encoding="utf-8")
        rdf_file.write_bytes(billion_laughs())
        for kind, path in (("yaml", yaml_file), ("rdf", rdf_file)):
            print(f"{kind:5} {path.stat().st_size:>5} bytes  {run(kind, path, args.code)}")


if __name__ == "__main__":
    main()
