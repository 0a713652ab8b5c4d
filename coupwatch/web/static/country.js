/* coupwatch dashboard: a country's page (#/country/MLI): forecast, risk record, monthly risk
   line, coup timeline, indicators with their sources, and the drivers. */
"use strict";

const kpi = (label, value, note) => el("div", { className: "kpi" },
  el("div", { className: "l" }, label), el("div", { className: "v" }, value), el("div", { className: "n" }, note));

/* "Source: SIPRI, via World Bank WDI" from the series shown in a panel (catalog attribution) */
function sourceLine(id, before, series) {
  const names = [...new Set(series.map((s) => s.source_name).filter(Boolean))];
  document.getElementById(id).textContent = `${before}Source${names.length > 1 ? "s" : ""}: ${names.join("; ") || "–"}.`;
}

async function showCountry(iso3) {
  const section = document.getElementById("country");
  section.dataset.loaded = "false";
  /* until the country is known, no panel, button or half-filled source line (an unknown
     country shows the router's notice only) */
  const parts = section.querySelectorAll(".actions, .kpis, .grid2");
  parts.forEach((p) => { p.hidden = true; });
  document.getElementById("cname").textContent = "";
  document.getElementById("cmeta").textContent = "";
  const [profile, history] = await Promise.all([api(`/api/countries/${iso3}`), api(`/api/forecasts/${iso3}/history`)]);
  parts.forEach((p) => { p.hidden = false; });
  const c = profile.country, f = profile.forecast;
  document.getElementById("cname").textContent = c.name;
  document.getElementById("cmeta").textContent = [...new Set([c.iso3, c.region, ...(c.memberships || []).map((g) => ((c.suspended || []).includes(g) ? `${g} (suspended)` : g))].filter(Boolean))].join(" · ");
  document.getElementById("briefpdf").href = `/briefs/${iso3}.pdf`;
  document.getElementById("briefhtml").href = `/briefs/${iso3}.html`;
  document.getElementById("csv").href = `/api/countries/${iso3}/csv`;
  document.getElementById("release").textContent = profile.events_release || "";
  document.getElementById("kpis").replaceChildren(...(f ? [
    kpi(`Risk of a coup attempt, ${f.year}`, fmtP(f.p_attempt), `probability, data through ${f.year - 1}`),
    kpi("Rank", [`${f.rank} `, el("small", null, `of ${f.of}`)], "highest risk = 1"),
    kpi("Change vs last year", fmtPP(f.change), f.p_attempt_last_year === null ? "no earlier forecast" : `last year ${fmtP(f.p_attempt_last_year)}`),
    kpi("Successful / failed", `${fmtP(f.p_coup)} / ${fmtP(f.p_failed)}`, "P(successful coup) / P(failed attempt)")]
    : [kpi("Forecast", "–", "not a state in the current forecast")]));
  const events = profile.events;
  riskChart(document.getElementById("riskchart"), history.items, events, f);
  timeline(document.getElementById("timeline"), events, state.health.target_year);
  const series = Object.fromEntries(profile.indicators.map((s) => [s.variable, s]));
  const pick = (names) => names.map((v) => series[v]).filter(Boolean);
  const vdem = pick(["v2x_veracc_osp", "v2x_horacc_osp", "v2xcs_ccsi", "v2xcl_rol", "v2x_freexp_altinf", "v2x_pubcorr"]);
  lineChart(document.getElementById("vdem"), vdem, { yLabel: "index (0–1)", yDomain: [0, 1], fmt: (v) => v.toFixed(2), events });
  sourceLine("vdemsource", "Index 0–1 (higher = more accountability / freedom; for corruption, higher = more corrupt). ", vdem);
  const gdp = pick(["NY.GDP.MKTP.KD.ZG", "NY.GDP.PCAP.KD.ZG"]);
  lineChart(document.getElementById("gdp"), gdp, { yLabel: "% per year", zero: true, fmt: (v) => `${v.toFixed(1)} %`, events });
  sourceLine("gdpsource", "Annual % change, constant prices. ", gdp);
  const conflict = pick(["any_conflict", "internal_confl", "war"]);
  strips(document.getElementById("conflict"), conflict, events);
  sourceLine("conflictsource", "Years with armed conflict (1 = yes). ", conflict);
  section.dataset.loaded = "true";
  loadMonthly(iso3, state.monthlyHorizon);
  loadDrivers(iso3, 0);
}

/* The monthly risk line (GET /api/forecasts/{iso3}/monthly): read-only, as stored. */
async function loadMonthly(iso3, horizon) {
  const box = document.getElementById("monthlychart");
  const card = document.getElementById("monthly");
  card.dataset.loaded = "false";
  document.querySelectorAll("#monthlyswitch button").forEach((b) =>
    b.setAttribute("aria-pressed", String(+b.dataset.horizon === horizon)));
  let data;
  try { data = await api(`/api/forecasts/${iso3}/monthly?horizon=${horizon}`); } catch (e) {
    pending(box, `Monthly risk not available: ${e.message}`);
    card.dataset.loaded = "true";
    return;
  }
  if (!location.hash.toUpperCase().includes(`/${iso3}`)) return;
  monthlyChart(box, data);
  card.dataset.horizon = horizon;
  document.getElementById("monthlynote").textContent = `${data.about} Model ${data.run.model}, run ${data.run.run_id}` +
    (data.note ? `. ${data.note.charAt(0).toUpperCase()}${data.note.slice(1)}` : ".");
  card.dataset.loaded = "true";
}

function wireCountry() {
  document.querySelectorAll("#monthlyswitch button").forEach((b) => b.addEventListener("click", () => {
    state.monthlyHorizon = +b.dataset.horizon;
    const m = location.hash.match(/^#\/country\/([A-Za-z]{3})/);
    if (m) loadMonthly(m[1].toUpperCase(), state.monthlyHorizon);
  }));
}

async function loadDrivers(iso3, tries) {
  const box = document.getElementById("drivers");
  if (tries === 0) pending(box, "Computing the drivers (the model is refitted; this can take a minute)…");
  let res;
  try { res = await getJSON(`/api/explain/${iso3}?wait=2`); } catch (e) {
    pending(box, `Drivers not available: ${e.message}`); return; }
  if (!location.hash.toUpperCase().includes(`/${iso3}`)) return;
  if (res.status === 202) {
    if (tries < 120) state.explainTimer = setTimeout(() => loadDrivers(iso3, tries + 1), 3000);
    return;
  }
  const d = res.body;
  const max = d3.max(d.drivers, (x) => Math.abs(x.contribution)) || 1;
  box.replaceChildren(el("table", null, d.drivers.map((x) => {
    const up = x.direction === "raises";
    return el("tr", null, el("td", { className: up ? "up" : "down" }, up ? "▲ raises" : "▼ lowers"),
      el("td", null, x.text),
      el("td", { className: "num dcell" },
        el("span", { className: `dbar ${up ? "up" : "down"}`, style: { width: `${Math.round(80 * Math.abs(x.contribution) / max)}px` } }),
        ` ${x.contribution >= 0 ? "+" : "−"}${Math.abs(x.contribution).toFixed(2)}`));
  })), el("p", { className: "source" }, `Forecast for ${d.year}: P(attempt) ${fmtP(d.p_attempt)}. ` +
    `Contributions in log-odds (${d.method}). They describe associations in past data, not causes.`));
}
