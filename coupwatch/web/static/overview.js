/* coupwatch dashboard: the overview (map, lists, ranked table) of a region, for next year, a
   past year (backtest) or the next 3 or 12 months. Its state lives in the URL:
   #/region/ECOWAS?year=2021, #/?horizon=3 (router.js calls showOverview). */
"use strict";

const COLUMNS = {
  year: () => [
    { key: "rank", label: "Rank", num: true },
    { key: "country", label: "Country" },
    { key: "region", label: "Region" },
    { key: "p_attempt", label: "P(attempt)", num: true, pct: true, bar: true },
    { key: "p_coup", label: "P(coup)", num: true, pct: true },
    { key: "p_failed", label: "P(failed)", num: true, pct: true },
    { key: "change", label: "Change", num: true, pp: true },
    { key: "observed_attempt", label: "Happened", happened: true },
  ],
  month: (h) => [
    { key: "rank", label: "Rank", num: true },
    { key: "country", label: "Country" },
    { key: "region", label: "Region" },
    { key: "p_attempt", label: `P(attempt), ${h} mo`, num: true, pct: true, bar: true },
    { key: "p_coup", label: `P(coup), ${h} mo`, num: true, pct: true },
    ...[1, 3, 6, 12].filter((m) => m !== h).map((m) => ({ key: `p_attempt_${m}m`, label: `P(attempt), ${m} mo`, num: true, pct: true })),
    { key: "change", label: "Change, 3 mo", num: true, pp: true },
  ],
};
const columns = () => state.horizon ? COLUMNS.month(state.horizon) : [...COLUMNS.year(),
  ...(state.region === "World" ? [] : [{ key: "status", label: "Member status", status: true }])];

function overviewHash(region, year, horizon) {
  const q = new URLSearchParams();
  if (horizon) q.set("horizon", horizon);
  else if (year && year !== state.health.target_year) q.set("year", year);
  const base = region === "World" ? "#/" : `#/region/${encodeURIComponent(region)}`;
  return q.toString() ? `${base}?${q}` : base;
}
const go = (changes) => {
  const next = { region: state.region, year: state.year, horizon: state.horizon, ...changes };
  location.hash = overviewHash(next.region, next.year, next.horizon);
};

function wireOverview() {
  const health = state.health;
  const regionSel = document.getElementById("region");
  for (const r of state.regions) regionSel.add(new Option(r.name, r.name));
  regionSel.addEventListener("change", () => go({ region: regionSel.value }));
  const yearSel = document.getElementById("year");
  for (const y of [...health.years].reverse()) {
    yearSel.add(new Option(y === health.target_year ? `${y} (forecast)` : `${y} (backtest)`, y));
  }
  yearSel.addEventListener("change", () => go({ year: +yearSel.value, horizon: null }));
  document.querySelectorAll("#unit button").forEach((b) => {
    if (b.dataset.horizon && !health.monthly_run) {
      b.disabled = true; b.title = "No monthly forecast stored: run `coupwatch forecast --unit month`";
    }
    b.addEventListener("click", () => go({ horizon: b.dataset.horizon ? +b.dataset.horizon : null }));
  });
  document.getElementById("search").addEventListener("input", (e) => {
    state.search = e.target.value.toLowerCase(); renderTable(); });
  document.getElementById("showall").addEventListener("click", () => { state.showAll = true; renderTable(); });
  document.getElementById("rankedcsv").addEventListener("click", downloadRanked);
}

/* Called by the router with the state in the URL; loads what changed. */
async function showOverview(wanted) {
  const health = state.health;
  const notice = document.getElementById("notice");
  let region = wanted.region;
  if (!state.regions.some((r) => r.name === region)) {
    notice.textContent = `Unknown region "${region}": showing the world.`; notice.hidden = false; region = "World";
  }
  const horizon = [1, 3, 6, 12].includes(wanted.horizon) && health.monthly_run ? wanted.horizon : null;
  const year = health.years.includes(wanted.year) ? wanted.year : health.target_year;
  const changed = !state.forecast || region !== state.region || year !== state.year || horizon !== state.horizon;
  Object.assign(state, { region, year, horizon });
  document.getElementById("region").value = region;
  const yearSel = document.getElementById("year");
  yearSel.value = year; yearSel.disabled = !!horizon;
  document.querySelectorAll("#unit button").forEach((b) => b.setAttribute("aria-pressed",
    String((+b.dataset.horizon || null) === horizon)));
  if (changed) await refresh(); else renderMap();
}

