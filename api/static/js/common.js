// Shared by the interface's pages: DOM building, the JSON API, IRIs, dates, categories, result tables.

const body = document.body;
export const BASE = body.dataset.base;            // the data's IRI base, e.g. https://w3id.org/homs-kg/
export const ROOT = body.dataset.root || "";       // the path the app is served under

/** Build an element: el("a", {href: "/x", class: "y"}, "text", otherNode). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "html") node.innerHTML = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const url = (path) => `${ROOT}${path}`;

/** A problem document (RFC 9457) from the API, as an Error with its fields. */
export class Problem extends Error {
  constructor(body, status) {
    super(body && body.detail ? body.detail : `HTTP ${status}`);
    this.status = status; this.body = body || {};
  }
}

export async function getJSON(path, params) {
  const q = params ? `?${new URLSearchParams(params)}` : "";
  const r = await fetch(url(path) + q, { headers: { accept: "application/json" } });
  const data = await r.json().catch(() => null);
  if (!r.ok) throw new Problem(data, r.status);
  return data;
}

/** Where a link to an IRI goes: this server for IRIs under the base, else the IRI itself. */
export function href(iri) {
  if (iri && iri.startsWith(BASE)) return url("/" + iri.slice(BASE.length));
  if (iri && iri.startsWith("https://w3id.org/homs-kg/ontology#")) return url("/ontology#" + iri.split("#")[1]);
  return /^https?:\/\//i.test(iri || "") ? iri : null;  // no link (el() drops a null href) for javascript: and the like
}

const PREFIXES = {
  hk: "https://w3id.org/homs-kg/ontology#", rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#", owl: "http://www.w3.org/2002/07/owl#",
  xsd: "http://www.w3.org/2001/XMLSchema#", skos: "http://www.w3.org/2004/02/skos/core#",
  dcterms: "http://purl.org/dc/terms/", prov: "http://www.w3.org/ns/prov#", schema: "https://schema.org/",
  geo: "http://www.opengis.net/ont/geosparql#", time: "http://www.w3.org/2006/time#", oa: "http://www.w3.org/ns/oa#",
};

/** A short name for an IRI: hk:Truce, or the path under the base (place/homs), else the IRI. */
export function shortIri(iri) {
  for (const [p, ns] of Object.entries(PREFIXES)) if (iri.startsWith(ns) && iri !== ns) return `${p}:${iri.slice(ns.length)}`;
  if (iri.startsWith(BASE)) return iri.slice(BASE.length);
  return iri;
}

