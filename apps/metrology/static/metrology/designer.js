// The procedure designer: edits the definition (docs/procedure-format.md) in place, asks the
// server to check it as you type, and marks each problem at the input and position it names.
(function () {
  "use strict";
  const root = document.getElementById("designer");
  const T = JSON.parse(document.getElementById("designer-text").textContent);
  const state = JSON.parse(document.getElementById("definition-data").textContent);
  const editable = root.dataset.editable === "true";
  const FIELD_TYPES = ["number", "integer", "text", "date", "select", "checkbox", "formula", "grid",
                       "signature", "attachment", "section"];
  const COLUMN_TYPES = ["number", "integer", "text", "date", "select", "checkbox", "formula"];
  const OPERATORS = ["<=", "<", ">=", ">", "=", "<>"];
  let lastResult = null;
  let checkTimer = null;

  for (const key of ["fields", "rules", "tables", "test_cases"]) if (!Array.isArray(state[key])) state[key] = [];

  function csrf() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: JSON.stringify(body),
    });
    return response.json();
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === "on") for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
      else if (value === true) node.setAttribute(name, "");
      else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    if (!editable && ["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(node.tagName)) node.disabled = true;
    return node;
  }

  // An input bound to obj[prop]; `path` lets problems find it.
  function bound(obj, prop, path, options) {
    const opts = options || {};
    const input = el("input", {type: "text", value: obj[prop] ?? "", "data-path": path, size: opts.size || 14,
                               class: opts.code ? "code" : null, placeholder: opts.placeholder || null});
    input.addEventListener("input", () => {
      const value = input.value;
      if (opts.list) obj[prop] = value.split(/[,，;；]/).map((s) => s.trim()).filter(Boolean);
      else if (value === "" && opts.optional) delete obj[prop];
      else obj[prop] = value;
      scheduleCheck();
    });
    if (opts.list) input.value = (obj[prop] || []).map((o) => (typeof o === "object" ? o.value : o)).join(", ");
    return el("div", {class: "cell"}, input, el("div", {class: "field-error", "data-error-for": path}));
  }

  function select(obj, prop, choices, labels, onChange) {
    const node = el("select", {}, ...choices.map((c, i) => el("option", {value: c, selected: obj[prop] === c},
                                                               labels ? labels[i] : c)));
    node.addEventListener("change", () => { obj[prop] = node.value; onChange ? onChange() : scheduleCheck(); });
    return node;
  }

  function moveButtons(list, index) {
    const move = (delta) => () => {
      const target = index + delta;
      if (target < 0 || target >= list.length) return;
      [list[index], list[target]] = [list[target], list[index]];
      render();
    };
    return el("span", {class: "row-actions"},
      el("button", {type: "button", title: T.up, on: {click: move(-1)}}, "↑"),
      el("button", {type: "button", title: T.down, on: {click: move(1)}}, "↓"),
      el("button", {type: "button", title: T.remove, class: "remove",
                    on: {click: () => { list.splice(index, 1); render(); }}}, "✕"));
  }

  function detailFor(field, path) {
    if (field.type === "formula") return bound(field, "expression", `${path}:expression`, {size: 40, code: true});
    if (field.type === "select") return bound(field, "options", `${path}:options`, {size: 30, list: true});
    if (field.type === "number") return bound(field, "unit", `${path}:unit`, {size: 8, optional: true});
    return el("span");
  }

  function typeChanged(field) {
    if (field.type === "formula" && field.expression === undefined) field.expression = "=";
    if (field.type === "select" && !field.options) field.options = [];
    if (field.type === "grid") { field.columns = field.columns || []; field.rows = field.rows || {min: 1}; }
    render();
  }

  function requiredBox(field) {
    const box = el("input", {type: "checkbox", checked: !!field.required});
    box.addEventListener("change", () => { field.required = box.checked; scheduleCheck(); });
    return box;
  }

  function stepInput(field) {
    const input = el("input", {type: "number", min: 1, value: field.step ?? 1, class: "step"});
    input.addEventListener("input", () => { field.step = parseInt(input.value || "1", 10); scheduleCheck(); });
    return input;
  }

  function fieldRow(field, index, list, grid) {
    const path = grid ? `f:${grid.key}:${field.key}` : `f:${field.key}`;
    const keyCell = bound(field, "key", `${path}:key`, {size: 10});
    keyCell.querySelector("input").addEventListener("change", render);  // paths follow the new key
    return el("tr", {class: grid ? "grid-column" : null},
      el("td", {}, grid ? "↳" : stepInput(field)),
      el("td", {}, keyCell),
      el("td", {}, bound(field, "label", `${path}:label`, {size: 12, optional: true})),
      el("td", {}, select(field, "type", grid ? COLUMN_TYPES : FIELD_TYPES, null, () => typeChanged(field))),
      el("td", {}, detailFor(field, path)),
      el("td", {}, requiredBox(field)),
      el("td", {}, moveButtons(list, index)));
  }

  function gridRows(field) {
    const rows = [];
    field.columns.forEach((column, i) => rows.push(fieldRow(column, i, field.columns, field)));
    const count = field.rows || {};
    const rowInput = (prop) => {
      const input = el("input", {type: "number", min: 0, value: count[prop] ?? "", class: "step", placeholder: prop});
      input.addEventListener("input", () => {
        if (input.value === "") delete count[prop]; else count[prop] = parseInt(input.value, 10);
        field.rows = count; scheduleCheck();
      });
      return input;
    };
    rows.push(el("tr", {class: "grid-column"}, el("td"), el("td", {colspan: 6},
      editable ? el("button", {type: "button", class: "button", on: {click: () => {
        field.columns.push({key: `col${field.columns.length + 1}`, type: "number"}); render();
      }}}, T.addColumn) : "",
      ` ${T.rows}: `, rowInput("fixed"), " min ", rowInput("min"), " max ", rowInput("max"))));
    return rows;
  }

  function renderFields() {
    const body = document.getElementById("fields");
    body.replaceChildren();
    state.fields.forEach((field, i) => {
      body.append(fieldRow(field, i, state.fields, null));
      if (field.type === "grid") body.append(...gridRows(field));
    });
  }

  function renderRules() {
    const body = document.getElementById("rules");
    body.replaceChildren();
    state.rules.forEach((rule, i) => {
      const path = `r:${rule.id}`;
      body.append(el("tr", {},
        el("td", {}, bound(rule, "label", `${path}:label`, {size: 10})),
        el("td", {}, bound(rule, "value", `${path}:value`, {size: 22, code: true})),
        el("td", {}, select(rule, "operator", OPERATORS)),
        el("td", {}, bound(rule, "limit", `${path}:limit`, {size: 18, code: true})),
        el("td", {}, select(rule, "method", ["full", "rounded"], [T.full, T.rounded], render)),
        el("td", {}, rule.method === "rounded" ? bound(rule, "interval", `${path}:interval`, {size: 6}) : ""),
        el("td", {}, bound(rule, "applies_if", `${path}:applies_if`, {size: 14, code: true, optional: true})),
        el("td", {}, moveButtons(state.rules, i))));
    });
  }

  function jsonArea(obj, prop, path, rows) {
    const area = el("textarea", {rows: rows || 4, class: "code", spellcheck: "false", "data-path": path});
    area.value = JSON.stringify(obj[prop] ?? {}, null, 1);
    area.addEventListener("input", () => {
      try { obj[prop] = JSON.parse(area.value); area.classList.remove("invalid"); scheduleCheck(); }
      catch (e) { area.classList.add("invalid"); }
    });
    return el("div", {class: "cell"}, area, el("div", {class: "field-error", "data-error-for": path}));
  }

  function renderTestCases() {
    const box = document.getElementById("test-cases");
    box.replaceChildren();
    state.test_cases.forEach((testCase, i) => {
      const path = `t:${testCase.name}`;
      const useResult = el("button", {type: "button", class: "button", on: {click: () => {
        if (!lastResult) return;
        testCase.expected = {检定结论: lastResult["检定结论"], 不合格项目: lastResult["不合格项目"]};
        for (const field of state.fields) if (field.type === "formula") testCase.expected[field.key] = lastResult[field.key];
        render();
      }}}, T.useResult);
      box.append(el("div", {class: "test-case"},
        el("label", {}, `${T.name} `, bound(testCase, "name", `${path}:name`, {size: 10})),
        el("div", {class: "test-case-io"},
          el("label", {}, T.inputs, jsonArea(testCase, "inputs", `${path}:inputs`)),
          el("label", {}, T.expected, jsonArea(testCase, "expected", `${path}:expected`))),
        editable ? useResult : "", moveButtons(state.test_cases, i)));
    });
  }

  function renderTables() {
    const area = document.getElementById("tables");
    area.value = JSON.stringify(state.tables, null, 1);
    area.disabled = !editable;
  }

  function render() {
    renderFields();
    renderRules();
    renderTables();
    renderTestCases();
    scheduleCheck();
  }

  function pathOf(problem) {
    const where = problem.where || "";
    if (where.startsWith("rules.")) return `r:${where.slice(6)}:${problem.part || "value"}`;
    if (where.startsWith("test_cases.")) return `t:${where.slice(11)}:expected`;
    if (where.startsWith("tables.")) return "tables";
    if (problem.grid_column) return `f:${where}:${problem.grid_column}:expression`;
    return `f:${where}:expression`;
  }

  function caret(input, problem) {
    if (!input || problem.column == null || input.tagName !== "INPUT") return "";
    const text = input.value.split("\n")[(problem.line || 1) - 1] || "";
    return `${text}\n${" ".repeat(Math.max(problem.column - 1, 0))}^`;
  }

  function showProblems(problems) {
    document.querySelectorAll(".field-error").forEach((node) => { node.textContent = ""; });
    document.querySelectorAll(".has-error").forEach((node) => node.classList.remove("has-error"));
    const list = document.getElementById("problems");
    list.replaceChildren(...(problems.length ? problems.map((p) => el("li", {class: "errornote"}, p.message))
                                              : [el("li", {class: "ok"}, T.ok)]));
    for (const problem of problems) {
      const path = pathOf(problem);
      const slot = document.querySelector(`[data-error-for="${CSS.escape(path)}"]`);
      const input = document.querySelector(`[data-path="${CSS.escape(path)}"]`);
      if (input) input.classList.add("has-error");
      if (slot) {
        slot.append(el("div", {}, problem.message));
        const pointer = caret(input, problem);
        if (pointer) slot.append(el("pre", {class: "caret"}, pointer));
      }
    }
  }

  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(async () => {
      const answer = await post(root.dataset.checkUrl, {definition: state});
      showProblems(answer.problems || []);
    }, 400);
  }

  function cellText(value) {
    if (value === null || value === undefined) return "—";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  function showResult(result) {
    const rows = [];
    for (const [key, value] of Object.entries(result)) {
      if (key === "rule_results") continue;
      if (Array.isArray(value) && value.length && typeof value[0] === "object") {
        value.forEach((row, i) => Object.entries(row).forEach(([column, cell]) =>
          rows.push(el("tr", {}, el("td", {}, `${key}[${i + 1}].${column}`), el("td", {class: "code"}, cellText(cell))))));
      } else {
        rows.push(el("tr", {}, el("td", {}, key), el("td", {class: "code"}, cellText(value))));
      }
    }
    for (const rule of result.rule_results || []) {
      const verdict = rule.applicable === false ? T.notApplicable : (rule.passed ? T.passed : T.failed);
      rows.push(el("tr", {class: rule.passed === false ? "rule-failed" : null},
        el("td", {}, rule.label || rule.id), el("td", {class: "code"},
          `${cellText(rule.compared ?? rule.value)} ${rule.operator || ""} ${cellText(rule.limit)} → ${verdict}`)));
    }
    document.getElementById("test-output").replaceChildren(el("table", {id: "test-result"}, ...rows));
  }

  document.getElementById("tables").addEventListener("input", (event) => {
    try { state.tables = JSON.parse(event.target.value); event.target.classList.remove("invalid"); scheduleCheck(); }
    catch (e) { event.target.classList.add("invalid"); }
  });

  const inputsArea = document.getElementById("test-inputs");
  inputsArea.value = JSON.stringify(state.test_cases.length ? state.test_cases[0].inputs : {}, null, 1);
  document.getElementById("run-test").addEventListener("click", async () => {
    let inputs;
    try { inputs = JSON.parse(inputsArea.value); } catch (e) { showProblems([{message: T.invalidJson}]); return; }
    const answer = await post(root.dataset.testRunUrl, {definition: state, inputs});
    if (answer.ok) { lastResult = answer.result; showResult(answer.result); showProblems([]); }
    else { document.getElementById("test-output").replaceChildren(); showProblems(answer.problems || []); }
  });

  function say(text, good) {
    const node = document.getElementById("action-message");
    node.textContent = text;
    node.className = good ? "success" : "error";
  }

  if (editable) {
    document.getElementById("add-field").addEventListener("click", () => {
      state.fields.push({key: `field${state.fields.length + 1}`, type: "number", step: 1}); render();
    });
    document.getElementById("add-rule").addEventListener("click", () => {
      let n = state.rules.length + 1;
      while (state.rules.some((r) => r.id === `rule${n}`)) n += 1;
      state.rules.push({id: `rule${n}`, label: "", value: "=", operator: "<=", limit: "=", method: "full"}); render();
    });
    document.getElementById("add-test-case").addEventListener("click", () => {
      state.test_cases.push({name: `T${state.test_cases.length + 1}`, inputs: {}, expected: {}}); render();
    });
    document.getElementById("save-draft").addEventListener("click", async () => {
      const answer = await post(root.dataset.saveUrl, {definition: state});
      say(answer.ok ? answer.message : (answer.message || T.failed), answer.ok);
      showProblems(answer.problems || []);
    });
    document.getElementById("publish").addEventListener("click", async () => {
      if (!window.confirm(T.confirmPublish)) return;
      const saved = await post(root.dataset.saveUrl, {definition: state});
      if (!saved.ok) { say(saved.message, false); showProblems(saved.problems || []); return; }
      const answer = await post(root.dataset.publishUrl, {});
      if (answer.ok) window.location = answer.redirect;
      else { say(answer.message, false); showProblems(answer.problems || []); }
    });
  }
  render();
})();
