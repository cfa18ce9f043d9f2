// Map & timeline: the events and agreements of the graph (canned query event_map) on a Leaflet map
// drawn from the graph's own coordinates over a shipped basemap, and on a timeline; both filtered by
// place, type, actor and dates, and linked: selecting on one highlights on the other. A missing date
// bound is open; an event several articles report is one item with all of them. A date slider colours
// the places by who controlled them then (canned query control_timeline: derived control periods).
import { el, getJSON, url, href, when, GROUPS, COLORS, groupOf, symbol, showProblem } from "./common.js";
import { startControl } from "./control.js";
import { drawBasemap as drawBackground } from "./basemap.js";

const L = window.L;
const form = document.getElementById("filters");
const counter = document.getElementById("f-count");
const list = document.getElementById("timeline");
const spark = document.getElementById("spark");
const f = { place: form.elements.place, type: form.elements.type, actor: form.elements.actor,
            from: form.elements.from, to: form.elements.to };
const SYRIA = [[32.3, 35.6], [37.3, 42.4]];  // the first view: Syria, Homs in the middle-west

const state = { items: [], places: new Map(), actors: new Map(), selected: null, markers: new Map(),
                mode: "all", total: 0, months: [], aggregate: [], view: null };
// Up to FULL_FROM events and agreements, all are fetched at once and filtered here ("all" mode).
// Beyond, the page asks only for what the view needs ("view" mode): the counts by place
// (event_map_counts; event_map_places for a period) and by month (event_map_months) when zoomed out, the items in the visible box
// (event_map with south/west/north/east) from ITEMS_ZOOM in. `?full=N` sets the threshold (tests).
const FULL_FROM = Number(new URLSearchParams(location.search).get("full") ?? 3000);
const ITEMS_ZOOM = 10;
const BOX_ROWS = 2000;

// --- data -------------------------------------------------------------------------------------------

function point(wkt) {
  const m = /POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)/i.exec(wkt || "");
  return m ? { lon: Number(m[1]), lat: Number(m[2]) } : null;
}

function buildItems(rows) {
  const byIri = new Map();
  for (const r of rows) {
    let item = byIri.get(r.item);
    if (!item) {
      item = { iri: r.item, kind: r.kind, label: r.label, group: groupOf(r.kind, r.category),
               category: r.categoryLabel || r.kind, types: (r.types || "").split(", ").filter(Boolean),
               earliest: r.earliest, latest: r.latest, precision: r.precision, modality: r.modality,
               places: new Set((r.places || "").split(" ").filter(Boolean)),
               actors: new Set((r.actors || "").split(" ").filter(Boolean)), locations: [],
               quote: r.quote, article: r.article, publisher: r.publisher, published: r.published,
               reports: (r.reports || "").split(" ").filter(Boolean) };
      item.labels = new Set([item.category, ...item.types, ...(r.classes || "").split(", ").filter(Boolean)]);
      byIri.set(r.item, item);
    }
    const p = point(r.wkt);
    if (r.place && !item.locations.some((l) => l.place === r.place)) {
      item.locations.push({ place: r.place, label: r.placeLabel, ...(p || {}) });
    }
  }
  return [...byIri.values()];
}

// --- filters ----------------------------------------------------------------------------------------