async function refresh() {
  const q = new URLSearchParams();
  if (state.horizon) { q.set("unit", "month"); q.set("horizon", state.horizon); } else q.set("year", state.year);
  if (state.region !== "World") q.set("region", state.region);
  const sq = new URLSearchParams({ limit: 8 });
  if (state.region !== "World") sq.set("region", state.region);
  let forecast, surprises;
  try {
    [forecast, surprises] = await Promise.all([api(`/api/forecasts?${q}`), api(`/api/surprises?${sq}`)]);
  } catch (e) {
    document.getElementById("maptitle").textContent = `No forecast to show: ${e.message}`;
    document.body.dataset.loaded = "true";
    return;
  }
  state.forecast = forecast; state.showAll = false;
  const monthly = !!state.horizon, past = forecast.kind === "backtest";
  const where = state.region;
  document.getElementById("maptitle").textContent = monthly
    ? `Risk of a coup attempt in the next ${state.horizon} months (${forecast.window}) — ${where}`
    : `Risk of a coup attempt in ${forecast.year}${past ? " (backtest forecast)" : ""} — ${where}`;
  document.getElementById("tabletitle").textContent =
    `Ranked list, ${monthly ? `next ${state.horizon} months` : forecast.year} — ${where} (${forecast.count} states)`;
  document.getElementById("yearhint").textContent = monthly
    ? `Monthly model (${forecast.run.model}), from the end of ${forecast.origin}, the newest month of coup data.`
    : past ? "Past year: our out-of-sample forecast made with data through the year before; outlined countries had a coup attempt."
      : "Next year's forecast.";
  document.getElementById("mapnote").textContent = monthly
    ? forecast.about + " Map: Natural Earth via world-atlas."
    : "Probability of at least one coup attempt (successful or failed) in the year, from data known by the end of the previous year. Past years: out-of-sample backtest. Sources: coupwatch model; Powell & Thyne coups; map: Natural Earth via world-atlas.";
  document.getElementById("moverstitle").textContent = monthly ? "vs last month's 3-month risk" : "vs last year's forecast";
  buildHeader(); renderMap(); renderLists(surprises); renderTable();
  showRegionRisk(forecast.year);  // not awaited: the page is usable before it arrives
  if (window.firstDataMs === undefined) window.firstDataMs = performance.now();
  document.body.dataset.loaded = "true";
}

/* The chance of at least one attempt in the selected region (GET /api/region/{name}). */
async function showRegionRisk(year) {
  const box = document.getElementById("regionrisk");
  box.hidden = state.region === "World" || !!state.horizon;
  delete box.dataset.region;
  if (box.hidden) return;
  const region = state.region;
  const response = await fetch(`/api/region/${encodeURIComponent(region)}?year=${year}`);
  if (region !== state.region) return;  // the user picked another region meanwhile
  const r = await response.json();
  if (!response.ok) { box.textContent = r.detail; return; }
  const p = (v) => `${(100 * v).toFixed(1)} %`;
  box.textContent = !r.members.length ? `${r.region} had no members in ${r.year}.`
    : `P(at least one attempt in ${r.year} among ${r.members.length} members of ${r.region}) = ` +
      `${p(r.p_any_attempt)} if members are independent; whatever the dependence, between ` +
      `${p(r.bounds[0])} and ${p(r.bounds[1])}.` + (r.base_rate.years ? ` ${r.base_rate.years_with_attempt} ` +
      `of the last ${r.base_rate.years} years had one.` : "");
  box.dataset.region = r.region;
  /* a member's standing that year (e.g. "suspended"), as the API gives it, in the table */
  const status = new Map(r.members.map((m) => [m.iso3, m.status || ""]));
  for (const d of state.forecast.items) d.status = status.get(d.iso3) || "";
  renderTable();
}

