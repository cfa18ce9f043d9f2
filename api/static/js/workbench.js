// The annotation workbench (api/routers/workbench.py): a draft highlighted over its article's text,
// item by item in a side panel; accept, edit or reject each; select words to add an item; every
// change is checked by the server (the loader's own messages, pinned to their items); Save writes
// the corpus folder and the graph. State: the annotation as a JSON tree (the YAML's structure),
// plus the new shared places and actors (`additions`), and the version of the file read (`tag`).
import { el, url, Problem } from "./common.js";

const $ = (id) => document.getElementById(id);
const SECTIONS = ["places", "actors", "mentions", "events", "agreements", "casualties", "claims"];
const META = ["headline", "publisher", "published"];
const KIND = { places: "place", actors: "actor", mentions: "mention", events: "event", agreements: "agreement",
  casualties: "casualty", claims: "claim", article: "metadata" };
const ROLES = ["attacker", "target", "victim", "participant", "organiser", "speaker", "party", "mediator", "supporter"];
const FIELDS = {  // what the editor shows per section: [field, kind, datalist]
  places: [["id", "text"], ["type", "text", "wb-types-place"], ["label", "text"], ["partOf", "list", "wb-places"], ["quote", "quote"]],
  actors: [["id", "text"], ["type", "text", "wb-types-actor"], ["label", "text"], ["memberOf", "list", "wb-actors"], ["quote", "quote"]],
  mentions: [["entity", "text", "wb-entities"], ["quote", "quote"]],
  events: [["id", "text"], ["type", "list", "wb-types-event"], ["label", "text"], ["quote", "quote"], ["when", "when"],
    ["places", "list", "wb-places"], ...ROLES.map((r) => [r, "list", "wb-actors"]), ["reportedBy", "list", "wb-actors"],
    ["modality", "text"]],
  agreements: [["id", "text"], ["type", "list", "wb-types-agreement"], ["label", "text"], ["quote", "quote"],
    ["status", "text"], ["when", "when"], ["places", "list", "wb-places"], ["parties", "list", "wb-actors"],
    ["reportedBy", "list", "wb-actors"]],
  casualties: [["id", "text"], ["quote", "quote"], ["count", "number"], ["min", "number"], ["max", "number"],
    ["amount", "text"], ["victims", "victims"], ["outcome", "outcome"], ["places", "list", "wb-places"],
    ["event", "text"], ["when", "when"], ["reportedBy", "list", "wb-actors"]],
  claims: [["id", "text"], ["claimant", "text", "wb-actors"], ["summary", "text"], ["quote", "quote"], ["about", "list", "wb-entities"]],
  article: [["value", "text"], ["basis", "text"], ["reason", "text"], ["quote", "quote"]],
  shared: [["id", "text"], ["type", "text"], ["label", "text"], ["aliases", "list"], ["partOf", "list", "wb-places"],
    ["memberOf", "list", "wb-actors"], ["coordinates", "list"], ["geonames", "number"]],
};
const PRECISION = { day: 10, month: 7, year: 4 };

const state = { name: null, text: "", tree: null, tag: null, additions: { places: [], actors: [] },
  spans: {}, errors: [], lookup: null, open: null, checking: 0 };

// --- talking to the server ------------------------------------------------------------------------------

