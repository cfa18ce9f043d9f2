// A place page's map: the place and the places in it (labelled), and its events at their most
// specific places (a number: how many), over the shipped background (basemap.js: Natural Earth outlines, GSHHG rivers and lakes). The data is the
// page's own (kg.describing.place_map, in #place-map-data); events placed only as widely as a
// country or a governorate are listed apart by the page, not drawn here.
import { el, href, when } from "./common.js";
import { drawBasemap } from "./basemap.js";

const L = window.L;
const box = document.getElementById("place-map");
const data = JSON.parse(document.getElementById("place-map-data").textContent);

const LEVEL = { country: 4, governorate: 7, region: 8, city: 7, town: 9, district: 12, neighbourhood: 13 };  // as on /explore
const pinSizeFor = (n) => Math.round(Math.min(46, 22 + 6 * Math.sqrt(n)));

/** A round pin with the number of events in it. */
function countIcon(n, label, place) {
  const size = pinSizeFor(n);
  const c = size / 2;
  const svg = `<svg width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" aria-hidden="true">`
    + `<circle cx="${c}" cy="${c}" r="${c - 1}" fill="#c0392b"/><circle cx="${c}" cy="${c}" r="${(c - 1) * 0.6}" fill="#fff"/>`
    + `<text x="${c}" y="${c}" dy=".35em" text-anchor="middle" font-size="11" font-weight="700" fill="#1c2333">${n}</text></svg>`;
  const pin = el("div", { class: "pin", role: "img", "aria-label": label }, "");
  pin.innerHTML = svg;  // our own markup: numbers only
  Object.assign(pin.dataset, { place, count: String(n) });
  return L.divIcon({ className: "kg-marker", iconSize: [size, size], html: pin });
}

function popup(point) {
  const list = el("ul");
  for (const iri of point.items) {
    const it = data.items[iri] || { label: iri };
    list.append(el("li", {}, el("div", { class: "when" }, it.earliest ? when(it.earliest, it.latest) : "undated", " · ", it.type || ""),
      el("a", { href: href(iri) }, it.label)));
  }
  return el("div", {}, el("h3", {}, el("a", { href: href(point.iri) }, point.label)),
    el("div", { class: "when" }, `${point.items.length} event${point.items.length === 1 ? "" : "s"} placed here`), list);
}

async function draw() {
  const map = L.map(box, { minZoom: 3, maxZoom: 16, zoomSnap: 0.5, scrollWheelZoom: false });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Outlines: Natural Earth · places: the graph's coordinates · Leaflet");
  L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);
  const spots = [...data.labels, ...data.points].map((p) => [p.lat, p.lon]);
  if (spots.length > 1) map.fitBounds(L.latLngBounds(spots), { padding: [40, 40], maxZoom: 14, animate: false });
  else map.setView(spots[0], 12, { animate: false });

  await drawBasemap(map);  // countries, rivers and lakes, under the labels and pins

  const pinSize = new Map(data.points.map((p) => [p.iri, pinSizeFor(p.items.length)]));
  const dots = [];
  for (const p of data.labels) {
    const dot = L.circleMarker([p.lat, p.lon], { radius: p.iri === data.place.iri ? 4 : 2.5, color: "#6b7280", weight: 1,
      fillColor: "#fff", fillOpacity: 1, interactive: false });
    const offset = pinSize.has(p.iri) ? pinSize.get(p.iri) / 2 + 2 : 4;  // beside its pin, if it has one
    dot.bindTooltip(p.label, { permanent: true, direction: "right", offset: [offset, 0], className: "kg-place-label" });
    dot.kgLevel = p.iri === data.place.iri ? 0 : LEVEL[p.type] || 10;
    dot.addTo(map);
    dots.push(dot);
  }
  const labels = () => {  // a label from the zoom at which its kind of place becomes legible
    const z = map.getZoom();
    for (const d of dots) if (z >= d.kgLevel) d.openTooltip(); else d.closeTooltip();
  };
  map.on("zoomend", labels);
  labels();
  for (const p of data.points) {
    const label = `${p.label}: ${p.items.length} event${p.items.length === 1 ? "" : "s"}`;
    const marker = L.marker([p.lat, p.lon], { icon: countIcon(p.items.length, label, p.iri), title: label, riseOnHover: true });
    marker.bindPopup(() => popup(p), { maxWidth: 360, minWidth: 240 });
    marker.addTo(map);
  }
  box.dataset.ready = "true";
}

if (box) draw().catch((e) => box.replaceChildren(el("p", { class: "problem" }, `The map could not be drawn: ${e.message || e}`)));
