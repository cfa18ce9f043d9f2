// Who controlled which place when: a date slider over the map colours each place by the actors that
// held, contested or besieged it on that day, by the control periods the graph derives from the
// articles (canned query control_timeline, for everything inside Syria). Each article's account is
// its own period: when two accounts differ for a place, the place shows both.
import { el, getJSON, showProblem } from "./common.js";

const PALETTE = ["#b91c1c", "#1d4ed8", "#15803d", "#a16207", "#7e22ce", "#0e7490", "#be185d", "#4d7c0f", "#c2410c", "#334155"];
const RANK = { certain: 3, "no end reported": 2, "no start reported": 2, possible: 1 };
const DAY = 86400000;

/** How sure a period makes control on `day` (YYYY-MM-DD), as control_at.rq decides; null: not then. */
export function certainty(p, day) {
  if ((p.startEarliest && p.startEarliest > day) || (p.endLatest && p.endLatest < day)) return null;
  const startSure = !!p.startLatest && p.startLatest <= day, endSure = !!p.endEarliest && p.endEarliest >= day;
  if (startSure && endSure) return "certain";
  if (startSure && !p.endEarliest && !p.endLatest) return "no end reported";
  if (endSure && !p.startLatest && !p.startEarliest) return "no start reported";
  return "possible";
}

function point(wkt) {
  const m = /POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)/i.exec(wkt || "");
  return m ? [Number(m[2]), Number(m[1])] : null;
}

/** The coordinates of a place, or of the nearest place containing it that has some. */
function where(places, iri) {
  for (let p = places.get(iri), n = 0; p && n < 10; p = places.get(p.parent), n++) {
    const pt = point(p.wkt);
    if (pt) return pt;
  }
  return null;
}

const toDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** The slider, ready: its periods are asked for (control_timeline for Syria, a heavy query at scale)
 * only when the URL sets a day or the slider is first touched, not with the page: the map's own
 * answers come first, and no query worker is held for the slider by a visitor who never moves it. */
export function startControl(L, map, places) {
  const slider = document.getElementById("control-day");
  const wanted = new URLSearchParams(location.search).get("control");
  let loading = null;
  const load = () => (loading ??= loadControl(L, map, places).catch((e) =>
    showProblem(document.getElementById("control-out"), e, "Could not load who controlled what")));
  if (wanted) return load();
  for (const type of ["pointerdown", "keydown", "focus"]) slider.addEventListener(type, load, { once: true });
  return Promise.resolve();
}

async function loadControl(L, map, places) {
  const slider = document.getElementById("control-day"), out = document.getElementById("control-out");
  const legend = document.getElementById("control-legend");
  out.textContent = "loading…";
  const rows = (await getJSON("/api/control_timeline", { place: "syria", limit: 10000 })).rows;
  const periods = new Map();
  for (const r of rows) if (!periods.has(r.period)) periods.set(r.period, { ...r, to: r.controllers });
  const all = [...periods.values()];
  const days = all.flatMap((p) => [p.startEarliest, p.startLatest, p.endEarliest, p.endLatest]).filter(Boolean).sort();
  if (!days.length) { out.textContent = "no control periods"; slider.disabled = true; return; }
  const first = Date.parse(days[0]), last = Date.parse(days[days.length - 1]);
  slider.max = String(Math.round((last - first) / DAY) + 1);  // 0: off; 1..max: a day
  out.dataset.first = toDay(first);
  const counts = new Map();
  for (const p of all) counts.set(p.to, (counts.get(p.to) || 0) + 1);
  const colour = new Map([...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([who], i) => [who, PALETTE[i % PALETTE.length]]));
  const layer = L.layerGroup().addTo(map);

  function draw() {
    layer.clearLayers();
    legend.replaceChildren();
    const n = Number(slider.value);
    const q = new URLSearchParams(location.search);
    if (!n) {
      out.textContent = "off";
      q.delete("control");
    } else {
      const day = toDay(first + (n - 1) * DAY);
      out.textContent = day;
      q.set("control", day);
      const at = new Map();  // place -> the periods covering the day, each with its certainty
      for (const p of all) {
        const c = certainty(p, day);
        if (c) (at.get(p.where) || at.set(p.where, []).get(p.where)).push({ ...p, certainty: c });
      }
      const shown = new Set();
      for (const [place, ps] of at) {
        const best = Math.max(...ps.map((p) => RANK[p.certainty]));
        const top = ps.filter((p) => RANK[p.certainty] === best);
        const pt = where(places, place);
        if (!pt) continue;
        const whos = [...new Set(top.map((p) => p.to))];
        whos.forEach((who) => shown.add(who));
        const text = top.map((p) => `${p.to} (${p.status}, ${p.certainty}) — ${p.publisher || "an article"}`).join("; ");
        whos.forEach((who, i) => {
          const dot = L.circleMarker(pt, { radius: 13 - 4 * i, color: "#fff", weight: 2, fillColor: colour.get(who),
                                           fillOpacity: best === 3 ? 0.85 : 0.45, dashArray: best === 3 ? null : "3 3",
                                           className: "control-place", interactive: i === 0 });
          if (i === 0) dot.bindTooltip(`${top[0].whereLabel}: ${text}`);
          dot.on("add", () => {
            const e = dot.getElement();
            if (e) Object.assign(e.dataset, { place, controller: who, certainty: top[0].certainty });
          });
          layer.addLayer(dot);
        });
      }
      for (const who of shown) legend.append(el("span", { class: "swatch" }, el("i", { style: `background:${colour.get(who)}` }), who));
    }
    history.replaceState(null, "", `${location.pathname}${q.toString() ? "?" + q : ""}`);
    document.body.dataset.control = slider.value;
  }

  const wanted = new URLSearchParams(location.search).get("control");
  if (wanted && !Number.isNaN(Date.parse(wanted))) {
    slider.value = String(Math.min(Number(slider.max), Math.max(1, Math.round((Date.parse(wanted) - first) / DAY) + 1)));
  }
  slider.addEventListener("input", draw);
  slider.addEventListener("change", (e) => { e.stopPropagation(); draw(); });  // not a filter: no refit
  if (slider.form) slider.form.addEventListener("reset", () => setTimeout(draw));
  draw();
}
