// taizhang web page: search, document view, 任务分工表, unit load, 冲突核查.
// Document text is untrusted: every piece of it reaches the page through textContent, never
// innerHTML, so markup inside a policy document is shown as text.
"use strict";

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (_) { /* not JSON */ }
    throw new Error(`${response.status}: ${detail}`);
  }
  return response.json();
}

const unitNames = (mentions) => (mentions || []).map((m) => m.canonical || m.name).join("、");
const deadlineText = (deadlines) => (deadlines || []).map((d) => d.text).join("；");

// Chinese labels of internal values (GET /labels, from pipeline/labels.yaml) and document
// titles (GET /documents): a reader sees 冲突 and a title, never `conflict` or a file id.
let LABELS = {};
const DOC_TITLES = new Map();
const label = (kind, value) => ((LABELS[kind] || {})[value]) || value;
const docTitle = (docId) => DOC_TITLES.get(docId) || docId;
// a text file has no pages (source.paged false): its place is a line, not 第1页
const whereText = (s) => (s.paged === false ? "" : `第${s.page}页 `) + `第${s.line_start}行`;

async function loadNames() {
  const [labels, docs] = await Promise.all([api("/labels"), api("/documents")]);
  LABELS = labels;
  for (const d of docs) DOC_TITLES.set(d.doc_id, d.title);
}

function docLink(docId, taskId, start, end) {
  const params = new URLSearchParams();
  if (taskId) params.set("task", taskId);
  if (start !== undefined) { params.set("start", start); params.set("end", end); }
  return `#/doc/${encodeURIComponent(docId)}?${params}`;
}

// ------------------------------------------------------------------ source dialog (one click)
async function showSource(source) {
  const dialog = $("#source-dialog");
  $("#source-where").textContent = "加载中…";
  $("#source-lines").replaceChildren();
  if (!dialog.open) dialog.showModal();
  try {
    const q = new URLSearchParams({ doc: source.doc_id, start: source.char_start, end: source.char_end });
    const snip = await api(`/show?${q}`);
    const lines = snip.line_start === snip.line_end ? `第${snip.line_start}行` : `第${snip.line_start}–${snip.line_end}行`;
    const page = snip.paged === false ? "" : `第${snip.page}页 `;
    $("#source-where").textContent = `《${snip.title}》 ${page}${lines} · ${snip.source_path}`;
    // Word's bookmark anchors ([bookmark: _Hlk…]) are file internals, not the document's words
    const shown = (text) => text.replace(/\[bookmark: [^\]]*\]/g, "");
    const rows = snip.raw_lines.map(([n, text]) => el("div", { class: n >= snip.line_start && n <= snip.line_end ? "hit" : null },
      el("span", { class: "ln", text: String(n).padStart(5) + " │ " }), shown(text)));
    $("#source-lines").replaceChildren(...rows);
    const first = $("#source-lines .hit");
    if (first) first.scrollIntoView({ block: "center" });
  } catch (err) {
    $("#source-where").textContent = `无法显示出处：${err.message}`;
  }
}

function sourceButton(source, withTitle = false) {
  const text = (withTitle ? `《${docTitle(source.doc_id)}》 ` : "") + whereText(source);
  return el("button", { type: "button", class: "source", title: "查看原文出处", onclick: () => showSource(source) }, text);
}

// The line a hit points at is the line of its best sentence, as in the CLI; else the measure's.
function hitSource(hit) {
  const c = hit.card, s = hit.sentence;
  if (!s) return c.source;
  return { doc_id: c.doc_id, page: s.page, paged: c.source.paged, line_start: s.line, line_end: s.line,
    char_start: s.span.start, char_end: s.span.end };
}

// ------------------------------------------------------------------ search
function highlighted(sentence) {
  if (!sentence) return null;
  const parts = [];
  let at = 0;
  const marks = [...(sentence.highlights || [])].sort((a, b) => a.start - b.start);
  for (const h of marks) {
    if (h.start < at) continue;
    parts.push(sentence.text.slice(at, h.start), el("mark", { text: sentence.text.slice(h.start, h.end) }));
    at = h.end;
  }
  parts.push(sentence.text.slice(at));
  return el("blockquote", { class: "best" }, ...parts);
}

