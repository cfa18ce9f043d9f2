"""`kg draft`: a raw article becomes an annotation draft that `kg validate` accepts, every item
quote-backed and pending review. Known answers come from the seed articles (drafted leave-one-out:
the corpus without the article's own annotation) and from a small wire story written for the test."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg.cli import main
from kg.drafting import dates, quantities
from kg.drafting import text as T
from kg.loading.quotes import find
from kg.paths import SEEDS

WIRE = """Home / World / Middle East

Shelling kills civilians near Homs

March 14, 2013

By Jane Doe

Government forces shelled the town of Tall Kalakh near the Lebanese border on Tuesday, killing at least 12 civilians, according to the Syrian Observatory for Human Rights.

The Observatory said more than 200 families had fled towards Lebanon since the start of the offensive, while rebels in al-Qusayr reported that hundreds of fighters had been wounded.

Residents said a ceasefire agreed last week between the army and rebels in Tall Kalakh had broken down.

Related stories
Share this article
"""


@pytest.fixture
def runner():
    return CliRunner()


def leave_one_out(tmp_path: Path, stem: str) -> tuple[Path, Path]:
    """A corpus folder without the seed `stem`, and a folder holding only that seed's text."""
    corpus, new = tmp_path / "corpus", tmp_path / "new"
    corpus.mkdir()
    new.mkdir()
    shutil.copy(SEEDS / "entities.yaml", corpus)
    for f in SEEDS.glob("0*"):
        if not f.name.startswith(stem):
            shutil.copy(f, corpus)
    shutil.copy(SEEDS / f"{stem}.txt", new)
    return corpus, new / f"{stem}.txt"


