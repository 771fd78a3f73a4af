// Forms generated from the fields, for test-case inputs and expected values and for the test run:
// one control per input field, a table per grid (its input columns, and its formula columns as
// expected values when asked).

import {T, KEYS, el, fmt, labelled} from "./dom.js";
import {app} from "./app.js";
import {INPUT_TYPES, fieldLabel} from "./fields.js";

export function inputFields() {
  return app.definition.fields.filter((f) => f.key && INPUT_TYPES.has(f.type));
}

export function gridFields() {
  return app.definition.fields.filter((f) => f.key && f.type === "grid" && Array.isArray(f.columns));
}

export function formulaFields() {
  return app.definition.fields.filter((f) => f.key && f.type === "formula");
}

function optionPairs(field) {
  return (field.options || []).map((o) => (o && typeof o === "object" ? [o.value, o.label || o.value] : [o, o]));
}

function withUnit(field) {
  return field.unit ? fmt(T.withUnit, {name: fieldLabel(field), unit: field.unit}) : fieldLabel(field);
}

// One control for a value of `field`; `write(undefined)` when emptied.
export function valueControl(field, value, write, focus, ariaLabel) {
  const attrs = {"data-focus": focus, "aria-label": ariaLabel || null};
  if (field.type === "select" || field.type === "checkbox") {
    const choices = field.type === "select" ? [["", T.notGiven], ...optionPairs(field)]
      : [["", T.notGiven], ["true", T.checkedYes], ["false", T.checkedNo]];
    const current = value === undefined || value === null ? "" : String(value);
    const node = el("select", attrs, ...choices.map(([v, text]) => el("option", {value: v, selected: v === current}, text)));
    node.addEventListener("change", () => {
      if (node.value === "") write(undefined);
      else write(field.type === "checkbox" ? node.value === "true" : node.value);
    });
    return node;
  }
  const node = el("input", {...attrs, type: field.type === "date" ? "date" : "text", value: value ?? "", autocomplete: "off",
                            inputmode: field.type === "number" || field.type === "integer" ? "decimal" : null});
  node.addEventListener("input", () => write(node.value === "" ? undefined : node.value));
  return node;
}

function writeScalar(values, key, value) {
  if (value === undefined) delete values[key];
  else values[key] = value;
}

function minimumRows(grid) {
  const rows = grid.rows && typeof grid.rows === "object" ? grid.rows : {};
  if (Number.isInteger(rows.fixed)) return rows.fixed;
  return Math.max(Number.isInteger(rows.min) ? rows.min : 0, 1);
}

function isFixed(grid) {
  return !!(grid.rows && Number.isInteger(grid.rows.fixed));
}

function padRows(values, key, count) {
  if (!Array.isArray(values[key])) values[key] = [];
  while (values[key].length < count) values[key].push({});
  return values[key];
}

function isEmptyRows(rows) {
  return rows.every((row) => !row || Object.keys(row).length === 0);
}

