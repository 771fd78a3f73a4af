// 报表设计器: builds the report's definition (columns, filters, sort, grouping, chart) in the page and calls
// the JSON endpoints named in #builder-data. A refusal is shown beside what it is about; the page never
// reloads, so nothing built is lost on an error.
import {drawChart} from "./charts.js";

const DATA = JSON.parse(document.getElementById("builder-data").textContent);
const T = DATA.texts;
const URLS = DATA.urls;
const ROOT = document.getElementById("builder");
const CSRF = ROOT.dataset.csrfToken;
const OPERATORS = ["eq", "ne", "contains", "in", "between", "empty", "not_empty"].map((code) => [code, T.ops[code]]);
const SEPARATORS = /[、,，;；\n]+/;
const $ = (id) => document.getElementById(id);

const state = {
  catalogue: new Map(),   // column id → {id, label, kind, field}
  chosen: [],             // column ids in order
  values: new Map(),      // column id → Promise of distinct values
  report: DATA.report,    // the saved report open in the page, or null
  page: 1,
  ran: null,              // the last answer of the server, to redraw the chart in another kind
  exportTimer: null,
};
let uid = 0;

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : `{${key}}`));
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function showError(id, message) {
  const target = $(id);
  if (target) target.textContent = message || "";
}

// -- talking to the server ---------------------------------------------------------------------------

async function call(url, body) {
  const options = {headers: {"Accept": "application/json"}, credentials: "same-origin"};
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.headers["X-CSRFToken"] = CSRF;
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, options);
  } catch {
    return {ok: false, message: T.network};
  }
  try {
    const answer = await response.json();
    return response.ok ? answer : {...answer, ok: false, status: response.status};
  } catch {
    return {ok: false, status: response.status, message: T.network};
  }
}

function withId(url, id) {
  return url.replace(/\/0\/$/, `/${id}/`);
}

// -- columns ------------------------------------------------------------------------------------------

function label(id) {
  const column = state.catalogue.get(id);
  return column ? column.label : id;
}

function columnOptions(select, {empty, numbersOnly = false, selected = ""} = {}) {
  select.replaceChildren();
  if (empty) select.append(element("option", {value: "", text: empty}));
  for (const column of state.catalogue.values()) {
    if (numbersOnly && column.kind !== "number") continue;
    select.append(element("option", {value: column.id, text: column.label, selected: column.id === selected}));
  }
  if (selected && !state.catalogue.has(selected)) select.append(element("option", {value: selected, text: selected, selected: true}));
}

async function searchColumns() {
  const text = $("column-search").value;
  const answer = await call(`${URLS.columns}?q=${encodeURIComponent(text)}`);
  if (!answer.ok) {
    showError("columns-error", answer.message);
    return;
  }
  showError("columns-error", "");
  const list = $("column-choices");
  list.replaceChildren();
  for (const column of answer.columns) {
    const id = `column-${column.id.replace(/[^\w-]/g, (c) => c.codePointAt(0).toString(16))}`;
    const box = element("input", {type: "checkbox", id, value: column.id, checked: state.chosen.includes(column.id)});
    box.addEventListener("change", () => (box.checked ? choose(column.id) : unchoose(column.id)));
    const key = column.field ? element("span", {className: "column-key", text: ` (${column.id.slice(2)})`}) : null;
    list.append(element("li", {}, box, element("label", {for: id}, column.label, key)));
  }
  if (!answer.columns.length) list.append(element("li", {className: "quiet", text: T.noColumns}));
}

function choose(id) {
  if (!state.chosen.includes(id)) state.chosen.push(id);
  showChosen();
}

function unchoose(id) {
  state.chosen = state.chosen.filter((chosen) => chosen !== id);
  showChosen();
}

function move(id, step) {
  const at = state.chosen.indexOf(id);
  const to = at + step;
  if (to < 0 || to >= state.chosen.length) return;
  [state.chosen[at], state.chosen[to]] = [state.chosen[to], state.chosen[at]];
  showChosen();
}

