// taizhang web page, the 督查室's views: 台账校核 (edit a cell, report progress) and 督办.
// Uses el(), api(), $ and sourceButton() from app.js. Text from documents and people reaches
// the page through textContent only. Writes send the operator's token, kept for this tab only.
"use strict";

const ledgerState = { rows: null, leftOut: 0 };  // leftOut: older versions the ledger leaves out
const FIELDS = ["lead", "supporting", "unassigned", "deadline"];

function token() {
  const value = $("#ledger-token").value.trim();
  if (value) sessionStorage.setItem("taizhang-token", value);
  return value || sessionStorage.getItem("taizhang-token") || "";
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", Authorization: `Bearer ${token()}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (_) { /* not JSON */ }
    throw new Error(`${response.status}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
  }
  return response.json();
}

function checkText(row) {
  return row.corrections.map((c) => c.field === "merge"  // on the row merged into; 待复核 on the row to merge
    ? (c.status === "待复核" ? `并入「${c.corrected}」待复核（该行原文已变化）` : `已并入「${c.corrected}」一行`)
    : c.status === "待复核" ? `${c.field} 待复核（原文已变化）`
    : c.field === "add_task" ? "人工新增" : `${c.field}：${c.extracted || "空"} → ${c.corrected || "空"}`).join("；");
}

function ledgerRow(row) {
  const corrected = new Set(row.corrections.filter((c) => c.status === "已校核").map((c) => c.field));
  const cell = (field) => el("td", { class: `${field}${corrected.has(field) ? " corrected" : ""}`, "data-field": field, text: row[field] });
  return el("tr", { "data-task": row.task_id },
    el("td", { text: row.document }),
    el("td", {}, el("a", { href: docLink(row.doc_id, row.task_id, row.source.char_start, row.source.char_end), text: row.measure })),
    ...FIELDS.map(cell),
    el("td", { class: "progress", text: row.status ? `${row.report_date} ${row.status}：${row.progress || ""}` : "" }),
    el("td", { class: "check", text: checkText(row) }),
    el("td", {}, el("button", { type: "button", class: "edit", onclick: () => openEditor(row) }, "校核 / 报送"), " ", sourceButton(row.source)));
}

function renderLedger() {
  const needle = $("#ledger-filter").value.trim();
  const rows = ledgerState.rows.filter((r) => !needle || [r.measure, r.lead, r.supporting, r.unassigned, r.task_id]
    .some((v) => (v || "").includes(needle)));
  $("#ledger-status").textContent = `${rows.length} / ${ledgerState.rows.length} 项`
    + (ledgerState.leftOut ? `（已有新版本的文件 ${ledgerState.leftOut} 个未列入）` : "");
  $("#ledger-table tbody").replaceChildren(...rows.map(ledgerRow));
}

async function showLedger() {
  $("#ledger-status").textContent = "加载中…";
  try {
    const allVersions = $("#ledger-all-versions").checked;
    const [rows, superseded] = await Promise.all([api(`/ledger/tasks?all_versions=${allVersions}`), api("/ledger/superseded")]);
    ledgerState.rows = rows;
    ledgerState.leftOut = allVersions ? 0 : superseded.length;
    const chosen = $("#add-doc").value;  // 新增任务 goes on a document of the ledger
    const docs = new Map(rows.map((r) => [r.doc_id, r.document]));
    $("#add-doc").replaceChildren(...[...docs].map(([id, title]) => el("option", { value: id, text: title })));
    if (docs.has(chosen)) $("#add-doc").value = chosen;
    renderLedger();
  } catch (err) {
    $("#ledger-status").textContent = `无法加载：${err.message}`;
  }
}

function openEditor(row) {
  const dialog = $("#edit-dialog");
  dialog.dataset.task = row.task_id;
  $("#edit-task").textContent = `${row.document} · ${row.measure}`;
  for (const field of FIELDS) $(`#edit-${field}`).value = row[field];
  $("#edit-not-a-task").checked = false;
  // 并入: another row of the same document (its units and deadlines join that row; this one leaves)
  $("#edit-merge").replaceChildren(el("option", { value: "", text: "不合并" }),
    ...ledgerState.rows.filter((r) => r.doc_id === row.doc_id && r.task_id !== row.task_id)
      .map((r) => el("option", { value: r.task_id, text: r.measure })));
  $("#report-status").value = "";
  $("#report-unit").value = row.lead.split("、")[0] || row.unassigned.split("、")[0] || "";
  $("#report-date").value = new Date().toISOString().slice(0, 10);
  $("#report-progress").value = "";
  $("#edit-error").textContent = "";
  dialog.showModal();
}

async function saveEdits(event) {
  event.preventDefault();
  const dialog = $("#edit-dialog");
  const taskId = dialog.dataset.task;
  const row = ledgerState.rows.find((r) => r.task_id === taskId);
  const user = $("#ledger-user").value.trim();
  try {
    for (const field of FIELDS) {
      const value = $(`#edit-${field}`).value.trim();
      if (value !== row[field]) await post("/ledger/corrections", { task_id: taskId, field, value, user });
    }
    if ($("#edit-not-a-task").checked) await post("/ledger/corrections", { task_id: taskId, field: "not_a_task", value: "非任务", user });
    if ($("#edit-merge").value) await post("/ledger/corrections", { task_id: taskId, field: "merge", value: $("#edit-merge").value, user });
    if ($("#report-status").value) {
      await post("/ledger/reports", { task_id: taskId, unit: $("#report-unit").value.trim(), status: $("#report-status").value,
        report_date: $("#report-date").value, progress: $("#report-progress").value.trim(), user });
    }
    dialog.close();
    await showLedger();
  } catch (err) {
    $("#edit-error").textContent = `未保存：${err.message}`;
  }
}

async function addTask(event) {
  event.preventDefault();
  if ($("#add-text").value.trim().length < 6) {
    $("#add-status").textContent = "未新增：请从原文复制一句（至少 6 个字）";
    return;
  }
  try {
    const added = await post("/ledger/tasks", { doc_id: $("#add-doc").value, text: $("#add-text").value.trim(),
      lead: $("#add-lead").value.trim(), supporting: $("#add-supporting").value.trim(),
      deadline: $("#add-deadline").value.trim(), user: $("#ledger-user").value.trim() });
    await showLedger();
    $("#add-status").textContent = `已新增：${added.task_id}`;
    for (const id of ["#add-text", "#add-lead", "#add-supporting", "#add-deadline"]) $(id).value = "";
  } catch (err) {
    $("#add-status").textContent = `未新增：${err.message}`;
  }
}

async function uploadWorkbook() {
  const file = $("#ledger-upload").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  $("#ledger-status").textContent = "导入中…";
  try {
    const response = await fetch("/ledger/import", { method: "POST", body: form, headers: { Authorization: `Bearer ${token()}` } });
    const body = await response.json();
    if (!response.ok) throw new Error(`${response.status}: ${body.detail}`);
    await showLedger();
    $("#ledger-status").textContent += ` · 已导入 ${body.map((f) => `${f.name}：校核 ${f.corrections} 条，进展 ${f.reports} 条${f.note ? "（" + f.note + "）" : ""}`).join("；")}`;
  } catch (err) {
    $("#ledger-status").textContent = `未导入：${err.message}`;
  }
  $("#ledger-upload").value = "";
}

// ------------------------------------------------------------------ 督办
// one bar per unit (or per document): 已完成, 超期, 即将到期 and, for documents, the rest of
// their tasks in grey, so a document with nothing done yet still shows its size
function dubanChart(rows, target, withRest = false) {
  const shown = rows.filter((u) => withRest || u.overdue || u.due_soon || u.completed).slice(0, 30);
  const rowH = 22, labelW = 260, barW = 420;
  const max = Math.max(1, ...shown.map((u) => u.tasks));
  const { svg, add } = barChart(labelW + barW + 120, shown.length * rowH + 30);
  shown.forEach((u, i) => {
    const y = i * rowH + 4;
    let x = labelW;
    add("text", { x: labelW - 6, y: y + 14, "text-anchor": "end", class: "label" }, u.unit);
    const parts = [["completed", "bar-done"], ["overdue", "bar-overdue"], ["due_soon", "bar-soon"]];
    if (withRest) parts.push(["rest", "bar-rest"]);
    for (const [key, cls] of parts) {
      const n = key === "rest" ? u.tasks - u.completed - u.overdue - u.due_soon : u[key];
      const w = (n / max) * barW;
      add("rect", { x, y, width: w, height: rowH - 6, class: cls });
      x += w;
    }
    add("text", { x: x + 6, y: y + 14, class: "count" }, `${u.completed} / ${u.overdue} / ${u.due_soon}（共${u.tasks}）`);
  });
  add("text", { x: labelW, y: shown.length * rowH + 24, class: "legend-text" },
    withRest ? "■ 已完成　■ 超期　■ 即将到期　■ 其他" : "■ 已完成　■ 超期　■ 即将到期");
  $(target).replaceChildren(svg);
}

async function showDuban(params) {
  if (params.as_of) $("#duban-date").value = params.as_of;
  if (!$("#duban-date").value) $("#duban-date").value = new Date().toISOString().slice(0, 10);
  const q = new URLSearchParams({ as_of: $("#duban-date").value, within: $("#duban-within").value || "30",
    all_versions: $("#duban-all-versions").checked });
  $("#duban-status").textContent = "计算中…";
  try {
    const view = await api(`/ledger/overdue?${q}`);
    const overdue = view.tasks.filter((t) => t.state === "超期").length;
    $("#duban-status").textContent = `截至 ${view.as_of}：超期 ${overdue} 项，即将到期 ${view.tasks.length - overdue} 项`
      + (view.superseded_documents ? `（已有新版本的文件 ${view.superseded_documents} 个未计入）` : "");
    dubanChart(view.units, "#duban-chart");
    dubanChart(view.documents, "#duban-doc-chart", true);
    const countRow = (u) => el("tr", { "data-unit": u.unit },
      el("td", { text: u.unit }), el("td", { text: String(u.tasks) }), el("td", { class: "completed", text: String(u.completed) }),
      el("td", { class: "overdue", text: String(u.overdue) }), el("td", { class: "due-soon", text: String(u.due_soon) }),
      el("td", { text: `${Math.round(u.completion_rate * 100)}%` }));
    $("#duban-units tbody").replaceChildren(...view.units.map(countRow));
    $("#duban-docs tbody").replaceChildren(...view.documents.map(countRow));
    $("#duban-tasks tbody").replaceChildren(...view.tasks.map((t) => el("tr", { "data-task": t.task_id, class: t.state === "超期" ? "overdue" : "due-soon" },
      el("td", { text: t.state }), el("td", { text: t.units.join("、") }), el("td", { text: t.task_id }),
      el("td", { text: t.due || "" }), el("td", { text: t.reason }))));
  } catch (err) {
    $("#duban-status").textContent = `无法计算：${err.message}`;
  }
}

window.ledgerViews = { ledger: showLedger, duban: showDuban };
$("#edit-form").addEventListener("submit", saveEdits);
$("#edit-form").addEventListener("reset", () => $("#edit-dialog").close());
$("#edit-form button[value=cancel]").addEventListener("click", (event) => { event.preventDefault(); $("#edit-dialog").close(); });
$("#ledger-filter").addEventListener("input", () => ledgerState.rows && renderLedger());
$("#ledger-all-versions").addEventListener("change", showLedger);
$("#ledger-upload").addEventListener("change", uploadWorkbook);
$("#add-form").addEventListener("submit", addTask);
$("#duban-form").addEventListener("submit", (event) => { event.preventDefault(); showDuban({}); });
if (/^#\/(ledger|duban)/.test(location.hash)) route();  // app.js routed before this file loaded
