// The typedspace dashboard: polls the server's read-only JSON API and redraws.
//
// Everything shown comes from a study file that may have been shared by someone else, so
// text is only ever put into the page with textContent (never innerHTML), and strings given
// to plotly (which reads a few HTML tags in labels) are escaped with plotText().
"use strict";

const PAGE_SIZE = 50;
const STATE_COLORS = {
  ok: "#1f77b4",
  pruned: "#7f7f7f",
  failed: "#d62728",
  cancelled: "#8c564b",
  running: "#2ca02c",
};

const view = {
  refresh: 2.0,
  name: null, // the study shown
  study: null, // its last answer, without trials
  trials: [], // its trials, by number
  epoch: "",
  revision: 0,
  sort: { key: "number", descending: false },
  page: 0,
  timer: null,
  generation: 0, // bumped when another study is chosen: an older poll's answer is dropped
  opened: new Set(), // the trials whose traceback is shown
  drawing: false, // a pass over the plots is under way
  nextDraw: 0, // when the next pass may start (performance.now() time)
};

const $ = (id) => document.getElementById(id);

// Past this many points a trace is drawn with WebGL (plotly's scattergl) when the browser has
// it: SVG takes about a second per plot of 10,000 points.
const GL_POINTS = 1500;
const WEBGL = (() => {
  try {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
  } catch {
    return false;
  }
})();