def draft(runner, article: Path, *args) -> dict:
    result = runner.invoke(main, ["draft", str(article), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "pending review" in result.output
    return yaml.safe_load(article.with_suffix(".yaml").read_text(encoding="utf-8"))


def every_item(doc: dict):
    yield from (doc["article"][k] for k in ("headline", "publisher", "published"))
    yield from doc["article"].get("authors", [])
    for section in ("places", "actors", "mentions", "events", "agreements", "casualties"):
        for item in doc.get(section) or []:
            yield item
            yield from item.get("figures") or []


@pytest.mark.parametrize("stem", ["004_cd63f02724043b5a", "002_36c9516b5ee8d58f"])
def test_a_seed_drafted_without_its_annotation_is_accepted_by_validate(tmp_path, runner, stem):
    corpus, article = leave_one_out(tmp_path, stem)
    doc = draft(runner, article, "--corpus", str(corpus))
    result = runner.invoke(main, ["validate", "--corpus", str(corpus), str(article.with_suffix(".yaml"))])
    assert result.exit_code == 0, result.output
    assert all(item["review"]["status"] == "pending" for item in every_item(doc))
    assert all(item["review"]["rule"] and 0 <= item["review"]["confidence"] <= 1 for item in every_item(doc))
    assert len(doc["events"]) >= 10 and len(doc["casualties"]) >= 3


def test_a_drafted_seed_has_its_figures_with_bounds_outcome_and_reporter(tmp_path, runner):
    corpus, article = leave_one_out(tmp_path, "004_cd63f02724043b5a")
    doc = draft(runner, article, "--corpus", str(corpus))
    by_quote = {c["quote"]: c for c in doc["casualties"]}
    toll = next(c for q, c in by_quote.items() if "826 dead" in q)
    assert (toll["count"], toll["outcome"], toll["reportedBy"]) == (826, "killed", ["osdh"])
    assert next(c for q, c in by_quote.items() if "111 civilians" in q)["victims"] == "civilians"
    assert next(c for q, c in by_quote.items() if "800 dead" in q)["min"] == 801  # "more than 800"
    fled = next(c for q, c in by_quote.items() if "tens of thousands" in q)
    assert (fled["amount"], fled["outcome"]) == ("tens of thousands", "displaced")
    # metadata: the wire service's dateline names the publisher, the page states the date
    meta = doc["article"]
    assert meta["published"]["value"] == "2024-12-06" and meta["published"]["basis"] == "stated"
    assert meta["publisher"]["value"] == "keystone-ats" and meta["publisher"]["quote"] == "(Keystone-ATS)"
    text = article.read_text(encoding="utf-8")
    lo = find(text, meta["body"]["start"]).start
    hi = find(text, meta["body"]["end"]).end
    assert text[lo:].startswith("Syrians fled en masse") and text[:hi].endswith("advance towards Homs. »")
    # shared entities are reused by id, every quote occurs exactly once in the body
    assert {"osdh", "hama", "homs"} <= {m["entity"] for m in doc["mentions"]}
    for item in every_item(doc):
        if "quote" in item and item is not meta["publisher"] and item is not meta["published"]:
            find(text, item["quote"], lo, hi)


def test_a_new_wire_story_finds_geonames_towns_flags_ambiguity_and_resolves_dates(tmp_path, runner):
    article = tmp_path / "wire.txt"
    article.write_text(WIRE, encoding="utf-8")
    doc = draft(runner, article, "--publisher", "afp")
    result = runner.invoke(main, ["validate", "--corpus", str(SEEDS), str(article.with_suffix(".yaml"))])
    assert result.exit_code == 0, result.output
    meta = doc["article"]
    assert meta["headline"]["value"] == "Shelling kills civilians near Homs"
    assert meta["published"]["value"] == "2013-03-14"
    assert meta["authors"][0]["value"] == "jane-doe"
    # a town no article names, from GeoNames, with its id and coordinates
    town = next(p for p in doc["places"] if p["label"] == "Tall Kalakh")
    assert "GeoNames" in town["note"] and "geonames" not in town and 34.5 < town["coordinates"][0] < 35 and 36 < town["coordinates"][1] < 36.5
    # al-Qusayr is the corpus's qusayr, flagged: also a town in Egypt
    qusayr = next(m for m in doc["mentions"] if m["entity"] == "qusayr")
    assert "Egypt" in qusayr["review"]["note"]
    shelling = next(e for e in doc["events"] if e["type"] == "Shelling")
    assert shelling["when"]["date"] == "2013-03-12" and shelling["when"]["basis"] == "inferred"
    assert "Tuesday" in shelling["when"]["reason"]
    killed = next(c for c in doc["casualties"] if c.get("min") == 12)
    assert (killed["victims"], killed["outcome"], killed["reportedBy"]) == ("civilians", "killed", ["osdh"])
    wounded = next(c for c in doc["casualties"] if c.get("amount") == "hundreds")
    assert (wounded["victims"], wounded["outcome"]) == ("fighters", "wounded")
    truce = doc["agreements"][0]
    assert "Ceasefire" in truce["type"] and truce["status"] == "broke-down"


def test_the_draft_refuses_to_overwrite_and_to_write_away_from_its_text(tmp_path, runner):
    article = tmp_path / "wire.txt"
    article.write_text(WIRE, encoding="utf-8")
    draft(runner, article, "--publisher", "afp")
    again = runner.invoke(main, ["draft", str(article)])
    assert again.exit_code != 0 and "exists" in again.output
    elsewhere = runner.invoke(main, ["draft", str(article), "-o", str(tmp_path / "sub" / "x.yaml")])
    assert elsewhere.exit_code != 0 and "beside its text" in elsewhere.output


@pytest.mark.parametrize("phrase, expected", [
    # bounds and approximate numbers keep the text's own words (issue 14: "more than 800", not "801")
    ("at least 250 rockets", {"min": 250, "amount": "at least 250"}),
    ("more than 800 dead", {"min": 801, "amount": "more than 800"}),
    ("fewer than 1,000 people", {"max": 999, "amount": "fewer than 1,000"}),
    ("up to 250 mortars", {"max": 250, "amount": "up to 250"}),
    ("between 10,000 and 40,000 people", {"min": 10000, "max": 40000, "amount": "between 10,000 and 40,000"}),
    ("about 1000 rebels", {"about": 1000, "amount": "about 1000"}), ("scores of civilians", {"amount": "scores"}),
    ("tens of thousands of residents", {"amount": "tens of thousands"}), ("two Western journalists", {"count": 2}),
    ("7,600 deaths", {"count": 7600}), ("half a million dead", {"about": 500000, "amount": "half a million"}),
])
def test_the_quantity_grammar_keeps_the_words_meaning(phrase, expected):
    found = quantities.quantities(phrase, 0, len(phrase))
    assert found and found[0].as_fields() == expected


def test_years_dates_ages_and_durations_are_not_counts():
    text = "In 1982, on February 26, Mohammed Jomaa, 25, waited three weeks for 40 kilometers."
    assert quantities.quantities(text, 0, len(text)) == []


def test_relative_dates_resolve_against_publication():
    thursday = dt.date(2012, 2, 23)
    assert dates.resolve("on Tuesday", "wd", thursday)["date"] == "2012-02-21"
    assert dates.resolve("in mid-April", "m", dt.date(2014, 5, 22))["date"] == "2014-04"
    assert dates.resolve("on May 7", "md", dt.date(2014, 5, 22))["date"] == "2014-05-07"
    last_week = dates.resolve("last week", "rel", thursday)
    assert (last_week["from"], last_week["to"]) == ("2012-02-13", "2012-02-19")
    assert dates.resolve("on Tuesday", "wd", None) is None  # no publication date: not guessed


def test_the_body_leaves_out_comments_and_related_stories():
    text = (SEEDS / "003_5b69531ac6ea0e08.txt").read_text(encoding="utf-8")
    lo, hi = T.body_span(text)
    assert text[lo:].startswith("The Syrian city of Homs has been under attack")
    assert text[:hi].endswith('We are waiting for them."')
