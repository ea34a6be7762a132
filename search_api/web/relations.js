// 版本对照 (two versions side by side, changes highlighted) and 承接分析 (an upper document's
// measures, each with the lower measures implementing it, and a coverage bar per lower document).
// Loaded before app.js, whose helpers (el, api, sourceButton, docLink) these functions call.
"use strict";

const CHANGE_LABEL = { added: "新增", removed: "删除", changed: "修改", merged: "合并", split: "拆分", unchanged: "未变" };
const STATUS_CLASS = { "承接": "ok", "调整": "adjusted", "弱化": "weaker" };

async function documentOptions(select, chosen) {
  const docs = await api("/documents");
  select.replaceChildren(...docs.map((d) => el("option", { value: d.doc_id, text: `${d.title}（${d.status}）`, selected: d.doc_id === chosen ? "selected" : null })));
  return docs;
}

function wordingSide(change, side) {
  // the text of one side, with what the other side lacks marked (<del> old, <ins> new)
  if (!change.wording.length) return change[side].map((r) => `${r.number || ""}${r.title}`).join("\n");
  return change.wording.map((op) => {
    if (op.op === "equal") return op.old;
    if (side === "old" && op.old) return el("del", { text: op.old });
    if (side === "new" && op.new) return el("ins", { text: op.new });
    return null;
  });
}

function clause(change, side) {
  const refs = change[side];
  if (!refs.length) return el("td", { class: "empty", text: "（无）" });
  const text = change.kind === "added" || change.kind === "removed" ? refs.map((r) => r.text).join("\n") : wordingSide(change, side);
  return el("td", {}, el("div", { class: "clause" }, text), ...refs.map((r) => sourceButton(r.source)));
}

async function showVersions(params) {
  const status = $("#diff-status");
  const [oldSel, newSel] = [$("#diff-old"), $("#diff-new")];
  if (!oldSel.options.length) {
    await documentOptions(oldSel, params.old);
    await documentOptions(newSel, params.new);
    const groups = await api("/relations/versions");
    $("#version-groups").replaceChildren(...groups.map((g) => el("li", {},
      g.map((m) => `${m.title}（${m.status}）`).join(" → "), " ",
      diffLink(g[0].doc_id, g[g.length - 1].doc_id, "对照"),
      g.length > 2 ? g.slice(1).map((m, i) => [" ", diffLink(g[i].doc_id, m.doc_id, `第${i + 1}→${i + 2}版`)]) : null)));
    if (!groups.length) $("#version-groups").replaceChildren(el("li", { class: "status", text: "登记册中没有同一文件的多个版本；可任选两个文件对照" }));
  }
  if (params.old) oldSel.value = params.old;
  if (params.new) newSel.value = params.new;
  if (!params.old || !params.new) { status.textContent = "选择原稿与修改稿"; $("#diff-table tbody").replaceChildren(); return; }
  status.textContent = "对照中…";
  try {
    const diff = await api(`/relations/diff?${new URLSearchParams({ old: params.old, new: params.new })}`);
    const c = diff.counts;
    status.textContent = `新增 ${c.added}　删除 ${c.removed}　修改 ${c.changed}　移动 ${c.moved}　序号调整 ${c.renumbered}　合并 ${c.merged}　拆分 ${c.split}　未变 ${c.unchanged}`;
    const shown = diff.changes.filter((ch) => ch.kind !== "unchanged" || ch.renumbered || ch.moved);
    $("#diff-table tbody").replaceChildren(...shown.map((ch, i) => el("tr", { class: `change-${ch.kind}` },
      el("td", { text: String(i + 1) }),
      el("td", {}, el("span", { class: `badge kind-${ch.kind}`, text: ch.kind === "unchanged" ? (ch.moved ? "移动" : "序号调整") : CHANGE_LABEL[ch.kind] + (ch.moved ? "（移动）" : "") })),
      clause(ch, "old"), clause(ch, "new"),
      el("td", { text: ch.note }))));
  } catch (err) {
    status.textContent = `无法对照：${err.message}`;
  }
}

const EDGE_LABEL = { user: "手工登记", title: "标题相同", number: "文号相同" };
const diffLink = (oldId, newId, text) => el("a", { href: `#/versions?${new URLSearchParams({ old: oldId, new: newId })}`, text });

// the document view's 版本 box: every version of this document, earliest first, and a 对照 link
// from each other version to this one (the earlier one always on the left, as 原稿)
let versionsShownFor = null;  // the document whose versions the box is for (a late answer is dropped)