function scatterType(points) {
  return WEBGL && points > GL_POINTS ? "scattergl" : "scatter";
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

// plotly renders <b>, <a href> and entities in its labels: show the characters instead.
function plotText(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function fmt(x) {
  if (x === null || x === undefined) return "";
  if (typeof x !== "number") return String(x);
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? x.toExponential(4) : String(Number(x.toPrecision(6)));
}

async function getJSON(url) {
  const response = await fetch(url, { cache: "no-store" });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
  return data;
}

// -- the study list ------------------------------------------------------------------------

function studyFromHash() {
  const match = /^#study=(.*)$/.exec(window.location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

function renderStudyList(studies) {
  const list = $("study-list");
  const key = JSON.stringify([view.name, studies]);
  if (list.dataset.key === key) return; // unchanged: keep the elements (and a hovered link)
  list.dataset.key = key;
  list.replaceChildren();
  for (const s of studies) {
    const link = element("a", s.name);
    link.href = "#study=" + encodeURIComponent(s.name);
    if (s.name === view.name) link.classList.add("current");
    const best = s.front !== null && s.front !== undefined ? `${s.front} on the Pareto front`
      : s.best_loss === null ? "no loss yet" : `best ${fmt(s.best_loss)}`;
    link.appendChild(element("small", `${s.trials} trials · ${best}`));
    const item = element("li");
    item.appendChild(link);
    list.appendChild(item);
  }
  if (view.name === null && studies.length > 0) {
    window.location.hash = "#study=" + encodeURIComponent(studies[0].name);
  }
}

// -- polling -------------------------------------------------------------------------------

async function poll() {
  const generation = view.generation;
  try {
    const listing = await getJSON("/api/studies");
    $("file").textContent = listing.file;
    renderStudyList(listing.studies);
    if (view.name !== null) {
      const query = new URLSearchParams({
        name: view.name,
        since: String(view.revision),
        epoch: view.epoch,
      });
      const data = await getJSON("/api/study?" + query.toString());
      if (generation !== view.generation) return;
      merge(data);
    }
    if (view.study !== null) drawPlotsWhenDue();
    $("error").hidden = true;
    const status = $("status");
    status.classList.remove("stale");
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    if (generation !== view.generation) return;
    const status = $("status");
    status.classList.add("stale");
    status.textContent = `not updated: ${error.message}`;
    if (view.name !== null && view.study === null) {
      $("error").textContent = error.message;
      $("error").hidden = false;
    }
  }
  if (generation === view.generation) view.timer = window.setTimeout(poll, view.refresh * 1000);
}

function merge(data) {
  const changed = view.study === null || data.full || data.revision !== view.revision;
  if (!changed) return; // nothing new: the page stays as it is (an open traceback stays open)
  if (data.full || data.epoch !== view.epoch) view.trials = [];
  for (const row of data.trials) view.trials[row.number] = row;
  view.epoch = data.epoch;
  view.revision = data.revision;
  const { trials, ...rest } = data;
  view.study = rest;
  render();
}

function selectStudy() {
  const name = studyFromHash();
  if (name === view.name) return;
  Object.assign(view, { name, study: null, trials: [], epoch: "", revision: 0, page: 0,
    nextDraw: 0 });
  view.opened.clear();
  for (const plot of document.querySelectorAll("[data-drawn]")) delete plot.dataset.drawn;
  $("plot-params").replaceChildren();
  delete $("plot-params").dataset.names;
  delete document.body.dataset.drawnRevision;
  view.generation += 1;
  $("study").hidden = true;
  $("placeholder").hidden = name !== null;
  for (const link of document.querySelectorAll("#study-list a")) {
    link.classList.toggle("current", link.getAttribute("href") === "#study=" + encodeURIComponent(name));
  }
  window.clearTimeout(view.timer);
  poll();
}

// -- rendering -----------------------------------------------------------------------------

function render() {
  const started = performance.now();
  const s = view.study;
  $("study").hidden = false;
  $("placeholder").hidden = true;
  $("study-name").textContent = s.name;
  const created = new Date(s.created * 1000).toLocaleString();
  $("study-meta").textContent = `${s.algorithm} · seed ${s.seed ?? "none"} · created ${created}`;
  const counts = $("counts");
  counts.replaceChildren(element("li", `${s.counts.trials} trials`));
  for (const [state, n] of Object.entries(s.counts.states)) {
    if (n > 0) counts.appendChild(element("li", `${n} ${state}`, `count-${state}`));
  }
  $("best-repr").hidden = false;
  if (s.pareto) {
    $("best-meta").textContent = `several objectives have no single best: ${s.pareto.front.length} ` +
      "trials are on the Pareto front (plotted below; the table's \"front\" column marks them)";
    $("best-repr").textContent = frontText(s.pareto);
    $("best-repr").hidden = s.pareto.front.length === 0;
  } else if (s.best === null) {
    $("best-meta").textContent = "no completed trial yet";
    $("best-repr").textContent = "";
  } else {
    const how = s.best.typed ? "" : " (as stored: the space names code that the dashboard never imports)";
    $("best-meta").textContent = `trial ${s.best.number}, loss ${fmt(s.best.loss)}${how}`;
    $("best-repr").textContent = s.best.repr;
  }
  $("space").textContent = s.space;
  layoutParams();
  $("intermediate-section").hidden = !view.trials.some((t) => t && t.intermediate.length > 0);
  renderPareto(s.pareto);
  renderTable();
  // For benchmarks/bench_dashboard.py: how long the text and the table took.
  document.body.dataset.renderMs = String(performance.now() - started);
  document.body.dataset.revision = String(view.revision);
  drawPlotsWhenDue();
}

// Plots are drawn when they are on the screen (or close to it) and their data changed; one
// plot per task, so the page keeps answering clicks and keys meanwhile; and after a pass
// that took t ms the next starts no sooner than 2t ms later, so that on a study of 10,000
// trials drawing takes at most a third of the time.  A plot scrolled into view is drawn at
// once.
const onScreen = new Set();
const observer = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (entry.isIntersecting) onScreen.add(entry.target.id);
    else onScreen.delete(entry.target.id);
  }
  view.nextDraw = 0;
  drawPlotsWhenDue();
}, { rootMargin: "300px" });

function stalePlots() {
  return plotSteps().filter(([id]) => onScreen.has(id) && $(id).dataset.drawn !== String(view.revision));
}

