"use strict";
// The studio page: an editor whose every keystroke is evaluated over the data the server
// holds, with counts, a cross-tab and the moves against the saved file beside it.
const W = JSON.parse(document.getElementById("words").textContent);
const token = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
const source = $("source"), highlight = $("highlight");
const state = { saved: "", version: null, file: "", inflight: false, pending: false, last: null, crosstab: null, seq: 0 };
window.studio = state;

function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
function word(key, args) {
  let text = W[key] || key;
  for (const [name, value] of Object.entries(args || {})) text = text.split("{" + name + "}").join(String(value));
  return text;
}
function number(n) { return Number(n).toLocaleString(document.documentElement.lang); }
function share(n, total) { return total ? (100 * n / total).toFixed(1) + "%" : "–"; }

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", "x-tradeseg-token": token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(json.error || String(response.status));
    error.status = response.status;
    throw error;
  }
  return json;
}

// ---- The editor: a transparent textarea over a highlighted copy of its text. ----
const KEYWORDS = new Set(["dimension", "segment", "when", "otherwise", "and", "or", "not", "in", "is", "missing",
  "present", "let", "include", "events", "field", "text", "optional", "test", "given", "expect", "tagged", "on",
  "enter", "leave", "then", "where", "from", "to", "true", "false", "count", "sum", "avg", "min", "max", "first",
  "last", "days", "day", "months", "month", "years", "year", "ago", "as_of", "contains", "values", "name"]);
const TOKEN = /(#[^\n]*)|("(?:[^"\\\n]|\\.)*"?)|(\b\d[\d_]*(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|(>=|<=|==|!=|[<>=+\-*\/])/g;

function offsets(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return starts;
}
function at(starts, line, column, length) {
  const start = starts[Math.max(0, Math.min(line - 1, starts.length - 1))] || 0;
  return Math.min(length, start + Math.max(0, column - 1));
}

function paint(diagnostics) {
  const text = source.value;
  const kind = new Array(text.length).fill("");
  for (const m of text.matchAll(TOKEN)) {
    const k = m[1] ? "t-c" : m[2] ? "t-s" : m[3] ? "t-n" : m[4] ? (KEYWORDS.has(m[4]) ? "t-k" : "") : "t-o";
    if (k) for (let i = m.index; i < m.index + m[0].length; i++) kind[i] = k;
  }
  const marks = new Array(text.length).fill("");
  const starts = offsets(text);
  for (const d of diagnostics || []) {
    if (d.file !== state.file || d.line == null) continue;
    const from = at(starts, d.line, d.column, text.length);
    let to = at(starts, d.end_line, d.end_column, text.length);
    if (to <= from) to = Math.min(text.length, from + 1);
    const mark = d.severity === "error" ? "t-e" : "t-w";
    for (let i = from; i < to; i++) if (marks[i] !== "t-e") marks[i] = mark;
  }
  let html = "", i = 0;
  while (i < text.length) {
    let j = i + 1;
    while (j < text.length && kind[j] === kind[i] && marks[j] === marks[i]) j++;
    const cls = [kind[i], marks[i]].filter(Boolean).join(" ");
    const piece = esc(text.slice(i, j));
    html += cls ? `<span class="${cls}">${piece}</span>` : piece;
    i = j;
  }
  highlight.innerHTML = html + "\n";
  highlight.scrollTop = source.scrollTop;
  highlight.scrollLeft = source.scrollLeft;
}

source.addEventListener("scroll", () => {
  highlight.scrollTop = source.scrollTop;
  highlight.scrollLeft = source.scrollLeft;
});
source.addEventListener("keydown", (e) => {
  if (e.key === "Tab" && !e.shiftKey) {
    e.preventDefault();
    document.execCommand("insertText", false, "    ");
  }
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
    e.preventDefault();
    save();
  }
});
source.addEventListener("input", () => {
  state.seq++;
  document.body.dataset.fresh = "no";
  paint(state.last && state.last.diagnostics);
  showStatus();
  evaluate();
});

// ---- Evaluating: one request at a time, always for the newest text. ----
async function evaluate() {
  if (state.inflight) { state.pending = true; return; }
  state.inflight = true;
  const seq = state.seq, text = source.value, started = performance.now();
  try {
    const body = { rules: text };
    if (state.crosstab) body.crosstab = state.crosstab;
    const result = await api("/api/evaluate", body);
    state.last = result;
    state.lastLatency = performance.now() - started;
    render(result);
    if (seq === state.seq) document.body.dataset.fresh = "yes";
  } catch (e) {
    showStatus(word("request-failed", { reason: e.message }), true);
  } finally {
    state.inflight = false;
    if (state.pending) { state.pending = false; evaluate(); }
  }
}