function showChosen() {
  const list = $("chosen-columns");
  list.replaceChildren();
  for (const id of state.chosen) {
    const name = label(id);
    const button = (text, action, extra) => {
      const b = element("button", {type: "button", className: `button small ${extra}`,
        "aria-label": fill(T.controlFor, {action: text, name}), text});
      b.addEventListener("click", action);
      return b;
    };
    list.append(element("li", {"data-column": id}, element("span", {className: "chosen-label", text: name}),
      button(T.up, () => move(id, -1), "chosen-up"), button(T.down, () => move(id, 1), "chosen-down"),
      button(T.remove, () => unchoose(id), "chosen-remove")));
  }
  if (!state.chosen.length) list.append(element("li", {className: "quiet", text: T.chosenNone}));
  for (const box of document.querySelectorAll("#column-choices input[type=checkbox]")) {
    box.checked = state.chosen.includes(box.value);
  }
  if (state.chosen.length) showError("columns-error", "");
}

// -- filters ------------------------------------------------------------------------------------------

function valuesOf(columnId) {
  if (!state.values.has(columnId)) {
    state.values.set(columnId, call(`${URLS.values}?column=${encodeURIComponent(columnId)}`));
  }
  return state.values.get(columnId);
}

function labelled(text, control) {
  return element("span", {className: "reports-control"}, element("label", {for: control.id, text}), control);
}

async function showValueInputs(row, given) {
  const n = row.dataset.n;
  const columnId = row.querySelector(".filter-column").value;
  const op = row.querySelector(".filter-op").value;
  const box = row.querySelector(".filter-values");
  const turn = String(Number(row.dataset.turn || 0) + 1);
  row.dataset.turn = turn;  // only the latest change of column or comparison draws the inputs
  box.replaceChildren();
  if (op === "empty" || op === "not_empty") return;
  const answer = columnId ? await valuesOf(columnId) : {ok: true, values: []};
  if (row.dataset.turn !== turn) return;
  box.replaceChildren();
  if (!answer.ok) showError(`filter-${n}-error`, answer.message);
  const values = answer.ok ? answer.values : [];
  const listId = `filter-${n}-list`;
  box.append(element("datalist", {id: listId}, ...values.map((v) => element("option", {value: v}))));
  const text = (suffix, name, value) => element("input", {type: "text", id: `filter-${n}-${suffix}`, maxlength: "200",
    className: `filter-text filter-${suffix}`, list: listId, autocomplete: "off", value: value ?? "", "data-name": name});
  if (op === "between") {
    const [low, high] = Array.isArray(given) ? given : ["", ""];
    box.append(labelled(T.from, text("from", "from", low)), labelled(T.to, text("to", "to", high)));
    return;
  }
  if (op === "in") {
    const chosen = new Set(Array.isArray(given) ? given.map(String) : []);
    const pick = element("select", {id: `filter-${n}-several`, multiple: true, size: String(Math.min(6, Math.max(2, values.length))),
      className: "filter-several"}, ...values.map((v) => element("option", {value: v, text: v, selected: chosen.has(v)})));
    const others = [...chosen].filter((v) => !values.includes(v)).join("、");
    box.append(labelled(T.several, pick), labelled(T.others, text("others", "others", others)));
    return;
  }
  const single = Array.isArray(given) ? "" : given;
  const pick = element("select", {id: `filter-${n}-pick`, className: "filter-pick"},
    element("option", {value: "", text: "—"}), ...values.map((v) => element("option", {value: v, text: v, selected: v === single})));
  const input = text("value", "value", single);
  pick.addEventListener("change", () => { if (pick.value) input.value = pick.value; });
  input.addEventListener("input", () => { pick.value = values.includes(input.value) ? input.value : ""; });
  box.append(labelled(T.pick, pick), labelled(T.typed, input));
}

function addFilter(filter = {}) {
  const n = ++uid;
  const column = element("select", {id: `filter-${n}-column`, className: "filter-column"});
  columnOptions(column, {empty: T.chooseColumn, selected: filter.column || ""});
  const op = element("select", {id: `filter-${n}-op`, className: "filter-op"},
    ...OPERATORS.map(([code, name]) => element("option", {value: code, text: name, selected: code === (filter.op || "eq")})));
  const remove = element("button", {type: "button", className: "button small filter-remove", text: T.remove});
  const row = element("div", {className: "reports-filter", "data-n": String(n), role: "group", "aria-label": `${T.column} ${n}`},
    labelled(T.column, column), labelled(T.operator, op), element("span", {className: "filter-values"}), remove,
    element("p", {className: "field-error", id: `filter-${n}-error`, role: "alert"}));
  remove.addEventListener("click", () => row.remove());
  column.addEventListener("change", () => showValueInputs(row));
  op.addEventListener("change", () => showValueInputs(row, currentValue(row)));
  $("filters").append(row);
  showValueInputs(row, filter.value);
  return row;
}