// options: {values, expected (or null), focus, path (for expected cells), onInput, onExpected, onRows}
function gridTable(grid, options) {
  const {values, expected} = options;
  const inputColumns = grid.columns.filter((c) => c.key && c.type !== "formula");
  const outputColumns = expected ? grid.columns.filter((c) => c.key && c.type === "formula") : [];
  const given = Array.isArray(values[grid.key]) ? values[grid.key].length : 0;
  const wanted = expected && Array.isArray(expected[grid.key]) ? expected[grid.key].length : 0;
  const count = isFixed(grid) ? grid.rows.fixed : Math.max(given, wanted, minimumRows(grid));
  const fixed = isFixed(grid);
  const body = [];
  for (let r = 0; r < count; r += 1) {
    const row = (Array.isArray(values[grid.key]) && values[grid.key][r]) || {};
    const wantRow = (expected && Array.isArray(expected[grid.key]) && expected[grid.key][r]) || {};
    const cells = inputColumns.map((column) => el("td", {}, valueControl(column, row[column.key], (value) => {
      const rows = padRows(values, grid.key, Math.max(r + 1, minimumRows(grid)));
      writeScalar(rows[r], column.key, value);
      if (expected && Array.isArray(expected[grid.key])) padRows(expected, grid.key, rows.length);
      options.onInput();
    }, `${options.focus}:${grid.key}:${r}:${column.key}`,
       fmt(T.gridCellLabel, {grid: fieldLabel(grid), row: r + 1, column: fieldLabel(column)}))));
    const expectedCells = outputColumns.map((column) => {
      const input = el("input", {type: "text", value: wantRow[column.key] ?? "", autocomplete: "off", inputmode: "decimal",
                                 "data-focus": `${options.focus}:exp:${grid.key}:${r}:${column.key}`,
                                 "data-path": `${options.path}:exp:${grid.key}:${r + 1}:${column.key}`,
                                 "aria-label": fmt(T.expectedCellLabel, {grid: fieldLabel(grid), row: r + 1, column: fieldLabel(column)})});
      input.addEventListener("input", () => {
        const inputs = Array.isArray(values[grid.key]) ? values[grid.key].length : 0;
        const rows = padRows(expected, grid.key, Math.max(r + 1, inputs, count));
        writeScalar(rows[r], column.key, input.value === "" ? undefined : input.value);
        if (isEmptyRows(rows)) delete expected[grid.key];
        options.onExpected();
      });
      return el("td", {class: "expected"}, input);
    });
    const remove = !fixed && count > minimumRows(grid)
      ? el("button", {type: "button", class: ["icon", "remove"], "aria-label": fmt(T.removeRowN, {n: r + 1}), title: fmt(T.removeRowN, {n: r + 1}),
                      "data-focus": `${options.focus}:${grid.key}:${r}:remove`, on: {click: () => {
          if (Array.isArray(values[grid.key])) values[grid.key].splice(r, 1);
          if (expected && Array.isArray(expected[grid.key])) {
            expected[grid.key].splice(r, 1);
            if (isEmptyRows(expected[grid.key])) delete expected[grid.key];
          }
          options.onRows();
        }}}, "✕") : "";
    body.push(el("tr", {}, el("th", {scope: "row"}, String(r + 1)), ...cells, ...expectedCells, el("td", {}, remove)));
  }
  const head = el("tr", {}, el("th", {scope: "col"}, T.rowNumber),
    ...inputColumns.map((c) => el("th", {scope: "col"}, withUnit(c))),
    ...outputColumns.map((c) => el("th", {scope: "col", class: "expected"}, fmt(T.expectedOf, {name: withUnit(c)}))),
    el("th", {scope: "col"}, el("span", {class: "visually-hidden"}, T.actions)));
  const add = fixed ? "" : el("button", {type: "button", class: "button", "data-focus": `${options.focus}:${grid.key}:add`,
    on: {click: () => {
      const rows = padRows(values, grid.key, count + 1);
      if (expected && Array.isArray(expected[grid.key])) padRows(expected, grid.key, rows.length);
      options.onRows();
    }}}, fmt(T.addGridRow, {grid: fieldLabel(grid)}));
  return el("div", {class: "grid-input"},
    el("div", {class: "scroll"}, el("table", {class: ["designer-table", "compact"]},
      el("caption", {}, fieldLabel(grid)), el("thead", {}, head), el("tbody", {}, ...body))),
    add);
}

// The inputs of a record (and, with options.expected, the expected grid columns).
export function inputsForm(options) {
  const {values} = options;
  const scalars = inputFields().map((field) => labelled(withUnit(field),
    valueControl(field, values[field.key], (value) => { writeScalar(values, field.key, value); options.onInput(); },
                 `${options.focus}:${field.key}`)));
  const grids = gridFields().map((grid) => gridTable(grid, options));
  if (!scalars.length && !grids.length) return el("p", {class: "help"}, T.noInputFields);
  return el("div", {class: "values-form"}, el("div", {class: "attrs"}, ...scalars), ...grids);
}

function failedItemsEditor(expected, focus, onExpected) {
  const labels = [...new Set(app.definition.rules.map((r) => r.label).filter(Boolean))];
  const checked = Array.isArray(expected[KEYS.failedItems]);
  const toggle = el("input", {type: "checkbox", checked, id: `${focus}-failed-toggle`, "data-focus": `${focus}:failed`});
  const wrapper = el("fieldset", {class: ["attr", "wide"]}, el("legend", {}, KEYS.failedItems));
  toggle.addEventListener("change", () => {
    if (toggle.checked) expected[KEYS.failedItems] = [];
    else delete expected[KEYS.failedItems];
    onExpected(true);
  });
  wrapper.append(el("div", {class: "check"}, toggle, el("label", {for: toggle.id}, T.checkFailedItems)));
  if (checked) {
    const list = expected[KEYS.failedItems];
    const boxes = labels.map((label, i) => {
      const box = el("input", {type: "checkbox", checked: list.includes(label), id: `${focus}-failed-${i}`,
                               "data-focus": `${focus}:failed:${i}`});
      box.addEventListener("change", () => {
        const inRuleOrder = labels.filter((l) => (l === label ? box.checked : list.includes(l)));
        expected[KEYS.failedItems] = inRuleOrder;
        onExpected(false);
      });
      return el("span", {class: "check"}, box, el("label", {for: box.id}, label));
    });
    wrapper.append(el("div", {class: "checks"}, ...(boxes.length ? boxes : [el("span", {class: "help"}, T.noRulesYet)])));
  }
  return wrapper;
}