function fillFilters() {
  const used = (key) => {
    const n = new Map();
    for (const it of state.items) for (const v of it[key]) n.set(v, (n.get(v) || 0) + 1);
    return n;
  };
  const placeCount = used("places");
  const places = [...state.places.values()].filter((p) => placeCount.has(p.place))
    .sort((a, b) => placeCount.get(b.place) - placeCount.get(a.place) || a.label.localeCompare(b.label));
  for (const p of places) f.place.append(el("option", { value: p.place }, `${p.label} (${placeCount.get(p.place)})`));

  for (const g of GROUPS) {
    const items = state.items.filter((it) => it.group === g.id);
    if (!items.length) continue;
    const og = el("optgroup", { label: g.label });
    og.append(el("option", { value: `g:${g.id}` }, `all ${g.label.toLowerCase()} (${items.length})`));
    const labels = new Map();
    for (const it of items) for (const l of it.labels) labels.set(l, (labels.get(l) || 0) + 1);
    for (const [l, n] of [...labels.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      og.append(el("option", { value: `t:${l}` }, `${l} (${n})`));
    }
    f.type.append(og);
  }

  const actorCount = used("actors");
  const actors = [...state.actors.values()].filter((a) => actorCount.has(a.actor))
    .sort((a, b) => a.label.localeCompare(b.label));
  for (const a of actors) f.actor.append(el("option", { value: a.actor }, `${a.label} (${actorCount.get(a.actor)})`));
}

/** A value from the URL (slug, IRI, label; for type: g:group, t:label or a label) -> an option value. */
function optionFor(select, value) {
  if (!value) return "";
  const v = value.toLowerCase();
  const options = [...select.options].filter((o) => o.value);
  const hit = options.find((o) => o.value === value)
    || options.find((o) => o.value.toLowerCase().endsWith("/" + v))
    || options.find((o) => o.value.toLowerCase() === `t:${v}` || o.value.toLowerCase() === `g:${v}`)
    || options.find((o) => o.textContent.toLowerCase().replace(/\s*\(\d+\)$/, "") === v);
  return hit ? hit.value : "";
}

function readUrl() {
  const q = new URLSearchParams(location.search);
  for (const k of ["place", "type", "actor"]) f[k].value = optionFor(f[k], q.get(k));
  f.from.value = q.get("from") || "";
  f.to.value = q.get("to") || "";
  return q.get("select");
}

function writeUrl() {
  const q = new URLSearchParams();
  for (const [k, input] of Object.entries(f)) if (input.value) q.set(k, input.value);
  if (state.selected) q.set("select", state.selected);
  const control = new URLSearchParams(location.search).get("control");  // the control slider's (control.js)
  if (control) q.set("control", control);
  history.replaceState(null, "", `${location.pathname}${q.toString() ? "?" + q : ""}`);
}

function matches(it) {
  if (f.place.value && !it.places.has(f.place.value)) return false;
  if (f.actor.value && !it.actors.has(f.actor.value)) return false;
  const t = f.type.value;
  if (t.startsWith("g:") && it.group !== t.slice(2)) return false;
  if (t.startsWith("t:") && !it.labels.has(t.slice(2))) return false;
  if (f.from.value || f.to.value) {  // a missing bound is open; an item with neither is left out
    if (!it.earliest && !it.latest) return false;
    if (f.from.value && it.latest && it.latest < f.from.value) return false;
    if (f.to.value && it.earliest && it.earliest > f.to.value) return false;
  }
  return true;
}

const startOf = (it) => it.earliest || it.latest;  // where an item sits in time: its first known bound
const chronological = (a, b) => (startOf(a) || "9999").localeCompare(startOf(b) || "9999")
  || (a.latest || a.earliest || "").localeCompare(b.latest || b.earliest || "") || a.label.localeCompare(b.label);

// --- map --------------------------------------------------------------------------------------------

const map = L.map("map", { minZoom: 3, maxZoom: 16, zoomSnap: 0.5, worldCopyJump: false, preferCanvas: false });
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution("Outlines: Natural Earth · points: the graph's coordinates · Leaflet");
map.fitBounds(SYRIA);
L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);
const basemap = L.featureGroup().addTo(map);
const placeLayer = L.layerGroup().addTo(map);
const clusters = L.markerClusterGroup({
  maxClusterRadius: 42, showCoverageOnHover: false, spiderfyOnMaxZoom: true, disableClusteringAtZoom: 14,
  iconCreateFunction: (cluster) => {
    const counts = {};
    for (const m of cluster.getAllChildMarkers()) for (const [g, n] of Object.entries(m.options.counts)) counts[g] = (counts[g] || 0) + n;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return pinIcon(counts, total, null, `${cluster.getChildCount()} places: ${total} events`);
  },
}).addTo(map);

function arc(cx, cy, r, ri, a0, a1) {
  const p = (rad, a) => `${(cx + rad * Math.sin(a)).toFixed(2)} ${(cy - rad * Math.cos(a)).toFixed(2)}`;
  const large = a1 - a0 > Math.PI ? 1 : 0;
  return `M${p(r, a0)} A${r} ${r} 0 ${large} 1 ${p(r, a1)} L${p(ri, a1)} A${ri} ${ri} 0 ${large} 0 ${p(ri, a0)} Z`;
}

