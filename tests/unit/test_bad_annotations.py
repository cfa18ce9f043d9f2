"""A catalogue of bad annotation files: each gives one clear error naming the file, the line and the
problem, and nothing of the load is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.errors import AnnotationError
from kg.loading.load import load
from kg.namespaces import Iris
from kg.storage.graphs import graph_sizes
from kg.storage.opening import open_store
from support import MINI

ARTICLE, ENTITIES = "article.yaml", "entities.yaml"

# (case, file, text to replace, replacement, text marking the expected line (None: no line), message part)
CASES = [
    ("yaml-syntax", ARTICLE, "  id: mini-truce", "  id: [mini-truce", "  text: article.txt", "began on line 2"),
    ("duplicate-key", ARTICLE, "  text: article.txt", "  text: article.txt\n  text: other.txt", None, "duplicate"),
    ("unknown-key", ARTICLE, "    label: Shelling of the Old Town", "    label: Shelling of the Old Town\n    colour: red",
     "    colour: red", "unknown key 'colour'"),
    ("missing-key", ARTICLE, "    label: Old Town truce\n", "", "  - id: old-town-truce", "missing key 'label'"),
    ("unknown-event-type", ARTICLE, "    type: Shelling", "    type: Shellling", "    type: Shellling", "unknown event type 'Shellling'"),
    ("unknown-agreement-type", ARTICLE, "    type: Truce", "    type: Armistice", "    type: Armistice", "unknown agreement type"),
    ("type-from-wrong-branch", ARTICLE, "    type: CivilianGroup", "    type: Mosque", "    type: Mosque", "unknown actor type 'Mosque'"),
    ("unknown-entity", ARTICLE, "    attacker: [sample-army]", "    attacker: [sample-navy]", "    attacker: [sample-navy]", "unknown actor 'sample-navy'"),
    ("wrong-kind", ARTICLE, "    attacker: [sample-army]", "    attacker: [old-town]", "    attacker: [old-town]", "'old-town' is a place, not a actor"),
    ("unknown-event-ref", ARTICLE, "    events: [old-town-shelling]", "    events: [old-town-bombing]", "    events: [old-town-bombing]", "unknown event 'old-town-bombing'"),
    ("quote-not-found", ARTICLE, "quote: \"Shelling of the Old Town had killed", "quote: \"Bombing of the Old Town had killed",
     "Bombing of the Old Town", "quote not found"),
    ("quote-ambiguous", ARTICLE, "quote: \"local activists put the toll\"", "quote: \"the Old Town\"", "quote: \"the Old Town\"", "ambiguous"),
    ("quote-in-boilerplate", ARTICLE, "quote: \"local activists put the toll\"", "quote: \"Floods elsewhere\"",
     "quote: \"Floods elsewhere\"", "outside the article body"),
    ("bad-date", ARTICLE, "{date: 2020-01-05,", "{date: 2020-13-05,", "{date: 2020-13-05,", "bad date"),
    ("bad-date-text", ARTICLE, "{date: 2020-01-05,", "{date: last sunday,", "{date: last sunday,", "bad date"),
    ("from-after-to", ARTICLE, "{date: 2020-01-06, basis", "{from: 2020-01-09, to: 2020-01-06, basis", "{from: 2020-01-09", "is after 'to'"),
    ("inferred-without-reason", ARTICLE, ", basis: inferred, reason: \"the Sunday before publication\"}", ", basis: inferred}",
     ", basis: inferred}", "needs a 'reason'"),
    ("negative-count", ARTICLE, "    count: 12", "    count: -12", "    count: -12", "greater than or equal to 0"),
    ("not-a-number", ARTICLE, "    count: 12", "    count: twelve", "    count: twelve", "valid integer"),
    ("low-above-high", ARTICLE, "    count: 12", "    min: 20\n    max: 12", "  - id: killed-observatory", "'min' (20) is greater than 'max' (12)"),
    ("count-and-range", ARTICLE, "    count: 12", "    count: 12\n    min: 10", "  - id: killed-observatory", "not both"),
    ("no-quantity", ARTICLE, "    count: 12\n", "", "  - id: killed-observatory", "give 'count'"),
    ("unknown-victims", ARTICLE, "    victims: civilians\n    outcome: killed\n    event: old-town-shelling\n    reportedBy: [sample-observatory]",
     "    victims: martians\n    outcome: killed\n    event: old-town-shelling\n    reportedBy: [sample-observatory]", "    victims: martians", "victims"),
    ("no-reporter", ARTICLE, "    reportedBy: [local-activists]\n", "", "  - id: killed-activists", "missing key 'reportedBy'"),
    ("unknown-status", ARTICLE, "    status: implemented", "    status: signed", "    status: signed", "status"),
    ("bad-slug", ARTICLE, "  - id: old-town-shelling", "  - id: Old Town Shelling", "  - id: Old Town Shelling", "should match pattern"),
    ("local-id-shadows-shared", ARTICLE, "  - id: local-activists", "  - id: sample-army", "  - id: sample-army", "already defined"),
    ("local-entity-without-quote", ARTICLE, "    quote: \"local activists put the toll\"\n", "", "  - id: local-activists", "needs a quote"),
    ("missing-text-file", ARTICLE, "  text: article.txt", "  text: missing.txt", "  text: missing.txt", "not found beside"),
    ("body-reversed", ARTICLE, "    end: \"put the toll at scores.\"", "    end: \"Truce holds in Old Town\"", "    end: \"Truce", "body.end comes before"),
    ("containment-cycle", ENTITIES, "partOf: sampleland, coordinates: [10.5, 20.5]", "partOf: old-town, coordinates: [10.5, 20.5]",
     "partOf: old-town,", "containment cycle"),
    ("bad-coordinates", ENTITIES, "coordinates: [10.0, 20.0]", "coordinates: [100.0, 20.0]", "coordinates: [100.0, 20.0]", "latitude"),
    ("shared-duplicate-id", ENTITIES, "  - {id: sample-army,", "  - {id: sample-observatory,", "  - {id: sample-observatory, type: StateArmedForce", "already defined"),
]


def _mutate(tmp_path: Path, filename: str, old: str, new: str) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(MINI, folder)
    path = folder / filename
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_the_fixture_itself_loads():
    s = open_store(":memory:")
    load(s, [MINI], Iris())
    assert len(s) > 100


@pytest.mark.parametrize("case,filename,old,new,marker,message", CASES, ids=[c[0] for c in CASES])
def test_bad_file_gives_one_clear_error_and_loads_nothing(tmp_path, case, filename, old, new, marker, message):
    folder = _mutate(tmp_path, filename, old, new)
    store = open_store(":memory:")
    with pytest.raises(AnnotationError) as caught:
        load(store, [folder], Iris())
    err = caught.value
    assert err.path.name == filename
    assert message in err.problem, str(err)
    if marker is not None:
        lines = (folder / filename).read_text(encoding="utf-8").splitlines()
        expected = next(i + 1 for i, line in enumerate(lines) if marker in line)
        assert err.line == expected, str(err)
    assert str(err).startswith(f"{err.path}:") and "\n" not in str(err)
    assert len(store) == 0, "nothing of a failed load may be written"


def test_a_duplicate_event_id_is_refused(tmp_path):
    second_event = ("events:\n  - id: old-town-shelling\n    type: Bombing\n    label: x\n"
                    "    quote: \"Shelling of the Old Town had killed\"\n  - id: old-town-shelling")
    folder = _mutate(tmp_path, ARTICLE, "events:\n  - id: old-town-shelling", second_event)
    with pytest.raises(AnnotationError, match="duplicate event id 'old-town-shelling'"):
        load(open_store(":memory:"), [folder], Iris())


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(MINI, folder)
    (folder / ARTICLE).write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match="expected a mapping at the top of the file"):
        load(open_store(":memory:"), [folder], Iris())


def test_non_utf8_file_is_refused_with_its_line(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(MINI, folder)
    path = folder / ARTICLE
    path.write_bytes(path.read_bytes().replace(b"Old Town truce", b"Old Town tr\xe9ve", 1))
    with pytest.raises(AnnotationError, match="not UTF-8") as caught:
        load(open_store(":memory:"), [folder], Iris())
    assert caught.value.line == next(i + 1 for i, text in enumerate(path.read_bytes().split(b"\n")) if b"\xe9" in text)


def test_a_local_id_defined_in_two_articles_is_refused(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(MINI, folder)
    second = (folder / ARTICLE).read_text(encoding="utf-8").replace("id: mini-truce", "id: mini-truce-2", 1)
    (folder / "second.yaml").write_text(second, encoding="utf-8")
    with pytest.raises(AnnotationError, match="'local-activists' is also defined in article.yaml"):
        load(open_store(":memory:"), [folder], Iris())


def test_a_failed_reload_leaves_the_loaded_graph_untouched(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(MINI, folder)
    store = open_store(":memory:")
    load(store, [folder], Iris())
    before = graph_sizes(store)
    quads = set(store)
    path = folder / ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace("count: 12", "count: -1"), encoding="utf-8")
    with pytest.raises(AnnotationError):
        load(store, [folder], Iris())
    assert graph_sizes(store) == before and set(store) == quads


# --- more kinds (issue 4: encodings, duplicates, cycles, numbers, dates, hostile YAML) ----------------------------

# (case, file, text to replace, replacement, text marking the expected line (None: no line), message part)
MORE_CASES = [
    ("tab-indentation", ARTICLE, "  id: mini-truce", "\tid: mini-truce", "\tid: mini-truce", "YAML syntax"),
    ("two-yaml-documents", ARTICLE, "claims:", "---\nclaims:", "---", "single document"),
    ("undefined-alias", ARTICLE, "    label: Old Town truce", "    label: *nothing", "    label: *nothing", "alias"),
    ("python-tag-is-data", ARTICLE, "    label: Old Town truce", "    label: !!python/object:os.system ls",
     "    label: !!python/object", "valid string"),
    ("null-where-text", ARTICLE, "    label: Old Town truce", "    label:  # nothing", "# nothing", "valid string"),
    ("list-where-text", ARTICLE, "    label: Old Town truce", "    label: [a, b]", "    label: [a, b]", "valid string"),
    ("number-where-id", ARTICLE, "  id: mini-truce", "  id: 12345", "  id: 12345", "valid string"),
    ("fractional-count", ARTICLE, "    count: 12", "    count: 12.5", "    count: 12.5", "valid integer"),
    ("not-a-number-count", ARTICLE, "    count: 12", "    count: .nan", "    count: .nan", "valid integer"),
    ("infinite-coordinate", ENTITIES, "coordinates: [10.0, 20.0]", "coordinates: [.inf, 20.0]",
     "coordinates: [.inf, 20.0]", "latitude"),
    ("three-coordinates", ENTITIES, "coordinates: [10.0, 20.0]", "coordinates: [10.0, 20.0, 3.0]",
     "coordinates: [10.0, 20.0, 3.0]", "at most 2 items"),
    ("year-zero", ARTICLE, "{date: 2020-01-05,", "{date: 0000-01-05,", "{date: 0000-01-05,", "bad date"),
    ("february-30", ARTICLE, "{date: 2020-01-05,", "{date: 2020-02-30,", "{date: 2020-02-30,", "day is out of range"),
    ("five-digit-year", ARTICLE, "{date: 2020-01-05,", "{date: 99999-01-05,", "{date: 99999-01-05,", "bad date"),
    ("whitespace-quote", ARTICLE, 'quote: "local activists put the toll"', 'quote: "   "', 'quote: "   "', "empty quote"),
    ("empty-quote", ARTICLE, 'quote: "local activists put the toll"', 'quote: ""', 'quote: ""', "at least 1 character"),
    ("self-containment", ENTITIES, "partOf: sampleland, coordinates: [10.5", "partOf: sampleville, coordinates: [10.5",
     "partOf: sampleville,", "containment cycle"),
    ("text-not-utf8", "article.txt", "truce", "tr\udce9ve", "  text: article.txt", "is not UTF-8"),
]


def _mutate_raw(tmp_path: Path, filename: str, old: str, new: str) -> Path:
    """_mutate, but the replacement may hold lone surrogates standing for raw bytes (non-UTF-8 text)."""
    folder = tmp_path / "seeds"
    shutil.copytree(MINI, folder)
    path = folder / filename
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    path.write_bytes(text.replace(old, new, 1).encode("utf-8", "surrogateescape"))
    return folder


@pytest.mark.parametrize("case,filename,old,new,marker,message", MORE_CASES, ids=[c[0] for c in MORE_CASES])
def test_more_bad_files_give_one_clear_error_and_load_nothing(tmp_path, case, filename, old, new, marker, message):
    folder = _mutate_raw(tmp_path, filename, old, new)
    store = open_store(":memory:")
    with pytest.raises(AnnotationError) as caught:
        load(store, [folder], Iris())
    err = caught.value
    assert message in err.problem, str(err)
    if marker is not None:
        named = ARTICLE if filename == "article.txt" else filename  # the annotation names its text file
        assert err.path.name == named
        lines = (folder / named).read_bytes().decode("utf-8", "surrogateescape").splitlines()
        assert err.line == next(i + 1 for i, line in enumerate(lines) if marker in line), str(err)
    assert str(err).startswith(f"{err.path}:") and "\n" not in str(err)
    assert len(store) == 0, "nothing of a failed load may be written"


# Whole files that are not annotation files at all: (case, bytes, message part)
WHOLE_FILES = [
    ("empty-file", b"", "expected a mapping"),
    ("only-a-comment", b"# nothing here\n", "expected a mapping"),
    ("utf-16", "article:\n  id: mini-truce\n".encode("utf-16"), "not UTF-8"),
    ("nul-byte", b"article:\n  id: mini\x00truce\n", "unacceptable character"),
    ("deep-nesting", b"article: " + b"[" * 5000 + b"]" * 5000 + b"\n", "YAML"),
    ("alias-bomb", b"a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                   b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                   b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n", "anchors and aliases"),
]


@pytest.mark.parametrize("case,data,message", WHOLE_FILES,
                         ids=[(c.values if hasattr(c, "values") else c)[0] for c in WHOLE_FILES])
def test_files_that_are_not_annotations_are_refused(tmp_path, case, data, message):
    folder = tmp_path / "seeds"
    shutil.copytree(MINI, folder)
    (folder / ARTICLE).write_bytes(data)
    store = open_store(":memory:")
    with pytest.raises(AnnotationError) as caught:
        load(store, [folder], Iris())
    assert caught.value.path.name == ARTICLE and message in caught.value.problem, str(caught.value)
    assert "\n" not in str(caught.value) and len(store) == 0


def test_two_files_with_one_article_id_are_refused(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(MINI, folder)
    text = (folder / ARTICLE).read_text(encoding="utf-8")
    second = text.replace("  - id: local-activists", "  - id: other-activists", 1).replace(
        "[local-activists]", "[other-activists]")
    (folder / "second.yaml").write_text(second, encoding="utf-8")
    store = open_store(":memory:")
    with pytest.raises(AnnotationError, match="article id 'mini-truce' is also used by") as caught:
        load(store, [folder], Iris())
    assert caught.value.path.name == "second.yaml" and len(store) == 0


def test_a_text_file_that_is_a_folder_is_refused(tmp_path):
    folder = _mutate(tmp_path, ARTICLE, "  text: article.txt", "  text: .")
    with pytest.raises(AnnotationError, match="text"):
        load(open_store(":memory:"), [folder], Iris())


def test_a_text_path_outside_the_folder_is_refused(tmp_path):
    folder = _mutate(tmp_path, ARTICLE, "  text: article.txt", "  text: ../../etc/passwd")
    with pytest.raises(AnnotationError, match="must be a file name beside the annotation"):
        load(open_store(":memory:"), [folder], Iris())


def test_a_boolean_is_not_a_count(tmp_path):
    folder = _mutate(tmp_path, ARTICLE, "    count: 12", "    count: true")
    with pytest.raises(AnnotationError, match="valid integer"):
        load(open_store(":memory:"), [folder], Iris())


def test_an_event_part_of_itself_is_refused(tmp_path):
    folder = _mutate(tmp_path, ARTICLE, "    reportedBy: [sample-observatory]\n\nagreements",
                     "    reportedBy: [sample-observatory]\n    partOf: [old-town-shelling]\n\nagreements")
    with pytest.raises(AnnotationError, match="cycle"):
        load(open_store(":memory:"), [folder], Iris())
