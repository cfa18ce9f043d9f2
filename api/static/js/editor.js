// The SPARQL editor: CodeMirror with SPARQL highlighting, prefixes pre-filled, examples; results from
// POST /sparql as a table (SELECT), a yes/no (ASK) or Turtle (CONSTRUCT, DESCRIBE); a syntax error
// (the endpoint's 400, with the parser's message) shown under the editor and marked where it points.
import { basicSetup, EditorView, EditorState, Prec, keymap, StreamLanguage, sparql, turtle, setDiagnostics, lintGutter }
  from "../vendor/codemirror/codemirror.js";
import { el, url, Problem, renderTable, fromSparqlJson, showProblem, spinner } from "./common.js";

const box = document.getElementById("editor");
const results = document.getElementById("results");
const status = document.getElementById("status");
const downloads = document.getElementById("downloads");
const runButton = document.getElementById("run");
const PREFIXES = box.dataset.prefixes;
const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";

const given = new URLSearchParams(location.search).get("query");
const view = new EditorView({
  parent: box,
  state: EditorState.create({
    doc: given || `${PREFIXES}\n${box.dataset.example}\n`,
    extensions: [
      Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => { run(); return true; } }])),
      basicSetup, StreamLanguage.define(sparql), lintGutter(), EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "aria-label": "SPARQL query" }),
    ],
  }),
});
window.kgEditor = view;  // for the browser tests (and the curious)

function setQuery(text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  view.focus();
}

for (const b of document.querySelectorAll(".examples button[data-query]")) {
  b.addEventListener("click", () => { setQuery(`${PREFIXES}\n${b.dataset.query}\n`); run(); });
}
document.getElementById("reset").addEventListener("click", () => {
  const body = view.state.doc.toString().replace(/^(\s*(PREFIX|BASE)\b[^\n]*\n)*/i, "").trimStart();
  setQuery(`${PREFIXES}\n${body}`);
});
runButton.addEventListener("click", () => run());

function blobLink(text, type, name, label) {
  return el("a", { class: "button", href: URL.createObjectURL(new Blob([text], { type })), download: name }, label);
}

function toCsv(columns, rows) {
  const q = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [columns.join(","), ...rows.map((r) => columns.map((c) => q(r[c])).join(","))].join("\r\n") + "\r\n";
}

function markError(pos) {
  const doc = view.state.doc;
  if (!pos || pos.line < 1) return;
  const line = doc.line(Math.min(pos.line, doc.lines));
  const at = Math.min(line.from + Math.max(pos.column - 1, 0), line.to);
  let from = at, to = Math.min(at + 1, line.to);
  if (from === to || /\s/.test(doc.sliceString(from, to))) {  // past a word: mark the word the parser stopped after
    const before = doc.sliceString(line.from, at);
    const word = /\S+\s*$/.exec(before);
    from = word ? line.from + word.index : Math.max(line.from, at - 1);
    to = word ? line.from + word.index + word[0].trimEnd().length : at;
  }
  if (from === to) to = Math.min(to + 1, doc.length);
  view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message: "the parser stopped here" }]),
                { selection: { anchor: from }, scrollIntoView: true });
}

async function run() {
  const query = view.state.doc.toString();
  view.dispatch(setDiagnostics(view.state, []));
  history.replaceState(null, "", `${location.pathname}?${new URLSearchParams({ query })}`);
  runButton.disabled = true;
  downloads.replaceChildren();
  status.replaceChildren(spinner("running…"));
  const started = performance.now();
  try {
    const r = await fetch(url("/sparql"), { method: "POST", body: new URLSearchParams({ query }),
                                           headers: { accept: ACCEPT } });
    const type = (r.headers.get("content-type") || "").split(";")[0];
    if (!r.ok) throw new Problem(await r.json().catch(() => ({ detail: `HTTP ${r.status}` })), r.status);
    const ms = Math.round(performance.now() - started);
    if (type === "text/turtle") {
      const text = await r.text();
      const triples = text.split("\n").filter((l) => /[.;,]\s*$/.test(l) && !/^@prefix/i.test(l)).length;
      status.replaceChildren(el("div", { class: "results-head" }, el("span", { class: "count" }, `RDF: about ${triples} triples`),
        el("span", { class: "muted small" }, `${ms} ms`)));
      downloads.append(blobLink(text, "text/turtle", "result.ttl", "⬇ Turtle"));
      const out = el("div", { class: "editor-box turtle-out", id: "turtle" });
      results.replaceChildren(out);
      new EditorView({ parent: out, state: EditorState.create({ doc: text, extensions: [basicSetup, StreamLanguage.define(turtle),
        EditorState.readOnly.of(true), EditorView.lineWrapping] }) });
      return;
    }
    const data = await r.json();
    if ("boolean" in data) {
      status.replaceChildren(el("div", { class: "results-head" }, el("span", { class: "count" }, "ASK"), el("span", { class: "muted small" }, `${ms} ms`)));
      results.replaceChildren(el("div", { class: "card answer", id: "answer" }, data.boolean ? "Yes ✓" : "No ✗"));
      return;
    }
    const { columns, rows } = fromSparqlJson(data);
    status.replaceChildren(el("div", { class: "results-head" }, el("span", { class: "count", id: "row-count" },
      `${rows.length} row${rows.length === 1 ? "" : "s"}`), el("span", { class: "muted small" }, `${ms} ms`)));
    downloads.append(blobLink(toCsv(columns, rows), "text/csv", "result.csv", "⬇ CSV"), " ",
                     blobLink(JSON.stringify(data, null, 1), "application/sparql-results+json", "result.srj", "⬇ JSON"));
    const shown = rows.slice(0, 2000);
    const table = el("div", { id: "result-table" });
    results.replaceChildren(table);
    if (!rows.length) table.append(el("p", { class: "muted" }, "No rows."));
    else renderTable(table, columns, shown, { everyColumn: true });  // every column the query names, none hidden
    if (rows.length > shown.length) results.append(el("p", { class: "muted" }, `The first ${shown.length} rows are shown; download them all as CSV or JSON.`));
  } catch (e) {
    results.replaceChildren();
    const pos = showProblem(status, e, e instanceof Problem && e.status === 400 ? "The query is wrong" : "The query failed");
    if (/Prefix not found/i.test(e.message)) status.querySelector(".problem").append(el("p", { class: "small" },
      "A prefix the query uses is not declared: use one of those at the top, or add a PREFIX line."));
    markError(pos);
  } finally {
    runButton.disabled = false;
  }
}

run();  // the query from the URL, or the first example: results at once
