/* coupwatch dashboard: d3 + topojson, all files served by the coupwatch server. */
"use strict";

const state = { region: "World", year: null, sortKey: "rank", sortDir: 1, search: "",
  health: null, regions: [], geo: {}, world: null, forecast: null, explainTimer: null };
const fmtP = (p) => (p === null || p === undefined) ? "–" : (p * 100 < 0.1 ? "<0.1 %" : `${(p * 100).toFixed(p < 0.1 ? 1 : 0)} %`);
const fmtPP = (d) => (d === null || d === undefined) ? "–"
  : Math.abs(d * 100) < 0.05 ? "0.0 pt" : `${d >= 0 ? "+" : "−"}${Math.abs(d * 100).toFixed(1)} pt`;
const RISK_BINS = [0.005, 0.01, 0.02, 0.05, 0.1];
const RISK_COLORS = ["#fff5eb", "#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#8c2d04"];
const riskColor = (p) => RISK_COLORS[d3.bisect(RISK_BINS, p)];

async function getJSON(url) {
  const r = await fetch(url);
  if (!r.ok && r.status !== 202) {
    let msg = `${r.status}`;
    try { msg = (await r.json()).detail || msg; } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  return { status: r.status, body: await r.json() };
}
const api = async (url) => (await getJSON(url)).body;

/* ---------- tooltip ---------- */
const tip = {
  el: null,
  show(html, event) {
    this.el = this.el || document.getElementById("tooltip");
    this.el.innerHTML = html; this.el.hidden = false; this.move(event);
  },
  move(event) {
    if (!this.el) return;
    const x = Math.min(event.clientX + 14, window.innerWidth - 290);
    this.el.style.left = `${x}px`; this.el.style.top = `${event.clientY + 14}px`;
  },
  hide() { if (this.el) this.el.hidden = true; },
};

/* ---------- start ---------- */
async function start() {
  const [health, regions, geo, world] = await Promise.all([
    api("/api/health"), api("/api/regions"), api("/api/geo"),
    fetch("/static/vendor/countries-110m.json").then((r) => r.json())]);
  state.health = health; state.regions = regions.regions; state.geo = geo; state.world = world;
  state.year = health.target_year;
  document.getElementById("runinfo").textContent =
    `Forecast for ${health.target_year} · model ${health.model} · run ${health.forecast_run} · coup events: Powell & Thyne ${health.events_release}`;
  document.querySelectorAll(".modelname").forEach((e) => { e.textContent = health.model; });
  const regionSel = document.getElementById("region");
  for (const r of state.regions) regionSel.add(new Option(r.name, r.name));
  regionSel.addEventListener("change", () => { state.region = regionSel.value; refresh(); });
  const yearSel = document.getElementById("year");
  for (const y of [...health.years].reverse()) {
    yearSel.add(new Option(y === health.target_year ? `${y} (forecast)` : `${y} (backtest)`, y));
  }
  yearSel.addEventListener("change", () => { state.year = +yearSel.value; refresh(); });
  document.getElementById("search").addEventListener("input", (e) => {
    state.search = e.target.value.toLowerCase(); renderTable(); });
  document.querySelectorAll("#ranked th").forEach((th) => th.addEventListener("click", () => {
    const key = th.dataset.key;
    state.sortDir = state.sortKey === key ? -state.sortDir : (key === "country" || key === "region" || key === "rank" ? 1 : -1);
    state.sortKey = key; renderTable();
  }));
  document.getElementById("showall").addEventListener("click", () => { state.showAll = true; renderTable(); });
  window.addEventListener("hashchange", route);
  await refresh();
  route();
}

async function refresh() {
  const q = new URLSearchParams({ year: state.year });
  if (state.region !== "World") q.set("region", state.region);
  const sq = new URLSearchParams({ limit: 8 });
  if (state.region !== "World") sq.set("region", state.region);
  const [forecast, surprises] = await Promise.all([api(`/api/forecasts?${q}`), api(`/api/surprises?${sq}`)]);
  state.forecast = forecast;
  const past = forecast.kind === "backtest";
  document.getElementById("maptitle").textContent =
    `Risk of a coup attempt in ${forecast.year}${past ? " (backtest forecast)" : ""} — ${forecast.region}`;
  document.getElementById("tabletitle").textContent = `Ranked list, ${forecast.year} — ${forecast.region} (${forecast.count} states)`;
  document.getElementById("yearhint").textContent = past
    ? "Past year: our out-of-sample forecast made with data through the year before; outlined countries had a coup attempt."
    : "Next year's forecast.";
  renderMap(); renderLists(surprises); renderTable();
  showRegionRisk(forecast.year);  // not awaited: the page is usable before it arrives
  if (window.firstDataMs === undefined) window.firstDataMs = performance.now();
  document.body.dataset.loaded = "true";
}

/* The chance of at least one attempt in the selected region (GET /api/region/{name}). */
async function showRegionRisk(year) {
  const box = document.getElementById("regionrisk");
  box.hidden = state.region === "World";
  if (box.hidden) return;
  const region = state.region;
  const response = await fetch(`/api/region/${encodeURIComponent(region)}?year=${year}`);
  if (region !== state.region) return;  // the user picked another region meanwhile
  const r = await response.json();
  if (!response.ok) { box.textContent = r.detail; return; }
  const pct = (v) => `${(100 * v).toFixed(1)} %`;
  box.textContent = `P(at least one attempt in ${r.year} among ${r.members.length} members of ` +
    `${r.region}) = ${pct(r.p_any_attempt)} if members are independent; whatever the ` +
    `dependence, between ${pct(r.bounds[0])} and ${pct(r.bounds[1])}. ` +
    `${r.base_rate.years_with_attempt} of the last ${r.base_rate.years} years had one.`;
  box.dataset.region = r.region;
}

/* ---------- map ---------- */
function renderMap() {
  const box = document.getElementById("map");
  const width = box.clientWidth || 800, height = Math.round(width / 1.9);
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
    .attr("viewBox", `0 0 ${width} ${height}`).attr("role", "img")
    .attr("aria-label", "World map of coup risk");
  svg.selectAll("*").remove();
  svg.append("path").attr("class", "sphere").attr("d", path({ type: "Sphere" }));
  svg.append("g").selectAll("path").data(features).join("path")
    .attr("class", (f) => {
      const inRegion = !members || members.has(f.iso3);
      return `country${inRegion ? "" : " out"}${inRegion && !byIso.has(f.iso3) ? " nodata" : ""}`;
    })
    .attr("data-iso3", (f) => f.iso3 || "")
    .attr("d", path)
    .attr("fill", (f) => {
      const d = byIso.get(f.iso3);
      return d && (!members || members.has(f.iso3)) ? riskColor(d.p_attempt) : null;
    })
    .attr("stroke", (f) => { const d = byIso.get(f.iso3); return d && d.observed_attempt === 1 ? "#1d2733" : null; })
    .attr("stroke-width", (f) => { const d = byIso.get(f.iso3); return d && d.observed_attempt === 1 ? 1.6 : null; })
    .on("mousemove", (event, f) => {
      const d = byIso.get(f.iso3);
      if (!d) { tip.show(`<b>${f.properties.name}</b><br>${members && !members.has(f.iso3) ? "outside the selected region" : "no forecast"}`, event); return; }
      tip.show(`<b>${d.country}</b> (${d.iso3})<br>P(attempt) ${fmtP(d.p_attempt)} · rank ${d.rank} of ${state.forecast.of}<br>` +
        `P(coup) ${fmtP(d.p_coup)} · P(failed) ${fmtP(d.p_failed)}<br>change ${fmtPP(d.change)}` +
        (d.observed_attempt === null ? "" : `<br>happened: ${d.observed_attempt ? "<b>coup attempt</b>" : "no attempt"}`), event);
    })
    .on("mouseleave", () => tip.hide())
    .on("click", (event, f) => { if (byIso.has(f.iso3) && (!members || members.has(f.iso3))) location.hash = `#/country/${f.iso3}`; });
  const labels = ["< 0.5 %", "0.5–1 %", "1–2 %", "2–5 %", "5–10 %", "≥ 10 %"];
  document.getElementById("legend").innerHTML = "<b>P(attempt)</b>" +
    labels.map((l, i) => `<span><span class="sw" style="background:${RISK_COLORS[i]}"></span>${l}</span>`).join("") +
    `<span><span class="sw" style="background:#d7dbe0"></span>no forecast</span>` +
    (state.forecast.kind === "backtest" ? `<span><span class="sw" style="background:#fff;border:2px solid #1d2733"></span>coup attempt that year</span>` : "");
}

/* ---------- lists ---------- */
function item(d, value, cls = "") {
  return `<li><a href="#/country/${d.iso3}">${d.country}</a><span class="v ${cls}">${value}</span></li>`;
}
function renderLists(surprises) {
  const items = state.forecast.items;
  document.getElementById("toprisks").innerHTML = items.slice(0, 8)
    .map((d) => item(d, `${fmtP(d.p_attempt)} · #${d.rank}`)).join("");
  const moved = items.filter((d) => d.change !== null);
  const rising = [...moved].sort((a, b) => b.change - a.change).filter((d) => d.change > 0).slice(0, 5);
  const falling = [...moved].sort((a, b) => a.change - b.change).filter((d) => d.change < 0).slice(0, 5);
  document.getElementById("rising").innerHTML = rising.map((d) => item(d, fmtPP(d.change), "up")).join("") || "<li>none</li>";
  document.getElementById("falling").innerHTML = falling.map((d) => item(d, fmtPP(d.change), "down")).join("") || "<li>none</li>";
  document.getElementById("surprises").innerHTML = surprises.items.map((d) => {
    const kinds = d.events.map((e) => e.kind === "successful" ? "coup" : "failed").join(", ");
    return `<li><a href="#/country/${d.iso3}">${d.country} ${d.year}</a><span class="v">${kinds} · ${fmtP(d.p_attempt)}, #${d.rank}/${d.of}</span></li>`;
  }).join("") || "<li>none in the stored backtest</li>";
}

/* ---------- table ---------- */
function renderTable() {
  const { sortKey, sortDir } = state;
  let rows = state.forecast.items;
  if (state.search) rows = rows.filter((d) => `${d.country} ${d.iso3} ${d.region}`.toLowerCase().includes(state.search));
  rows = [...rows].sort((a, b) => {
    const x = a[sortKey], y = b[sortKey];
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
  });
  document.querySelectorAll("#ranked th").forEach((th) => {
    th.classList.toggle("sorted-asc", th.dataset.key === sortKey && sortDir === 1);
    th.classList.toggle("sorted-desc", th.dataset.key === sortKey && sortDir === -1);
  });
  const max = d3.max(state.forecast.items, (d) => d.p_attempt) || 1;
  const body = document.querySelector("#ranked tbody");
  const more = document.getElementById("showall");
  more.hidden = state.showAll || rows.length <= 25;
  more.textContent = `Show all ${rows.length} states`;
  if (!state.showAll) rows = rows.slice(0, 25);
  body.innerHTML = rows.map((d) => `<tr data-iso3="${d.iso3}">
    <td class="num">${d.rank}</td><td><a href="#/country/${d.iso3}">${d.country}</a></td><td>${d.region || ""}</td>
    <td class="num">${fmtP(d.p_attempt)}<span class="bar" style="width:${Math.round(60 * d.p_attempt / max)}px"></span></td>
    <td class="num">${fmtP(d.p_coup)}</td><td class="num">${fmtP(d.p_failed)}</td>
    <td class="num ${d.change > 0 ? "up" : d.change < 0 ? "down" : ""}">${fmtPP(d.change)}</td>
    <td>${d.observed_attempt === null || d.observed_attempt === undefined ? "" : d.observed_attempt ? "<b class='up'>attempt</b>" : "–"}</td></tr>`).join("");
  body.querySelectorAll("tr").forEach((tr) => tr.addEventListener("click", (e) => {
    if (e.target.tagName !== "A") location.hash = `#/country/${tr.dataset.iso3}`; }));
}

/* ---------- routing ---------- */
function route() {
  const hash = location.hash || "#/";
  const m = hash.match(/^#\/country\/([A-Za-z]{3})/);
  const sql = /^#\/sql(\?|$)/.test(hash);  // #/sql?q=... keeps a query shareable
  const study = hash.match(/^#\/case\/([A-Za-z-]+)/);
  document.getElementById("overview").hidden = !!m || hash === "#/sources" || sql || !!study;
  document.getElementById("country").hidden = !m;
  document.getElementById("sources").hidden = hash !== "#/sources";
  document.getElementById("sql").hidden = !sql;
  document.getElementById("case").hidden = !study;
  if (state.explainTimer) { clearTimeout(state.explainTimer); state.explainTimer = null; }
  if (m) showCountry(m[1].toUpperCase());
  else if (hash === "#/sources") showSources();
  else if (sql) showSql();  // in sql.js
  else if (study) showCase(study[1]);  // in case.js
  else renderMap();
  window.scrollTo(0, 0);
}

async function showSources() {
  const data = await api("/api/sources");
  document.getElementById("sourcetable").innerHTML = "<tr><th>Source</th><th>File</th><th>Release</th><th>Years</th><th>Rows</th><th>SHA-256</th></tr>" +
    data.sources.map((s) => `<tr><td>${s.name}</td><td>${s.file}</td><td>${s.release || ""}</td><td>${s.year_min}–${s.year_max}</td><td class="num">${s.rows.toLocaleString()}</td><td><code>${s.sha256.slice(0, 12)}</code></td></tr>`).join("");
}

/* ---------- country page ---------- */
async function showCountry(iso3) {
  const section = document.getElementById("country");
  section.dataset.loaded = "false";
  const [profile, history] = await Promise.all([api(`/api/countries/${iso3}`), api(`/api/forecasts/${iso3}/history`)]);
  const c = profile.country, f = profile.forecast;
  document.getElementById("cname").textContent = c.name;
  document.getElementById("cmeta").textContent = [...new Set([c.iso3, c.region, ...(c.memberships || [])].filter(Boolean))].join(" · ");
  document.getElementById("briefpdf").href = `/briefs/${iso3}.pdf`;
  document.getElementById("briefhtml").href = `/briefs/${iso3}.html`;
  document.getElementById("csv").href = `/api/countries/${iso3}/csv`;
  document.getElementById("release").textContent = profile.events_release || "";
  const kp = (l, v, n) => `<div class="kpi"><div class="l">${l}</div><div class="v">${v}</div><div class="n">${n}</div></div>`;
  document.getElementById("kpis").innerHTML = f ? [
    kp(`Risk of a coup attempt, ${f.year}`, fmtP(f.p_attempt), "probability, data through " + (f.year - 1)),
    kp("Rank", `${f.rank} <small style="font-size:14px;font-weight:normal">of ${f.of}</small>`, "highest risk = 1"),
    kp("Change vs last year", fmtPP(f.change), f.p_attempt_last_year === null ? "no earlier forecast" : `last year ${fmtP(f.p_attempt_last_year)}`),
    kp("Successful / failed", `${fmtP(f.p_coup)} / ${fmtP(f.p_failed)}`, "P(successful coup) / P(failed attempt)")].join("")
    : kp("Forecast", "–", "not a state in the current forecast");
  const events = profile.events;
  riskChart(document.getElementById("riskchart"), history.items, events, f);
  timeline(document.getElementById("timeline"), events, state.health.target_year);
  const series = Object.fromEntries(profile.indicators.map((s) => [s.variable, s]));
  lineChart(document.getElementById("vdem"), ["v2x_veracc_osp", "v2x_horacc_osp", "v2xcs_ccsi", "v2xcl_rol", "v2x_freexp_altinf", "v2x_pubcorr"]
    .map((v) => series[v]).filter(Boolean), { yLabel: "index (0–1)", yDomain: [0, 1], fmt: (v) => v.toFixed(2), events });
  lineChart(document.getElementById("gdp"), ["NY.GDP.MKTP.KD.ZG", "NY.GDP.PCAP.KD.ZG"].map((v) => series[v]).filter(Boolean),
    { yLabel: "% per year", zero: true, fmt: (v) => `${v.toFixed(1)} %`, events });
  strips(document.getElementById("conflict"), ["any_conflict", "internal_confl", "war"].map((v) => series[v]).filter(Boolean), events);
  section.dataset.loaded = "true";
  loadDrivers(iso3, 0);
}

async function loadDrivers(iso3, tries) {
  const box = document.getElementById("drivers");
  if (tries === 0) box.innerHTML = `<p class="pending">Computing the drivers (the model is refitted; this can take a minute)…</p>`;
  let res;
  try { res = await getJSON(`/api/explain/${iso3}?wait=2`); } catch (e) {
    box.innerHTML = `<p class="pending">Drivers not available: ${e.message}</p>`; return; }
  if (!location.hash.toUpperCase().includes(`/${iso3}`)) return;
  if (res.status === 202) {
    if (tries < 120) state.explainTimer = setTimeout(() => loadDrivers(iso3, tries + 1), 3000);
    return;
  }
  const d = res.body;
  const max = d3.max(d.drivers, (x) => Math.abs(x.contribution)) || 1;
  box.innerHTML = `<table>${d.drivers.map((x) => `<tr><td class="${x.direction === "raises" ? "up" : "down"}">${x.direction === "raises" ? "▲ raises" : "▼ lowers"}</td>
    <td>${x.text}</td><td class="num" style="width:150px;white-space:nowrap"><span class="dbar" style="width:${Math.round(80 * Math.abs(x.contribution) / max)}px;background:${x.direction === "raises" ? "#b03a2e" : "#1e7d4f"}"></span> ${x.contribution >= 0 ? "+" : "−"}${Math.abs(x.contribution).toFixed(2)}</td></tr>`).join("")}</table>
    <p class="source">Forecast for ${d.year}: P(attempt) ${fmtP(d.p_attempt)}. Contributions in log-odds (${d.method}). They describe associations in past data, not causes.</p>`;
}

/* ---------- charts ---------- */
const M = { top: 14, right: 16, bottom: 32, left: 48 };
function frame(el, height) {
  const width = el.clientWidth || 560;
  const svg = d3.select(el).html("").append("svg").attr("viewBox", `0 0 ${width} ${height}`).attr("height", height);
  return { svg, width, height, iw: width - M.left - M.right, ih: height - M.top - M.bottom,
    g: svg.append("g").attr("transform", `translate(${M.left},${M.top})`) };
}
function axes(ch, x, y, yLabel, yFmt) {
  ch.g.append("g").attr("class", "grid").call(d3.axisLeft(y).ticks(5).tickSize(-ch.iw).tickFormat("")).call((g) => g.select(".domain").remove());
  ch.g.append("g").attr("class", "axis").attr("transform", `translate(0,${ch.ih})`).call(d3.axisBottom(x).ticks(8).tickFormat(d3.format("d")));
  ch.g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(5).tickFormat(yFmt || null));
  ch.g.append("text").attr("class", "label").attr("transform", "rotate(-90)").attr("x", -ch.ih / 2).attr("y", -38).attr("text-anchor", "middle").text(yLabel);
  ch.g.append("text").attr("class", "label").attr("x", ch.iw).attr("y", ch.ih + 28).attr("text-anchor", "end").text("year");
}
function legend(el, entries) {
  const div = document.createElement("div"); div.className = "chartlegend";
  div.innerHTML = entries.map(([label, color, dot]) => `<span><i class="${dot ? "dot" : ""}" style="background:${color}"></i>${label}</span>`).join("");
  el.appendChild(div);
}

function riskChart(el, items, events, current) {
  if (!items.length) { el.innerHTML = "<p class='pending'>No backtest stored for this country.</p>"; return; }
  const ch = frame(el, 240);
  const years = items.map((d) => d.year);
  const x = d3.scaleLinear().domain([d3.min(years) - 0.5, d3.max(years) + 0.5]).range([0, ch.iw]);
  const y = d3.scaleLinear().domain([0, Math.max(0.05, d3.max(items, (d) => d.p_attempt) * 1.2)]).nice().range([ch.ih, 0]);
  axes(ch, x, y, "P(coup attempt)", d3.format(".0%"));
  const attemptYears = new Set(events.map((e) => e.year));
  ch.g.selectAll("rect.evt").data(items.filter((d) => attemptYears.has(d.year))).join("rect").attr("class", "evt")
    .attr("x", (d) => x(d.year - 0.5)).attr("width", x(1) - x(0)).attr("y", 0).attr("height", ch.ih).attr("fill", "#fbe3df");
  ch.g.append("path").datum(items).attr("fill", "none").attr("stroke", "#1f5f8b").attr("stroke-width", 2)
    .attr("d", d3.line().x((d) => x(d.year)).y((d) => y(d.p_attempt)));
  ch.g.selectAll("circle.p").data(items).join("circle").attr("class", "p")
    .attr("cx", (d) => x(d.year)).attr("cy", (d) => y(d.p_attempt)).attr("r", (d) => d.observed_attempt ? 6 : 4)
    .attr("fill", (d) => d.observed_attempt ? "#b03a2e" : d.observed_attempt === null ? "#fff" : "#1f5f8b")
    .attr("stroke", (d) => d.observed_attempt === null ? "#1f5f8b" : "#fff").attr("stroke-width", 1.5)
    .on("mousemove", (event, d) => {
      const evs = events.filter((e) => e.year === d.year).map((e) => `${e.date} ${e.kind === "successful" ? "successful coup" : "failed attempt"}`);
      tip.show(`<b>${d.year}</b>: our forecast ${fmtP(d.p_attempt)} (rank ${d.rank} of ${d.of})<br>` +
        (d.observed_attempt === null ? "outcome not yet known" : evs.length ? evs.join("<br>") : "no coup attempt"), event);
    }).on("mouseleave", () => tip.hide());
  legend(el, [["our forecast, P(attempt)", "#1f5f8b"], ["year with a coup attempt", "#b03a2e", true], ["outcome not yet known", "#fff; border:1.5px solid #1f5f8b", true]]);
}

function timeline(el, events, lastYear) {
  const ch = frame(el, 150);
  const first = Math.min(1950, ...events.map((e) => e.year));
  const x = d3.scaleLinear().domain([first, lastYear]).range([0, ch.iw]);
  ch.g.append("g").attr("class", "axis").attr("transform", `translate(0,${ch.ih})`).call(d3.axisBottom(x).ticks(10).tickFormat(d3.format("d")));
  ch.g.append("line").attr("x1", 0).attr("x2", ch.iw).attr("y1", ch.ih / 2).attr("y2", ch.ih / 2).attr("stroke", "#c3cad1");
  const stack = {};
  const placed = events.map((e) => { const k = e.year; stack[k] = (stack[k] || 0) + 1; return { ...e, level: stack[k] - 1 }; });
  const grp = ch.g.selectAll("g.event").data(placed).join("g").attr("class", "event")
    .attr("data-year", (d) => d.year).attr("data-kind", (d) => d.kind)
    .attr("transform", (d) => `translate(${x(d.year)},${ch.ih / 2 - d.level * 16})`)
    .on("mousemove", (event, d) => tip.show(`<b>${d.date}</b><br>${d.kind === "successful" ? "successful coup" : "failed coup attempt"}<br>Powell &amp; Thyne ${d.release}`, event))
    .on("mouseleave", () => tip.hide());
  grp.append("circle").attr("r", 6).attr("fill", (d) => d.kind === "successful" ? "#b03a2e" : "#fff")
    .attr("stroke", (d) => d.kind === "successful" ? "#fff" : "#e67e22").attr("stroke-width", 2);
  let lastX = -1e9, flip = false;
  grp.filter((d) => d.level === 0).append("text").attr("text-anchor", "middle").attr("class", "label")
    .attr("y", (d) => { const px = x(d.year); flip = px - lastX < 28 ? !flip : false; lastX = px; return flip ? 34 : 20; })
    .text((d) => d.year);
  if (!events.length) ch.g.append("text").attr("x", ch.iw / 2).attr("y", ch.ih / 2).attr("text-anchor", "middle").attr("class", "label").text("no coup attempt recorded since 1950");
  legend(el, [["successful coup", "#b03a2e", true], ["failed attempt", "#fff; border:2px solid #e67e22", true]]);
}

const PALETTE = ["#1f5f8b", "#2a9d8f", "#e9a03b", "#7b5ea7", "#6c757d", "#8d6e63"];  // red is kept for coups
function lineChart(el, series, opts) {
  if (!series.length) { el.innerHTML = "<p class='pending'>No data for this country.</p>"; return; }
  const ch = frame(el, 230);
  const all = series.flatMap((s) => s.points);
  const x = d3.scaleLinear().domain(d3.extent(all, (p) => p[0])).range([0, ch.iw]);
  let dom = opts.yDomain || d3.extent(all, (p) => p[1]);
  if (opts.zero) dom = [Math.min(0, dom[0]), Math.max(0, dom[1])];
  const y = d3.scaleLinear().domain(dom).nice().range([ch.ih, 0]);
  axes(ch, x, y, opts.yLabel);
  const coupYears = [...new Set((opts.events || []).filter((e) => e.kind === "successful").map((e) => e.year))];
  ch.g.selectAll("line.coup").data(coupYears.filter((yr) => yr >= x.domain()[0] && yr <= x.domain()[1])).join("line").attr("class", "coup")
    .attr("x1", (d) => x(d)).attr("x2", (d) => x(d)).attr("y1", 0).attr("y2", ch.ih).attr("stroke", "#b03a2e").attr("stroke-dasharray", "3,3").attr("opacity", 0.6);
  if (opts.zero) ch.g.append("line").attr("x1", 0).attr("x2", ch.iw).attr("y1", y(0)).attr("y2", y(0)).attr("stroke", "#888");
  series.forEach((s, i) => ch.g.append("path").datum(s.points).attr("fill", "none").attr("stroke", PALETTE[i % PALETTE.length]).attr("stroke-width", 1.8)
    .attr("d", d3.line().x((p) => x(p[0])).y((p) => y(p[1]))));
  const rule = ch.g.append("line").attr("y1", 0).attr("y2", ch.ih).attr("stroke", "#333").attr("opacity", 0);
  ch.g.append("rect").attr("width", ch.iw).attr("height", ch.ih).attr("fill", "transparent")
    .on("mousemove", (event) => {
      const yr = Math.round(x.invert(d3.pointer(event)[0]));
      rule.attr("x1", x(yr)).attr("x2", x(yr)).attr("opacity", 0.4);
      const lines = series.map((s, i) => { const p = s.points.find((q) => q[0] === yr);
        return `<span style="color:${PALETTE[i % PALETTE.length]}">■</span> ${s.label}: ${p ? opts.fmt(p[1]) : "no data"}`; });
      tip.show(`<b>${yr}</b>${coupYears.includes(yr) ? " (coup)" : ""}<br>${lines.join("<br>")}`, event);
    }).on("mouseleave", () => { rule.attr("opacity", 0); tip.hide(); });
  legend(el, [...series.map((s, i) => [s.label, PALETTE[i % PALETTE.length]]), ...(coupYears.length ? [["successful coup", "#b03a2e"]] : [])]);
}

function strips(el, series, events) {
  if (!series.length) { el.innerHTML = "<p class='pending'>No data for this country.</p>"; return; }
  const ch = frame(el, 70 + series.length * 28);
  const all = series.flatMap((s) => s.points);
  const x = d3.scaleLinear().domain([d3.min(all, (p) => p[0]), d3.max(all, (p) => p[0]) + 1]).range([0, ch.iw]);
  const y = d3.scaleBand().domain(series.map((s) => s.label)).range([0, ch.ih]).padding(0.2);
  ch.g.append("g").attr("class", "axis").attr("transform", `translate(0,${ch.ih})`).call(d3.axisBottom(x).ticks(8).tickFormat(d3.format("d")));
  series.forEach((s) => {
    ch.g.append("text").attr("class", "label").attr("x", 4).attr("y", y(s.label) - 2).text(s.label);
    ch.g.append("rect").attr("x", 0).attr("width", ch.iw).attr("y", y(s.label)).attr("height", y.bandwidth()).attr("fill", "#f3f5f7");
    ch.g.selectAll(null).data(s.points.filter((p) => p[1] >= 0.5)).join("rect")
      .attr("x", (p) => x(p[0])).attr("width", Math.max(1, x(1) - x(0) - 0.5)).attr("y", y(s.label)).attr("height", y.bandwidth())
      .attr("fill", "#e67e22")
      .on("mousemove", (event, p) => tip.show(`<b>${p[0]}</b>: ${s.label}`, event)).on("mouseleave", () => tip.hide());
  });
  const coupYears = [...new Set(events.map((e) => e.year))].filter((yr) => yr >= x.domain()[0] && yr <= x.domain()[1]);
  ch.g.selectAll("line.coup").data(coupYears).join("line").attr("x1", (d) => x(d + 0.5)).attr("x2", (d) => x(d + 0.5))
    .attr("y1", 0).attr("y2", ch.ih).attr("stroke", "#b03a2e").attr("stroke-dasharray", "3,3");
  legend(el, [["conflict in that year", "#e67e22"], ["coup attempt", "#b03a2e"]]);
}

document.addEventListener("DOMContentLoaded", () => start().catch((e) => {
  document.getElementById("runinfo").textContent = `Could not load data: ${e.message}`;
}));
