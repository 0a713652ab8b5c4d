// The case-study page (#/case/mali): findings rebuilt from queries, each with its SQL, and
// the analysis's claims with verdicts. router.js calls showCase(). Every server string is
// inserted as text (el() in common.js), never as HTML.
"use strict";

const VERDICT_CLASS = {"confirmed": "ok", "partly confirmed": "partly",
                       "not confirmed": "no", "cannot check yet": "unknown"};

function caseCell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && !Number.isInteger(value)) return value.toFixed(3);
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

async function showCase(name) {
  const root = document.getElementById("casebody");
  root.replaceChildren(el("p", { className: "hint" }, "loading…"));
  const response = await fetch(`/api/case/${encodeURIComponent(name)}`);
  const data = await response.json();
  if (!response.ok) {
    root.replaceChildren(el("p", { className: "sqlerror", role: "alert" }, data.detail));
    return;
  }
  document.getElementById("casetitle").textContent = `Case study: ${data.country}`;
  const claims = data.claims.map((c) => el("li", { className: `claim ${VERDICT_CLASS[c.verdict] || ""}` },
    el("strong", { className: "verdict" }, c.verdict), " ", c.claim,
    el("div", { className: "evidence" }, c.evidence)));
  const findings = data.findings.map((f) => el("div", { className: "card finding", dataset: { key: f.key } },
    el("h2", null, f.title),
    el("p", { className: "summary" }, f.summary),
    el("details", null, el("summary", null, "SQL behind these numbers"), el("pre", null, el("code", null, f.sql))),
    el("div", { className: "sqlscroll" }, el("table", { className: "ranked" },
      el("thead", null, el("tr", null, f.columns.map((c) => el("th", null, c)))),
      el("tbody", null, f.rows.map((r) => el("tr", null, r.map((v) => el("td", null, caseCell(v))))))))));
  root.replaceChildren(el("div", { className: "card" },
    el("h2", null, "Claims of the analysis, checked against the data"),
    el("ul", { className: "claims" }, claims)), ...findings);
  document.body.dataset.caseLoaded = "true";
}
