// The map's basemap: country outlines from world-atlas (Natural Earth, public domain), as GeoJSON.
// Syria and its neighbours at 1:10m (coordinates to 3 decimals, ~100 m); the rest of the world at
// 1:110m (2 decimals), enough for the far-away places the articles mention. Usage: node basemap.mjs OUT
import { readFileSync, writeFileSync } from "node:fs";
import { feature } from "topojson-client";

const NEAR = new Set(["Syria", "Lebanon", "Israel", "Palestine", "Jordan", "Iraq", "Turkey", "Cyprus"]);
const load = (file) => JSON.parse(readFileSync(`node_modules/world-atlas/${file}`, "utf8"));
const round = (digits) => (c) => typeof c[0] === "number" ? [+c[0].toFixed(digits), +c[1].toFixed(digits)]
                                                          : c.map(round(digits));

function countries(file, keep, digits) {
  const topology = load(file);
  return feature(topology, topology.objects.countries).features
    .filter((f) => f.geometry && keep(f.properties.name))
    .map((f) => ({ type: "Feature", properties: { name: f.properties.name, near: NEAR.has(f.properties.name) },
                   geometry: { type: f.geometry.type, coordinates: round(digits)(f.geometry.coordinates) } }));
}

const features = [...countries("countries-110m.json", (name) => !NEAR.has(name), 2),
                  ...countries("countries-10m.json", (name) => NEAR.has(name), 3)];
writeFileSync(process.argv[2], JSON.stringify({ type: "FeatureCollection", features }));
