"""/explore in headless Chromium (issue 17): how long until the map and the timeline show data.

    python -m bench.explore /tmp/map-1k /tmp/map-10k [--runs 3] [--json FILE]

Each WORK folder is what bench.load leaves (`store-ours`). For each, one `kg serve` (read-only, its
query workers as in production) and Debian's Chromium driven by Playwright. A run opens /explore in
a fresh browser context (no HTTP cache) and measures, from just before the navigation:
- `shown`: until the map has at least one pin and the timeline at least one year bar with events;
- `zoom`: then, after the map is set to Homs city at zoom 13, until the view's data are drawn
  (view mode: the items of the box; all mode: at once).
The first run meets a cold answer cache in the server (every answer computed); the next ones are
answered from it, as a second visitor is. Both are reported. The server is started afresh for each
WORK folder; run under `flock /tmp/bench.lock` so that two benchmarks never overlap."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench.processes import free_port, kg_command, running

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOWN = ("document.querySelectorAll('#map .pin').length > 0 && "
         "[...document.querySelectorAll('#spark rect.bar')].some(e => !e.getAttribute('style'))")
ZOOMED = "!document.getElementById('zoom-to-list') && document.querySelectorAll('#timeline li').length > 0"
HOMS = (34.7324, 36.7137)


def wait(page, expression: str, timeout: float) -> float:
    """Seconds until `expression` is true in the page, polled (the page's CSP refuses Playwright's eval poller)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if page.evaluate(expression):
            return time.perf_counter() - t0
        page.wait_for_timeout(25)
    raise TimeoutError(f"not within {timeout} s: {expression}")


def one_run(context, url: str, timeout: float) -> dict:
    page = context.new_page()
    asked = []
    page.on("request", lambda r: asked.append(r.url.split("?")[0].rsplit("/", 1)[-1]) if "/api/" in r.url else None)
    try:
        t0 = time.perf_counter()
        page.goto(url + "/explore", wait_until="commit")
        wait(page, SHOWN, timeout)
        shown = time.perf_counter() - t0  # the navigation included
        mode = page.evaluate("document.body.dataset.mode")
        timings = page.evaluate("performance.getEntriesByType('resource').filter(e => e.name.includes('/api/'))"
                                ".map(e => [e.name.split('/api/')[1].split('?')[0], Math.round(e.startTime), Math.round(e.duration)])")
        # where the time before the first answer goes: the page's own files (the scripts, then the modules
        # they import), [path, start ms, duration ms] from the navigation's start
        assets = page.evaluate("performance.getEntriesByType('resource').filter(e => !e.name.includes('/api/'))"
                               ".map(e => [new URL(e.name).pathname, Math.round(e.startTime), Math.round(e.duration)])")
        t1 = time.perf_counter()
        # `void`: setView returns the map, which Playwright would serialise back (the whole Leaflet object
        # graph: 40-55 s at 10k, measured as "zoom" until this round)
        page.evaluate(f"void window.kgExplore.map.setView([{HOMS[0]}, {HOMS[1]}], 13, {{ animate: false }})")
        if mode == "view":  # the box's answer is in when the list is drawn from it, without the zoom hint
            wait(page, ZOOMED, timeout)
        zoom = time.perf_counter() - t1
        items = page.evaluate("document.querySelectorAll('#timeline li.item').length")
        pins = page.evaluate("document.querySelectorAll('#map .pin').length")
    finally:
        page.close()
    return {"shown_s": round(shown, 3), "zoom_s": round(zoom, 3), "mode": mode, "items_listed": items,
            "pins_after_zoom": pins, "requests": asked, "api_ms_at_shown": timings, "assets_ms": assets,
            "first_api_ms": min((t[1] for t in timings), default=None)}


def bench(work: Path, runs: int, timeout: float, log=print) -> dict:
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [*kg_command(), "serve", "--store", str(work / "store-ours"), "--no-load", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning"]
    out = {"work": str(work), "runs": []}
    with running(cmd, f"{url}/sparql", work / "explore-serve.log"), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for k in range(runs):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                try:
                    r = one_run(context, url, timeout)
                finally:
                    context.close()
                r["cache"] = "cold" if k == 0 else "warm"
                out["runs"].append(r)
                log(f"  {work.name} run {k + 1} ({r['cache']} answer cache, {r['mode']} mode): map and timeline "
                    f"shown in {r['shown_s']:.2f} s; zoomed to Homs, drawn in {r['zoom_s']:.2f} s "
                    f"({r['items_listed']} items listed); asked: {', '.join(sorted(set(r['requests'])))}; "
                    f"API answers by then [name, start ms, duration ms]: {r['api_ms_at_shown']} (the first asked "
                    f"{r['first_api_ms']} ms after the navigation began, once the page's scripts were in)")
        finally:
            browser.close()
    warm = [r["shown_s"] for r in out["runs"][1:]]
    out["cold_shown_s"] = out["runs"][0]["shown_s"]
    out["warm_shown_s"] = round(statistics.median(warm), 3) if warm else None
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("work", type=Path, nargs="+", help="work folders of bench.load")
    ap.add_argument("--runs", type=int, default=3, help="page loads per store (the first meets a cold cache)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the page")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    results = []
    for work in args.work:
        print(f"{work}:", file=sys.stderr)
        results.append(bench(work, args.runs, args.timeout, log=lambda s: print(s, file=sys.stderr)))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    for r in results:
        zooms = ", ".join(f"{x['zoom_s']:.2f}" for x in r["runs"])
        print(f"| {r['work']} | {r['runs'][0]['mode']} | {r['cold_shown_s']:.2f} s | {r['warm_shown_s']} s | {zooms} s |")


if __name__ == "__main__":
    main()
