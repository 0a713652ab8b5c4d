/* coupwatch dashboard: the country page's charts (d3). Strings reach the page through d3's
   .text() and the tooltip's text lines only. */
"use strict";

const M = { top: 14, right: 16, bottom: 32, left: 48 };
function frame(box, height) {
  const width = box.clientWidth || 560;
  box.replaceChildren();
  const svg = d3.select(box).append("svg").attr("viewBox", `0 0 ${width} ${height}`).attr("height", height);
  return { svg, width, height, iw: width - M.left - M.right, ih: height - M.top - M.bottom,
    g: svg.append("g").attr("transform", `translate(${M.left},${M.top})`) };
}
function axes(ch, x, y, yLabel, yFmt, xFmt = d3.format("d"), xLabel = "year", xTicks = 8) {
  ch.g.append("g").attr("class", "grid").call(d3.axisLeft(y).ticks(5).tickSize(-ch.iw).tickFormat("")).call((g) => g.select(".domain").remove());
  ch.g.append("g").attr("class", "axis").attr("transform", `translate(0,${ch.ih})`).call(d3.axisBottom(x).ticks(xTicks).tickFormat(xFmt));
  ch.g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(5).tickFormat(yFmt || null));
  ch.g.append("text").attr("class", "label").attr("transform", "rotate(-90)").attr("x", -ch.ih / 2).attr("y", -38).attr("text-anchor", "middle").text(yLabel);
  ch.g.append("text").attr("class", "label").attr("x", ch.iw).attr("y", ch.ih + 28).attr("text-anchor", "end").text(xLabel);
}
/* entries: {label, color, dot, ring} (ring: a hollow marker outlined in that colour) */
function legend(box, entries) {
  box.append(el("div", { className: "chartlegend" }, entries.map((e) => el("span", null,
    el("i", { className: e.dot || e.ring ? "dot" : "",
      style: e.ring ? { background: "#fff", border: `2px solid ${e.color}` } : { background: e.color } }),
    e.label))));
}
const pending = (box, text) => box.replaceChildren(el("p", { className: "pending" }, text));
const eventWords = (kind) => kind === "successful" ? "successful coup" : "failed attempt";

function riskChart(box, items, events, current) {
  if (!items.length) { pending(box, "No backtest stored for this country."); return; }
  const ch = frame(box, 240);
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
      const evs = events.filter((e) => e.year === d.year).map((e) => `${e.date} ${eventWords(e.kind)}`);
      tip.show(`${d.year}`, [`our forecast ${fmtP(d.p_attempt)} (rank ${d.rank} of ${d.of})`,
        ...(d.observed_attempt === null ? ["outcome not yet known"] : evs.length ? evs : ["no coup attempt"])], event);
    }).on("mouseleave", () => tip.hide());
  legend(box, [{ label: "our forecast, P(attempt)", color: "#1f5f8b" },
    { label: "year with a coup attempt", color: "#b03a2e", dot: true },
    { label: "outcome not yet known", color: "#1f5f8b", ring: true }]);
}

/* The monthly risk line: out-of-sample risk at each month end, the newest run's point, the
   window it covers, and the coup events (dashed lines at their dates). */