// Who answers for a measure, as the document says it: 牵头 / 配合, and the 责任单位 it names
// without saying who leads (never shown as lead, never left out).
function owners(c) {
  const unsplit = (c.unassigned_units || []).length
    ? el("span", { class: "unsplit" }, el("span", { class: "mark unit-unassigned", text: "责任单位" }),
        ` ${unitNames(c.unassigned_units)}`, el("span", { class: "note", text: "（未分牵头、配合）" }))
    : null;
  const roles = c.lead.length || c.supporting.length || !unsplit
    ? [el("span", { class: "mark unit-lead", text: "牵头" }), ` ${unitNames(c.lead) || "未明确"}　`,
       el("span", { class: "mark unit-supporting", text: "配合" }), ` ${unitNames(c.supporting) || "—"}`]
    : [];
  return el("p", { class: "owners" }, ...roles, roles.length && unsplit ? "　" : null, unsplit,
    c.deadlines.length ? el("span", {}, "　", el("span", { class: "mark deadline", text: "时限" }), ` ${deadlineText(c.deadlines)}`) : null);
}

function resultCard(hit) {
  const c = hit.card;
  const s = hit.scores;
  const fmt = (v) => (v === null || v === undefined ? "—" : Number(v).toFixed(3));
  const rank = (r) => (r ? `（第${r}）` : "");
  return el("li", { class: "card", "data-task": c.task_id || "" },
    el("h3", {}, el("a", { href: docLink(c.doc_id, c.task_id, c.source.char_start, c.source.char_end), class: "result-title" },
      `${c.number || ""}${c.title}`)),
    el("p", { class: "meta" }, el("span", { class: "badge", text: c.doc_status }), ` ${c.doc_title}`,
      c.section_path.length ? ` › ${c.section_path.join(" › ")}` : ""),
    c.kind === "measure" ? owners(c) : el("p", { class: "owners", text: "（背景段落，非具体措施）" }),
    c.targets.length ? el("ul", { class: "targets" }, c.targets.map((t) => el("li", { text: t.parsed }))) : null,
    highlighted(hit.sentence),
    el("p", { class: "where" }, sourceButton(hitSource(hit))),
    el("details", { class: "scores" }, el("summary", { text: "详情" }),
      el("p", { text: `排序分数：语义 ${fmt(s.dense)}${rank(s.dense_rank)} · 关键词 ${fmt(s.sparse)}${rank(s.sparse_rank)} · 融合 ${fmt(s.fused)}` }),
      el("p", { text: `定位：${c.doc_id}:${c.source.char_start}-${c.source.char_end}` })));
}

function facetList(title, key, values, current) {
  if (!values || !values.length) return null;
  return el("div", { class: "facet" }, el("h4", { text: title }),
    el("ul", {}, values.map((f) => el("li", {},
      el("a", { href: searchHash({ ...current, [key]: current[key] === f.value ? "" : f.value }),
                class: current[key] === f.value ? "active" : "" },
        `${f.label || f.value} (${f.count})`)))));
}

function searchHash(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return `#/search?${q}`;
}

async function runSearch(params) {
  // the first route runs once the page's names have loaded: never erase what is being typed then
  if (params.q || document.activeElement !== $("#q")) $("#q").value = params.q || "";
  const status = $("#search-status");
  const results = $("#results");
  results.replaceChildren();
  $("#facets").replaceChildren();
  if (!params.q) { status.textContent = "输入问题，例如“土地要素保障谁牵头”。"; return; }
  status.textContent = "搜索中…";
  const q = new URLSearchParams({ q: params.q, k: "10" });
  for (const key of ["doc", "unit", "year", "status"]) if (params[key]) q.set(key, params[key]);
  try {
    const res = await api(`/search?${q}`);
    const read = (res.filters_from_query || []).map((name) => ({
      year: `完成年份 ${res.filters.year}`, unit: `单位 ${res.filters.unit}`, role: `角色 ${label("role", res.filters.role)}`,
    })[name]).filter(Boolean);
    status.textContent = (res.no_answer
      ? (res.message || "语料中没有找到可靠的答案。")
      : `${res.hits.length} 条措施 · 用时 ${Math.round(res.took_ms)} 毫秒` + (res.expansions.length ? ` · 同义扩展：${res.expansions.join("、")}` : ""))
      + (read.length ? ` · 已按问题中的条件筛选：${read.join("，")}` : "");
    status.classList.toggle("no-answer", !!res.no_answer);
    results.replaceChildren(...res.hits.map(resultCard));
    $("#facets").replaceChildren(...[
      facetList("文件", "doc", res.facets.doc, params),
      facetList("单位", "unit", res.facets.unit, params),
      facetList("时限年份", "year", res.facets.year, params),
      facetList("文件状态", "status", res.facets.status, params),
    ].filter(Boolean));
  } catch (err) {
    status.textContent = `搜索失败：${err.message}`;
  }
}

