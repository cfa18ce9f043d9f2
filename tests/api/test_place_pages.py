"""Pages that scale (kg/page_facts.py): a place page lists its events and agreements once each,
grouped by type and dated, paged, with a count that says what it counts, and without the incoming
links that only restate them; an article with no headline gets a title from its lead."""

from __future__ import annotations

import re

from support import BASE, select

HTML = {"accept": "text/html"}
A004 = "a004-keystone-ats-homs-exodus"


def event_links(html: str) -> list[str]:
    section = html.split('<h2 id="events">', 1)[1].split("<h2", 1)[0]
    return re.findall(r'<li>.*?<a href="(/(?:event|agreement)/[^"]+)"', section)


def test_a_place_lists_each_event_once_grouped_and_paged(client, api_store):
    # each once: an event several articles report (hk:reportOf a shared event) is one item
    located = select(api_store, """SELECT DISTINCT ?item ?shared WHERE {
        { ?item a hk:Event } UNION { ?item a hk:Agreement } ?item hk:locatedIn <%splace/homs>
        OPTIONAL { ?item hk:reportOf ?shared } }""" % BASE)
    expected = {r["shared"] or r["item"] for r in located}
    report_of = {r["item"]: r["shared"] or r["item"] for r in located}
    first = client.get("/place/homs", headers=HTML).text
    count = re.search(r"(\d+) events and agreements located in Homs or any place inside it, each once", first)
    assert count and int(count.group(1)) == len(expected) > 40
    seen, page = [], 1
    while True:
        html = client.get(f"/place/homs?page={page}", headers=HTML).text
        links = event_links(html)
        assert 0 < len(links) <= 40 and len(links) == len(set(links))
        seen += links
        if 'rel="next"' not in html:
            break
        page += 1
    assert page == -(-len(expected) // 40)
    assert {report_of[BASE + link[1:]] for link in seen} == expected and len(seen) == len(expected)


def test_events_are_grouped_by_type_with_dates(client):
    html = client.get("/place/homs", headers=HTML).text
    groups = re.findall(r"<h3>([^<]+?) <span", html.split('<h2 id="events">', 1)[1])
    assert groups == sorted(groups) and "air strike" in groups
    assert re.search(r'<span class="muted">2012-02-\d\d</span> <a href="/event/', html)


def test_the_links_the_events_restate_are_folded(client):
    html = client.get("/place/homs", headers=HTML).text
    referenced = html.split("<h2>Referenced by</h2>", 1)[1] if "<h2>Referenced by</h2>" in html else ""
    assert ">concerns place<" not in referenced and "schema:location" not in referenced
    assert "schema:fromLocation" not in referenced and "schema:toLocation" not in referenced
    truce = "/agreement/a002-syria-direct-fall-of-homs/old-homs-truce"
    events = html.split("<h2>Referenced by</h2>", 1)[0]
    assert events.count(f'href="{truce}"') == 1  # listed once among the events; its roles (origin...) stay below


def test_an_article_without_headline_is_titled_from_its_lead(client):
    title = "“Syrians fled en masse on Thursday from the city of Homs"
    home = client.get("/", headers=HTML).text
    assert title in home and f">{BASE}article/{A004}<" not in home
    page = client.get(f"/article/{A004}", headers=HTML).text
    assert re.search(r"<h1>“Syrians fled en masse on Thursday[^<]*…”</h1>", page)
