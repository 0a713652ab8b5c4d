/* coupwatch SQL console page (#/sql): views and examples from GET /api/sql/views, queries
   to POST /api/sql. Every value from the server goes in through textContent, never as HTML. */
"use strict";

const sqlConsole = { wired: false, limit: 1000, most: 10000, running: false, last: null };
const SQL_NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

function sqlEl(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

async function showSql() {
  const box = document.getElementById("sqlquery");
  if (!sqlConsole.wired) {
    sqlConsole.wired = true;
    document.getElementById("sqlrun").addEventListener("click", () => runSql());
    document.getElementById("sqlcsv").addEventListener("click", () => downloadSql());
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runSql(); }
    });
    loadSqlCatalog();
  }
  // #/sql?q=... opens with that query and runs it: a link can share a question
  const shared = new URLSearchParams(location.hash.split("?")[1] || "").get("q");
  if (shared && shared !== box.value) { box.value = shared; runSql(); }
}

async function loadSqlCatalog() {
  const views = document.getElementById("sqlviews");
  let catalog;
  try {
    const r = await fetch("/api/sql/views");
    catalog = await r.json();
    if (!r.ok) throw new Error(catalog.detail || r.status);
  } catch (e) {
    views.replaceChildren(sqlEl("p", `Could not list the views: ${e.message}`, "sqlerror"));
    return;
  }
  document.getElementById("sqltimeout").textContent = catalog.timeout;
  views.replaceChildren(...catalog.views.map((v) => {
    const item = sqlEl("details");
    item.dataset.view = v.name;
    const summary = sqlEl("summary");
    summary.append(sqlEl("code", v.name), ` — ${v.description}`);
    item.append(summary);
    if (v.available) {
      const cols = sqlEl("p", null, "cols");
      v.columns.forEach((c, i) => {
        if (i) cols.append(", ");
        const name = sqlEl("code", c.name);
        name.title = c.type;
        cols.append(name);
      });
      item.append(cols);
    } else {
      item.append(sqlEl("p", `Not available yet: ${v.needs}.`, "cols pending"));
    }
    return item;
  }));
  document.getElementById("sqlexamples").replaceChildren(...catalog.examples.map((x) => {
    const link = sqlEl("a", x.title);
    link.href = "#/sql";
    link.addEventListener("click", (e) => {
      e.preventDefault();
      document.getElementById("sqlquery").value = x.sql;
      runSql();
    });
    const li = sqlEl("li");
    li.append(link);
    return li;
  }));
}

async function postSql(text, limit) {
  const r = await fetch("/api/sql", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ sql: text, limit }),
  });
  let body = null;
  try { body = await r.json(); } catch (e) { /* not JSON */ }
  if (!r.ok) throw new Error((body && body.detail) || `error ${r.status}`);
  return body;
}

/* The result as CSV: the rows shown, or when they were cut at 1,000, the query again with the
   server's largest row cap (10,000); the status line says if even that was cut. */
async function downloadSql() {
  const last = sqlConsole.last;
  if (!last) return;
  const status = document.getElementById("sqlstatus");
  let body = last.body;
  if (body.truncated) {
    status.textContent = "fetching up to 10,000 rows for the CSV…";
    try { body = await postSql(last.text, sqlConsole.most); } catch (e) { status.textContent = e.message; return; }
  }
  downloadText("coupwatch-query.csv", csvText(body.columns, body.rows));
  status.textContent = `CSV: ${body.rows.length.toLocaleString()} rows` + (body.truncated
    ? ` (the first ${body.rows.length.toLocaleString()}; for every row: coupwatch sql --format csv)` : "");
}

async function runSql() {
  if (sqlConsole.running) return;
  const section = document.getElementById("sql");
  const status = document.getElementById("sqlstatus");
  const error = document.getElementById("sqlerror");
  const table = document.getElementById("sqlresult");
  const text = document.getElementById("sqlquery").value;
  const csvButton = document.getElementById("sqlcsv");
  sqlConsole.running = true;
  sqlConsole.last = null;
  csvButton.hidden = true;
  section.dataset.state = "running";
  status.textContent = "running…";
  error.hidden = true;
  try {
    const body = await postSql(text, sqlConsole.limit);
    renderSqlResult(table, body);
    sqlConsole.last = { text, body };
    csvButton.hidden = false;
    const n = body.rows.length;
    status.textContent = `${n.toLocaleString()} row${n === 1 ? "" : "s"} in ${Math.round(body.elapsed_ms)} ms`
      + (body.truncated ? ` — only the first ${n.toLocaleString()} are shown; aggregate or add LIMIT` : "");
    history.replaceState(null, "", `#/sql?q=${encodeURIComponent(text)}`);
    section.dataset.state = "done";
  } catch (e) {
    table.replaceChildren();
    status.textContent = "";
    error.textContent = e.message;
    error.hidden = false;
    section.dataset.state = "error";
  } finally {
    sqlConsole.running = false;
  }
}

function sqlCell(value) {
  if (value === null || value === undefined) return sqlEl("td", "NULL", "null");
  if (typeof value === "object") return sqlEl("td", JSON.stringify(value));
  return sqlEl("td", String(value));
}

function renderSqlResult(table, body) {
  const numeric = body.types.map((t) => SQL_NUMERIC.test(t) && !t.includes("[]"));
  const head = sqlEl("tr");
  body.columns.forEach((name, i) => {
    const th = sqlEl("th", name, numeric[i] ? "num" : "");
    th.title = body.types[i];
    head.append(th);
  });
  const rows = body.rows.map((row) => {
    const tr = sqlEl("tr");
    row.forEach((value, i) => {
      const td = sqlCell(value);
      if (numeric[i]) td.classList.add("num");
      tr.append(td);
    });
    return tr;
  });
  const thead = sqlEl("thead");
  thead.append(head);
  const tbody = sqlEl("tbody");
  tbody.append(...rows);
  table.replaceChildren(thead, tbody);
}
