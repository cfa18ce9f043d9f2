// An article's page: its text with every quoted passage highlighted. Clicking a highlight lists what
// it states (linked); ?focus=<IRI> marks the passages that quote that fact or entity, and scrolls there.
import { el } from "./common.js";

const facts = JSON.parse(document.getElementById("facts").textContent);
const text = document.getElementById("article-text");
const reading = document.getElementById("reading");
const KIND = { event: "event", agreement: "agreement", figure: "figure", claim: "claim", position: "position", place: "place", actor: "actor" };
let popover = null;

function close() { if (popover) { popover.remove(); popover = null; } }

text.addEventListener("click", (e) => {
  const mark = e.target.closest("mark[data-facts]");
  close();
  if (!mark || (reading.classList.contains("hide-names") && /k-(place|actor)/.test(mark.className))) return;
  e.stopPropagation();
  const items = mark.dataset.facts.split(" ").map((iri) => facts[iri]).filter(Boolean)
    .sort((a, b) => (a.kind === "place" || a.kind === "actor") - (b.kind === "place" || b.kind === "actor"));
  popover = el("div", { class: "popover", role: "dialog", "aria-label": "What this passage states" },
    el("ul", {}, items.map((f) => el("li", {}, el("span", { class: "kind-tag" }, KIND[f.kind] || f.kind), el("a", { href: f.href }, f.label)))));
  document.body.append(popover);
  const r = mark.getBoundingClientRect();
  popover.style.left = `${Math.max(8, Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - popover.offsetWidth - 8))}px`;
  popover.style.top = `${window.scrollY + r.bottom + 6}px`;
});
document.addEventListener("click", (e) => { if (popover && !popover.contains(e.target)) close(); });
document.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });

document.getElementById("show-names").addEventListener("change", (e) => reading.classList.toggle("hide-names", !e.target.checked));

const focus = new URLSearchParams(location.search).get("focus");
if (focus) {
  const marks = [...text.querySelectorAll("mark[data-facts]")].filter((m) => m.dataset.facts.split(" ").includes(focus));
  for (const m of marks) m.classList.add("focus");
  const target = (location.hash && document.getElementById(location.hash.slice(1))) || marks[0];
  if (target) target.scrollIntoView({ block: "center" });
}