async function drawPlotsWhenDue() {
  if (view.drawing || view.study === null || performance.now() < view.nextDraw) return;
  const steps = stalePlots();
  if (steps.length === 0) return;
  view.drawing = true;
  const { generation, revision } = view;
  const started = performance.now();
  const times = [];
  try {
    for (const [id, step] of steps) {
      const before = performance.now();
      step();
      $(id).dataset.drawn = String(revision);
      times.push([id.replace(/^plot-/, ""), Math.round(performance.now() - before)]);
      if (id === "plot-history" && performance.getEntriesByName("typedspace:history").length === 0) {
        performance.mark("typedspace:history");
      }
      await new Promise((resolve) => window.setTimeout(resolve, 0));
      if (generation !== view.generation) return;
    }
    const took = performance.now() - started;
    view.nextDraw = performance.now() + 2 * took;
    // For the tests and benchmarks/bench_dashboard.py: what the plots on the screen show.
    document.body.dataset.plotMs = String(took);
    document.body.dataset.plotSteps = JSON.stringify(times);
    if (stalePlots().length === 0) {
      document.body.dataset.drawnRevision = String(revision);
      if (performance.getEntriesByName("typedspace:drawn").length === 0) {
        performance.mark("typedspace:drawn");
      }
    }
  } finally {
    view.drawing = false;
  }
  if (stalePlots().length > 0) window.setTimeout(drawPlotsWhenDue, Math.max(0, view.nextDraw - performance.now()));
}

function trialsIn(state) {
  return view.trials.filter((t) => t && t.state === state);
}

function lastReported(trial) {
  let last = null;
  for (const pair of trial.intermediate) if (last === null || pair[0] >= last[0]) last = pair;
  return last;
}

const LAYOUT = {
  margin: { l: 60, r: 20, t: 30, b: 50 },
  hovermode: "closest",
  legend: { orientation: "h", y: -0.2 },
};
const CONFIG = { displaylogo: false, responsive: true };

// Each plot: its element and how to draw it.
function plotSteps() {
  const params = view.study.params.map((_, i) => [`plot-param-${i}`, () => drawParam(i)]);
  const steps = [["plot-history", drawHistory], ...params, ["plot-importance", drawImportance]];
  if (!$("intermediate-section").hidden) steps.push(["plot-intermediate", drawIntermediate]);
  if (!$("pareto-section").hidden) steps.push(["plot-pareto", drawPareto]);
  return steps;
}

function drawHistory() {
  if (view.study.pareto) {
    drawObjectivesHistory(view.study.pareto);
    return;
  }
  const ok = trialsIn("ok");
  const losses = ok.map((t) => t.loss);
  let best = Infinity;
  const bestSoFar = losses.map((l) => (best = Math.min(best, l)));
  const traces = [
    { name: "trial loss", type: scatterType(ok.length), mode: "markers", x: ok.map((t) => t.number), y: losses,
      marker: { size: 5, color: STATE_COLORS.ok, opacity: 0.6 } },
    { name: "best so far", type: "scatter", mode: "lines", line: { shape: "hv", color: "#ff7f0e" },
      x: ok.map((t) => t.number), y: bestSoFar },
  ];
  const failed = trialsIn("failed");
  if (failed.length) {
    const bottom = losses.length ? Math.min(...losses) : 0;
    traces.push({ name: `failed (${failed.length})`, type: scatterType(failed.length), mode: "markers",
      x: failed.map((t) => t.number), y: failed.map(() => bottom),
      text: failed.map((t) => plotText(t.error ? `${t.error.type}: ${t.error.message}` : "failed")),
      hoverinfo: "x+text", marker: { symbol: "x", size: 8, color: STATE_COLORS.failed } });
  }
  const pruned = trialsIn("pruned").filter((t) => lastReported(t) !== null);
  if (pruned.length) {
    traces.push({ name: `pruned (${trialsIn("pruned").length}): last reported value`,
      type: scatterType(pruned.length), mode: "markers", x: pruned.map((t) => t.number),
      y: pruned.map((t) => lastReported(t)[1]),
      marker: { symbol: "triangle-down", size: 7, color: STATE_COLORS.pruned, opacity: 0.6 } });
  }
  Plotly.react("plot-history", traces,
    { ...LAYOUT, xaxis: { title: { text: "trial" } }, yaxis: { title: { text: "loss" } } }, CONFIG);
}

