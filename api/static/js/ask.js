// Ask: the canned queries (GET /api lists them with typed parameters) as generated forms; results
// as a table with each fact's citation; CSV / JSON downloads; the SPARQL behind, to open in the editor.
import { el, getJSON, url, renderTable, showProblem, spinner, slugName } from "./common.js";

const menu = document.getElementById("menu");
const form = document.getElementById("ask-form");
const paramsBox = document.getElementById("q-params");
const results = document.getElementById("results");
const links = document.getElementById("q-links");
const sparqlBox = document.getElementById("sparql-box");
const sparqlText = document.getElementById("sparql-text");
const PAGE = 200;
const ITEMS = 1000;  // events and agreements offered in a picker

let queries = [];
let current = null;
const pickers = {};  // cached option lists: place, actor, item

function loadOnce(name, load) {
  if (!pickers[name]) pickers[name] = load();
  return pickers[name];
}

// the places that have events, with their counts (event_map_counts: one pattern per item, no dates)
const places = () => loadOnce("place", async () => (await getJSON("/api/event_map_counts", { limit: 10000 })).rows
  .map((r) => ({ place: r.place, label: r.placeLabel || r.place, type: r.type, events: r.items })));
const actors = () => loadOnce("actor", async () => (await getJSON("/api/actors", { limit: 10000 })).rows);
const items = () => loadOnce("item", async () => {
  const seen = new Map();
  // the first ITEMS rows by date: event_map's pages cost their own rows, the whole of it does not scale
  for (const r of (await getJSON("/api/event_map", { limit: ITEMS })).rows) if (!seen.has(r.item)) seen.set(r.item, r);
  return [...seen.values()];
});

/** Does a value given in the URL (slug, IRI, name) mean this entity? */
function means(value, iri, label) {
  if (!value) return false;
  const v = value.trim().toLowerCase();
  return iri === value || iri.toLowerCase().endsWith("/" + v) || (label || "").toLowerCase() === v;
}

function grouped(select, rows, groupKey, labelKey, valueKey, extra) {
  const groups = new Map();
  for (const r of rows) {
    const g = r[groupKey] || "other";
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(r);
  }
  const seen = new Set();
  for (const [g, rs] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const og = el("optgroup", { label: g });
    for (const r of rs.sort((a, b) => String(a[labelKey]).localeCompare(String(b[labelKey])))) {
      if (seen.has(r[valueKey])) continue;
      seen.add(r[valueKey]);
      og.append(el("option", { value: r[valueKey] }, r[labelKey] + (extra ? extra(r) : "")));
    }
    select.append(og);
  }
}

async function control(p, given) {
  const id = `p-${p.name}`;
  const value = given ?? (p.default === null || p.default === undefined ? "" : String(p.default));
  let input;
  if (p.type === "place" || p.type === "actor") {
    input = el("select", { id, name: p.name });
    if (!p.required && (p.default === null || p.default === undefined)) input.append(el("option", { value: "" }, `— any ${p.type} —`));
    const rows = p.type === "place" ? await places() : await actors();
    const key = p.type;
    grouped(input, rows, "type", "label", key,
            p.type === "place" ? (r) => (r.events ? `  (${r.events})` : "") : (r) => (r.involvedIn ? `  (${r.involvedIn})` : ""));
    const match = rows.find((r) => means(value, r[key], r.label));
    if (match) input.value = match[key];
    else if (value) { input.append(el("option", { value }, value)); input.value = value; }
  } else if (p.type === "iri" || p.type === "article") {
    input = el("select", { id, name: p.name, required: p.required || undefined });
    input.append(el("option", { value: "" }, "— choose —"));
    const rows = await items();
    const kinds = { event: "Events (by date)", agreement: "Agreements" };
    for (const [kind, label] of Object.entries(kinds)) {
      const og = el("optgroup", { label });
      for (const r of rows.filter((r) => r.kind === kind)) {
        const date = r.earliest ? r.earliest.slice(0, 7) + " · " : "";
        og.append(el("option", { value: r.item, title: r.label }, date + (r.label.length > 90 ? r.label.slice(0, 88) + "…" : r.label)));
      }
      input.append(og);
    }
    if (p.name !== "event") {  // an entity or a fact: places and actors too
      const og1 = el("optgroup", { label: "Places" });
      for (const r of (await places()).slice().sort((a, b) => a.label.localeCompare(b.label))) og1.append(el("option", { value: r.place }, r.label));
      const og2 = el("optgroup", { label: "Actors" });
      for (const r of (await actors()).slice().sort((a, b) => a.label.localeCompare(b.label))) og2.append(el("option", { value: r.actor }, r.label));
      input.append(og1, og2);
    }
    if (value) {
      if (![...input.options].some((o) => o.value === value)) input.append(el("option", { value }, slugName(value)));
      input.value = value;
    }
  } else if (p.type === "date") {
    input = el("input", { id, name: p.name, type: "date", value, required: p.required || undefined });
  } else if (p.type === "integer") {
    input = el("input", { id, name: p.name, type: "number", step: "1", value, required: p.required || undefined });
  } else {
    input = el("input", { id, name: p.name, type: "text", value, required: p.required || undefined });
  }
  return el("label", { class: "field", for: id },
    el("span", {}, p.name, p.required ? " *" : "", el("small", {}, p.description || p.type)), input);
}

