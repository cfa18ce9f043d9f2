"""Progress of long work (kg/progress.py): on a terminal a progress bar (count, rate, time left),
redrawn in place; in a log or a pipe a few summary lines however many files, never one line per
file; and a final line saying what was done (articles, quads, seconds)."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess

import pytest
from click.testing import CliRunner

from bench.generate import generate
from bench.processes import kg_command
from kg.cli import main
from kg.progress import Progress

FINAL = re.compile(r"^loaded (\d+) article\(s\), (\d+) quads in (\d+) graphs, in [\d.]+ s, into ")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    generate(out, 40)
    return out


@pytest.fixture(scope="module")
def loaded(corpus, tmp_path_factory):
    """`kg load` of the corpus, once for the module: (what it printed, the store)."""
    store = tmp_path_factory.mktemp("loaded") / "store"
    result = CliRunner().invoke(main, ["load", str(corpus), "--store", str(store)], catch_exceptions=False)
    return result, store


def test_a_log_gets_a_few_summary_lines_not_one_per_file(loaded):
    result, _ = loaded
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert not any(".yaml" in line for line in lines)  # no "checking FILE" per file
    assert lines[0] == "checking: 40 files"
    assert [line.split(" (")[0] for line in lines[1:5]] == ["checking: 10/40 files", "checking: 20/40 files",
                                                           "checking: 30/40 files", "checking: 40/40 files"]
    final = FINAL.match(lines[-1])
    assert final and final.group(1) == "40" and int(final.group(2)) > 40 * 100 and len(lines) == 6


def test_progress_prints_at_most_five_lines_for_any_count():
    for total in (1, 7, 10_000):
        stream = io.StringIO()
        with Progress("checking", total, unit="files", stream=stream, tty=False) as p:
            for _ in range(total):
                p.step()
        lines = stream.getvalue().splitlines()
        assert lines[0] == f"checking: {total} files" and len(lines) <= 5, lines
        assert lines[-1].startswith(f"checking: {total}/{total} files (100%)")


def test_a_terminal_gets_a_bar_with_count_rate_and_time_left():
    stream = io.StringIO()
    with Progress("checking", 200, unit="files", stream=stream, tty=True) as p:
        for _ in range(200):
            p.step()
    out = stream.getvalue()
    assert "━" in out and "200/200" in out and "files/s" in out and "eta" in out
    assert "checking: 50/200" not in out  # no summary lines on a terminal


def test_kg_validate_on_a_real_terminal_draws_a_bar(corpus):
    leader, follower = pty.openpty()
    proc = subprocess.Popen([*kg_command(), "validate", "--no-shacl", str(corpus)],
                            stdin=follower, stdout=follower, stderr=follower, close_fds=True,
                            env={**os.environ, "COLUMNS": "120"})
    os.close(follower)
    out = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait(timeout=120) == 0, out.decode(errors="replace")
    text = out.decode("utf-8", errors="replace")
    assert "━" in text and "40/40" in text and "eta" in text
    assert "checking: 10/40" not in text and ".yaml\r\n" not in text
    assert re.search(r"ok: .*entities\.yaml and 40 article file\(s\), in [\d.]+ s", text)


def test_kg_export_reports_quads_and_seconds(loaded, tmp_path):
    load, store = loaded
    assert load.exit_code == 0, load.output
    result = CliRunner().invoke(main, ["export", "--store", str(store), "-o", str(tmp_path / "all.trig")],
                                catch_exceptions=False)
    lines = result.output.strip().splitlines()
    assert re.match(r"exporting: \d+ quads$", lines[0]) and len(lines) <= 6
    assert re.match(r"wrote \d+ bytes to .*all\.trig, in [\d.]+ s$", lines[-1])