function layoutParams() {
  const container = $("plot-params");
  const names = view.study.params.map((p) => p.name).join("\n");
  if (container.dataset.names !== names) {
    for (const old of container.children) observer.unobserve(old);
    container.replaceChildren(...view.study.params.map((_, i) => {
      const div = element("div", null, "param-plot");
      div.id = `plot-param-${i}`;
      observer.observe(div);
      return div;
    }));
    container.dataset.names = names;
  }
}

function drawParam(i) {
  const param = view.study.params[i];
  {
    const active = trialsIn("ok").filter((t) => param.name in t.params);
    const xaxis = { title: { text: plotText(param.name) } };
    if (param.kind === "categorical") {
      xaxis.tickvals = param.labels.map((_, j) => j);
      xaxis.ticktext = param.labels.map((label) => plotText(label.length > 14 ? label.slice(0, 13) + "…" : label));
      xaxis.range = [-0.5, param.labels.length - 0.5];
    } else if (param.log) {
      xaxis.type = "log";
    }
    // Several objectives: the first one's value (there is no single loss).
    const pareto = view.study.pareto;
    const y = pareto ? (t) => (t.values ? t.values[0] : null) : (t) => t.loss;
    const trace = { type: scatterType(active.length), mode: "markers", x: active.map((t) => t.params[param.name]),
      y: active.map(y), text: active.map((t) => `trial ${t.number}`),
      marker: { size: 5, opacity: 0.6, color: STATE_COLORS.ok } };
    const layout = { ...LAYOUT, margin: { l: 55, r: 10, t: 30, b: 55 }, xaxis,
      yaxis: { title: { text: pareto ? objectiveTitle(pareto, 0) : "loss" } },
      title: { text: plotText(`${param.name} (${active.length} active)`), font: { size: 13 } } };
    Plotly.react(`plot-param-${i}`, [trace], layout, { ...CONFIG, displayModeBar: false });
  }
}

function drawImportance() {
  const importance = view.study.importance;
  const pareto = view.study.pareto;
  const what = pareto ? `the first objective's (${pareto.names[0]}) ranks'` : "the loss ranks'";
  $("importance-note").textContent = importance.unavailable ||
    `The share of ${what} variance explained by each parameter beyond chance ` +
    "(0: no more than chance), over the n completed trials where it is active " +
    `(computed at ${importance.completed} completed trials).`;
  const scores = [...importance.scores].reverse();
  const trace = { type: "bar", orientation: "h", x: scores.map((s) => s.score),
    y: scores.map((s) => plotText(`${s.name} (n=${s.n})`)),
    text: scores.map((s) => s.score.toFixed(2)), textposition: "outside", cliponaxis: false,
    marker: { color: STATE_COLORS.ok } };
  const height = Math.max(220, 28 * scores.length + 80);
  $("plot-importance").style.height = `${height}px`;
  Plotly.react("plot-importance", [trace], { ...LAYOUT, margin: { l: 180, r: 20, t: 10, b: 40 },
    xaxis: { range: [0, 1], title: { text: "eta² of loss ranks, beyond chance" } } }, CONFIG);
}

