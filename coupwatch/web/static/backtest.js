/* coupwatch dashboard: the backtest view (#/backtest?model=logit&seed=0&outcome=attempt):
   pick any stored backtest (GET /api/backtests) and see its skill with 95 % intervals and its
   calibration table (GET /api/backtest/metrics). */
"use strict";

const backtestView = { list: null };
const METRIC_WORDS = { roc_auc: "ROC-AUC", pr_auc: "PR-AUC", brier: "Brier score",
  brier_skill: "Brier skill score", log_loss: "log loss", recall_top10: "recall in the top 10",
  recall_top20: "recall in the top 20" };
const CALIBRATION_WORDS = { p_low: "forecasts from", p_high: "to", mean_p: "mean forecast",
  observed_rate: "observed rate", events: "events", n: "country-years" };
const fmtNum = (v) => v === null || v === undefined ? "–" : v.toFixed(Math.abs(v) < 0.01 && v !== 0 ? 4 : 3);
const fmtCal = (key, v) => v === null || v === undefined ? "–"
  : ["events", "n"].includes(key) ? v.toLocaleString() : fmtP(v);
const btKey = (b) => `${b.data_key}|${b.model}|${b.seed}`;

async function showBacktest() {
  const section = document.getElementById("backtest");
  section.dataset.loaded = "false";
  const pick = document.getElementById("btpick");
  const outcome = document.getElementById("btoutcome");
  if (!backtestView.list) {
    try { backtestView.list = await api("/api/backtests"); } catch (e) {
      document.getElementById("btstatus").textContent = `No backtests: ${e.message}`; return; }
    pick.replaceChildren(...backtestView.list.items.map((b) => new Option(
      `${b.model} · seed ${b.seed} · ${b.year_min}–${b.scored_max ?? b.year_max}` +
      (b.served ? " (served)" : b.current ? "" : " (older data)"), btKey(b))));
    const choose = () => {
      const b = backtestView.list.items.find((x) => btKey(x) === pick.value);
      const q = new URLSearchParams({ model: b.model, seed: b.seed, outcome: outcome.value });
      if (!b.current) q.set("data_key", b.data_key);
      location.hash = `#/backtest?${q}`;
    };
    pick.addEventListener("change", choose);
    outcome.addEventListener("change", choose);
  }
  const q = new URLSearchParams(location.hash.split("?")[1] || "");
  const items = backtestView.list.items;
  const wanted = items.find((b) => b.model === q.get("model") && String(b.seed) === (q.get("seed") || "0") &&
    (!q.get("data_key") || b.data_key === q.get("data_key")) && (q.get("data_key") || b.current || b.served))
    || items.find((b) => b.served) || items[0];
  const notice = document.getElementById("notice");
  if (q.get("model") && (wanted.model !== q.get("model") || String(wanted.seed) !== (q.get("seed") || "0"))) {
    notice.textContent = `No backtest is stored for model ${q.get("model")}, seed ${q.get("seed") || "0"}` +
      `${q.get("data_key") ? ` and data key ${q.get("data_key")}` : ""}: showing ${wanted.model}, seed ${wanted.seed}.`;
    notice.hidden = false;
  }
  pick.value = btKey(wanted);
  outcome.value = ["attempt", "coup", "failed"].includes(q.get("outcome")) ? q.get("outcome") : "attempt";
  const mq = new URLSearchParams({ model: wanted.model, seed: wanted.seed, data_key: wanted.data_key, outcome: outcome.value });
  const status = document.getElementById("btstatus");
  status.textContent = "computing the metrics (bootstrap)…";
  let m;
  try { m = await api(`/api/backtest/metrics?${mq}`); } catch (e) { status.textContent = e.message; return; }
  status.textContent = `${m.model}, seed ${m.seed}, ${m.outcome}: ${m.country_years.toLocaleString()} country-years ` +
    `${m.from}–${m.to}, ${m.events} with the event. ${m.about}.`;
  document.getElementById("btmetrics").replaceChildren(
    el("thead", null, el("tr", null, el("th", null, "Metric"), el("th", { className: "num" }, "Value"),
      el("th", { className: "num" }, "95 % interval"))),
    el("tbody", null, m.metrics.map((r) => el("tr", { dataset: { metric: r.metric } },
      el("td", null, METRIC_WORDS[r.metric] || r.metric), el("td", { className: "num" }, fmtNum(r.value)),
      el("td", { className: "num" }, `${fmtNum(r.ci_low)} – ${fmtNum(r.ci_high)}`)))));
  const cols = m.calibration.length ? Object.keys(m.calibration[0]) : [];
  document.getElementById("btcalibration").replaceChildren(
    el("thead", null, el("tr", null, cols.map((c) => el("th", { className: "num" }, CALIBRATION_WORDS[c] || c)))),
    el("tbody", null, m.calibration.map((r) => el("tr", null, cols.map((c) =>
      el("td", { className: "num" }, typeof r[c] === "number" ? fmtCal(c, r[c]) : r[c] ?? ""))))));
  section.dataset.loaded = "true";
  section.dataset.model = m.model;
}