/** A place's pin: a ring split by the groups of its events, the count in the middle. */
function pinIcon(counts, total, place, label) {
  const size = Math.round(Math.min(54, 24 + 7 * Math.sqrt(total)));
  const c = size / 2, r = c - 1, ri = r * 0.58;
  let parts = "", a = 0;
  const entries = GROUPS.map((g) => [g.id, counts[g.id] || 0]).filter(([, n]) => n);
  for (const [g, n] of entries) {
    if (entries.length === 1) { parts += `<circle cx="${c}" cy="${c}" r="${r}" fill="${COLORS[g]}"/>`; break; }
    const b = a + (2 * Math.PI * n) / total;
    parts += `<path d="${arc(c, c, r, ri, a, b)}" fill="${COLORS[g]}"/>`;
    a = b;
  }
  const svg = `<svg width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" aria-hidden="true">${parts}`
    + `<circle cx="${c}" cy="${c}" r="${ri}" fill="#fff"/><circle class="ring" cx="${c}" cy="${c}" r="${r + 2}" fill="none"/>`
    + `<text x="${c}" y="${c}" dy=".35em" text-anchor="middle" font-size="${total > 99 ? 10 : 11.5}" font-weight="700" fill="#1c2333">${total}</text></svg>`;
  const attrs = place ? ` data-place="${place}" data-count="${total}"` : ` data-cluster="${total}"`;
  return L.divIcon({ className: place ? "kg-marker" : "kg-marker marker-cluster-kg", iconSize: [size, size],
    html: `<div class="pin"${attrs} role="img" aria-label="${label.replace(/"/g, "&quot;")}">${svg}</div>` });
}

function popupFor(place, items) {
  const box = el("div", {},
    el("h3", {}, el("a", { href: href(place.place) }, place.label)),
    el("div", { class: "when" }, `${items.length} event${items.length === 1 ? "" : "s"} here · `,
      el("a", { href: href(place.place) }, `${state.items.filter((it) => it.places.has(place.place)).length} in ${place.label} and within it`),
      f.place.value === place.place ? "" : [" · ", el("a", { href: "#", onclick: (e) => { e.preventDefault(); f.place.value = optionFor(f.place, place.place); update(true); } }, "show only these")]));
  const ul = el("ul");
  for (const it of items) {
    ul.append(el("li", { "data-item": it.iri, class: it.iri === state.selected ? "selected" : undefined },
      symbol(it.group, it.category),
      el("div", {}, el("div", { class: "when" }, when(it.earliest, it.latest, it.precision), " · ", it.category),
        el("a", { href: href(it.iri) }, it.label),
        it.iri === state.selected && it.quote ? el("blockquote", {}, `“${it.quote}”`, el("div", { class: "cite" }, "— ",
          el("a", { href: href(it.article) }, [it.publisher, it.published].filter(Boolean).join(", ") || "the article"))) : null)));
  }
  ul.addEventListener("click", (e) => {
    const li = e.target.closest("li[data-item]");
    if (li && !e.target.closest("a")) selectItem(li.dataset.item, "map");
  });
  box.append(ul);
  return box;
}

const AREAS = new Set(["country", "governorate"]);  // a point for one would be a guess in the middle of an area

/** Whether a place is drawn as a point: it, or the nearest place containing it that has coordinates
 * (whose point the map uses), is not a country or a governorate (those events: the timeline only). */
function drawn(place) {
  const p = state.places.get(place);  // event_map_places: its kind, and its map point (its own or a container's)
  if (!state.areaPoints) state.areaPoints = new Set([...state.places.values()].filter((q) => AREAS.has(q.type)).map((q) => q.wkt));
  return Boolean(p && p.wkt && !AREAS.has(p.type) && !state.areaPoints.has(p.wkt));  // not at an area's point either
}