// ------------------------------------------------------------------ document view
function markSpans(view) {
  const marks = [];
  for (const task of view.tasks) {
    for (const [role, list] of [["lead", task.lead], ["supporting", task.supporting], ["unassigned", task.unassigned_units]]) {
      for (const m of list || []) if (m.span) marks.push({ start: m.span.start, end: m.span.end, cls: `unit-${role}`, title: `${m.canonical}（${{ lead: "牵头", supporting: "配合", unassigned: "责任单位，未分牵头配合" }[role]}）` });
    }
    for (const d of task.deadlines || []) if (d.span) marks.push({ start: d.span.start, end: d.span.end, cls: "deadline", title: `完成时限：${label("deadline_kind", d.kind)}` });
  }
  for (const t of view.targets) marks.push({ start: t.span.start, end: t.span.end, cls: "target", title: `${t.year ? t.year + "年 " : ""}${t.indicator} ${label("comparator", t.comparator)} ${t.value ?? ""}${t.unit ?? ""}` });
  marks.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept = [];
  let last = -1;
  for (const m of marks) if (m.start >= last) { kept.push(m); last = m.end; }  // no overlaps
  return kept;
}

function renderText(text, from, to, marks) {
  const out = [];
  let at = from;
  for (const m of marks) {
    if (m.end <= from || m.start >= to) continue;
    const s = Math.max(m.start, from), e = Math.min(m.end, to);
    if (s > at) out.push(text.slice(at, s));
    out.push(el("span", { class: `mark ${m.cls}`, title: m.title, text: text.slice(s, e) }));
    at = e;
  }
  if (at < to) out.push(text.slice(at, to));
  return out;
}

async function showDocument(docId, params) {
  const article = $("#doc-text");
  article.replaceChildren(el("p", { text: "加载中…" }));
  let view;
  try { view = await api(`/documents/${encodeURIComponent(docId)}`); }
  catch (err) { article.replaceChildren(el("p", { text: `无法打开文件：${err.message}` })); return; }
  $("#doc-title").textContent = view.meta.title;
  $("#doc-meta").textContent = [view.meta.issuer, view.meta.doc_number, view.meta.date, view.meta.status, view.source_path].filter(Boolean).join(" · ");
  showDocumentVersions(docId);  // relations.js
  // what the loader noticed reading the file (Chinese, pipeline/warnings.yaml): a reader checks these places
  const warned = $("#doc-warnings");
  warned.hidden = !view.warnings.length;
  warned.replaceChildren(...(view.warnings.length
    ? [el("p", { text: "读入时需要核对之处：" }), el("ul", {}, view.warnings.map((w) => el("li", { text: w })))] : []));
  const marks = markSpans(view);
  const headingStarts = new Map(view.sections.filter((s) => s.kind !== "preamble").map((s) => [s.heading_span.start, s]));
  const taskByStart = new Map(view.tasks.map((t) => [t.span.start, t]));
  const focusStart = params.start !== undefined ? Number(params.start) : null;
  const focusEnd = params.end !== undefined ? Number(params.end) : null;
  const paragraphs = [];
  let offset = 0;
  let focusNode = null;
  for (const line of view.text.split("\n")) {
    const start = offset, end = offset + line.length;
    offset = end + 1;
    if (!line.trim()) continue;
    const section = headingStarts.get(start);
    const task = taskByStart.get(start);
    const p = el(section && !section.run_in ? "h3" : "p", { "data-start": start, id: `p${start}` }, renderText(view.text, start, end, marks));
    if (task) p.dataset.task = task.task_id;
    if (focusStart !== null && start <= focusStart && focusStart < Math.max(end, start + 1)) { p.classList.add("focus"); focusNode = focusNode || p; }
    else if (focusStart !== null && focusEnd !== null && start < focusEnd && end > focusStart) p.classList.add("focus");
    paragraphs.push(p);
  }
  article.replaceChildren(...paragraphs);
  $("#doc-toc").replaceChildren(el("ul", {}, view.sections.filter((s) => s.kind !== "preamble" && s.level <= 2).map((s) =>
    el("li", { class: `lvl${s.level}` }, el("a", { href: docLink(docId, null, s.heading_span.start, s.heading_span.end) }, s.number ? `${s.number}${s.title}` : s.title)))));
  if (focusNode) focusNode.scrollIntoView({ block: "center" });
}