function monthlyChart(box, data) {
  const items = data.items;
  if (!items.length && !data.current) { pending(box, data.note || "No monthly forecast for this country."); return; }
  const at = (y, m, day = 0) => new Date(Date.UTC(y, m - 1, 1) + day * 864e5);
  const end = (d) => at(d.year, d.month + 1, -1);  // the origin is the month's end
  const points = items.map((d) => ({ ...d, t: end(d) }));
  const current = data.current ? { ...data.current, t: end(data.current) } : null;
  if (points.length + (current ? 1 : 0) < 2) {  // one value: no line to draw, say it
    const one = current || items[0];
    box.replaceChildren(el("p", { className: "single" },
      `${current ? "Newest forecast, end" : "End"} of ${fmtMonth(one.year, one.month)}: ` +
      `P(attempt within ${data.horizon} months) ${fmtP(one.p)}` + (current ? ` (${current.window}).` : ".")));
    return;
  }
  const first = points.length ? points[0].t : current.t;
  const last = current ? at(current.year, current.month + 1 + data.horizon, -1) : points[points.length - 1].t;
  const ch = frame(box, 240);
  const x = d3.scaleUtc().domain([first, last]).range([0, ch.iw]);
  const top = d3.max([...points, ...(current ? [current] : [])], (d) => d.p) || 0.05;
  const y = d3.scaleLinear().domain([0, Math.max(0.05, top * 1.15)]).nice().range([ch.ih, 0]);
  const months = Math.max(1, Math.round((last - first) / (30.44 * 864e5)));
  axes(ch, x, y, `P(attempt within ${data.horizon} months)`, d3.format(".0%"), d3.utcFormat("%Y-%m"), "month end",
    d3.utcMonth.every(Math.max(1, Math.ceil(months / 8))));  // whole months: never one label twice
  if (current) {
    ch.g.append("rect").attr("class", "window").attr("x", x(current.t)).attr("width", x(last) - x(current.t))
      .attr("y", 0).attr("height", ch.ih).attr("fill", "#eef4fa");
  }
  const shown = data.events.filter((e) => {
    const t = at(e.year, e.month, e.date.length > 7 ? +e.date.slice(8) - 1 : 0);
    e.t = t; return t >= first && t <= last; });
  ch.g.selectAll("g.mevent").data(shown).join("g").attr("class", "mevent").attr("data-date", (e) => e.date)
    .attr("transform", (e) => `translate(${x(e.t)},0)`)
    .call((g) => g.append("line").attr("y1", 0).attr("y2", ch.ih).attr("stroke", "#b03a2e").attr("stroke-dasharray", "3,3"))
    .call((g) => g.append("path").attr("d", d3.symbol(d3.symbolTriangle, 60)()).attr("transform", "translate(0,-2) rotate(180)")
      .attr("fill", (e) => e.kind === "successful" ? "#b03a2e" : "#e67e22"))
    .on("mousemove", (event, e) => tip.show(e.date, [eventWords(e.kind), "Powell & Thyne"], event))
    .on("mouseleave", () => tip.hide());
  if (points.length) {
    ch.g.append("path").datum(points).attr("class", "mline").attr("fill", "none").attr("stroke", "#1f5f8b").attr("stroke-width", 2)
      .attr("d", d3.line().x((d) => x(d.t)).y((d) => y(d.p)));
  }
  ch.g.selectAll("circle.m").data(points).join("circle").attr("class", "m").attr("r", 3)
    .attr("cx", (d) => x(d.t)).attr("cy", (d) => y(d.p)).attr("fill", (d) => d.observed ? "#b03a2e" : "#1f5f8b")
    .on("mousemove", (event, d) => tip.show(`end of ${fmtMonth(d.year, d.month)}`, [
      `P(attempt within ${data.horizon} months) ${fmtP(d.p)}`,
      d.observed === null ? "window not yet over" : d.observed ? "an attempt followed" : "no attempt followed"], event))
    .on("mouseleave", () => tip.hide());
  if (current) {
    ch.g.append("circle").attr("class", "mcurrent").attr("r", 6).attr("cx", x(current.t)).attr("cy", y(current.p))
      .attr("fill", "#fff").attr("stroke", "#1f5f8b").attr("stroke-width", 2.5)
      .on("mousemove", (event) => tip.show(`newest forecast, end of ${fmtMonth(current.year, current.month)}`,
        [`P(attempt) ${fmtP(current.p)} in ${current.window}`, `P(successful coup) ${fmtP(current.p_coup)}`], event))
      .on("mouseleave", () => tip.hide());
  }
  legend(box, [{ label: "out-of-sample risk at each month end", color: "#1f5f8b" },
    { label: "an attempt followed within the window", color: "#b03a2e", dot: true },
    { label: "newest forecast", color: "#1f5f8b", ring: true },
    { label: "coup event (▼ red: successful, orange: failed)", color: "#b03a2e" }]);
}