function values() {
  const out = {};
  for (const p of current.parameters) {
    const v = form.elements[p.name] && form.elements[p.name].value;
    if (v) out[p.name] = v;
  }
  return out;
}

function setUrl(vals) {
  const q = new URLSearchParams({ q: current.name, ...vals });
  history.replaceState(null, "", `${location.pathname}?${q}`);
}

async function select(name, given = {}) {
  current = queries.find((q) => q.name === name) || queries[0];
  for (const b of menu.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.name === current.name));
  document.getElementById("q-title").textContent = current.summary;
  document.getElementById("q-description").textContent = current.description;
  document.title = `${current.summary} — homs-kg`;
  sparqlBox.hidden = true;
  results.replaceChildren();
  links.replaceChildren();
  paramsBox.replaceChildren(spinner("loading the form…"));
  const controls = [];
  for (const p of current.parameters) controls.push(await control(p, given[p.name]));
  paramsBox.replaceChildren(...controls);
  if (!controls.length) paramsBox.append(el("p", { class: "muted" }, "No parameters: just run it."));
  const ready = current.parameters.every((p) => !p.required || given[p.name]);
  if (ready) run();
}

function downloadLinks(vals) {
  const q = new URLSearchParams({ ...vals, limit: 10000 });
  const sparqlQ = new URLSearchParams(vals);
  const show = el("button", { type: "button", id: "show-sparql" }, "Show the SPARQL");
  show.addEventListener("click", async () => {
    if (!sparqlBox.hidden) { sparqlBox.hidden = true; show.textContent = "Show the SPARQL"; return; }
    const text = await (await fetch(url(`/ui/sparql/${current.name}?${sparqlQ}`))).text();
    sparqlText.textContent = text;
    const open = el("a", { class: "button", id: "open-editor", href: url(`/editor?${new URLSearchParams({ query: text })}`) }, "Open in the SPARQL editor →");
    sparqlBox.replaceChildren(sparqlText, open);
    sparqlBox.hidden = false;
    show.textContent = "Hide the SPARQL";
  });
  links.replaceChildren(
    el("a", { class: "button", href: url(`/api/${current.name}.csv?${q}`), download: `${current.name}.csv` }, "⬇ CSV"),
    " ", el("a", { class: "button", href: url(`/api/${current.name}.json?${q}`), download: `${current.name}.json` }, "⬇ JSON"),
    " ", show);
}

async function run(page = {}, append = false) {
  const vals = values();
  setUrl(vals);
  downloadLinks(vals);
  const button = document.getElementById("run");
  button.disabled = true;
  if (!append) results.replaceChildren(spinner("running…"));
  try {
    const data = await getJSON(`/api/${current.name}`, { ...vals, limit: PAGE, ...page });
    const rows = append ? [...results._rows, ...data.rows] : data.rows;
    results._rows = rows;
    const bound = data.parameters || {};
    const hide = Object.keys(bound).filter((k) => rows.every((r) => r[k] === bound[k] || r[k] === undefined));
    const named = {};
    for (const p of current.parameters) {
      const v = bound[p.name];
      if ((p.type === "place" || p.type === "actor") && v) named[p.name] = ((await (p.type === "place" ? places() : actors())).find((r) => r[p.type] === v) || {}).label;
      else if (p.type === "iri" && v && pickers.item) named[p.name] = ((await items()).find((r) => r.item === v) || {}).label;
    }
    const head = el("div", { class: "results-head" },
      el("span", { class: "count", id: "row-count" }, `${rows.length}${data.next ? "+" : ""} row${rows.length === 1 ? "" : "s"}`),
      Object.keys(bound).length ? el("span", { class: "muted small" }, "for ",
        Object.entries(bound).map(([k, v], i) => [i ? ", " : "", el("code", {}, k), " = ",
          named[k] || (String(v).startsWith("http") ? slugName(String(v)) : String(v))])) : null);
    const table = el("div", { id: "result-table" });
    results.replaceChildren(head, table);
    if (!rows.length) table.append(el("p", { class: "muted" }, "No rows: nothing in the graph answers this question with these values."));
    else renderTable(table, data.columns, rows, { hide });
    if (data.next) {  // the next page as the answer links it: by cursor (after=, whole-graph queries) or by offset
      const next = new URL(data.next).searchParams;
      const more = next.has("after") ? { after: next.get("after") } : { offset: next.get("offset") };
      results.append(el("p", {}, el("button", { type: "button", onclick: () => run(more, true) }, "Show more rows")));
    }
  } catch (e) {
    showProblem(results, e, "The query could not run");
  } finally {
    button.disabled = false;
  }
}

form.addEventListener("submit", (e) => { e.preventDefault(); run(); });

async function start() {
  try {
    queries = (await getJSON("/api")).queries;
  } catch (e) { showProblem(menu, e, "Could not list the questions"); return; }
  menu.replaceChildren(...queries.map((q) => el("button", { type: "button", "data-name": q.name, "aria-pressed": "false",
    onclick: () => select(q.name) }, q.summary, el("small", {}, q.name))));
  const params = new URLSearchParams(location.search);
  const given = Object.fromEntries([...params.entries()].filter(([k]) => k !== "q"));
  await select(params.get("q") || "ceasefires", given);
}

start();