// ------------------------------------------------------------------ 任务分工表
let taskCache = null;
let taskRows = [];  // the filtered, sorted view: what the export writes
const taskSort = { key: "order", dir: 1 };

// one column per key: what a cell shows and what it sorts by
const TASK_COLUMNS = {
  order: (t) => t._order,
  section: (t) => t.section_path.slice(0, -1).join(" › "),
  measure: (t) => `${t.number || ""}${t.title}`,
  lead: (t) => unitNames(t.lead),
  supporting: (t) => unitNames(t.supporting),
  unsplit: (t) => unitNames(t.unassigned_units),
  deadline: (t) => deadlineText(t.deadlines),
  source: (t) => `${t.doc_id}\u0000${String(t.source.page).padStart(5, "0")}${String(t.source.line_start).padStart(6, "0")}`,
};

async function showTasks() {
  if (!taskCache) {
    const [tasks, docs, superseded] = await Promise.all([api("/tasks?limit=5000&all_versions=true"), api("/documents"), api("/ledger/superseded")]);
    tasks.forEach((t, i) => { t._order = i; });
    // older versions of a document are left out unless 含旧版本 is ticked (the ledger's rule)
    taskCache = { tasks, docs, superseded: new Set(superseded.map((d) => d.doc_id)) };
    const select = $("#f-doc");
    select.replaceChildren(el("option", { value: "", text: "全部文件" }), ...docs.map((d) => el("option", { value: d.doc_id, text: d.title })));
  }
  filterTasks();
}

function sortTasks(key) {
  taskSort.dir = taskSort.key === key ? -taskSort.dir : 1;
  taskSort.key = key;
  filterTasks();
}

// 具体措施: the measure's own words, trimmed, with the whole text one click away
function measureCell(t) {
  const body = t.text.startsWith(`${t.number || ""}${t.title}`) ? t.text.slice(`${t.number || ""}${t.title}`.length).replace(/^[。.．\s]+/, "") : t.text;
  const short = body.length > 90 ? `${body.slice(0, 90)}…` : body;
  return el("td", { class: "measure" },
    el("a", { href: docLink(t.doc_id, t.task_id, t.source.char_start, t.source.char_end), text: `${t.number || ""}${t.title}` }),
    body ? el("details", {}, el("summary", { text: short }), el("p", { text: body })) : null);
}

