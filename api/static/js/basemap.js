// The maps' shipped background (api/static/vendor/basemap/, made by scripts/vendor-assets.sh): country
// outlines (Natural Earth), then the rivers and lakes around Syria (GSHHG, full resolution), which
// give a city's points their context at city zoom: the Orontes west of Homs, the canal through it,
// Lake Qattinah. Drawn in that order, under whatever the caller adds next; nothing is fetched from
// anywhere but this server.
import { url } from "./common.js";

const L = window.L;

const getJSON = async (path) => {
  const r = await fetch(url(path));
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
};

/** A river's width for a zoom: hairlines over the country, a visible stroke over a city. */
const riverWeight = (zoom) => (zoom >= 12 ? 3 : zoom >= 10 ? 2 : 1);

/** Draw the background on `map` into `layer` (a layer group already on the map, or the map itself). */
export async function drawBasemap(map, layer = map) {
  const [countries, water] = await Promise.all([getJSON("/static/vendor/basemap/countries.json"),
    getJSON("/static/vendor/basemap/water.json")]);
  L.geoJSON(countries, { interactive: false, style: (ft) => ({
    color: ft.properties.name === "Syria" ? "#8c8270" : "#aaa293", weight: ft.properties.near ? 1.1 : 0.7,
    fillColor: ft.properties.name === "Syria" ? "#fbf7ea" : "#eeebe1", fillOpacity: 1 }) }).addTo(layer);
  const lakes = L.geoJSON(water, { interactive: false, filter: (ft) => ft.properties.kind === "lake",
    style: () => ({ className: "kg-lake", color: "#7fa7c9", weight: 0.8, fillColor: "#cfe0ee", fillOpacity: 1 }) });
  const rivers = L.geoJSON(water, { interactive: false, filter: (ft) => ft.properties.kind === "river",
    style: () => ({ className: "kg-river", color: "#6f9ec6", weight: riverWeight(map.getZoom()), opacity: 0.9 }) });
  lakes.addTo(layer);
  rivers.addTo(layer);
  map.on("zoomend", () => rivers.setStyle({ weight: riverWeight(map.getZoom()) }));
  map.attributionControl.addAttribution("rivers and lakes: GSHHG (LGPL)");
}