function currentValue(row) {
  const op = row.querySelector(".filter-op").value;
  const read = (name) => (row.querySelector(`.filter-${name}`)?.value ?? "").trim();
  if (op === "between") return [read("from"), read("to")];
  if (op === "in") {
    const picked = [...(row.querySelector(".filter-several")?.selectedOptions ?? [])].map((o) => o.value);
    const typed = read("others").split(SEPARATORS).map((v) => v.trim()).filter(Boolean);
    return [...new Set([...picked, ...typed])];
  }
  return read("value");
}

// -- sort and grouping --------------------------------------------------------------------------------

function addOrder(order = {}) {
  const n = ++uid;
  const column = element("select", {id: `order-${n}-column`, className: "order-column"});
  columnOptions(column, {empty: T.chooseColumn, selected: order.column || ""});
  const direction = element("select", {id: `order-${n}-direction`, className: "order-direction"},
    element("option", {value: "asc", text: T.ascending}), element("option", {value: "desc", text: T.descending, selected: !!order.desc}));
  const remove = element("button", {type: "button", className: "button small order-remove", text: T.remove});
  const row = element("div", {className: "reports-order", "data-n": String(n)},
    labelled(T.column, column), labelled(T.direction, direction), remove,
    element("p", {className: "field-error", id: `order-${n}-error`, role: "alert"}));
  remove.addEventListener("click", () => row.remove());
  $("orders").append(row);
}

function showAggregate() {
  const counting = $("aggregate").value === "count";
  $("aggregate-column").disabled = counting || $("definition").disabled;
}

// -- the definition -----------------------------------------------------------------------------------

function spec() {
  const filters = [...document.querySelectorAll(".reports-filter")].map((row) => {
    const op = row.querySelector(".filter-op").value;
    const filter = {column: row.querySelector(".filter-column").value, op};
    if (op !== "empty" && op !== "not_empty") filter.value = currentValue(row);
    return filter;
  });
  const order = [...document.querySelectorAll(".reports-order")].map((row) => ({
    column: row.querySelector(".order-column").value, desc: row.querySelector(".order-direction").value === "desc"}));
  const aggregate = $("aggregate").value;
  const result = {columns: [...state.chosen], filters, order, group_by: $("group-by").value || null, aggregate,
    chart: $("chart-kind").value};
  if (aggregate !== "count") result.aggregate_column = $("aggregate-column").value;
  return result;
}

function clearErrors() {
  for (const node of document.querySelectorAll("#builder .field-error")) node.textContent = "";
}

/** The checks the page can make itself, each shown where it is about; true when there is none. */
function checked() {
  clearErrors();
  let fine = true;
  const fail = (id, message) => { showError(id, message); fine = false; };
  if (!state.chosen.length) fail("columns-error", T.needColumns);
  for (const row of document.querySelectorAll(".reports-filter")) {
    const where = `filter-${row.dataset.n}-error`;
    const op = row.querySelector(".filter-op").value;
    const value = currentValue(row);
    if (!row.querySelector(".filter-column").value) fail(where, T.needFilterColumn);
    else if (op === "between" && (!value[0] || !value[1])) fail(where, T.needTwo);
    else if (op === "in" && !value.length) fail(where, T.needSeveral);
    else if (!["empty", "not_empty", "between", "in"].includes(op) && !value) fail(where, T.needValue);
  }
  for (const row of document.querySelectorAll(".reports-order")) {
    if (!row.querySelector(".order-column").value) fail(`order-${row.dataset.n}-error`, T.needSortColumn);
  }
  if ($("aggregate").value !== "count" && !$("aggregate-column").value) fail("group-error", T.needNumberColumn);
  return fine;
}

/** Where a refusal from the server goes: the field it names (filters.2, order.1, columns, name…) or the
 * section of the action. */
function showRefusal(answer, fallback) {
  const field = answer.field || "";
  const [part, position] = field.split(".");
  const rows = {filters: ".reports-filter", order: ".reports-order"}[part];
  if (rows && position) {
    const row = document.querySelectorAll(rows)[Number(position) - 1];
    if (row) return showError(`${part === "filters" ? "filter" : "order"}-${row.dataset.n}-error`, answer.message);
  }
  const places = {columns: "columns-error", column: "filters-error", group_by: "group-error", aggregate: "group-error",
    aggregate_column: "group-error", chart: "group-error", name: "name-error", format: "export-error"};
  showError(places[part] || fallback, answer.message);
}