function drawIntermediate() {
  const reported = view.trials.filter((t) => t && t.intermediate.length > 0);
  const traces = [];
  for (const state of ["ok", "pruned", "failed", "cancelled", "running"]) {
    const group = reported.filter((t) => t.state === state);
    if (!group.length) continue;
    // One trace per state, curves separated by gaps: fast with thousands of trials.
    const x = [];
    const y = [];
    for (const t of group) {
      const curve = [...t.intermediate].sort((a, b) => a[0] - b[0]);
      for (const [step, value] of curve) { x.push(step); y.push(value); }
      x.push(null);
      y.push(null);
    }
    traces.push({ name: `${state} (${group.length})`, type: scatterType(x.length), mode: "lines", x, y,
      connectgaps: false, line: { width: 1, color: STATE_COLORS[state],
        dash: state === "failed" || state === "cancelled" ? "dash" : state === "running" ? "dot" : "solid" },
      opacity: state === "pruned" ? 0.45 : 0.75 });
    if (state === "pruned") {
      const stops = group.map(lastReported);
      traces.push({ name: "where pruned", type: scatterType(stops.length), mode: "markers", x: stops.map((p) => p[0]),
        y: stops.map((p) => p[1]), marker: { symbol: "x", size: 6, color: STATE_COLORS.pruned } });
    }
  }
  Plotly.react("plot-intermediate", traces, { ...LAYOUT, xaxis: { title: { text: "step" } },
    yaxis: { title: { text: "reported value" } } }, CONFIG);
}

// -- several objectives --------------------------------------------------------------------
// The server sends "pareto" (null for one objective): the objectives' names and directions,
// the numbers of the trials on the front (feasible, completed, non-dominated) and the
// hypervolume history; each trial's row carries its values and whether it is feasible.

function renderPareto(pareto) {
  $("pareto-section").hidden = pareto === null || pareto === undefined;
  if ($("pareto-section").hidden) return;
  const m = pareto.names.length;
  const how = m === 2 ? "in the plane of the two objectives, the front joined as a step line"
    : m === 3 || !WEBGL ? "in 3-D (drag to turn)"
    : "one line per trial across the objectives' axes (drag along an axis to filter)";
  const grey = m > 3 && WEBGL ? "light grey lines" : "grey crosses";
  $("pareto-note").textContent = `${pareto.front.length} of ${pareto.feasible} feasible completed ` +
    `trials are on the front (red), ${how}; ${pareto.infeasible} infeasible trials are ${grey} ` +
    "and never on the front." + (pareto.hypervolume_stopped ? " The hypervolume history was " +
    "stopped: on this front it took too long to follow live (`typedspace plot` draws it)." : "");
}

// The first trials of the front (by the first objective), each with its values and its
// parameters (a choice by its option's label).
const FRONT_LINES = 10;
function frontText(pareto) {
  const sign = pareto.directions[0] === "maximize" ? -1 : 1;
  const front = pareto.front.map((n) => view.trials[n]).filter((t) => t && t.values)
    .sort((a, b) => sign * (a.values[0] - b.values[0]) || a.number - b.number);
  const lines = front.slice(0, FRONT_LINES).map((t) => {
    const values = pareto.names.map((n, i) => `${n}=${fmt(t.values[i])}`).join(", ");
    const params = view.study.params.filter((p) => p.name in t.params).map((p) => {
      const v = t.params[p.name];
      return `${p.name}: ${p.kind === "categorical" ? p.labels[v] ?? v : fmt(v)}`;
    }).join(", ");
    return `trial ${t.number}: ${values}  {${params}}`;
  });
  if (front.length > FRONT_LINES) lines.push(`… and ${front.length - FRONT_LINES} more`);
  return lines.join("\n");
}

function objectiveTitle(pareto, i) {
  return plotText(`${pareto.names[i]} (${pareto.directions[i] === "maximize" ? "max" : "min"})`);
}