/* ---------- map ---------- */
function renderMap() {
  const box = document.getElementById("map");
  if (!state.forecast || !box.clientWidth) return;
  const width = box.clientWidth, height = Math.round(width / 1.9);
  const features = topojson.feature(state.world, state.world.objects.countries).features
    .filter((f) => f.id !== "010");  // Antarctica
  const byIso = new Map(state.forecast.items.map((d) => [d.iso3, d]));
  const region = state.regions.find((r) => r.name === state.region);
  const members = state.region === "World" || !region ? null : new Set(region.members);
  for (const f of features) { f.iso3 = (state.geo[String(f.id).padStart(3, "0")] || {}).iso3; }
  const focus = members ? features.filter((f) => members.has(f.iso3)) : [];
  const projection = d3.geoNaturalEarth1();
  if (focus.length) projection.fitExtent([[10, 10], [width - 10, height - 10]], { type: "FeatureCollection", features: focus });
  else projection.fitExtent([[4, 4], [width - 4, height - 4]], { type: "Sphere" });
  const path = d3.geoPath(projection);
  const svg = d3.select(box).selectAll("svg").data([null]).join("svg")
    .attr("viewBox", `0 0 ${width} ${height}`).attr("role", "img").attr("aria-label", "World map of coup risk");
  svg.selectAll("*").remove();
  svg.append("path").attr("class", "sphere").attr("d", path({ type: "Sphere" }));
  const shown = (f) => byIso.has(f.iso3) && (!members || members.has(f.iso3));
  svg.append("g").selectAll("path").data(features).join("path")
    .attr("class", (f) => {
      const inRegion = !members || members.has(f.iso3), d = byIso.get(f.iso3);
      return `country${inRegion ? "" : " out"}${inRegion && !d ? " nodata" : ""}` +
        (inRegion && d && d.observed_attempt === 1 ? " happened" : "");
    })
    .attr("data-iso3", (f) => f.iso3 || "")
    .attr("d", path)
    .attr("fill", (f) => shown(f) ? riskColor(byIso.get(f.iso3).p_attempt) : null)
    .on("mousemove", (event, f) => {
      const d = byIso.get(f.iso3);
      if (!d) { tip.show(f.properties.name, [members && !members.has(f.iso3) ? "outside the selected region" : "no forecast"], event); return; }
      tip.show(`${d.country} (${d.iso3})`, [`P(attempt) ${fmtP(d.p_attempt)} · rank ${d.rank} of ${state.forecast.of}`,
        `P(coup) ${fmtP(d.p_coup)}${state.horizon ? "" : ` · P(failed) ${fmtP(d.p_failed)}`}`, `change ${fmtPP(d.change)}`,
        ...(d.observed_attempt === null || d.observed_attempt === undefined ? [] : [`happened: ${d.observed_attempt ? "coup attempt" : "no attempt"}`])], event);
    })
    .on("mouseleave", () => tip.hide())
    .on("click", (event, f) => { if (shown(f)) location.hash = `#/country/${f.iso3}`; });
  svg.selectAll("path.happened").raise();  // outlines drawn over their neighbours
  const labels = ["< 0.5 %", "0.5–1 %", "1–2 %", "2–5 %", "5–10 %", "≥ 10 %"];
  const swatch = (color, cls = "") => el("span", { className: `sw ${cls}`, style: color ? { background: color } : null });
  document.getElementById("legend").replaceChildren(el("b", null, "P(attempt)"),
    ...labels.map((l, i) => el("span", null, swatch(RISK_COLORS[i]), l)),
    el("span", null, swatch("#d7dbe0"), "no forecast"),
    state.forecast.kind === "backtest" ? el("span", null, swatch(null, "happened"), "coup attempt that year") : "");
}

/* ---------- lists ---------- */
const item = (d, value, cls = "") => el("li", null, countryLink(d), el("span", { className: `v ${cls}` }, value));
const listOr = (id, nodes, empty) => document.getElementById(id).replaceChildren(...(nodes.length ? nodes : [el("li", null, empty)]));
function renderLists(surprises) {
  const items = state.forecast.items;
  listOr("toprisks", items.slice(0, 8).map((d) => item(d, `${fmtP(d.p_attempt)} · #${d.rank}`)), "none");
  const moved = items.filter((d) => d.change !== null && d.change !== undefined && !roundsToZero(d.change));
  const none = state.horizon && state.horizon !== 3 ? "shown for the 3-month risk" : "none";
  listOr("rising", [...moved].sort((a, b) => b.change - a.change).filter((d) => d.change > 0).slice(0, 5)
    .map((d) => item(d, fmtPP(d.change), "up")), none);
  listOr("falling", [...moved].sort((a, b) => a.change - b.change).filter((d) => d.change < 0).slice(0, 5)
    .map((d) => item(d, fmtPP(d.change), "down")), none);
  document.getElementById("surprisestitle").textContent =
    `attempts our forecast ranked outside the top ${surprises.outside_top}, lowest first`;
  listOr("surprises", surprises.items.map((d) => el("li", null, countryLink(d, `${d.country} ${d.year}`),
    el("span", { className: "v" }, `${d.events.map((e) => e.kind === "successful" ? "coup" : "failed").join(", ")} · ` +
      `${fmtP(d.p_attempt)}, #${d.rank}/${d.of}`))), "none in the stored backtest");
}