function load(definition) {
  state.chosen = (definition.columns || []).filter((id) => typeof id === "string");
  showChosen();
  $("filters").replaceChildren();
  for (const filter of definition.filters || []) addFilter(filter);
  $("orders").replaceChildren();
  for (const order of definition.order || []) addOrder(order);
  columnOptions($("group-by"), {empty: T.noGroup, selected: definition.group_by || ""});
  $("aggregate").value = definition.aggregate || "count";
  columnOptions($("aggregate-column"), {empty: T.chooseColumn, numbersOnly: true, selected: definition.aggregate_column || ""});
  $("chart-kind").value = definition.chart || "bar";
  showAggregate();
}

// -- running ------------------------------------------------------------------------------------------

async function run(page = 1) {
  if (!checked()) return;
  $("run-status").textContent = T.running;
  const sent = spec();
  const answer = await call(URLS.run, {spec: sent, page});
  $("run-status").textContent = "";
  if (!answer.ok) {
    showRefusal(answer, "run-error");
    return;
  }
  state.page = answer.page;
  state.ran = {answer, sent};
  showRows(answer);
  showGroups(answer, sent);
  ROOT.dataset.state = "ran";
}

function showRows(answer) {
  const head = element("tr", {}, ...answer.columns.map((c) => element("th", {scope: "col", text: c.label})));
  $("rows-table").tHead.replaceChildren(head);
  const body = $("rows-table").tBodies[0];
  body.replaceChildren(...answer.rows.map((row) => element("tr", {"data-id": String(row.id)},
    ...answer.columns.map((c) => element("td", {className: c.kind === "number" ? "number" : "", text: row[c.id] ?? ""})))));
  if (!answer.rows.length) body.append(element("tr", {}, element("td", {colspan: String(answer.columns.length), text: T.noRows})));
  const pages = Math.max(1, Math.ceil(answer.total / answer.page_size));
  $("rows-total").textContent = fill(T.total, {total: answer.total});
  $("rows-total").dataset.total = String(answer.total);
  $("page-info").textContent = fill(T.page, {page: answer.page, pages});
  $("page-previous").disabled = answer.page <= 1;
  $("page-next").disabled = answer.page >= pages;
  $("rows-result").hidden = false;
}

function showGroups(answer, sent) {
  const groups = answer.groups || [];
  $("groups-result").hidden = !groups.length;
  const canvas = $("group-chart");
  if (!groups.length) {
    const chart = window.Chart?.getChart(canvas);
    if (chart) chart.destroy();
    return;
  }
  const aggregate = sent.aggregate;
  const withValue = aggregate !== "count";
  const valueName = withValue ? fill(T.aggregateOf, {aggregate: T[aggregate], column: label(sent.aggregate_column)}) : "";
  $("groups-table").tHead.replaceChildren(element("tr", {}, element("th", {scope: "col", text: label(sent.group_by)}),
    element("th", {scope: "col", className: "number", text: T.count}),
    withValue ? element("th", {scope: "col", className: "number", text: valueName}) : null));
  $("groups-table").tBodies[0].replaceChildren(...groups.map((g) => element("tr", {},
    element("th", {scope: "row", text: g.group}), element("td", {className: "number", text: String(g.count)}),
    withValue ? element("td", {className: "number", text: g.value ?? ""}) : null)));
  const values = groups.map((g) => (withValue ? Number(g.value || 0) : g.count));
  drawChart(canvas, $("chart-kind").value, groups.map((g) => g.group), values, withValue ? valueName : T.count,
    {counts: !withValue});
}

// -- saved reports ------------------------------------------------------------------------------------

async function showSaved() {
  const answer = await call(URLS.saved);
  const list = $("saved-list");
  if (!answer.ok) {
    showError("saved-error", answer.message);
    return;
  }
  list.replaceChildren(...answer.reports.map((report) => element("li", {"data-report": String(report.id)},
    element("a", {href: withId(URLS.open, report.id), text: report.name}), " ",
    element("span", {className: "quiet", text: report.mine ? T.mine : fill(T.sharedBy, {owner: report.owner})}))));
  if (!answer.reports.length) list.append(element("li", {className: "quiet", text: T.noSaved}));
}