function timeline(box, events, lastYear) {
  const ch = frame(box, 150);
  const first = Math.min(1950, ...events.map((e) => e.year));
  const x = d3.scaleLinear().domain([first, lastYear]).range([0, ch.iw]);
  ch.g.append("g").attr("class", "axis").attr("transform", `translate(0,${ch.ih})`).call(d3.axisBottom(x).ticks(10).tickFormat(d3.format("d")));
  ch.g.append("line").attr("x1", 0).attr("x2", ch.iw).attr("y1", ch.ih / 2).attr("y2", ch.ih / 2).attr("stroke", "#c3cad1");
  const stack = {};
  const placed = events.map((e) => { const k = e.year; stack[k] = (stack[k] || 0) + 1; return { ...e, level: stack[k] - 1 }; });
  const grp = ch.g.selectAll("g.event").data(placed).join("g").attr("class", "event")
    .attr("data-year", (d) => d.year).attr("data-kind", (d) => d.kind)
    .attr("transform", (d) => `translate(${x(d.year)},${ch.ih / 2 - d.level * 16})`)
    .on("mousemove", (event, d) => tip.show(d.date, [d.kind === "successful" ? "successful coup" : "failed coup attempt",
      `Powell & Thyne ${d.release}`], event))
    .on("mouseleave", () => tip.hide());
  grp.append("circle").attr("r", 6).attr("fill", (d) => d.kind === "successful" ? "#b03a2e" : "#fff")
    .attr("stroke", (d) => d.kind === "successful" ? "#fff" : "#e67e22").attr("stroke-width", 2);
  let lastX = -1e9, flip = false;
  grp.filter((d) => d.level === 0).append("text").attr("text-anchor", "middle").attr("class", "label")
    .attr("y", (d) => { const px = x(d.year); flip = px - lastX < 28 ? !flip : false; lastX = px; return flip ? 34 : 20; })
    .text((d) => d.year);
  if (!events.length) ch.g.append("text").attr("x", ch.iw / 2).attr("y", ch.ih / 2).attr("text-anchor", "middle").attr("class", "label").text("no coup attempt recorded since 1950");
  legend(box, [{ label: "successful coup", color: "#b03a2e", dot: true }, { label: "failed attempt", color: "#e67e22", ring: true }]);
}

const PALETTE = ["#1f5f8b", "#2a9d8f", "#e9a03b", "#7b5ea7", "#6c757d", "#8d6e63"];  // red is kept for coups
function lineChart(box, series, opts) {
  if (!series.length) { pending(box, "No data for this country."); return; }
  const ch = frame(box, 230);
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
        return el("span", null, el("span", { style: { color: PALETTE[i % PALETTE.length] } }, "■ "),
          `${s.label}: ${p ? opts.fmt(p[1]) : "no data"}`); });
      tip.show(`${yr}${coupYears.includes(yr) ? " (coup)" : ""}`, lines, event);
    }).on("mouseleave", () => { rule.attr("opacity", 0); tip.hide(); });
  legend(box, [...series.map((s, i) => ({ label: s.label, color: PALETTE[i % PALETTE.length] })),
    ...(coupYears.length ? [{ label: "successful coup", color: "#b03a2e" }] : [])]);
}

function strips(box, series, events) {
  if (!series.length) { pending(box, "No data for this country."); return; }
  const ch = frame(box, 70 + series.length * 28);
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
      .on("mousemove", (event, p) => tip.show(`${p[0]}`, [s.label], event)).on("mouseleave", () => tip.hide());
  });
  const coupYears = [...new Set(events.map((e) => e.year))].filter((yr) => yr >= x.domain()[0] && yr <= x.domain()[1]);
  ch.g.selectAll("line.coup").data(coupYears).join("line").attr("x1", (d) => x(d + 0.5)).attr("x2", (d) => x(d + 0.5))
    .attr("y1", 0).attr("y2", ch.ih).attr("stroke", "#b03a2e").attr("stroke-dasharray", "3,3");
  legend(box, [{ label: "conflict in that year", color: "#e67e22" }, { label: "coup attempt", color: "#b03a2e" }]);
}