const token = () => $("wb-token").value.trim();
async function call(method, path, body) {
  const r = await fetch(url(path), { method, headers: { accept: "application/json", authorization: `Bearer ${token()}`,
    ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const data = await r.json().catch(() => null);
  if (!r.ok) throw new Problem(data, r.status);
  return data;
}
function status(message, kind = "") { $("wb-status").className = `wb-status ${kind}`; $("wb-status").textContent = message; }

$("wb-token").value = sessionStorage.getItem("kg-write-token") || "";
$("wb-token").addEventListener("change", () => { sessionStorage.setItem("kg-write-token", token()); start(); });

async function start() {
  if (!token()) return;
  try {
    const [list, lookup] = await Promise.all([call("GET", "/workbench/api/articles"), call("GET", "/workbench/api/lookup")]);
    state.lookup = lookup;
    $("wb-open").replaceChildren(el("option", { value: "" }, `(${list.articles.length} articles in ${list.corpus})`),
      ...list.articles.map((a) => el("option", { value: a.name }, `${a.name} — ${a.headline || a.id || ""}`)));
    for (const kind of ["place", "actor", "event", "agreement"])
      $(`wb-types-${kind}`).replaceChildren(...lookup.classes[kind].map((c) => el("option", { value: c })));
    fillPickers();
    status("Ready: open an article or draft a new one.");
  } catch (e) { status(e.message, "bad"); }
}

function fillPickers() {
  const lk = state.lookup || { places: [], actors: [] };
  const local = (s) => (state.tree && state.tree[s] || []).filter((i) => i && i.id && !rejected(i));
  const places = [...lk.places, ...state.additions.places, ...local("places")];
  const actors = [...lk.actors, ...state.additions.actors, ...local("actors")];
  const opt = (e) => el("option", { value: e.id }, `${e.label || e.id}${e.type ? ` (${e.type})` : ""}`);
  $("wb-places").replaceChildren(...places.map(opt));
  $("wb-actors").replaceChildren(...actors.map(opt));
  $("wb-entities").replaceChildren(...[...lk.places, ...lk.actors, ...state.additions.places, ...state.additions.actors].map(opt));
}

// --- opening and drafting ---------------------------------------------------------------------------------

$("wb-open-btn").addEventListener("click", async () => {
  const name = $("wb-open").value;
  if (!name) return;
  status(`Opening ${name}…`);
  try { show(await call("GET", `/workbench/api/articles/${encodeURIComponent(name)}`)); } catch (e) { status(e.message, "bad"); }
});

$("wb-file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (file) $("wb-paste").value = await file.text();
});

$("wb-draft").addEventListener("click", async () => {
  const text = $("wb-paste").value;
  if (!text.trim()) { status("Paste or upload the article's text first.", "bad"); return; }
  status("Drafting… (the drafter reads the whole text against the corpus and GeoNames; this takes a while)");
  try {
    show(await call("POST", "/workbench/api/draft", { text, published: $("wb-published").value || null,
      publisher: $("wb-publisher").value.trim() || null }));
  } catch (e) { status(e.message, "bad"); }
});

function show(doc) {
  Object.assign(state, { name: doc.name, text: doc.text, tree: doc.tree, tag: doc.tag, additions: { places: [], actors: [] },
    spans: {}, errors: [], open: null });
  $("wb-main").hidden = false;
  $("wb-name").textContent = doc.name;
  $("wb-result").replaceChildren();
  fillPickers();
  renderItems();
  renderText();
  status(`${doc.name}: ${items().length} items. Accept (✓), correct or reject (✗) each; select words to add one.`);
  check();
}

// --- the items --------------------------------------------------------------------------------------------

const rejected = (item) => item && item.review && item.review.status === "rejected";
function items() {  // [{key, section, item}] in the panel's order
  const out = [];
  const a = state.tree.article || {};
  for (const m of META) if (a[m] && typeof a[m] === "object") out.push({ key: `article/${m}`, section: "article", field: m, item: a[m] });
  (a.authors || []).forEach((x, i) => out.push({ key: `article/authors/${i}`, section: "article", field: `author ${i + 1}`, item: x }));
  for (const s of SECTIONS) (state.tree[s] || []).forEach((item, i) => out.push({ key: `${s}/${i}`, section: s, item }));
  for (const s of ["places", "actors"]) state.additions[s].forEach((item, i) => out.push({ key: `shared-${s}/${i}`, section: "shared", item, shared: s }));
  return out;
}
const statusOf = (item) => (item.review ? item.review.status : "added");
function title(entry) {
  const it = entry.item;
  if (entry.section === "article") return `${entry.field}: ${it.value ?? "(unknown)"}`;
  if (entry.section === "mentions") return `${it.entity}`;
  if (entry.section === "casualties") {
    const n = it.count ?? [it.min, it.max].filter((x) => x != null).join("–") ?? it.amount;
    return `${n || it.amount || "?"} ${it.victims || ""} ${[].concat(it.outcome || []).join("/")}`;
  }
  return it.label || it.summary || it.id;
}

function setStatus(entry, value) {
  if (entry.section === "shared") {
    if (value === "rejected") state.additions[entry.shared].splice(+entry.key.split("/")[1], 1);
  } else if (entry.item.review) entry.item.review.status = value;
  else if (value === "rejected") entry.item.review = { status: "rejected", rule: "workbench" };
  changed();
}

function renderItems() {
  const errorsOf = (key) => state.errors.filter((e) => e.item && (e.item === key || key.startsWith(`${e.item}/`) ||
    (e.item === "article" && key.startsWith("article/"))));
  // the open editor is kept as it is (what is typed but not applied yet, and the focus), not rebuilt
  const kept = state.open && document.querySelector(`.wb-item[data-key="${state.open}"] form.wb-editor`);
  const focused = kept && kept.contains(document.activeElement) ? document.activeElement : null;
  $("wb-items").replaceChildren(...items().map((entry) => {
    const st = statusOf(entry.item), errs = errorsOf(entry.key);
    const type = [].concat(entry.item.type || []).join(", ");
    const li = el("li", { class: `wb-item st-${st}${errs.length ? " has-errors" : ""}${state.open === entry.key ? " open" : ""}`,
      dataset: { key: entry.key } },
      el("div", { class: "wb-item-head" },
        el("span", { class: "kind-tag" }, entry.shared ? `shared ${KIND[entry.shared]}` : KIND[entry.section]),
        type ? el("span", { class: "muted small" }, ` ${type} `) : null,
        el("button", { type: "button", class: "linkish wb-title", onclick: () => focusItem(entry.key, true) }, title(entry)),
        el("span", { class: `wb-st small` }, st),
        el("span", { class: "wb-actions" },
          el("button", { type: "button", class: "wb-accept", title: "Accept", "aria-label": `Accept ${entry.key}`,
            onclick: () => setStatus(entry, "accepted") }, "✓"),
          el("button", { type: "button", class: "wb-edit", title: "Edit", "aria-label": `Edit ${entry.key}`,
            onclick: () => { state.open = state.open === entry.key ? null : entry.key; renderItems(); } }, "✎"),
          el("button", { type: "button", class: "wb-reject", title: "Reject", "aria-label": `Reject ${entry.key}`,
            onclick: () => setStatus(entry, "rejected") }, "✗"))),
      entry.item.review && entry.item.review.note ? el("div", { class: "small muted" }, entry.item.review.note) : null,
      errs.length ? el("ul", { class: "wb-item-errors small" }, errs.map((e) => el("li", {}, `line ${e.line}: ${e.problem}`))) : null,
      state.open === entry.key ? (kept || editor(entry)) : null);
    return li;
  }));
  if (focused) focused.focus();
  const all = items(), n = (s) => all.filter((e) => statusOf(e.item) === s).length;
  $("wb-counts").textContent = `${n("pending")} pending · ${n("accepted") + n("added")} kept · ${n("rejected")} rejected · ` +
    `${state.errors.length} error${state.errors.length === 1 ? "" : "s"}`;
}

// --- the editor of one item ---------------------------------------------------------------------------

function editor(entry) {
  const it = entry.item, fields = FIELDS[entry.section] || [];
  const form = el("form", { class: "wb-editor", onsubmit: (e) => { e.preventDefault(); apply(entry, form); } });
  for (const [name, kind, list] of fields) {
    if (entry.section === "shared" && ((name === "partOf" && entry.shared !== "places") || (name === "memberOf" && entry.shared !== "actors")
      || ((name === "coordinates" || name === "geonames") && entry.shared !== "places"))) continue;
    const value = it[name];
    let input;
    if (kind === "when") {
      const w = value || {}, date = w.date || w.from || "";
      const prec = date.length === 4 ? "year" : date.length === 7 ? "month" : "day";
      input = el("span", { class: "wb-when" },
        el("input", { name: "when.date", type: "date", value: date.length === 10 ? date : date.length === 7 ? `${date}-01` : date ? `${date}-01-01` : "",
          "aria-label": `${entry.key} date` }),
        el("select", { name: "when.precision", "aria-label": `${entry.key} precision` },
          Object.keys(PRECISION).map((p) => el("option", { value: p, selected: p === prec }, p))),
        el("select", { name: "when.basis", "aria-label": `${entry.key} basis` },
          ["stated", "inferred"].map((b) => el("option", { value: b, selected: (w.basis || "stated") === b }, b))),
        el("input", { name: "when.text", value: w.text || "", placeholder: "words of the text", size: 12 }),
        el("input", { name: "when.reason", value: w.reason || "", placeholder: "reason, if inferred", size: 16 }));
    } else if (kind === "victims" || kind === "outcome") {
      const options = kind === "victims" ? state.lookup.victims : state.lookup.outcomes;
      const current = [].concat(value || []);
      input = el("select", { name, "aria-label": `${entry.key} ${name}` }, el("option", { value: "" }, "—"),
        options.map((o) => el("option", { value: o, selected: current.includes(o) }, o)));
    } else if (kind === "quote") {
      input = el("textarea", { name, rows: 2, "aria-label": `${entry.key} ${name}` }, value || "");
    } else {
      const shown = Array.isArray(value) ? value.join(", ") : value ?? "";
      input = el("input", { name, value: shown, list: list || undefined, type: kind === "number" ? "number" : "text",
        "aria-label": `${entry.key} ${name}` });
    }
    form.append(el("label", {}, el("span", {}, name), input));
  }
  if (entry.section === "shared" && entry.shared === "places")
    form.append(el("label", {}, el("span", {}, "GeoNames"), el("input", { name: "geonames-search", placeholder: "search a place…",
      "aria-label": "Search GeoNames", oninput: (e) => gazetteer(e.target, entry, form) }), el("ul", { class: "wb-geo small" })));
  form.append(el("div", {}, el("button", { type: "submit", class: "primary" }, "Apply and accept"), " ",
    el("button", { type: "button", onclick: () => { state.open = null; renderItems(); } }, "Close")));
  return form;
}

function apply(entry, form) {
  const it = entry.item, data = new FormData(form);
  for (const [name, kind] of FIELDS[entry.section]) {
    if (kind === "when") {
      if (!data.has("when.date")) continue;
      const date = data.get("when.date");
      if (!date) { delete it.when; continue; }
      const w = { date: date.slice(0, PRECISION[data.get("when.precision")] || 10) };
      if (data.get("when.text")) w.text = data.get("when.text");
      w.basis = data.get("when.basis");
      if (data.get("when.reason")) w.reason = data.get("when.reason");
      it.when = w;
      continue;
    }
    if (!data.has(name)) continue;
    const raw = String(data.get(name)).trim();
    let value = raw;
    if (kind === "list") value = raw ? raw.split(",").map((x) => x.trim()).filter(Boolean) : [];
    if (name === "coordinates") value = value.map(Number);
    if (kind === "number") value = raw === "" ? null : Number(raw);
    if (kind === "outcome") value = raw ? [raw] : [];
    if (name === "value" && raw === "") value = null;
    if (value === null || value === "" || (Array.isArray(value) && !value.length)) delete it[name];
    else it[name] = value;
  }
  if (entry.section === "article" && it.value === undefined) it.value = null;
  if (it.review) it.review.status = "accepted";
  state.open = null;
  changed();
}

async function gazetteer(input, entry, form) {
  const q = input.value.trim(), list = form.querySelector(".wb-geo");
  if (q.length < 2) { list.replaceChildren(); return; }
  const data = await call("GET", `/workbench/api/gazetteer?q=${encodeURIComponent(q)}`);
  list.replaceChildren(...data.places.map((p) => el("li", {}, el("button", { type: "button", class: "linkish", onclick: () => {
    Object.assign(entry.item, { label: entry.item.label || p.label, type: entry.item.type || p.type, geonames: p.geonames,
      ...(p.coordinates ? { coordinates: p.coordinates } : {}) });
    renderItems();
  } }, `${p.label} (${p.type}, ${p.country}, GeoNames ${p.geonames})`))));
}

// --- the text, highlighted -----------------------------------------------------------------------------

function renderText() {
  const text = state.text, body = state.spans.body || { start: 0, end: text.length };
  const marks = [];
  for (const e of items()) {
    const s = state.spans[e.key];
    if (s && s.start !== undefined && !rejected(e.item)) marks.push({ ...s, key: e.key, kind: e.section });
  }
  const cuts = [...new Set([0, text.length, body.start, body.end, ...marks.flatMap((m) => [m.start, m.end])])].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i], b = cuts[i + 1], over = marks.filter((m) => m.start <= a && b <= m.end);
    const chunk = text.slice(a, b), outside = a < body.start || b > body.end;
    const facts = over.filter((m) => !["places", "actors", "mentions", "article"].includes(m.kind));
    const kind = facts.length ? facts[0].kind : over.length ? over[0].kind : null;
    out.push(over.length
      ? el("mark", { class: `k-${KIND[kind] || kind}${over.some((m) => m.key === state.open) ? " focus" : ""}`,
        style: `--d:${Math.min(Math.max(facts.length, 1), 4)}`, dataset: { s: a, keys: over.map((m) => m.key).join(" ") } }, chunk)
      : el("span", { class: outside ? "outside" : undefined, dataset: { s: a } }, chunk));
  }
  $("wb-text").replaceChildren(...out);
}