// The completed trials with every objective's value, split into the front, the other
// feasible ones and the infeasible ones.
function objectiveGroups(pareto) {
  const m = pareto.names.length;
  const onFront = new Set(pareto.front);
  const done = trialsIn("ok").filter((t) => t.values && t.values.length === m && t.values.every((v) => v !== null));
  return {
    front: done.filter((t) => onFront.has(t.number)),
    feasible: done.filter((t) => t.feasible && !onFront.has(t.number)),
    infeasible: done.filter((t) => !t.feasible),
  };
}

function hoverText(pareto, t) {
  return `trial ${t.number}<br>` + pareto.names.map((n, i) => `${plotText(n)} = ${fmt(t.values[i])}`).join("<br>");
}

function drawPareto() {
  const pareto = view.study.pareto;
  const m = pareto.names.length;
  const groups = objectiveGroups(pareto);
  // The front in the order of the first objective's loss: joined as "hv" steps it is the
  // edge of the region the front dominates, whichever way each objective points.
  const sign = pareto.directions[0] === "maximize" ? -1 : 1;
  groups.front.sort((a, b) => sign * (a.values[0] - b.values[0]) || a.number - b.number);
  if (m > 3 && WEBGL) {
    drawParetoLines(pareto, groups);
    return;
  }
  const three = m >= 3 && WEBGL;
  const coords = (trials) => {
    const c = { x: trials.map((t) => t.values[0]), y: trials.map((t) => t.values[1]) };
    if (three) c.z = trials.map((t) => t.values[2]);
    return c;
  };
  // WebGL past GL_POINTS points in the plane; the front stays SVG (a few points, a line).
  const type = (n) => (three ? "scatter3d" : scatterType(n));
  const size = three ? 0.6 : 1;
  const traces = [
    { name: `feasible (${groups.feasible.length})`, type: type(groups.feasible.length), mode: "markers", ...coords(groups.feasible),
      text: groups.feasible.map((t) => hoverText(pareto, t)), hoverinfo: "text",
      marker: { size: 6 * size, color: STATE_COLORS.ok, opacity: 0.55 } },
    { name: `infeasible (${groups.infeasible.length})`, type: type(groups.infeasible.length), mode: "markers", ...coords(groups.infeasible),
      text: groups.infeasible.map((t) => hoverText(pareto, t)), hoverinfo: "text",
      marker: { symbol: three ? "cross" : "x", size: 7 * size, color: "#9aa0a6" } },
    { name: `Pareto front (${groups.front.length})`, type: type(0), mode: three ? "markers" : "lines+markers",
      ...coords(groups.front), text: groups.front.map((t) => hoverText(pareto, t)), hoverinfo: "text",
      line: { shape: "hv", color: "#d62728", width: 1.5 }, marker: { size: 8 * size, color: "#d62728" } },
  ];
  const titles = pareto.names.map((_, i) => ({ title: { text: objectiveTitle(pareto, i) } }));
  const layout = three
    ? { ...LAYOUT, margin: { l: 0, r: 0, t: 10, b: 0 }, scene: { xaxis: titles[0], yaxis: titles[1], zaxis: titles[2] } }
    : { ...LAYOUT, xaxis: titles[0], yaxis: titles[1] };
  $("plot-pareto").style.height = three ? "520px" : "";
  Plotly.react("plot-pareto", traces, layout, CONFIG);
}

// More than three objectives: parallel coordinates, one axis per objective (every objective
// at once and each trial one line, where pairwise scatters would need m(m-1)/2 plots).
function drawParetoLines(pareto, groups) {
  const trials = [...groups.infeasible, ...groups.feasible, ...groups.front]; // the front on top
  const onFront = new Set(groups.front);
  const level = (t) => (!t.feasible ? 0 : onFront.has(t) ? 1 : 0.5);
  const trace = { type: "parcoords",
    line: { color: trials.map(level), cmin: 0, cmax: 1, colorscale: [[0, "#d5d8dc"], [0.5, "#9ecae1"], [1, "#d62728"]] },
    dimensions: pareto.names.map((_, i) => ({ label: objectiveTitle(pareto, i), values: trials.map((t) => t.values[i]) })) };
  Plotly.react("plot-pareto", [trace], { ...LAYOUT, margin: { l: 60, r: 60, t: 50, b: 30 } }, CONFIG);
}