/** A readable name for an IRI under the base with no label: its last segment, de-slugged. */
export function slugName(iri) {
  const last = iri.replace(/[#/]+$/, "").split(/[/#]/).pop();
  return decodeURIComponent(last).replace(/-/g, " ");
}

export const isIri = (v) => typeof v === "string" && /^(https?|urn|mailto):\S+$/.test(v);

// --- dates --------------------------------------------------------------------------------------

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function parts(iso) { const [y, m, d] = iso.split("-").map(Number); return { y, m, d }; }
function dayText(iso) { const { y, m, d } = parts(iso); return `${d} ${MONTHS[m - 1]} ${y}`; }
function monthText(iso) { const { y, m } = parts(iso); return `${MONTHS[m - 1]} ${y}`; }

/** A date or range as people write it, at the precision the articles give: 7 May 2014, Apr 2014, 2011. */
export function when(earliest, latest, precision) {
  if (!earliest) return "undated";
  const p = (precision || "").toLowerCase();
  if (p.includes("year")) {
    const a = earliest.slice(0, 4), b = latest ? latest.slice(0, 4) : a;
    return a === b ? a : `${a}–${b}`;
  }
  if (p.includes("month")) {
    const a = monthText(earliest), b = latest ? monthText(latest) : a;
    return a === b ? a : `${a} – ${b}`;
  }
  if (!latest || latest === earliest) return dayText(earliest) + (latest ? "" : " →");
  const A = parts(earliest), B = parts(latest);
  if (A.y === B.y && A.m === B.m) return `${A.d}–${B.d} ${MONTHS[A.m - 1]} ${A.y}`;
  if (A.y === B.y) return `${A.d} ${MONTHS[A.m - 1]} – ${B.d} ${MONTHS[B.m - 1]} ${A.y}`;
  return `${dayText(earliest)} – ${dayText(latest)}`;
}

// --- categories: how events are drawn -------------------------------------------------------------

export const GROUPS = [
  { id: "violence", label: "Violence", categories: ["ViolentEvent"] },
  { id: "military", label: "Military moves", categories: ["Withdrawal", "Surrender", "Reinforcement", "Infiltration", "Defection"] },
  { id: "civilians", label: "Civilians & aid", categories: ["Displacement", "Evacuation", "Return", "AidDelivery", "PrisonerRelease"] },
  { id: "politics", label: "Politics & statements", categories: ["PoliticalEvent", "Statement", "Negotiation"] },
  { id: "civic", label: "Protest & civic life", categories: ["Uprising", "Protest", "Celebration", "CommunicationsBlackout"] },
  { id: "agreement", label: "Agreements", categories: [] },
  { id: "other", label: "Other", categories: [] },
];
export const COLORS = { violence: "#c0392b", military: "#a0612d", civilians: "#d4900f", politics: "#2e5fa8",
                        civic: "#7d3c98", agreement: "#1e8449", other: "#6b7280" };

/** The drawing group of an item of the event_map query (its kind and its category IRI). */
export function groupOf(kind, category) {
  if (kind === "agreement") return "agreement";
  const name = (category || "").split("#").pop();
  return (GROUPS.find((g) => g.categories.includes(name)) || { id: "other" }).id;
}

export const symbol = (group, title) => el("span", { class: `sym ${group}`, title: title || undefined, "aria-hidden": title ? undefined : "true" });

// --- result tables --------------------------------------------------------------------------------

const CITATION = ["article", "headline", "publisher", "published", "quote"];

/** The citation columns of a result, for a suffix ("" or "A", "B" in conflicting figures). */
function citationSets(columns) {
  const sets = [];
  for (const suffix of ["", "A", "B"]) {
    const cols = Object.fromEntries(CITATION.map((c) => [c, c + suffix]).filter(([, c]) => columns.includes(c)));
    if (cols.quote && cols.article) sets.push({ suffix, cols });
  }
  return sets;
}

/** A cell's content: IRIs as links (with their label when a sibling column gives it), else text. */
function cell(value, label) {
  if (value === null || value === undefined || value === "") return "";
  if (isIri(value)) {
    const text = label || (value.startsWith(BASE) ? slugName(value) : shortIri(value));
    return el("a", { href: href(value), title: value }, text);
  }
  return String(value);
}

/** A source: the quote, then "— headline, publisher, date" linked to the article's page. */
export function citation(row, cols) {
  const quote = row[cols.quote];
  const article = row[cols.article];
  const who = [cols.headline && row[cols.headline], cols.publisher && row[cols.publisher], cols.published && row[cols.published]]
    .filter(Boolean);
  return el("div", { class: "citation" },
    quote ? el("blockquote", {}, `“${quote}”`) : null,
    article ? el("div", { class: "cite" }, "— ", el("a", { href: href(article), title: article },
      who.length ? who.join(", ") : slugName(article))) : null);
}

/**
 * Render a table of rows ({column: plain value}) into `target`. Citation columns become one
 * "Source" column; a column `xLabel` labels the IRIs of column `x` (and `label` the first IRI column);
 * `hide` lists columns not to show (e.g. a parameter that is the same in every row). `everyColumn`
 * (the SPARQL editor, where the user named each column): every column as it is, in order, IRIs
 * shown short (place/homs, hk:Truce), no column used to name another or folded into "Source".
 */
export function renderTable(target, columns, rows, { hide = [], everyColumn = false } = {}) {
  const sets = everyColumn ? [] : citationSets(columns);
  const cited = new Set(sets.flatMap((s) => Object.values(s.cols)));
  const labelOf = {};
  if (!everyColumn) for (const c of columns) if (columns.includes(c + "Label")) labelOf[c] = c + "Label";
  const firstIri = columns.find((c) => !labelOf[c] && !cited.has(c) && !hide.includes(c) && rows.some((r) => isIri(r[c])));
  if (firstIri && columns.includes("label") && !labelOf[firstIri] && !everyColumn) labelOf[firstIri] = "label";
  const used = new Set(Object.values(labelOf));
  const empty = (c) => rows.every((r) => r[c] === null || r[c] === undefined || r[c] === "");
  const shown = columns.filter((c) => everyColumn || (!cited.has(c) && !used.has(c) && !hide.includes(c) && !empty(c)));
  const numeric = new Set(shown.filter((c) => rows.length && rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === "number")));
  // each row, then its sources in a full-width row under it (quotes are long; tables stay readable)
  const head = el("tr", {}, shown.map((c) => el("th", { scope: "col" }, c)));
  const lines = rows.flatMap((r) => [
    el("tr", { class: sets.length ? "data cited" : "data" },
      shown.map((c) => el("td", { class: numeric.has(c) ? "num" : labelOf[c] ? "named" : /^\d{4}-\d\d-\d\d/.test(r[c] || "") ? "date" : undefined },
        cell(r[c], labelOf[c] ? r[labelOf[c]] : everyColumn && isIri(r[c]) ? shortIri(r[c]) : null)))),
    sets.length ? el("tr", { class: "cites" }, el("td", { colspan: String(shown.length) }, el("div", { class: "cites-grid" },
      sets.map((s) => el("div", { class: "source" }, s.suffix ? el("span", { class: "kind-tag" }, `source ${s.suffix}`) : null,
        citation(r, s.cols)))))) : null,
  ].filter(Boolean));
  target.replaceChildren(el("div", { class: "table-wrap" }, el("table", {}, el("thead", {}, head), el("tbody", {}, lines))));
}

/** SPARQL JSON results -> {columns, rows} of plain values (numbers as numbers). */
export function fromSparqlJson(data) {
  const columns = data.head.vars;
  const rows = data.results.bindings.map((b) => Object.fromEntries(columns.map((c) => {
    const t = b[c];
    if (!t) return [c, null];
    if (t.type === "literal" && t.datatype && /#(integer|decimal|double|float|int|long)$/.test(t.datatype)) return [c, Number(t.value)];
    if (t.type === "bnode") return [c, `_:${t.value}`];
    return [c, t.value];
  })));
  return { columns, rows };
}

/** Show a problem document in `target`: its detail, and the line and column when it names them. */
export function showProblem(target, error, what = "The request failed") {
  const detail = error instanceof Problem ? error.body.detail || error.message : String(error.message || error);
  const pos = /\b(?:at|line)\s+(\d+):(\d+)/.exec(detail);
  const box = el("div", { class: "problem", role: "alert" },
    el("strong", {}, what + (pos ? ` — line ${pos[1]}, column ${pos[2]}` : "")),
    el("pre", {}, detail));
  if (error instanceof Problem && error.body.candidates) {
    box.append(el("div", { class: "small" }, "Did you mean: ",
      error.body.candidates.slice(0, 8).map((c, i) => [i ? ", " : "", c.iri ? el("a", { href: href(c.iri) }, c.label || c.iri) : c.name])));
  }
  target.replaceChildren(box);
  return pos ? { line: Number(pos[1]), column: Number(pos[2]) } : null;
}

export const spinner = (text) => el("span", { class: "muted" }, el("span", { class: "spinner" }), " ", text);