function focusItem(key, scrollText) {
  const card = document.querySelector(`.wb-item[data-key="${key}"]`);
  document.querySelectorAll(".wb-item.selected").forEach((c) => c.classList.remove("selected"));
  if (card) { card.classList.add("selected"); if (!scrollText) card.scrollIntoView({ block: "nearest" }); }
  document.querySelectorAll("#wb-text mark.focus").forEach((m) => m.classList.remove("focus"));
  const marks = [...document.querySelectorAll("#wb-text mark")].filter((m) => m.dataset.keys.split(" ").includes(key));
  marks.forEach((m) => m.classList.add("focus"));
  if (scrollText && marks[0]) marks[0].scrollIntoView({ block: "center" });
}

$("wb-text").addEventListener("click", (e) => {
  const mark = e.target.closest("mark");
  if (mark && window.getSelection().isCollapsed) focusItem(mark.dataset.keys.split(" ")[0], false);
});

// --- select words to add an item ------------------------------------------------------------------------

let selection = null;
function offsetOf(node, offset) {
  const holder = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const seg = holder && holder.closest("[data-s]");
  return seg && $("wb-text").contains(seg) ? Number(seg.dataset.s) + (node.nodeType === Node.TEXT_NODE ? offset : 0) : null;
}

/** The selection widened to whole words, then by words until it occurs once in the body. */
export function uniqueQuote(text, start, end, lo, hi) {
  const word = /[\p{L}\p{N}’'-]/u;
  while (start > lo && word.test(text[start - 1])) start--;
  while (end < hi && word.test(text[end])) end++;
  const count = (q) => text.slice(lo, hi).split(q).length - 1;
  while (count(text.slice(start, end)) > 1 && (start > lo || end < hi)) {
    if (end < hi) { end++; while (end < hi && word.test(text[end])) end++; } else { start--; while (start > lo && word.test(text[start - 1])) start--; }
  }
  return { start, end, quote: text.slice(start, end).trim() };
}

function onSelect() {
  const sel = window.getSelection();
  if (!state.tree || sel.isCollapsed || !sel.rangeCount) return;
  const r = sel.getRangeAt(0);
  let a = offsetOf(r.startContainer, r.startOffset), b = offsetOf(r.endContainer, r.endOffset);
  if (a === null || b === null || a === b) return;
  if (a > b) [a, b] = [b, a];
  const body = state.spans.body || { start: 0, end: state.text.length };
  selection = uniqueQuote(state.text, Math.max(a, body.start), Math.min(b, body.end), body.start, body.end);
  if (!selection.quote) return;
  $("wb-new-quote").textContent = `“${selection.quote}”`;
  const box = $("wb-new"), rect = r.getBoundingClientRect();
  box.hidden = false;
  box.style.left = `${window.scrollX + rect.left}px`;
  box.style.top = `${window.scrollY + rect.bottom + 6}px`;
}
$("wb-text").addEventListener("mouseup", () => setTimeout(onSelect, 0));
$("wb-text").addEventListener("keyup", (e) => { if (e.shiftKey) onSelect(); });
$("wb-new-cancel").addEventListener("click", () => { $("wb-new").hidden = true; });

const slug = (s) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-")
  .replace(/^-|-$/g, "").split("-").slice(0, 6).join("-") || "item";
function freshId(base, section) {
  const taken = new Set([...(state.tree[section] || []), ...state.additions.places, ...state.additions.actors,
    ...(state.lookup ? [...state.lookup.places, ...state.lookup.actors] : [])].map((x) => x.id));
  let id = base, n = 2;
  while (taken.has(id)) id = `${base}-${n++}`;
  return id;
}

$("wb-new-add").addEventListener("click", () => {
  const kind = $("wb-new-kind").value, q = selection.quote;
  $("wb-new").hidden = true;
  window.getSelection().removeAllRanges();
  let key;
  if (kind.startsWith("shared-")) {
    const s = kind.slice(7), id = freshId(slug(q), s);
    state.additions[s].push({ id, type: s === "places" ? "Town" : "NonStateArmedGroup", label: q });
    (state.tree.mentions = state.tree.mentions || []).push({ entity: id, quote: q });
    key = `shared-${s}/${state.additions[s].length - 1}`;
  } else {
    const base = { places: { type: "Neighbourhood", label: q }, actors: { type: "NonStateArmedGroup", label: q },
      mentions: { entity: "" }, events: { type: "Event", label: q }, agreements: { type: "Ceasefire", label: q, status: "agreed" },
      casualties: { victims: "people", outcome: ["killed"], reportedBy: [] }, claims: { claimant: "", summary: q } }[kind];
    const item = kind === "mentions" ? { ...base, quote: q } : { id: freshId(slug(q), kind), ...base, quote: q };
    (state.tree[kind] = state.tree[kind] || []).push(item);
    key = `${kind}/${state.tree[kind].length - 1}`;
  }
  state.open = key;
  changed();
  focusItem(key, false);
});

// --- checking as you go, and saving --------------------------------------------------------------------

let timer = null;
function changed() {
  fillPickers();
  renderItems();
  renderText();
  document.body.dataset.checking = "yes";
  clearTimeout(timer);
  timer = setTimeout(() => { timer = null; check(); }, 300);
}

let inFlight = false, again = false;
async function check() {  // one check at a time; changes made meanwhile are checked right after it
  if (inFlight) { again = true; return; }
  inFlight = true; again = false;
  document.body.dataset.checking = "yes";
  try {
    const out = await call("POST", "/workbench/api/check", { name: state.name, text: state.text, tree: state.tree, entities: state.additions });
    Object.assign(state, { errors: out.errors, spans: out.spans });
    $("wb-yaml").textContent = out.yaml;
    $("wb-errors").replaceChildren(...out.errors.filter((e) => !e.item).map((e) => el("li", {}, `${e.file}:${e.line || ""} ${e.problem}`)));
  } catch (e) {
    $("wb-errors").replaceChildren(el("li", {}, e.message));
  } finally {
    inFlight = false;
    if (again) check();
    else if (!timer) { renderItems(); renderText(); document.body.dataset.checking = "no"; }
  }
}

$("wb-save").addEventListener("click", async () => {
  $("wb-result").replaceChildren("Saving…");
  try {
    const out = await call("PUT", `/workbench/api/articles/${encodeURIComponent(state.name)}`,
      { text: state.text, tree: state.tree, entities: state.additions, tag: state.tag });
    state.tag = out.tag;
    const triples = Object.values(out.triples).reduce((a, b) => a + b, 0);
    state.additions = { places: [], actors: [] };
    state.lookup = await call("GET", "/workbench/api/lookup");  // the new shared entities are shared now
    $("wb-result").replaceChildren(el("span", { class: "good" }, `Saved ${out.name} and loaded it: ${triples} triples. `),
      ...out.articles.map((a) => el("a", { href: url(`/article/${a}`) }, "Open the article's page")));
    changed();
  } catch (e) {
    const msg = e.status === 409 ? `Not saved — ${e.message}` : e.status === 422 ? `Not saved: ${e.message}` : e.message;
    $("wb-result").replaceChildren(el("span", { class: "bad" }, msg));
    if (e.body && e.body.errors) { state.errors = e.body.errors; renderItems(); }
  }
});

start();