async function showDocumentVersions(docId) {
  const box = $("#doc-versions");
  box.hidden = true;
  versionsShownFor = docId;
  let versions;
  try { versions = await api(`/relations/versions/${encodeURIComponent(docId)}`); } catch (_) { return; }
  if (versionsShownFor !== docId || versions.versions.length < 2) return;
  const ids = versions.versions.map((v) => v.meta.doc_id);
  const here = ids.indexOf(docId);
  box.replaceChildren(el("strong", { text: `本文件共有 ${ids.length} 个版本（由早到晚）` }),
    el("ol", {}, versions.versions.map((v, i) => {
      const m = v.meta;
      const why = [...new Set(v.edges.map((e) => EDGE_LABEL[e.kind]))].join("、");
      const name = `${m.title}（${m.status}${m.date ? "，" + m.date : ""}）`;
      return el("li", { class: i === here ? "this" : "", "data-doc": m.doc_id },
        i === here ? `${name}　本文件` : el("a", { href: docLink(m.doc_id), text: name }),
        why ? el("span", { class: "why", text: `　${why}` }) : null,
        i === here ? null : [" ", i < here ? diffLink(m.doc_id, docId, "与本文件对照") : diffLink(docId, m.doc_id, "与本文件对照")]);
    })),
    versions.previous ? diffLink(versions.previous.doc_id, docId, "与上一版本对照") : null);
  box.hidden = false;
}

function coverageBar(c) {
  const share = c.upper_total ? c.upper_taken / c.upper_total : 0;
  const fill = el("span", { class: "fill" });
  fill.style.width = `${Math.round(share * 100)}%`;  // CSSOM: the page's CSP forbids style attributes
  return el("div", { class: "coverage" },
    el("span", { class: "coverage-title", text: c.title }),
    el("span", { class: "bar", role: "img", "aria-label": `承接 ${Math.round(share * 100)}%` }, fill),
    el("span", { class: "status", text: `承接 ${c.upper_taken}/${c.upper_total}　自选动作 ${c.own_actions}` }));
}

function linkItem(link) {
  const [up, low] = link.evidence;
  const compared = link.comparisons.map((c) => `${c.what}：上级 ${c.upper || "无"} → 本级 ${c.lower || "无"}`).join("；");
  return el("li", { class: `link status-${STATUS_CLASS[link.status]}` },
    el("span", { class: "badge", text: link.status }), " ",
    el("a", { href: docLink(link.lower.source.doc_id, link.lower.task_id), text: `${link.lower.number || ""}${link.lower.title}` }),
    el("span", { class: "status", text: `　${link.lower.source.doc_id}　分 ${link.score.total.toFixed(2)}` }),
    compared ? el("p", { class: "compared", text: compared }) : null,
    el("div", { class: "pair" },
      el("blockquote", {}, up.quote, " ", sourceButton(up.source)),
      el("blockquote", {}, low.quote, " ", sourceButton(low.source))));
}

async function showTrace(params) {
  const status = $("#trace-status");
  const upperSel = $("#trace-upper");
  const lowers = params.lower ? params.lower.split(",") : [];
  if (!upperSel.options.length) {
    const docs = await documentOptions(upperSel, params.upper);
    $("#trace-lowers").replaceChildren(...docs.map((d) => el("label", {},
      el("input", { type: "checkbox", value: d.doc_id, checked: lowers.includes(d.doc_id) ? "checked" : null }), ` ${d.title}`)));
  }
  if (params.upper) upperSel.value = params.upper;
  if (!params.upper || !lowers.length) { status.textContent = "选择上级文件和承接它的下级文件"; $("#trace-result").replaceChildren(); return; }
  status.textContent = "分析中…（首次需加载语义模型）";
  try {
    const q = new URLSearchParams({ upper: params.upper });
    lowers.forEach((l) => q.append("lower", l));
    const report = await api(`/relations/trace?${q}`);
    status.textContent = `上级：${report.upper_title}　未承接 ${report.untaken.length} 项`;
    const byUpper = new Map();
    report.links.forEach((l) => { if (!byUpper.has(l.upper.task_id)) byUpper.set(l.upper.task_id, []); byUpper.get(l.upper.task_id).push(l); });
    const untaken = new Set(report.untaken.map((r) => r.task_id));
    const uppers = [...new Map([...report.links.map((l) => [l.upper.task_id, l.upper]), ...report.untaken.map((r) => [r.task_id, r])]).values()]
      .sort((a, b) => a.source.char_start - b.source.char_start);
    $("#trace-result").replaceChildren(
      el("div", { class: "coverages" }, report.coverage.map(coverageBar)),
      ...uppers.map((u) => el("section", { class: `upper ${untaken.has(u.task_id) ? "untaken" : ""}` },
        el("h3", {}, `${u.number || ""}${u.title} `, untaken.has(u.task_id) ? el("span", { class: "badge weaker", text: "未承接" }) : null, " ", sourceButton(u.source)),
        el("ul", { class: "links" }, (byUpper.get(u.task_id) || []).map(linkItem)))),
      report.own_actions.length ? el("section", { class: "own" }, el("h3", { text: "自选动作（无上级来源）" }),
        el("ul", {}, report.own_actions.map((r) => el("li", {}, `${r.number || ""}${r.title}　`, sourceButton(r.source))))) : null);
  } catch (err) {
    status.textContent = `无法分析：${err.message}`;
  }
}

function relationForms() {
  $("#diff-form").addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/versions?${new URLSearchParams({ old: $("#diff-old").value, new: $("#diff-new").value })}`;
  });
  $("#trace-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const lowers = [...document.querySelectorAll("#trace-lowers input:checked")].map((i) => i.value);
    location.hash = `#/trace?${new URLSearchParams({ upper: $("#trace-upper").value, lower: lowers.join(",") })}`;
  });
}
