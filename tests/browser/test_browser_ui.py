"""The web interface as a person uses it: Debian's headless Chromium, driven by Playwright, against a
real `kg serve` on a loopback port (one server and one browser for the module, a new tab per test).

Every test also checks that no request of the page left 127.0.0.1 (no CDN, no tiles, no fonts) and
that no script failed; each saves a screenshot under test-artifacts/ (git-ignored)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from support import BASE, ROOT
from support.browser import ARTIFACTS, TIMEOUT, explore, go, shot, wait_until  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.server]

A002 = "a002-syria-direct-fall-of-homs"
TRUCE = f"{BASE}agreement/{A002}/old-homs-truce"
CEASEFIRE_72H = f"{BASE}agreement/{A002}/april-72-hour-ceasefire"


# --- home -------------------------------------------------------------------------------------------

def test_the_home_page_says_what_this_is_and_where_to_start(page):
    go(page, "/")
    assert "war in Homs" in page.locator("h1").inner_text()
    assert "exact sentence" in page.locator(".hero").inner_text()
    for name in ("Open the map & timeline →", "All questions →", "Open the editor →"):
        assert page.get_by_role("link", name=name).is_visible()
    assert page.locator(".articles li").count() == 5
    shot(page, "home", full_page=True)


# --- ask ----------------------------------------------------------------------------------------------

def test_asking_for_ceasefires_in_homs_shows_the_two_2014_truces_with_their_sources(page):
    go(page, "/ask")
    page.get_by_role("button", name=re.compile("Ceasefires and truces in a place")).click()
    page.locator("#p-place").select_option(value=f"{BASE}place/homs")  # listed as "Homs (125)"
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_selector("#row-count:text('2 rows')")
    table = page.locator("#result-table table")
    text = table.inner_text()
    assert "Old Homs truce" in text and "2014-05-07" in text  # the May 2014 truce
    assert "72-hour ceasefire" in text and "2014-04-01" in text  # the April 2014 ceasefire
    rows = table.locator("tbody tr.data")
    assert rows.count() == 2
    for i in range(2):  # each fact with its citation: the quote, the article, its publisher and date
        source = table.locator("tbody tr.cites").nth(i).locator(".source")
        assert source.locator("blockquote").inner_text().startswith("“")
        assert "Syria Direct, 2014-05-22" in source.locator(".cite").inner_text()
    assert page.get_by_role("link", name="Old Homs truce (ceasefire agreement)", exact=False).get_attribute("href") \
        .endswith(f"/agreement/{A002}/old-homs-truce")
    assert "place=" in page.url and "q=ceasefires" in page.url  # the question can be shared as a link
    shot(page, "ask-ceasefires")

    csv_link = page.get_by_role("link", name="⬇ CSV")
    with page.expect_download() as download:
        csv_link.click()
    csv = Path(download.value.path()).read_text(encoding="utf-8")
    assert csv.startswith("place,agreement,") and csv.count("\n") == 3
    json_href = page.get_by_role("link", name="⬇ JSON").get_attribute("href")
    assert "/api/ceasefires.json?" in json_href

    page.get_by_role("button", name="Show the SPARQL").click()
    page.wait_for_selector("#open-editor")
    sparql = page.locator("#sparql-text").inner_text()
    assert "VALUES (?place) { (<https://w3id.org/homs-kg/place/homs>) }" in sparql and "hk:Ceasefire" in sparql
    shot(page, "ask-ceasefires-sparql")
    page.get_by_role("link", name="Open in the SPARQL editor →").click()
    page.wait_for_url(re.compile(r"/editor\?query="))
    page.wait_for_selector("#row-count:text('2 rows')")  # the same rows, from the editor
    assert "Old Homs truce" in page.locator("#result-table").inner_text()


def test_a_question_with_a_picker_of_events(page):
    go(page, "/ask?q=event_actors")
    picker = page.locator("#p-event")
    picker.select_option(value=TRUCE)
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_selector("#row-count")
    assert "United Nations" in page.locator("#result-table").inner_text()  # the escort


def test_an_unknown_place_is_explained(page):
    page.expected_statuses.add(404)
    go(page, "/ask?q=ceasefires&place=Atlantis")  # a shared link with a place the graph does not know
    problem = page.wait_for_selector(".problem")
    assert "unknown place 'Atlantis'" in problem.inner_text()


# --- SPARQL editor ----------------------------------------------------------------------------------------

def write(page, query: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(query)


def test_writing_sparql_shows_results_and_a_broken_query_shows_where_it_is_wrong(page):
    go(page, "/editor")
    page.wait_for_selector("#row-count")  # the first example runs at once
    assert page.locator(".cm-content").inner_text().startswith("PREFIX hk: <https://w3id.org/homs-kg/ontology#>")
    assert page.locator(".cm-editor .cm-line span").count() > 10  # highlighted: tokens in spans

    write(page, "SELECT ?place ?label WHERE {\n  ?place hk:partOf <place/homs> ; a hk:Neighbourhood ; rdfs:label ?label .\n}\n"
                "ORDER BY ?label")
    page.get_by_role("button", name="▶ Run").click()
    wait_until(page, "document.querySelector('#result-table') && "
                           "document.querySelector('#result-table').innerText.includes('Baba Amr')")
    count = int(page.locator("#row-count").inner_text().split()[0])
    assert count >= 8
    shot(page, "editor-results")

    page.expected_statuses.add(400)
    write(page, "SELECT ?truce ?status WHERE {\n  ?truce a hk:Ceasefire ;\n         rdfs:label ?label ;\n"
                "         nope:status ?status .\n}")
    page.keyboard.press("Control+Enter")  # as a person would
    problem = page.wait_for_selector(".problem")
    message = problem.inner_text()
    assert "The query is wrong — line 4, column 21" in message  # the parser's position, in words
    assert "SPARQL syntax error: error at 4:21" in message  # and the parser's own message
    marked = page.locator(".cm-line", has=page.locator(".cm-lintRange-error"))
    assert marked.count() == 1 and "nope:status" in marked.inner_text()  # marked on the line that is wrong
    assert page.locator("#result-table").count() == 0
    shot(page, "editor-error")


def test_the_editor_shows_construct_results_as_rdf_and_ask_as_yes_or_no(page):
    go(page, "/editor")
    page.get_by_role("button", name="The Old Homs truce as RDF (CONSTRUCT)").click()
    page.wait_for_selector("#turtle .cm-content")
    assert "@prefix hk: <https://w3id.org/homs-kg/ontology#>" in page.locator("#turtle .cm-content").inner_text()
    assert "RDF: about" in page.locator("#status").inner_text()
    page.get_by_role("button", name="Is Baba Amr in Homs? (ASK)").click()
    page.wait_for_selector("#answer")
    assert page.locator("#answer").inner_text().startswith("Yes")


# --- entity pages ------------------------------------------------------------------------------------------

def test_an_entity_page_highlights_its_quote_in_the_article(page):
    go(page, f"/agreement/{A002}/old-homs-truce")
    assert page.locator("h1").inner_text().startswith("Old Homs truce")
    passage = page.locator(".source-article blockquote").first
    mark = passage.locator("mark")
    assert "ceasefire agreement" in mark.inner_text() and mark.is_visible()
    assert "escorted by the UN" in passage.inner_text()  # the words around the quote, from the article's text
    meta = page.locator(".source-article .article-meta").first.inner_text()
    assert "Fall of Homs offers insight into regime strategy" in meta and "Syria Direct" in meta and "2014-05-22" in meta
    assert page.get_by_role("link", name="United Nations").first.is_visible()  # related entities, linked
    shot(page, "entity-truce", full_page=True)

    passage.get_by_role("link", name="read it in the article").click()
    page.wait_for_url(re.compile(f"/article/{A002}"))
    focused = page.locator("#article-text mark.focus")
    assert focused.count() >= 1 and "ceasefire agreement" in " ".join(focused.all_inner_texts())
    assert focused.first.is_visible()  # scrolled to it
    shot(page, "article-focus")
    focused.first.click()
    assert "Old Homs truce" in page.locator(".popover").inner_text()


# --- map and timeline --------------------------------------------------------------------------------------

def test_the_map_shows_markers_for_the_places_of_the_ceasefires_in_homs(page):
    explore(page)
    assert page.locator("#map .leaflet-overlay-pane path").count() > 50  # the shipped basemap's outlines
    page.locator("#f-place").select_option(value=f"{BASE}place/homs")
    page.locator("#f-type").select_option(value="t:ceasefire")
    wait_until(page, "document.querySelector('#f-count').innerText.startsWith('2 of')")
    page.wait_for_timeout(600)  # the map's zoom animation
    places = set(page.locator("#map .pin[data-place]").evaluate_all("els => els.map(e => e.dataset.place)"))
    assert places == {f"{BASE}place/old-homs", f"{BASE}place/northern-homs-countryside"}
    for marker in page.locator("#map .pin[data-place]").all():
        assert marker.is_visible()
    items = page.locator("#timeline li.item").evaluate_all("els => els.map(e => e.dataset.item)")
    assert items == [CEASEFIRE_72H, TRUCE]  # April, then May 2014
    assert "place=" in page.url and "type=t%3Aceasefire" in page.url
    shot(page, "map-ceasefires-in-homs")

    # linked: picking the truce on the timeline selects its marker and opens its details on the map
    page.locator(f"#timeline li.item[data-item='{TRUCE}']").click()
    page.wait_for_selector(".kg-marker.selected")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Old Homs truce" in popup.inner_text() and "“" in popup.locator("li.selected blockquote").inner_text()
    assert page.locator(f"#timeline li.item.selected[data-item='{TRUCE}']").count() == 1
    page.wait_for_timeout(300)  # the popup's fade-in
    shot(page, "map-timeline-linked")


def test_a_marker_highlights_its_events_on_the_timeline(page, server):
    explore(page, "?place=old-homs")
    marker = page.locator(f"#map .pin[data-place='{BASE}place/old-homs']")
    for _ in range(6):  # nearby places are grouped: click the group to zoom in, as a person does
        page.wait_for_timeout(700)
        if marker.count():
            break
        page.locator("#map .pin[data-cluster]").first.click()
    n = int(marker.get_attribute("data-count"))
    marker.click()
    page.wait_for_selector(".leaflet-popup-content")
    highlighted = page.locator("#timeline li.item.at-place")
    assert highlighted.count() >= 1 and highlighted.count() <= n
    assert page.locator(".leaflet-popup-content li").count() == n


def test_the_timeline_shows_the_2014_events_in_order(page, server):
    explore(page)
    page.locator("#f-from").fill("2014-01-01")
    page.locator("#f-to").fill("2014-12-31")
    page.locator("#f-to").dispatch_event("change")
    # a missing bound is open (issue 13): what began before 2014 and has no known end is there too
    wait_until(page, "[...document.querySelectorAll('#timeline li.item')].every(e => (e.dataset.date || '0000') <= '2014-12-31'"
                           " && (e.dataset.end || '9999') >= '2014-01-01')")
    spans = page.locator("#timeline li.item").evaluate_all("els => els.map(e => [e.dataset.date, e.dataset.end])")
    dates = [start or end for start, end in spans]
    labels = page.locator("#timeline li.item .what").all_inner_texts()
    assert dates == sorted(dates) and len(dates) >= 20
    years = page.locator("#timeline li.year").all_inner_texts()
    assert "2014" in years  # (an entry known only to have ended by some day sits at that day's year)
    # the same events the API gives for 2014, those with a date, each once
    rows = httpx.get(f"{server}/api/event_map", params={"limit": 10000}).json()["rows"]
    expected = {r["item"] for r in rows if (r["earliest"] or r["latest"]) and (r["earliest"] or "0000") <= "2014-12-31"
                and (r["latest"] or "9999") >= "2014-01-01"}
    assert len(dates) == len(expected)
    first = next(i for i, t in enumerate(labels) if t.startswith("Rumours of a possible truce"))
    ceasefire = next(i for i, t in enumerate(labels) if t.startswith("Tentative 72-hour ceasefire"))
    truce = next(i for i, t in enumerate(labels) if t.startswith("Old Homs truce"))
    assert first < ceasefire < truce  # March, April, May 2014
    shot(page, "timeline-2014")


def test_the_year_bars_filter_by_year_and_links_from_entity_pages_open_the_map(page):
    explore(page, "?select=" + quote(TRUCE, safe=""))
    page.wait_for_selector(".kg-marker.selected")
    assert page.locator("#timeline li.item.selected").inner_text().count("Old Homs truce") == 1
    page.locator("#spark rect.bar").filter(has=page.locator("title", has_text="2012:")).click()
    wait_until(page, "document.querySelector('#f-from').value === '2012-01-01'")
    spans = page.locator("#timeline li.item").evaluate_all("els => els.map(e => [e.dataset.date, e.dataset.end])")
    assert spans and all((start or "0000") <= "2012-12-31" and (end or "9999") >= "2012-01-01"
                         for start, end in spans)  # all in 2012 (a missing bound is open)


# --- the assets -------------------------------------------------------------------------------------------

def test_the_pages_load_only_vendored_assets_each_with_its_licence(server):
    static = ROOT / "api" / "static"
    vendored = [p for p in (static / "vendor").rglob("*") if p.is_file()]
    assert vendored, "nothing under api/static/vendor: run scripts/vendor-assets.sh"
    for folder in ("codemirror", "leaflet", "basemap"):
        assert (static / "vendor" / folder / "LICENSE").stat().st_size > 500, folder
    assert sum(p.stat().st_size for p in vendored) < 3 * 1024 * 1024  # a few MB at most
    for path in ("/", "/ask", "/editor", "/explore", f"/article/{A002}"):
        page = httpx.get(server + path, headers={"accept": "text/html"}).text
        assets = re.findall(r'<script[^>]+src="([^"]+)"', page) + \
            re.findall(r'<link[^>]+rel="(?:stylesheet|icon)"[^>]+href="([^"]+)"', page)
        assert assets, path
        for asset in assets:
            assert asset.startswith("/static/"), (path, asset)
            assert httpx.get(server + asset).status_code == 200, (path, asset)