async function save(asNew) {
  clearErrors();
  const name = $("report-name").value.trim();
  if (!name) return showError("name-error", T.needName);
  if (!checked()) return;
  const body = {name, shared: $("report-shared").checked, spec: spec()};
  if (!asNew && state.report && state.report.mine) body.id = state.report.id;
  $("save-status").textContent = T.saving;
  const answer = await call(URLS.save, body);
  $("save-status").textContent = "";
  if (!answer.ok) return showRefusal(answer, "save-error");
  const wasReadOnly = $("definition").disabled;
  state.report = answer.report;
  $("save-status").textContent = fill(T.saved, {name: answer.report.name});
  history.replaceState(null, "", withId(URLS.open, answer.report.id));
  if (wasReadOnly || asNew) {
    // a copy is the person's own: open it as theirs, with 保存 and 删除
    window.location.assign(withId(URLS.open, answer.report.id));
    return;
  }
  showSaved();
}

async function remove() {
  if (!state.report || !window.confirm(fill(T.confirmDelete, {name: state.report.name}))) return;
  const answer = await call(withId(URLS.delete, state.report.id), {});
  if (!answer.ok) return showError("save-error", answer.message);
  window.location.assign(URLS.builder);
}

// -- exports ------------------------------------------------------------------------------------------

function showExport(exported) {
  const progress = $("export-progress");
  $("export-progress-box").hidden = false;
  progress.max = Math.max(1, exported.total || 0);
  progress.value = Math.min(progress.max, exported.done || 0);
  ROOT.dataset.export = exported.state;
  if (exported.state === "done") {
    progress.value = progress.max;
    $("export-status").textContent = T.exportDone;
    $("export-link").href = exported.url;
    $("export-ready").hidden = false;
    $("export-report").disabled = false;
    return true;
  }
  if (exported.state === "failed" || exported.state === "error") {
    showError("export-error", exported.message || exported.error || T.exportFailed);
    $("export-report").disabled = false;
    return true;
  }
  $("export-status").textContent = exported.total ? fill(T.exporting, {done: exported.done || 0, total: exported.total}) : T.exportQueued;
  return false;
}

async function poll(id) {
  const answer = await call(withId(URLS.exportState, id));
  if (!answer.ok) {
    showError("export-error", answer.message);
    $("export-report").disabled = false;
    return;
  }
  if (!showExport(answer.export)) state.exportTimer = window.setTimeout(() => poll(id), 1000);
}

async function startExport() {
  if (!checked()) return;
  window.clearTimeout(state.exportTimer);
  $("export-ready").hidden = true;
  $("export-report").disabled = true;
  const name = $("report-name")?.value.trim() || state.report?.name || "";
  const answer = await call(URLS.export, {spec: spec(), format: $("export-format").value, name});
  if (!answer.ok) {
    $("export-report").disabled = false;
    return showRefusal(answer, "export-error");
  }
  if (!showExport(answer.export)) state.exportTimer = window.setTimeout(() => poll(answer.export.id), 500);
}

// -- start --------------------------------------------------------------------------------------------

async function start() {
  const answer = await call(`${URLS.columns}?q=`);
  if (!answer.ok) {
    showError("columns-error", answer.message);
    return;
  }
  for (const column of answer.columns) state.catalogue.set(column.id, column);
  load(state.report ? state.report.spec : {});
  await searchColumns();
  let timer = null;
  $("column-search").addEventListener("input", () => { window.clearTimeout(timer); timer = window.setTimeout(searchColumns, 200); });
  $("add-filter").addEventListener("click", () => addFilter().querySelector(".filter-column").focus());
  $("add-order").addEventListener("click", () => addOrder());
  $("aggregate").addEventListener("change", showAggregate);
  $("chart-kind").addEventListener("change", () => { if (state.ran) showGroups(state.ran.answer, state.ran.sent); });
  $("run-report").addEventListener("click", () => run(1));
  $("page-previous").addEventListener("click", () => run(state.page - 1));
  $("page-next").addEventListener("click", () => run(state.page + 1));
  $("save-report")?.addEventListener("click", () => save(false));
  $("save-as-report")?.addEventListener("click", () => save(true));
  $("delete-report")?.addEventListener("click", remove);
  $("export-report")?.addEventListener("click", startExport);
  showSaved();
  ROOT.dataset.state = "ready";
}

start();