// The history of a study with several objectives: the hypervolume of the feasible front
// after each trial (2 or 3 objectives), else each trial's first objective.
function drawObjectivesHistory(pareto) {
  const traces = [];
  let title;
  const volume = pareto.hypervolume;
  if (volume) {
    const x = volume.steps.map((s) => s[0]);
    const y = volume.steps.map((s) => s[1]);
    if (x.length && volume.last > x[x.length - 1]) { x.push(volume.last); y.push(y[y.length - 1]); }
    const reference = pareto.names.map((n, i) => `${n} = ${fmt(Number(volume.reference[i].toPrecision(3)))}`);
    traces.push({ name: plotText(`hypervolume of the feasible front (reference: ${reference.join(", ")})`),
      type: "scatter", mode: "lines+markers", line: { shape: "hv", color: "#ff7f0e" }, marker: { size: 5 }, x, y });
    title = "hypervolume";
  } else {
    const ok = trialsIn("ok").filter((t) => t.values);
    traces.push({ name: plotText(`${pareto.names[0]} per trial`), type: scatterType(ok.length), mode: "markers",
      x: ok.map((t) => t.number), y: ok.map((t) => t.values[0]),
      marker: { size: 5, color: STATE_COLORS.ok, opacity: 0.6 } });
    title = objectiveTitle(pareto, 0);
  }
  const failed = trialsIn("failed");
  if (failed.length) {
    const shown = traces[0].y.filter((v) => v !== null);
    const bottom = shown.length ? Math.min(...shown) : 0;
    traces.push({ name: `failed (${failed.length})`, type: scatterType(failed.length), mode: "markers",
      x: failed.map((t) => t.number), y: failed.map(() => bottom),
      text: failed.map((t) => plotText(t.error ? `${t.error.type}: ${t.error.message}` : "failed")),
      hoverinfo: "x+text", marker: { symbol: "x", size: 8, color: STATE_COLORS.failed } });
  }
  Plotly.react("plot-history", traces,
    { ...LAYOUT, xaxis: { title: { text: "trial" } }, yaxis: { title: { text: title } } }, CONFIG);
}

// -- the trial table -----------------------------------------------------------------------

function columns() {
  const params = view.study.params.map((p) => ({
    key: "params." + p.name,
    title: p.name,
    value: (t) => {
      const v = t.params[p.name];
      if (v === undefined) return null;
      return p.kind === "categorical" ? p.labels[v] ?? v : v;
    },
  }));
  const pareto = view.study.pareto;
  const onFront = new Set(pareto ? pareto.front : []);
  // Several objectives: a column per objective (there is no loss), feasibility, the front.
  const scores = pareto ? [
    ...pareto.names.map((n, i) => ({ key: `values.${i}`, title: `${n} (${pareto.directions[i] === "maximize" ? "max" : "min"})`,
      value: (t) => (t.values ? t.values[i] : null) })),
    { key: "feasible", title: "feasible", value: (t) => (t.state === "ok" ? (t.feasible ? "yes" : "no") : null) },
    { key: "front", title: "front", value: (t) => (onFront.has(t.number) ? "front" : null) },
  ] : [{ key: "loss", title: "loss", value: (t) => t.loss }];
  return [
    { key: "number", title: "#", value: (t) => t.number },
    { key: "state", title: "state", value: (t) => t.state },
    ...scores,
    { key: "duration", title: "seconds", value: (t) => (t.finished === null ? null : t.finished - t.started) },
    ...params,
    { key: "error", title: "error", value: (t) => (t.error ? `${t.error.type}: ${t.error.message}` : null) },
  ];
}