function render(result) {
  paint(result.diagnostics);
  renderProblems(result.diagnostics);
  showStatus();
  if (result.customers === undefined) {
    $("summary").textContent = word("has-errors");
    document.querySelectorAll("#counts, #crosstab-box, #moves").forEach((el) => el.classList.add("quiet"));
    return;
  }
  document.querySelectorAll("#counts, #crosstab-box, #moves").forEach((el) => el.classList.remove("quiet"));
  $("summary").textContent = word("summary", { customers: number(result.customers), ms: Math.round(result.elapsed_ms), errors: number(result.data_errors) });
  renderCounts(result);
  renderCrosstab(result);
  renderMoves(result);
}

function renderProblems(diagnostics) {
  const list = $("problems");
  list.innerHTML = "";
  if (!diagnostics || diagnostics.length === 0) {
    list.innerHTML = `<li class="ok">${esc(word("no-problems"))}</li>`;
    return;
  }
  for (const d of diagnostics) {
    const li = document.createElement("li");
    li.className = d.severity;
    const where = d.line != null ? `${d.file}:${d.line}:${d.column}` : "";
    li.innerHTML = `<span class="at">${esc(where)}</span>${esc(d.message)}` +
      (d.label ? ` — ${esc(d.label)}` : "") + (d.fix ? `<span class="help">${esc(d.fix)}</span>` : "");
    if (d.line != null && d.file === state.file) {
      li.addEventListener("click", () => {
        const pos = at(offsets(source.value), d.line, d.column, source.value.length);
        source.focus();
        source.setSelectionRange(pos, pos);
      });
    }
    list.appendChild(li);
  }
}

function deltas(result, dimension) {
  const delta = new Map();
  for (const m of result.moves || []) {
    if (m.dimension !== dimension) continue;
    if (m.to !== null) delta.set(m.to, (delta.get(m.to) || 0) + m.count);
    if (m.from !== null) delta.set(m.from, (delta.get(m.from) || 0) - m.count);
  }
  return delta;
}

function signed(n) {
  if (!n) return "";
  return `<span class="${n > 0 ? "up" : "down"}">${n > 0 ? "+" : "−"}${number(Math.abs(n))}</span>`;
}

function renderCounts(result) {
  const box = $("counts");
  let html = "";
  for (const dimension of result.dimensions) {
    const delta = deltas(result, dimension.name);
    const rows = dimension.segments.map((s) => ({ name: s.name, count: s.count }));
    if (dimension.unassigned) rows.push({ name: null, count: dimension.unassigned });
    const most = Math.max(1, ...rows.map((r) => r.count));
    html += `<h2>${esc(dimension.name)}</h2><table><thead><tr><th>${esc(word("segment"))}</th><th></th>` +
      `<th class="n">${esc(word("customers"))}</th><th class="n">${esc(word("share"))}</th><th class="n">${esc(word("change"))}</th></tr></thead><tbody>`;
    for (const row of rows) {
      const label = row.name === null ? `<i>${esc(word("no-segment"))}</i>` : esc(row.name);
      html += `<tr data-dimension="${esc(dimension.name)}" data-segment="${esc(row.name ?? "")}">` +
        `<td><button class="pick" data-pick="segment" data-dim="${esc(dimension.name)}" data-seg='${esc(JSON.stringify(row.name))}'>${label}</button></td>` +
        `<td class="barcell"><div class="bar" style="width:${(100 * row.count / most).toFixed(1)}%"></div></td>` +
        `<td class="n count">${number(row.count)}</td><td class="n">${share(row.count, result.customers)}</td>` +
        `<td class="n">${signed(delta.get(row.name) || 0)}</td></tr>`;
    }
    html += "</tbody></table>";
  }
  if (result.tags.length) {
    const mostTagged = Math.max(1, ...result.tags.map((t) => t.count));
    html += `<h2>${esc(word("tags"))}</h2><table><tbody>`;
    for (const tag of result.tags) {
      html += `<tr data-tag="${esc(tag.name)}"><td><button class="pick" data-pick="tag" data-tag="${esc(tag.name)}">${esc(tag.name)}</button></td>` +
        `<td class="barcell"><div class="bar" style="width:${(100 * tag.count / mostTagged).toFixed(1)}%"></div></td>` +
        `<td class="n count">${number(tag.count)}</td><td class="n">${share(tag.count, result.customers)}</td><td></td></tr>`;
    }
    html += "</tbody></table>";
  }
  box.innerHTML = html;
}

