/* coupwatch dashboard, shared parts: state, number formats, fetching, DOM building, the
   tooltip and CSV downloads. Loaded first; the views are in overview.js, country.js,
   charts.js, backtest.js, sql.js and case.js, the routes in router.js.

   Every string from the server goes into the page as text (textContent, d3's .text()),
   never as HTML: a release name or a country name cannot become markup. */
"use strict";

const state = { region: "World", year: null, horizon: null, sortKey: "rank", sortDir: 1,
  search: "", health: null, regions: [], geo: {}, world: null, forecast: null,
  explainTimer: null, showAll: false, monthlyHorizon: 3 };
const fmtP = (p) => (p === null || p === undefined) ? "–"
  : p === 0 ? "0 %" : (p * 100 < 0.1 ? "<0.1 %" : `${(p * 100).toFixed(p < 0.1 ? 1 : 0)} %`);
/* a change in percentage points; one that rounds to zero is "0.0 pt", never "−0.0 pt" */
const fmtPP = (d) => (d === null || d === undefined) ? "–"
  : roundsToZero(d) ? "0.0 pt" : `${d >= 0 ? "+" : "−"}${Math.abs(d * 100).toFixed(1)} pt`;
function roundsToZero(d) { return Math.abs(d * 100).toFixed(1) === "0.0"; }
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const fmtMonth = (year, month) => `${MONTHS[month - 1]} ${year}`;
const RISK_BINS = [0.005, 0.01, 0.02, 0.05, 0.1];
const RISK_COLORS = ["#fff5eb", "#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#8c2d04"];
const riskColor = (p) => RISK_COLORS[d3.bisect(RISK_BINS, p)];

async function getJSON(url) {
  const r = await fetch(url);
  if (!r.ok && r.status !== 202) {
    let msg = `${r.status}`;
    try { msg = (await r.json()).detail || msg; } catch (e) { /* not JSON */ }
    const err = new Error(msg);
    err.status = r.status;
    throw err;
  }
  return { status: r.status, body: await r.json() };
}
const api = async (url) => (await getJSON(url)).body;

/* el("td", {className: "num", dataset: {iso3: "MLI"}}, "text", childNode, ...): a DOM node
   whose strings are text nodes. Properties go on the node (className, href, title, hidden,
   ...), ``dataset`` into data-* attributes. */
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") Object.assign(node.style, value);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}
const countryLink = (d, text) => el("a", { href: `#/country/${encodeURIComponent(d.iso3)}` },
  text === undefined ? d.country : text);

/* ---------- tooltip: a title line and lines of text ---------- */
const tip = {
  el: null,
  show(title, lines, event) {
    this.el = this.el || document.getElementById("tooltip");
    this.el.replaceChildren(el("b", null, title),
      ...lines.flatMap((line) => [el("br"), line instanceof Node ? line : String(line)]));
    this.el.hidden = false;
    this.move(event);
  },
  move(event) {
    if (!this.el) return;
    const x = Math.min(event.clientX + 14, window.innerWidth - 290);
    this.el.style.left = `${x}px`; this.el.style.top = `${event.clientY + 14}px`;
  },
  hide() { if (this.el) this.el.hidden = true; },
};

/* ---------- CSV ---------- */
function csvField(value) {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
const csvText = (header, rows) =>
  [header, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
function downloadText(name, text, type = "text/csv") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
const pct = (p, digits = 2) => (p === null || p === undefined) ? null : +(100 * p).toFixed(digits);