function drawMarkers(items) {
  clusters.clearLayers();
  state.markers.clear();
  const at = new Map();
  for (const it of items) for (const loc of it.locations) {
    if (loc.lat === undefined || !drawn(loc.place)) continue;
    if (!at.has(loc.place)) at.set(loc.place, { place: loc.place, label: loc.label, lat: loc.lat, lon: loc.lon, items: [] });
    at.get(loc.place).items.push(it);
  }
  for (const p of at.values()) {
    p.items.sort(chronological);
    const counts = {};
    for (const it of p.items) counts[it.group] = (counts[it.group] || 0) + 1;
    const label = `${p.label}: ${p.items.length} event${p.items.length === 1 ? "" : "s"}`;
    const marker = L.marker([p.lat, p.lon], { icon: pinIcon(counts, p.items.length, p.place, label), counts, title: label, riseOnHover: true });
    marker.bindPopup(() => popupFor(p, p.items), { maxWidth: 360, minWidth: 260, autoPanPadding: [30, 30] });
    marker.on("click", () => highlightPlace(p.place));
    marker.on("popupclose", () => highlightPlace(null));
    marker.kgPlace = p;
    state.markers.set(p.place, marker);
    clusters.addLayer(marker);
  }
  return at;
}

function fitTo(at) {
  const pts = [...at.values()].map((p) => [p.lat, p.lon]);
  if (!pts.length) return;
  if (pts.length === 1) map.setView(pts[0], Math.max(map.getZoom(), 11), { animate: false });
  else map.fitBounds(L.latLngBounds(pts), { paddingTopLeft: [140, 50], paddingBottomRight: [50, 70], maxZoom: 15, animate: false });
}

async function drawBasemap() {  // countries, rivers and lakes (basemap.js), under the places and pins
  await drawBackground(map, basemap);
}

const LEVEL = { country: 4, governorate: 7, region: 8, city: 7, town: 9, district: 12, neighbourhood: 13 };

function drawPlaces() {
  for (const p of state.places.values()) {
    const pt = point(p.wkt);
    if (!pt || p.type === "governorate") continue;
    // beyond FULL_FROM items (thousands of places), only the towns and above are named: each label costs
    if (state.mode === "view" && (LEVEL[p.type] || 10) > 9) continue;
    const dot = L.circleMarker([pt.lat, pt.lon], { radius: 2.5, color: "#6b7280", weight: 1, fillColor: "#fff", fillOpacity: 1, interactive: false });
    dot.bindTooltip(p.label, { permanent: true, direction: "right", offset: [4, 0], className: "kg-place-label" });
    dot.kgLevel = LEVEL[p.type] || 10;
    placeLayer.addLayer(dot);
  }
  const labels = () => {
    const z = map.getZoom();
    placeLayer.eachLayer((d) => (z >= d.kgLevel && z <= d.kgLevel + 6 ? d.openTooltip() : d.closeTooltip()));
  };
  map.on("zoomend", labels);
  labels();
}