function renderCrosstab(result) {
  const box = $("crosstab-box");
  const names = result.dimensions.map((d) => d.name);
  if (names.length < 2) { box.innerHTML = ""; return; }
  const tab = result.crosstab;
  const pick = (id, chosen) => `<select id="${id}">` + names.map((n) =>
    `<option${n === chosen ? " selected" : ""}>${esc(n)}</option>`).join("") + "</select>";
  let html = `<h2>${esc(word("crosstab"))}</h2><p>${pick("ct-rows", tab && tab.rows)} × ${pick("ct-columns", tab && tab.columns)}</p>`;
  if (tab) {
    const most = Math.max(1, ...tab.counts.flat());
    const label = (n) => n === null ? `<i>${esc(word("no-segment"))}</i>` : esc(n);
    html += `<table class="heat"><thead><tr><th></th>${tab.column_names.map((c) => `<th class="n">${label(c)}</th>`).join("")}</tr></thead><tbody>`;
    tab.counts.forEach((row, r) => {
      html += `<tr><th>${label(tab.row_names[r])}</th>` + row.map((n) =>
        `<td class="n" style="background:rgba(37,99,168,${(0.08 + 0.6 * n / most).toFixed(2)})">${number(n)}</td>`).join("") + "</tr>";
    });
    html += "</tbody></table>";
  }
  box.innerHTML = html;
  for (const id of ["ct-rows", "ct-columns"]) {
    const select = $(id);
    if (select) select.addEventListener("change", () => {
      state.crosstab = [$("ct-rows").value, $("ct-columns").value];
      evaluate();
    });
  }
}

function renderMoves(result) {
  const box = $("moves");
  const moves = result.moves || [];
  let html = `<h2>${esc(word("moves"))}</h2>`;
  if (!moves.length) {
    box.innerHTML = html + `<p class="quiet" id="no-moves">${esc(word("no-moves"))}</p>`;
    return;
  }
  const label = (n) => n === null ? `<i>${esc(word("no-segment"))}</i>` : esc(n);
  const byDimension = new Map();
  for (const m of moves) {
    if (!byDimension.has(m.dimension)) byDimension.set(m.dimension, []);
    byDimension.get(m.dimension).push(m);
  }
  for (const [dimension, list] of byDimension) {
    const froms = [...new Set(list.map((m) => m.from))], tos = [...new Set(list.map((m) => m.to))];
    html += `<h3>${esc(dimension)}</h3><table class="matrix" data-dimension="${esc(dimension)}"><thead><tr><th>${esc(word("from-to"))}</th>` +
      tos.map((t) => `<th class="n">${label(t)}</th>`).join("") + "</tr></thead><tbody>";
    for (const from of froms) {
      html += `<tr><th>${label(from)}</th>`;
      for (const to of tos) {
        const m = list.find((x) => x.from === from && x.to === to);
        html += m ? `<td class="n"><button class="pick move" data-pick="move" data-dim="${esc(dimension)}" data-from='${esc(JSON.stringify(from))}' data-to='${esc(JSON.stringify(to))}'>${number(m.count)}</button></td>` : `<td class="n quiet">·</td>`;
      }
      html += "</tr>";
    }
    html += "</tbody></table>";
  }
  box.innerHTML = html;
}

// ---- Customers and why they are where they are. ----
document.addEventListener("click", async (e) => {
  const button = e.target.closest("[data-pick]");
  if (!button) return;
  const kind = button.dataset.pick;
  if (kind === "customer") return explain(button.dataset.id);
  let body, title;
  if (kind === "segment") {
    const segment = JSON.parse(button.dataset.seg);
    body = { rules: source.value, dimension: button.dataset.dim, segment };
    title = `${button.dataset.dim}: ${segment ?? word("no-segment")}`;
  } else if (kind === "tag") {
    body = { rules: source.value, tag: button.dataset.tag };
    title = button.dataset.tag;
  } else {
    const from = JSON.parse(button.dataset.from), to = JSON.parse(button.dataset.to);
    body = { rules: source.value, dimension: button.dataset.dim, from, to };
    title = `${button.dataset.dim}: ${from ?? word("no-segment")} → ${to ?? word("no-segment")}`;
  }
  try {
    const listing = await api("/api/customers", body);
    const shown = listing.customers.length;
    openDrawer(title, `<p>${esc(word("listed", { total: number(listing.total), shown: number(shown) }))}</p><ul class="ids">` +
      listing.customers.map((id) => `<li><button class="pick" data-pick="customer" data-id="${esc(id)}">${esc(id)}</button></li>`).join("") + "</ul>");
  } catch (err) {
    openDrawer(title, `<p class="down">${esc(err.message)}</p>`);
  }
});

