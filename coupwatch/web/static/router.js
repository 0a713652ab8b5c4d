/* coupwatch dashboard: start-up and routes. Every view has a URL, restored on load and on
   back/forward: #/ and #/region/ECOWAS?year=2021 (or ?horizon=3), #/country/MLI, #/sources,
   #/backtest, #/sql?q=..., #/case/mali. Loaded last. */
"use strict";

const VIEWS = ["overview", "country", "sources", "backtest", "sql", "case"];

function parseHash(hash) {
  const [path, query] = hash.replace(/^#/, "").split("?");
  const q = new URLSearchParams(query || "");
  let m;
  if ((m = path.match(/^\/country\/([A-Za-z]{3})$/))) return { view: "country", iso3: m[1].toUpperCase() };
  if ((m = path.match(/^\/case\/([A-Za-z-]+)$/))) return { view: "case", name: m[1] };
  if (path === "/sources") return { view: "sources" };
  if (path === "/backtest") return { view: "backtest" };
  if (path === "/sql") return { view: "sql" };
  let region = "World";
  if ((m = path.match(/^\/region\/(.+)$/))) {
    try { region = decodeURIComponent(m[1]); } catch (e) { region = m[1]; }
  }
  return { view: "overview", region, year: q.has("year") ? +q.get("year") : null,
    horizon: q.has("horizon") ? +q.get("horizon") : null };
}

async function route() {
  const where = parseHash(location.hash || "#/");
  const notice = document.getElementById("notice");
  notice.hidden = true;
  try { await show(where); } catch (e) { notice.textContent = `Could not show this page: ${e.message}`; notice.hidden = false; }
}

async function show(where) {
  for (const name of VIEWS) document.getElementById(name).hidden = name !== where.view;
  if (state.explainTimer) { clearTimeout(state.explainTimer); state.explainTimer = null; }
  window.scrollTo(0, 0);
  if (where.view === "country") await showCountry(where.iso3);
  else if (where.view === "sources") await showSources();
  else if (where.view === "backtest") await showBacktest();
  else if (where.view === "sql") showSql();  // sql.js
  else if (where.view === "case") showCase(where.name);  // case.js
  else await showOverview(where);
}

async function showSources() {
  const data = await api("/api/sources");
  const head = ["Source", "Publisher", "Licence", "File", "Release", "Years", "Rows", "SHA-256"];
  document.getElementById("sourcetable").replaceChildren(
    el("thead", null, el("tr", null, head.map((h) => el("th", null, h)))),
    el("tbody", null, data.sources.map((s) => el("tr", { dataset: { source: s.source } },
      el("td", null, s.name || s.source), el("td", null, s.publisher || ""), el("td", { className: "licence" }, s.licence || ""),
      el("td", null, s.file), el("td", null, s.release || ""), el("td", { className: "years" }, `${s.year_min ?? ""}–${s.year_max ?? ""}`),
      el("td", { className: "num" }, (s.rows ?? 0).toLocaleString()), el("td", null, el("code", null, (s.sha256 || "").slice(0, 12)))))));
  const left = (flag, inputs, run) => (flag == null ? `no ${run} run yet` : flag ? `yes: ${inputs}` : "no");
  document.getElementById("freshtable").replaceChildren(
    el("thead", null, el("tr", null, ["Source", "Covered through", "Left out of the yearly forecast",
      "Left out of the monthly forecast"].map((h) => el("th", null, h)))),
    el("tbody", null, (data.freshness || []).map((f) => el("tr", { dataset: { source: f.source } },
      el("td", null, f.title || f.source), el("td", null, f.covered_through || ""),
      el("td", { className: "leftout" }, left(f.left_out, f.left_out_inputs, "forecast")),
      el("td", { className: "leftout" }, left(f.left_out_monthly, f.left_out_monthly_inputs, "monthly"))))));
  document.getElementById("sources").dataset.loaded = "true";
}

async function start() {
  const [health, regions, geo, world] = await Promise.all([
    api("/api/health"), api("/api/regions"), api("/api/geo"),
    fetch("/static/vendor/countries-110m.json").then((r) => r.json())]);
  Object.assign(state, { health, regions: regions.regions, geo, world, year: health.target_year });
  const monthly = health.monthly_run ? ` · monthly run ${health.monthly_run.run_id} from ${health.monthly_run.origin}` : "";
  document.getElementById("runinfo").textContent = health.forecast_run
    ? `Forecast for ${health.target_year} · model ${health.model} · run ${health.forecast_run}${monthly} · coup events: Powell & Thyne ${health.events_release}`
    : `No forecast stored yet (run coupwatch forecast) · coup events: Powell & Thyne ${health.events_release}`;
  document.querySelectorAll(".modelname").forEach((e) => { e.textContent = health.model; });
  wireOverview();
  wireCountry();
  window.addEventListener("hashchange", () => route());
  await route();
}

document.addEventListener("DOMContentLoaded", () => start().catch((e) => {
  document.getElementById("runinfo").textContent = `Could not load data: ${e.message}`;
}));