function legend() {
  const box = L.control({ position: "bottomleft" });
  box.onAdd = () => {
    const div = el("div", { class: "legend", id: "legend" }, el("div", { class: "title" }, "Events by type"));
    for (const g of GROUPS) if (state.items.some((it) => it.group === g.id)) div.append(el("div", {}, symbol(g.id), g.label));
    div.append(el("div", { class: "muted small" }, "Number: events at that place"));
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  box.addTo(map);
}

// --- timeline ---------------------------------------------------------------------------------------

function yearCounts(items) {
  const counts = new Map();
  if (state.mode === "view") {  // event_map_months: each item once, in the year it starts
    for (const m of state.months) if (m.month) counts.set(Number(m.month.slice(0, 4)), (counts.get(Number(m.month.slice(0, 4))) || 0) + Number(m.items));
    return counts;
  }
  for (const it of items) {  // an event counts in every year it spans
    if (!startOf(it)) continue;
    for (let y = Number(startOf(it).slice(0, 4)); y <= Number((it.latest || startOf(it)).slice(0, 4)); y++) counts.set(y, (counts.get(y) || 0) + 1);
  }
  return counts;
}

function drawSpark(items) {
  const years = state.mode === "view" ? state.allYears
    : state.items.filter(startOf).map((it) => Number(startOf(it).slice(0, 4)));
  if (!years.length) { spark.replaceChildren(); return; }
  const lo = Math.min(...years), hi = Math.max(...years);
  const counts = yearCounts(items);
  const W = spark.clientWidth || 400, H = 46, n = hi - lo + 1, bw = W / n, max = Math.max(1, ...counts.values());
  const ns = "http://www.w3.org/2000/svg";
  spark.setAttribute("viewBox", `0 0 ${W} ${H}`);
  spark.replaceChildren();
  const selYear = f.from.value && f.to.value && f.from.value.slice(0, 4) === f.to.value.slice(0, 4)
    && f.from.value.endsWith("-01-01") && f.to.value.endsWith("-12-31") ? Number(f.from.value.slice(0, 4)) : null;
  for (let y = lo; y <= hi; y++) {
    const c = counts.get(y) || 0;
    const h = c ? Math.max(2, ((H - 14) * c) / max) : 0;
    const rect = document.createElementNS(ns, "rect");
    Object.entries({ x: (y - lo) * bw + 0.5, y: H - 12 - h, width: Math.max(1, bw - 1), height: h || 1, class: `bar${y === selYear ? " on" : ""}` })
      .forEach(([k, v]) => rect.setAttribute(k, v));
    if (!c) rect.setAttribute("style", "fill:#e3e7ef");
    const title = document.createElementNS(ns, "title");
    title.textContent = `${y}: ${c} event${c === 1 ? "" : "s"}${c ? " (click to show only this year)" : ""}`;
    rect.append(title);
    rect.addEventListener("click", () => {
      if (!c) return;
      if (y === selYear) { f.from.value = ""; f.to.value = ""; } else { f.from.value = `${y}-01-01`; f.to.value = `${y}-12-31`; }
      update(true);
    });
    spark.append(rect);
    if (y === lo || y === hi || (y % 5 === 0 && y - lo > 4 && hi - y > 4)) {
      const t = document.createElementNS(ns, "text");
      Object.entries({ x: (y - lo) * bw + bw / 2, y: H - 2, "text-anchor": y === lo ? "start" : y === hi ? "end" : "middle" })
        .forEach(([k, v]) => t.setAttribute(k, v));
      t.textContent = y;
      spark.append(t);
    }
  }
}

function drawTimeline(items) {
  const dated = items.filter(startOf).sort(chronological);
  list.replaceChildren();
  let year = null;
  for (const it of dated) {
    const y = startOf(it).slice(0, 4);
    if (y !== year) { list.append(el("li", { class: "year" }, y)); year = y; }
    const where = it.locations.map((l) => l.label).join(", ");
    const reports = it.reports.length > 1 ? `reported by ${it.reports.length} articles` : "";
    list.append(el("li", { class: "item", "data-item": it.iri, "data-date": it.earliest || "", "data-end": it.latest || "", tabindex: "0",
                           "data-reports": String(it.reports.length || 1), "aria-selected": String(it.iri === state.selected) },
      el("span", { class: "when" }, it.earliest ? when(it.earliest, it.latest, it.precision) : `by ${when(it.latest, it.latest, it.precision)}`),
      symbol(it.group, it.category),
      el("span", { class: "what" }, it.label, el("span", { class: "where" }, [it.category, where, reports].filter(Boolean).join(" · ")))));
  }
  const undated = items.length - dated.length;
  if (state.mode === "view" && state.aggregate.length) {
    list.append(el("li", { class: "undated", id: "zoom-to-list" }, "Zoom in on the map to list its events and agreements; the bars above count them by year."));
  } else if (!dated.length) list.append(el("li", { class: "undated" }, "No dated events match these filters."));
  if (undated) list.append(el("li", { class: "undated" }, `${undated} more event${undated === 1 ? " has" : "s have"} no date in the articles, stated or derived: on the map only.`));
  drawSpark(items);
}

list.addEventListener("click", (e) => {
  const li = e.target.closest("li.item");
  if (li) selectItem(li.dataset.item, "timeline");
});
list.addEventListener("keydown", (e) => {
  const li = e.target.closest("li.item");
  if (li && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); selectItem(li.dataset.item, "timeline"); }
});

// --- linking ----------------------------------------------------------------------------------------

function markerElement(place) {
  const m = state.markers.get(place);
  return m && m.getElement && m.getElement();
}