function fields(s, found) {
  if (s.field && !found.has(s.field)) found.set(s.field, s.value);
  for (const part of s.parts || []) fields(part, found);
  return found;
}

function step(s) {
  const value = s.value === null ? "unknown" : String(s.value);
  const cls = s.value === true ? "true" : s.value === false ? "false" : s.value === null ? "unknown" : "";
  const values = [...fields(s, new Map())].map(([name, v]) => `${name} = ${v === null ? "missing" : JSON.stringify(v)}`);
  return `<span class="step">${esc(s.text)}</span> → <span class="${cls}">${esc(value)}</span>` +
    (values.length ? `<br><span class="quiet">${esc(values.join(" · "))}</span>` : "");
}

async function explain(id) {
  try {
    const why = await api("/api/explain", { rules: source.value, id });
    let html = `<div class="trace" id="trace"><p class="quiet">${esc(why.found_at)} · ${esc(word("as-of", { date: why.as_of }))}</p>`;
    for (const d of why.dimensions) {
      html += `<h3>${esc(d.name)}: ${d.segment === null ? `<i>${esc(word("no-segment"))}</i>` : `<b>${esc(d.segment)}</b>`}</h3><ol>`;
      for (const t of d.tried) {
        html += `<li>${esc(t.segment)} <span class="quiet">(${esc(t.at)})</span><br>${step(t.condition)}` +
          (t.near_miss ? `<br><span class="quiet">${esc(t.near_miss)}</span>` : "") + "</li>";
      }
      html += "</ol>";
    }
    if (why.tags.length) {
      html += `<h3>${esc(word("tags"))}</h3><ul>` + why.tags.map((t) => `<li>${esc(t.segment)}: ${step(t.condition)}</li>`).join("") + "</ul>";
    }
    if (why.data_errors.length) html += `<p class="down">${why.data_errors.map(esc).join("<br>")}</p>`;
    openDrawer(word("why", { id }), html + "</div>");
  } catch (err) {
    openDrawer(word("why", { id }), `<p class="down">${esc(err.message)}</p>`);
  }
}

function openDrawer(title, html) {
  $("drawer-title").textContent = title;
  $("drawer-body").innerHTML = html;
  $("drawer").hidden = false;
}
$("drawer-close").addEventListener("click", () => { $("drawer").hidden = true; });
document.addEventListener("keydown", (e) => { if (e.key === "Escape") $("drawer").hidden = true; });

// ---- Saving, and edits made elsewhere. ----
function dirty() { return source.value !== state.saved; }
function showStatus(text, bad) {
  const status = $("status");
  status.classList.toggle("bad", !!bad);
  const errors = state.last && (state.last.diagnostics || []).some((d) => d.severity === "error");
  status.textContent = text || (dirty() ? word("unsaved") : word("saved")) + (errors ? " · " + word("has-errors") : "");
  $("save").disabled = !dirty();
}

async function save() {
  if (!dirty()) return;
  const text = source.value;
  try {
    const done = await api("/api/save", { rules: text, version: state.version });
    state.saved = text;
    state.version = done.version;
    $("banner").hidden = true;
    showStatus();
  } catch (e) {
    if (e.status === 409) showBanner(word("conflict"));
    else showStatus(word("request-failed", { reason: e.message }), true);
  }
}
$("save").addEventListener("click", save);

function showBanner(text) {
  $("banner-text").textContent = text;
  $("banner").hidden = false;
}
$("banner-reload").addEventListener("click", async () => {
  await load(true);
  $("banner").hidden = true;
});

async function load(replace) {
  const disk = await api("/api/rules");
  state.file = disk.file;
  $("file").textContent = disk.file.split(/[\\/]/).pop();
  const keep = !replace && dirty() && source.value !== disk.text;
  state.version = disk.version;
  if (keep) {
    if (disk.text !== state.saved) showBanner(word("changed-on-disk"));
  } else {
    source.value = disk.text;
  }
  state.saved = disk.text;
  state.seq++;
  document.body.dataset.fresh = "no";
  showStatus();
  evaluate();
}

function listen() {
  const events = new EventSource("/api/changes?token=" + encodeURIComponent(token));
  events.addEventListener("changed", () => load(false));
}

$("save").textContent = word("save");
$("banner-reload").textContent = word("reload");
$("drawer-close").textContent = word("close");
load(true).then(listen, (e) => showStatus(word("request-failed", { reason: e.message }), true));