function filterTasks() {
  const { tasks, docs } = taskCache;
  const titles = new Map(docs.map((d) => [d.doc_id, d.title]));
  const doc = $("#f-doc").value, unit = $("#f-unit").value.trim(), role = $("#f-role").value;
  const text = $("#f-text").value.trim(), onlyUnassigned = $("#f-unassigned").checked;
  const allVersions = $("#f-all-versions").checked;
  const matchesUnit = (t) => {
    if (!unit) return true;
    const pools = { lead: [t.lead], supporting: [t.supporting], unassigned: [t.unassigned_units] }[role]
      || [t.lead, t.supporting, t.unassigned_units];
    return pools.some((pool) => pool.some((m) => m.canonical.includes(unit) || m.name.includes(unit)));
  };
  const value = TASK_COLUMNS[taskSort.key];
  const current = tasks.filter((t) => allVersions || !taskCache.superseded.has(t.doc_id));
  taskRows = current.filter((t) => (!doc || t.doc_id === doc) && matchesUnit(t)
    && (!text || t.text.includes(text) || t.title.includes(text)) && (!onlyUnassigned || !t.lead.length))
    .sort((a, b) => {
      const x = value(a), y = value(b);
      return (typeof x === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN")) * taskSort.dir || a._order - b._order;
    });
  const leftOut = allVersions ? 0 : taskCache.superseded.size;
  $("#task-count").textContent = `${taskRows.length} / ${current.length} 项措施`
    + (leftOut ? `（已有新版本的文件 ${leftOut} 个未列入，勾选“含旧版本”列入）` : "");
  document.querySelectorAll("#task-table th[data-sort]").forEach((th) => {
    th.dataset.dir = th.dataset.sort === taskSort.key ? (taskSort.dir > 0 ? "升序" : "降序") : "";
  });
  const out = [];
  let lastDoc = null;
  taskRows.forEach((t, i) => {
    if (t.doc_id !== lastDoc) {  // the document's title once, above its rows
      out.push(el("tr", { class: "doc-row" }, el("th", { colspan: "8", scope: "rowgroup", text: titles.get(t.doc_id) || t.doc_id })));
      lastDoc = t.doc_id;
    }
    out.push(el("tr", { "data-task": t.task_id },
      el("td", { text: String(i + 1) }),
      el("td", { text: TASK_COLUMNS.section(t) }),
      measureCell(t),
      el("td", { class: "lead", text: unitNames(t.lead) || (t.unassigned_units.length ? "—" : "未明确") }),
      el("td", { class: "supporting", text: unitNames(t.supporting) }),
      el("td", { class: "unsplit", text: unitNames(t.unassigned_units) }),
      el("td", { text: deadlineText(t.deadlines) || "未明确" }),
      el("td", {}, sourceButton(t.source))));
  });
  $("#task-table tbody").replaceChildren(...out);
}

// The rows on screen (filtered and sorted) as a CSV Excel opens (UTF-8 with a BOM).
function exportTasks() {
  const titles = new Map(taskCache.docs.map((d) => [d.doc_id, d.title]));
  const cell = (v) => `"${String(v ?? "").replace(/"/g, '""')}"`;
  const head = ["序号", "文件", "重点任务", "具体措施", "措施全文", "牵头单位", "配合单位", "责任单位（未分牵头）", "完成时限", "出处", "定位"];
  const lines = [head.map(cell).join(",")].concat(taskRows.map((t, i) => [
    i + 1, titles.get(t.doc_id) || t.doc_id, TASK_COLUMNS.section(t), TASK_COLUMNS.measure(t), t.text,
    unitNames(t.lead), unitNames(t.supporting), unitNames(t.unassigned_units), deadlineText(t.deadlines) || "未明确",
    whereText(t.source), `${t.doc_id}:${t.source.char_start}-${t.source.char_end}`,
  ].map(cell).join(",")));
  const blob = new Blob(["\ufeff" + lines.join("\r\n")], { type: "text/csv;charset=utf-8" });
  const link = el("a", { href: URL.createObjectURL(blob), download: "任务分工表（筛选结果）.csv" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

// ------------------------------------------------------------------ unit load chart
// An SVG bar chart's frame (the unit chart here, the 督办 chart in ledger.js) and the call that
// adds an element to it.
function barChart(width, height) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "chart");
  const add = (tag, attrs, text) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    svg.append(n);
    return n;
  };
  return { svg, add, ns };
}

async function showUnits() {
  const load = (u) => u.lead_count + u.supporting_count + u.unassigned_count;
  const units = (await api("/units")).filter((u) => load(u) > 0).sort((a, b) => load(b) - load(a)).slice(0, 40);
  const max = Math.max(1, ...units.map(load));
  const rowH = 22, labelW = 260, barW = 520;
  const { svg, add, ns } = barChart(labelW + barW + 80, units.length * rowH + 30);
  units.forEach((u, i) => {
    const y = i * rowH + 4;
    const lw = (u.lead_count / max) * barW, sw = (u.supporting_count / max) * barW, uw = (u.unassigned_count / max) * barW;
    add("text", { x: labelW - 6, y: y + 14, "text-anchor": "end", class: "label" }, u.canonical);
    add("rect", { x: labelW, y, width: lw, height: rowH - 6, class: "bar-lead" }).append(Object.assign(document.createElementNS(ns, "title"), { textContent: `牵头 ${u.lead_count}` }));
    add("rect", { x: labelW + lw, y, width: sw, height: rowH - 6, class: "bar-supporting" }).append(Object.assign(document.createElementNS(ns, "title"), { textContent: `配合 ${u.supporting_count}` }));
    add("rect", { x: labelW + lw + sw, y, width: uw, height: rowH - 6, class: "bar-unassigned" }).append(Object.assign(document.createElementNS(ns, "title"), { textContent: `责任单位（未分牵头） ${u.unassigned_count}` }));
    add("text", { x: labelW + lw + sw + uw + 6, y: y + 14, class: "count" }, `${u.lead_count} / ${u.supporting_count} / ${u.unassigned_count}`);
  });
  add("text", { x: labelW, y: units.length * rowH + 24, class: "legend-text" }, "■ 牵头　■ 配合　■ 责任单位（未分牵头）（数字：牵头 / 配合 / 责任）");
  $("#unit-chart").replaceChildren(svg);
}

// ------------------------------------------------------------------ 冲突核查
function evidenceBox(label, ev) {
  return el("div", { class: "evidence" }, el("h4", { text: label }),
    el("blockquote", { text: ev.quote }),
    ev.parsed ? el("p", { class: "parsed", text: ev.parsed }) : null,
    el("p", {}, sourceButton(ev.source, true), " ",
      el("a", { href: docLink(ev.source.doc_id, ev.task_id, ev.source.char_start, ev.source.char_end), text: "在文件中查看" })));
}

async function showConflicts() {
  const status = $("#conflict-status");
  status.textContent = "核查中…";
  try {
    const findings = await api("/consistency");
    const flagged = findings.filter((f) => f.kind !== "consistent");
    status.textContent = `${flagged.length} 项需核实，${findings.length - flagged.length} 项相互印证`;
    $("#conflicts").replaceChildren(...findings.map((f) => el("section", { class: `finding sev-${f.severity} kind-${f.kind}` },
      el("h3", {}, el("span", { class: "badge", text: label("finding_kind", f.kind) }), ` ${f.reason}`),
      el("p", { class: "status", text: `${label("rule", f.rule)} · 严重程度：${label("severity", f.severity)}${f.newer ? " · " + label("newer", f.newer) : ""}` }),
      el("div", { class: "pair" },
        evidenceBox(`甲${f.newer === "left" ? "（较新文件）" : ""}`, f.left),
        evidenceBox(`乙${f.newer === "right" ? "（较新文件）" : ""}`, f.right)))));
  } catch (err) {
    status.textContent = `核查失败：${err.message}`;
  }
}

// ------------------------------------------------------------------ routing
function route() {
  const dialog = $("#source-dialog");
  if (dialog.open) dialog.close();  // a modal left open would make the next view inert
  const hash = location.hash || "#/search";
  const [path, query = ""] = hash.slice(2).split("?");
  const params = Object.fromEntries(new URLSearchParams(query));
  const [view, ...rest] = path.split("/");
  const name = ["search", "doc", "tasks", "units", "conflicts", "versions", "trace", "ledger", "duban"].includes(view) ? view : "search";
  document.querySelectorAll(".view").forEach((v) => { v.hidden = v.id !== `view-${name}`; });
  document.querySelectorAll("[data-nav]").forEach((a) => a.classList.toggle("active", a.dataset.nav === name));
  if (name === "search") runSearch(params);
  else if (name === "doc") showDocument(decodeURIComponent(rest.join("/")), params);
  else if (name === "tasks") showTasks();
  else if (name === "units") showUnits();
  else if (name === "conflicts") showConflicts();
  else if (name === "versions") showVersions(params);  // relations.js
  else if (name === "trace") showTrace(params);
  else if (window.ledgerViews && window.ledgerViews[name]) window.ledgerViews[name](params);  // ledger.js
}

$("#search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  location.hash = searchHash({ q: $("#q").value.trim() });
});
for (const id of ["#f-doc", "#f-unit", "#f-role", "#f-text", "#f-unassigned", "#f-all-versions"]) {
  $(id).addEventListener("input", () => taskCache && filterTasks());
}
relationForms();
document.querySelectorAll("#task-table th[data-sort]").forEach((th) => {
  th.addEventListener("click", () => taskCache && sortTasks(th.dataset.sort));
});
$("#task-export").addEventListener("click", () => taskCache && exportTasks());
window.addEventListener("hashchange", route);
loadNames().catch(() => { /* labels fall back to the values themselves */ }).finally(route);
