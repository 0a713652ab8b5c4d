// The case-study page (#/case/mali): findings rebuilt from queries, each with its SQL, and
// the analysis's claims with verdicts. Loaded after dashboard.js; route() calls showCase().
"use strict";

const VERDICT_CLASS = {"confirmed": "ok", "partly confirmed": "partly",
                       "not confirmed": "no", "cannot check yet": "unknown"};

function caseEscape(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => (
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

function caseCell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && !Number.isInteger(value)) return value.toFixed(3);
  return caseEscape(value);
}

async function showCase(name) {
  const root = document.getElementById("casebody");
  root.innerHTML = "<p class='hint'>loading…</p>";
  const response = await fetch(`/api/case/${encodeURIComponent(name)}`);
  const data = await response.json();
  if (!response.ok) {
    root.innerHTML = `<p class="sqlerror" role="alert">${caseEscape(data.detail)}</p>`;
    return;
  }
  document.getElementById("casetitle").textContent = `Case study: ${data.country}`;
  const claims = data.claims.map((c) => `
    <li class="claim ${VERDICT_CLASS[c.verdict] || ""}">
      <strong class="verdict">${caseEscape(c.verdict)}</strong> ${caseEscape(c.claim)}
      <div class="evidence">${caseEscape(c.evidence)}</div></li>`).join("");
  const findings = data.findings.map((f) => `
    <div class="card finding" data-key="${caseEscape(f.key)}">
      <h2>${caseEscape(f.title)}</h2>
      <p class="summary">${caseEscape(f.summary)}</p>
      <details><summary>SQL behind these numbers</summary><pre><code>${caseEscape(f.sql)}</code></pre></details>
      <div class="sqlscroll"><table class="ranked">
        <thead><tr>${f.columns.map((c) => `<th>${caseEscape(c)}</th>`).join("")}</tr></thead>
        <tbody>${f.rows.map((r) => `<tr>${r.map((v) => `<td>${caseCell(v)}</td>`).join("")}</tr>`).join("")}</tbody>
      </table></div>
    </div>`).join("");
  root.innerHTML = `<div class="card"><h2>Claims of the analysis, checked against the data</h2>
    <ul class="claims">${claims}</ul></div>${findings}`;
  document.body.dataset.caseLoaded = "true";
}