// Expected values of the outputs that are not grid columns: formula fields, 检定结论, 不合格项目.
export function expectedForm(options) {
  const {expected, focus, path, onExpected} = options;
  const formulas = formulaFields().map((field) => {
    const input = el("input", {type: "text", value: expected[field.key] ?? "", autocomplete: "off", inputmode: "decimal",
                               "data-focus": `${focus}:exp:${field.key}`, "data-path": `${path}:exp:${field.key}`});
    input.addEventListener("input", () => {
      writeScalar(expected, field.key, input.value === "" ? undefined : input.value);
      onExpected(false);
    });
    return labelled(withUnit(field), input);
  });
  const conclusion = valueControl({type: "select", options: [KEYS.pass, KEYS.fail]}, expected[KEYS.conclusion], (value) => {
    writeScalar(expected, KEYS.conclusion, value);
    onExpected(false);
  }, `${focus}:exp:conclusion`);
  conclusion.setAttribute("data-path", `${path}:exp:${KEYS.conclusion}`);
  conclusion.options[0].textContent = T.notChecked;
  return el("div", {class: "attrs"}, ...formulas, labelled(KEYS.conclusion, conclusion),
            failedItemsEditor(expected, focus, onExpected));
}

// What a test run computed, as expected values for a new test case.
export function expectedFromResult(result) {
  const expected = {};
  for (const field of formulaFields()) {
    if (result[field.key] !== null && result[field.key] !== undefined) expected[field.key] = result[field.key];
  }
  for (const grid of gridFields()) {
    const outputs = grid.columns.filter((c) => c.key && c.type === "formula").map((c) => c.key);
    const rows = Array.isArray(result[grid.key]) ? result[grid.key] : [];
    if (!outputs.length || !rows.length) continue;
    expected[grid.key] = rows.map((row) => Object.fromEntries(outputs.filter((k) => row[k] !== null && row[k] !== undefined)
      .map((k) => [k, row[k]])));
    if (isEmptyRows(expected[grid.key])) delete expected[grid.key];
  }
  if (result[KEYS.conclusion] !== undefined) expected[KEYS.conclusion] = result[KEYS.conclusion];
  if (Array.isArray(result[KEYS.failedItems])) expected[KEYS.failedItems] = [...result[KEYS.failedItems]];
  return expected;
}

// Inputs as the engine wants them: trailing empty rows of a grid with a variable row count dropped.
export function cleanInputs(values) {
  const out = JSON.parse(JSON.stringify(values || {}));
  for (const grid of gridFields()) {
    const rows = out[grid.key];
    if (!Array.isArray(rows) || isFixed(grid)) continue;
    while (rows.length > minimumRows(grid) && Object.keys(rows[rows.length - 1] || {}).length === 0) rows.pop();
  }
  return out;
}

// The sub-type a test case or the test run is computed as: one the definition serves (`sub_types`),
// or, left empty, the procedure's own.
export function contextControl(holder, focus, onChange) {
  const served = Array.isArray(app.definition.sub_types)
    ? app.definition.sub_types.filter((s) => typeof s === "string" && s) : [];
  const current = holder.context && typeof holder.context.sub_type === "string" ? holder.context.sub_type : "";
  const choices = current && !served.includes(current) ? [...served, current] : served;
  if (!choices.length) return "";
  const own = app.pageContext.sub_type;
  const node = el("select", {"data-focus": focus, "data-context": "sub_type"},
    el("option", {value: "", selected: !current}, own ? fmt(T.ownSubType, {name: own}) : T.anySubType),
    ...choices.map((s) => el("option", {value: s, selected: s === current}, s)));
  node.addEventListener("change", () => {
    if (node.value) holder.context = {...(holder.context || {}), sub_type: node.value};
    else if (holder.context) {
      delete holder.context.sub_type;
      if (!Object.keys(holder.context).length) delete holder.context;
    }
    onChange();
  });
  return labelled(T.subType, node, {hint: T.subTypeHint});
}