// Empty cells (no loss, an inactive parameter) come last in both directions.
function compare(a, b, sign) {
  const emptyA = a === null || a === undefined;
  const emptyB = b === null || b === undefined;
  if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return sign * (a - b);
  return sign * String(a).localeCompare(String(b));
}

function renderTable() {
  const cols = columns();
  const head = $("trials-head");
  if (head.dataset.keys !== cols.map((c) => c.key).join("\n")) {
    head.replaceChildren(...cols.map((c) => {
      const th = element("th", c.title);
      th.dataset.key = c.key;
      th.addEventListener("click", () => {
        const same = view.sort.key === c.key;
        view.sort = { key: c.key, descending: same ? !view.sort.descending : false };
        renderTable();
      });
      return th;
    }));
    head.dataset.keys = cols.map((c) => c.key).join("\n");
  }
  for (const th of head.children) {
    th.classList.toggle("sorted-asc", th.dataset.key === view.sort.key && !view.sort.descending);
    th.classList.toggle("sorted-desc", th.dataset.key === view.sort.key && view.sort.descending);
  }
  const text = $("filter").value.trim().toLowerCase();
  const state = $("state-filter").value;
  let rows = view.trials.filter((t) => t && (!state || t.state === state));
  if (text) {
    rows = rows.filter((t) => cols.some((c) => {
      const v = c.value(t);
      return v !== null && fmt(v).toLowerCase().includes(text);
    }));
  }
  const sortColumn = cols.find((c) => c.key === view.sort.key) || cols[0];
  const sign = view.sort.descending ? -1 : 1;
  rows.sort((a, b) => compare(sortColumn.value(a), sortColumn.value(b), sign) || a.number - b.number);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  view.page = Math.min(view.page, pages - 1);
  $("page").textContent = `page ${view.page + 1} of ${pages}`;
  $("prev").disabled = view.page === 0;
  $("next").disabled = view.page >= pages - 1;
  $("table-count").textContent = `${rows.length} of ${view.trials.filter(Boolean).length} trials`;
  const body = $("trials-body");
  body.replaceChildren(...rows.slice(view.page * PAGE_SIZE, (view.page + 1) * PAGE_SIZE).map((t) => {
    const tr = element("tr", null, `state-${t.state}`);
    tr.dataset.number = String(t.number);
    for (const c of cols) {
      const td = element("td");
      td.dataset.key = c.key;
      if (c.key === "error" && t.error) {
        const details = element("details");
        details.open = view.opened.has(t.number);
        details.addEventListener("toggle", () => {
          if (details.open) view.opened.add(t.number);
          else view.opened.delete(t.number);
        });
        details.appendChild(element("summary", c.value(t)));
        details.appendChild(element("pre", t.error.traceback || "(no traceback)"));
        td.appendChild(details);
      } else {
        td.textContent = fmt(c.value(t));
      }
      tr.appendChild(td);
    }
    return tr;
  }));
}

// -- start ---------------------------------------------------------------------------------

async function start() {
  try {
    const config = await getJSON("/api/config");
    const asked = Number(new URLSearchParams(window.location.search).get("refresh"));
    view.refresh = asked > 0 ? asked : config.refresh;
  } catch (error) {
    $("status").textContent = `cannot reach the server: ${error.message}`;
  }
  $("filter").addEventListener("input", () => { view.page = 0; if (view.study) renderTable(); });
  $("state-filter").addEventListener("change", () => { view.page = 0; if (view.study) renderTable(); });
  $("prev").addEventListener("click", () => { view.page -= 1; renderTable(); });
  $("next").addEventListener("click", () => { view.page += 1; renderTable(); });
  for (const id of ["plot-history", "plot-importance", "plot-intermediate", "plot-pareto"]) observer.observe($(id));
  window.addEventListener("hashchange", selectStudy);
  view.name = studyFromHash();
  $("placeholder").hidden = view.name !== null;
  poll();
}

start();