function highlightPlace(place) {
  for (const li of list.querySelectorAll("li.item.at-place")) li.classList.remove("at-place");
  if (!place) return;
  let first = null;
  for (const li of list.querySelectorAll("li.item")) {
    const it = state.byIri.get(li.dataset.item);
    if (it.locations.some((l) => l.place === place)) { li.classList.add("at-place"); first = first || li; }
  }
  if (first && !state.selected) first.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

function selectItem(iri, from) {
  state.selected = iri;
  writeUrl();
  for (const li of list.querySelectorAll("li.item")) {
    const on = li.dataset.item === iri;
    li.classList.toggle("selected", on);
    li.setAttribute("aria-selected", String(on));
    if (on && from !== "timeline") li.scrollIntoView({ block: "center", behavior: "smooth" });
  }
  for (const m of state.markers.values()) { const e = m.getElement(); if (e) e.classList.remove("selected"); }
  const it = state.byIri.get(iri);
  const loc = it && it.locations.find((l) => state.markers.has(l.place));
  if (!loc) return;
  const marker = state.markers.get(loc.place);
  const open = () => {
    const e = marker.getElement();
    if (e) e.classList.add("selected");
    marker.openPopup();
    marker.setPopupContent(popupFor(marker.kgPlace, marker.kgPlace.items));
  };
  if (from === "map") open();
  else clusters.zoomToShowLayer(marker, open);
}

// --- the whole ----------------------------------------------------------------------------------------

// --- view mode: fetch what the view shows -----------------------------------------------------------

const period = () => ({ ...(f.from.value ? { from: f.from.value } : {}), ...(f.to.value ? { to: f.to.value } : {}) });

function box() {
  const b = map.getBounds();
  const r = (x) => x.toFixed(4);
  return { south: r(b.getSouth()), west: r(b.getWest()), north: r(b.getNorth()), east: r(b.getEast()) };
}

/** The count of items by place: for all time without their dates (event_map_counts: one pattern per
 * item, where event_map_places joins every item's dates), for a period with them. */
const placeCounts = (when) => (Object.keys(when).length ? getJSON("/api/event_map_places", { ...when, limit: 10000 })
  : getJSON("/api/event_map_counts", { limit: 10000 }));

/** Zoomed out: one pin per place with its count (event_map_counts or event_map_places), no items. */
function drawAggregate() {
  clusters.clearLayers();
  state.markers.clear();
  const at = new Map(), markers = [];
  for (const r of state.aggregate) {
    const pt = point(r.wkt);
    if (!pt || !drawn(r.place)) continue;
    const n = Number(r.items);
    const label = `${r.placeLabel}: ${n} event${n === 1 ? "" : "s"} (zoom in to list them)`;
    const marker = L.marker([pt.lat, pt.lon], { icon: pinIcon({}, n, r.place, label), counts: {}, title: label, riseOnHover: true });
    marker.on("click", () => map.setView([pt.lat, pt.lon], Math.max(map.getZoom() + 2, ITEMS_ZOOM)));
    at.set(r.place, { place: r.place, lat: pt.lat, lon: pt.lon });
    markers.push(marker);
  }
  clusters.addLayers(markers);  // in one go: one by one, the clustering is redone thousands of times
  return at;
}

let viewRequest = 0;

/** What the view needs, fetched anew when it moves or the dates change (view mode only). */
async function fetchView() {
  const ask = ++viewRequest;
  const zoomedIn = map.getZoom() >= ITEMS_ZOOM;
  const where = zoomedIn ? box() : {};
  const wanted = JSON.stringify([zoomedIn, where, period()]);
  if (wanted === state.view) return;
  try {
    const [months, rows] = await Promise.all([
      getJSON("/api/event_map_months", { ...where, ...period(), limit: 10000 }),
      zoomedIn ? getJSON("/api/event_map", { ...where, ...period(), limit: BOX_ROWS })
        : placeCounts(period())]);
    if (ask !== viewRequest) return;  // a later move asked again
    state.view = wanted;
    state.months = months.rows;
    if (zoomedIn) {
      state.aggregate = [];
      state.items = buildItems(rows.rows);
      state.truncated = Boolean(rows.next);
    } else {
      state.aggregate = rows.rows;
      state.items = [];
    }
    state.byIri = new Map(state.items.map((it) => [it.iri, it]));
    update(false);
  } catch (e) {
    showProblem(counter, e, "Could not load the events");
  }
}

function updateView() {
  const items = state.items.filter(matches);
  if (state.selected && !items.some((it) => it.iri === state.selected)) state.selected = null;
  writeUrl();
  const at = state.aggregate.length ? drawAggregate() : drawMarkers(items);
  drawTimeline(items);
  const inView = state.months.reduce((n, m) => n + Number(m.items), 0);
  counter.replaceChildren(el("b", {}, String(inView)), ` of ${state.total} events and agreements here · `,
    el("b", {}, String(at.size)), ` place${at.size === 1 ? "" : "s"} on the map`,
    el("span", { class: "muted", id: "f-apart" }, state.aggregate.length ? " · zoom in to list them"
      : state.truncated ? ` · the first ${BOX_ROWS} listed: zoom in further for the rest` : ""));
  if (state.selected) selectItem(state.selected, "url");
  document.body.dataset.ready = "true";
}

function update(fit) {
  if (state.mode === "view") {  // the view's data are fetched for its box and dates (fetchView)
    if (fit && !state.started) map.fitBounds(SYRIA, { animate: false });
    state.started = true;
    updateView();
    fetchView();
    return;
  }
  const items = state.items.filter(matches);
  if (state.selected && !items.some((it) => it.iri === state.selected)) state.selected = null;
  writeUrl();
  map.closePopup();
  const at = drawMarkers(items);
  drawTimeline(items);
  const onMap = new Set(items.filter((it) => it.locations.some((l) => l.lat !== undefined && drawn(l.place))).map((it) => it.iri)).size;
  counter.replaceChildren(el("b", {}, String(items.length)), ` of ${state.items.length} events and agreements · `,
    el("b", {}, String(at.size)), ` place${at.size === 1 ? "" : "s"} on the map`,
    onMap < items.length ? el("span", { class: "muted", id: "f-apart" }, ` (${items.length - onMap} placed no closer than a country or a governorate, or nowhere: on the timeline only)`) : "");
  const filtered = Object.values(f).some((i) => i.value);
  if (fit) { if (filtered) fitTo(at); else map.fitBounds(SYRIA, { animate: false }); }
  if (state.selected) selectItem(state.selected, "url");
  document.body.dataset.ready = "true";
}

form.addEventListener("change", () => update(true));
map.on("moveend", () => { if (state.mode === "view") fetchView(); });
form.addEventListener("reset", () => setTimeout(() => { state.selected = null; update(true); }));
window.addEventListener("resize", () => drawSpark(state.items.filter(matches)));

async function start() {
  try {  // the counts by place and by month first: they tell how many items there are, at any size
    const [places, months] = await Promise.all([
      placeCounts({}), getJSON("/api/event_map_months", { limit: 10000 }), drawBasemap()]);
    for (const p of places.rows) {
      if (!state.places.has(p.place)) state.places.set(p.place, { place: p.place, label: p.placeLabel, type: p.type, wkt: p.wkt });
    }
    state.months = months.rows;
    state.total = months.rows.reduce((n, m) => n + Number(m.items), 0);
    state.allYears = months.rows.filter((m) => m.month).map((m) => Number(m.month.slice(0, 4)));
    if (state.total <= FULL_FROM) {
      const [events, people] = await Promise.all([getJSON("/api/event_map", { limit: 10000 }),
                                                  getJSON("/api/actors", { limit: 10000 })]);  // the actor filter's names
      for (const a of people.rows) state.actors.set(a.actor, a);
      state.items = buildItems(events.rows);
    } else {  // no item list to filter yet; the whole-graph actors list is not asked for at this size
      state.mode = "view";
      state.aggregate = places.rows;
      state.view = JSON.stringify([false, {}, {}]);
    }
    state.byIri = new Map(state.items.map((it) => [it.iri, it]));
  } catch (e) {
    showProblem(counter, e, "Could not load the events");
    return;
  }
  document.body.dataset.mode = state.mode;
  fillFilters();
  drawPlaces();
  legend();
  state.selected = readUrl();
  update(true);
  startControl(L, map, state.places);  // its periods are asked for when the slider is first touched (control.js)
}

start();
window.kgExplore = { state, map, selectItem };  // for the browser tests (and the curious)