/* ---------- table ---------- */
function buildHeader() {
  const row = el("tr", null, columns().map((c) => {
    const th = el("th", { className: c.num ? "num" : "", dataset: { key: c.key } }, c.label);
    th.addEventListener("click", () => {
      const text = c.key === "country" || c.key === "region" || c.key === "rank";
      state.sortDir = state.sortKey === c.key ? -state.sortDir : (text ? 1 : -1);
      state.sortKey = c.key; renderTable();
    });
    return th;
  }));
  document.querySelector("#ranked thead").replaceChildren(row);
  if (!columns().some((c) => c.key === state.sortKey)) { state.sortKey = "rank"; state.sortDir = 1; }
}

/* The rows as the table shows them: filtered by the search box, in the chosen order. */
function visibleRows() {
  const { sortKey, sortDir } = state;
  let rows = state.forecast.items;
  if (state.search) rows = rows.filter((d) => `${d.country} ${d.iso3} ${d.region}`.toLowerCase().includes(state.search));
  return [...rows].sort((a, b) => {
    const x = a[sortKey], y = b[sortKey];
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
  });
}

function cell(c, d, max) {
  const v = d[c.key];
  if (c.key === "country") return el("td", null, countryLink(d));
  if (c.status) return el("td", { className: "status" }, v || "");
  if (c.happened) return el("td", null, v === null || v === undefined ? "" : v ? el("b", { className: "up" }, "attempt") : "–");
  if (c.pct) return el("td", { className: "num" }, fmtP(v),
    c.bar ? el("span", { className: "bar", style: { width: `${Math.round(60 * (v || 0) / max)}px` } }) : null);
  if (c.pp) return el("td", { className: `num ${v >= 5e-4 ? "up" : v <= -5e-4 ? "down" : ""}` }, fmtPP(v));
  return el("td", { className: c.num ? "num" : "" }, v === null || v === undefined ? "" : v);
}

function renderTable() {
  let rows = visibleRows();
  document.querySelectorAll("#ranked th").forEach((th) => {
    th.classList.toggle("sorted-asc", th.dataset.key === state.sortKey && state.sortDir === 1);
    th.classList.toggle("sorted-desc", th.dataset.key === state.sortKey && state.sortDir === -1);
  });
  const max = d3.max(state.forecast.items, (d) => d.p_attempt) || 1;
  const more = document.getElementById("showall");
  more.hidden = state.showAll || rows.length <= 25;
  more.textContent = `Show all ${rows.length} states`;
  document.getElementById("rankedcsv").textContent = `Download CSV (${rows.length} rows)`;
  if (!state.showAll) rows = rows.slice(0, 25);
  document.querySelector("#ranked tbody").replaceChildren(...rows.map((d) => {
    const tr = el("tr", { dataset: { iso3: d.iso3 } }, columns().map((c) => cell(c, d, max)));
    tr.addEventListener("click", (e) => { if (e.target.tagName !== "A") location.hash = `#/country/${d.iso3}`; });
    return tr;
  }));
}

/* The ranked list as CSV: every row the filter keeps (not only the first 25 on screen), in
   the table's order and columns; probabilities in %, changes in percentage points. */
function downloadRanked() {
  const cols = columns();
  const header = cols.map((c) => c.pct ? `${c.label} (%)` : c.pp ? `${c.label} (pt)` : c.label);
  const rows = visibleRows().map((d) => cols.map((c) => {
    const v = d[c.key];
    if (c.pct || c.pp) return pct(v, 4);
    if (c.happened) return v === null || v === undefined ? "" : v ? "attempt" : "none";
    return v;
  }));
  const what = state.horizon ? `next-${state.horizon}-months` : state.year;
  const name = `coupwatch-${state.region}-${what}${state.search ? "-filtered" : ""}.csv`.replace(/[^A-Za-z0-9.-]+/g, "-");
  downloadText(name, csvText(header, rows));
}
