// Fields: a readable list (step, key, label, type) and a side panel with every attribute of the
// selected field or grid column (docs/procedure-format.md, "Fields").

import {T, el, fmt, uid, labelled, errorSlot, moveButtons} from "./dom.js";
import {app, applyProblems, changed, refresh, refreshSoon} from "./app.js";

export const FIELD_TYPES = ["number", "integer", "text", "date", "select", "checkbox", "formula", "grid",
                            "signature", "attachment", "section"];
export const COLUMN_TYPES = ["number", "integer", "text", "date", "select", "checkbox", "formula"];
export const INPUT_TYPES = new Set(["number", "integer", "text", "date", "select", "checkbox", "signature",
                                    "attachment"]);
const TYPE_ATTRIBUTES = {
  number: ["default", "unit", "resolution", "display_interval", "min", "max"],
  integer: ["default", "min", "max"],
  text: ["default", "pattern", "max_length"],
  date: ["default"],
  select: ["default", "options"],
  checkbox: ["default"],
  formula: ["expression", "unit", "display_interval"],
  grid: ["rows", "columns"],
  signature: [], attachment: [], section: [],
};
const ATTRIBUTE_NAMES = new Set(Object.values(TYPE_ATTRIBUTES).flat());
const NO_REQUIRED = new Set(["formula", "section"]);

export function typeName(type) {
  return (T.types && T.types[type]) || type || "";
}

export function fieldLabel(field) {
  return field.label || field.key || "";
}

function fieldPath(field, grid) {
  return grid ? `f:${grid.key}:${field.key}` : `f:${field.key}`;
}

export function uniqueName(prefix, taken) {
  let n = 1;
  while (taken.includes(`${prefix}${n}`)) n += 1;
  return `${prefix}${n}`;
}

function stillPresent(selection) {
  if (!selection) return false;
  if (selection.grid) {
    return app.definition.fields.includes(selection.grid) && (selection.grid.columns || []).includes(selection.field);
  }
  return app.definition.fields.includes(selection.field);
}

export function select(field, grid, focusPart) {
  app.selected = {field, grid: grid || null};
  refresh({focus: `${uid(field)}:${focusPart || "key"}`});
}

// -- the list ---------------------------------------------------------------------------------

function summary(field) {
  const parts = [];
  const sep = T.listSeparator;
  if (field.type === "formula") parts.push(field.expression || "");
  if (field.type === "select") {
    parts.push((field.options || []).map((o) => (o && typeof o === "object" ? o.label || o.value : o)).join(sep));
  }
  if (field.unit) parts.push(field.unit);
  if (field.min !== undefined || field.max !== undefined) {
    parts.push(fmt(T.bounds, {min: field.min ?? "", max: field.max ?? ""}));
  }
  if (field.type === "text" && field.pattern) parts.push(field.pattern);
  if (field.type === "grid") parts.push(rowsSummary(field.rows), fmt(T.columnCount, {count: (field.columns || []).length}));
  if (field.required) parts.push(T.requiredMark);
  return parts.filter(Boolean).join(T.summarySeparator);
}

function rowsSummary(rows) {
  if (!rows || typeof rows !== "object") return "";
  if (rows.fixed !== undefined) return fmt(T.rowsFixedSummary, {n: rows.fixed});
  if (rows.max !== undefined) return fmt(T.rowsMinMaxSummary, {min: rows.min ?? 0, max: rows.max});
  return fmt(T.rowsMinSummary, {min: rows.min ?? 0});
}

function afterListChange() {
  if (!stillPresent(app.selected)) app.selected = null;
  changed();
  refresh({fallback: "add-field"});
}

function listRow(field, index, list, grid) {
  const name = fieldLabel(field);
  const selected = !!(app.selected && app.selected.field === field);
  const open = () => select(field, grid);
  const row = el("tr", {class: [grid ? "grid-column" : "", selected ? "selected" : ""].join(" ").trim() || null,
                        "aria-current": selected ? "true" : null},
    el("td", {class: "step"}, grid ? "" : String(field.step ?? 1)),
    el("td", {class: "code"}, grid ? el("span", {"aria-hidden": "true"}, "↳ ") : "", field.key || "",
       grid ? el("span", {class: "visually-hidden"}, fmt(T.columnOf, {grid: fieldLabel(grid)})) : ""),
    el("td", {}, field.label || ""),
    el("td", {}, typeName(field.type)),
    el("td", {class: "summary"}, summary(field)),
    el("td", {class: "marker", "data-marker-for": fieldPath(field, grid)}),
    el("td", {class: "actions"},
      el("button", {type: "button", class: ["button", "edit"], "data-view": true, "data-focus": `${uid(field)}:edit`,
                    "aria-label": fmt(app.editable ? T.editNamed : T.viewNamed, {name}), on: {click: open}},
         app.editable ? T.edit : T.view),
      app.editable ? moveButtons(list, index, name, String(uid(field)), afterListChange) : ""));
  row.addEventListener("click", (event) => { if (!event.target.closest("button")) open(); });
  return row;
}

function renderList() {
  const body = document.getElementById("fields");
  const rows = [];
  app.definition.fields.forEach((field, i) => {
    rows.push(listRow(field, i, app.definition.fields, null));
    if (field.type === "grid") {
      (field.columns || []).forEach((column, j) => rows.push(listRow(column, j, field.columns, field)));
    }
  });
  if (!rows.length) rows.push(el("tr", {}, el("td", {colspan: 7, class: "help"}, T.noFieldsYet)));
  body.replaceChildren(...rows);
}

function liveList() {
  const body = document.getElementById("fields");
  if (body.contains(document.activeElement)) return;
  renderList();
  applyProblems();
}

// -- the side panel ---------------------------------------------------------------------------

function textAttr(field, prop, labelText, base, options) {
  const opts = options || {};
  const path = `${base}:${prop}`;
  const input = el("input", {type: opts.type || "text", value: field[prop] ?? "", "data-focus": `${uid(field)}:${prop}`,
                             "data-path": path, class: opts.code ? "code" : null, inputmode: opts.decimal ? "decimal" : null,
                             spellcheck: opts.code ? "false" : null, autocomplete: "off"});
  input.addEventListener("input", () => {
    if (input.value === "" && prop !== "key" && prop !== "expression") delete field[prop];
    else field[prop] = input.value;
    changed();
  });
  input.addEventListener("change", refreshSoon);
  return labelled(labelText, input, {path, hint: opts.hint, wide: opts.wide});
}

function integerAttr(obj, prop, labelText, focus, options) {
  const opts = options || {};
  const input = el("input", {type: "number", min: opts.min ?? 0, step: 1, value: obj[prop] ?? "", "data-focus": focus,
                             class: "count"});
  input.addEventListener("input", () => {
    if (input.value === "") delete obj[prop];
    else if (/^\d+$/.test(input.value)) obj[prop] = parseInt(input.value, 10);
    (opts.onInput || changed)();
  });
  input.addEventListener("change", refreshSoon);
  return labelled(labelText, input, {hint: opts.hint});
}

function keyAttr(field, base, grid) {
  const wrapper = textAttr(field, "key", T.attrKey, base, {code: true, hint: T.keyHint});
  const input = wrapper.querySelector("input");
  let before = field.key;
  input.addEventListener("focus", () => { before = field.key; });
  input.addEventListener("change", () => {
    if (before && field.key && before !== field.key) renameKey(before, field.key, grid);
    before = field.key;
  });
  return wrapper;
}

function renameIn(obj, from, to) {
  if (obj && typeof obj === "object" && from in obj && !(to in obj)) {
    obj[to] = obj[from];
    delete obj[from];
  }
}

// Test cases, the test run and per-row rules follow a renamed key.
function renameKey(from, to, grid) {
  const sets = [app.runInputs, ...app.definition.test_cases.flatMap((c) => [c.inputs, c.expected])];
  for (const values of sets) {
    if (!values || typeof values !== "object") continue;
    if (grid) {
      for (const row of Array.isArray(values[grid.key]) ? values[grid.key] : []) renameIn(row, from, to);
    } else {
      renameIn(values, from, to);
    }
  }
  if (!grid) for (const rule of app.definition.rules) if (rule.each === from) rule.each = to;
  changed();
}

function typeSelect(field, grid) {
  const types = grid ? COLUMN_TYPES : FIELD_TYPES;
  const choices = types.includes(field.type) ? types : [field.type, ...types];
  const node = el("select", {"data-focus": `${uid(field)}:type`},
    ...choices.map((type) => el("option", {value: type, selected: field.type === type}, typeName(type))));
  node.addEventListener("change", () => {
    setType(field, node.value);
    changed();
    refresh();
  });
  return labelled(T.attrType, node);
}

function setType(field, type) {
  field.type = type;
  const allowed = new Set(TYPE_ATTRIBUTES[type] || []);
  for (const attr of Object.keys(field)) if (ATTRIBUTE_NAMES.has(attr) && !allowed.has(attr)) delete field[attr];
  delete field.default;
  if (NO_REQUIRED.has(type)) delete field.required;
  if (type === "formula" && field.expression === undefined) field.expression = "=";
  if (type === "select" && !Array.isArray(field.options)) field.options = [];
  if (type === "grid") {
    if (!Array.isArray(field.columns)) field.columns = [];
    if (!field.rows || typeof field.rows !== "object") field.rows = {min: 1};
  }
}

function requiredAttr(field) {
  const box = el("input", {type: "checkbox", checked: !!field.required, "data-focus": `${uid(field)}:required`});
  box.addEventListener("change", () => {
    if (box.checked) field.required = true;
    else delete field.required;
    changed();
  });
  if (!box.id) box.id = `required-${uid(field)}`;
  return el("div", {class: ["attr", "check"]}, box, el("label", {for: box.id}, T.attrRequired));
}

function optionParts(option) {
  return option && typeof option === "object" ? [option.value ?? "", option.label ?? ""] : [option ?? "", ""];
}

function optionsEditor(field, base) {
  const options = field.options;
  const rows = options.map((option, i) => {
    const [value, label] = optionParts(option);
    const write = (newValue, newLabel) => { options[i] = newLabel ? {value: newValue, label: newLabel} : newValue; changed(); };
    const valueInput = el("input", {type: "text", value, "data-focus": `${uid(field)}:option:${i}:value`,
                                    "aria-label": fmt(T.optionValueN, {n: i + 1})});
    const labelInput = el("input", {type: "text", value: label, "data-focus": `${uid(field)}:option:${i}:label`,
                                    "aria-label": fmt(T.optionLabelN, {n: i + 1})});
    valueInput.addEventListener("input", () => write(valueInput.value, optionParts(options[i])[1]));
    labelInput.addEventListener("input", () => write(optionParts(options[i])[0], labelInput.value));
    for (const input of [valueInput, labelInput]) input.addEventListener("change", refreshSoon);
    return el("tr", {}, el("td", {}, valueInput), el("td", {}, labelInput),
      el("td", {}, moveButtons(options, i, value || fmt(T.optionN, {n: i + 1}), `${uid(field)}:option:${i}`,
                               () => { changed(); refresh({fallback: `add-option-${uid(field)}`}); })));
  });
  const add = el("button", {type: "button", class: "button", id: `add-option-${uid(field)}`, on: {click: () => {
    options.push("");
    changed();
    refresh({focus: `${uid(field)}:option:${options.length - 1}:value`});
  }}}, T.addOption);
  return el("fieldset", {class: ["attr", "wide", "options"]}, el("legend", {}, T.attrOptions),
    el("table", {class: ["designer-table", "compact"]},
      el("thead", {}, el("tr", {}, el("th", {scope: "col"}, T.optionValue), el("th", {scope: "col"}, T.optionLabel),
                                   el("th", {scope: "col"}, el("span", {class: "visually-hidden"}, T.actions)))),
      el("tbody", {}, ...rows)),
    add, errorSlot(`${base}:options`));
}

function defaultAttr(field, base) {
  const focus = `${uid(field)}:default`;
  let control;
  if (field.type === "select" || field.type === "checkbox") {
    const choices = field.type === "select"
      ? [["", T.noDefault], ...(field.options || []).map((o) => { const [v, l] = optionParts(o); return [v, l || v]; })]
      : [["", T.noDefault], ["true", T.checkedYes], ["false", T.checkedNo]];
    const current = field.default === undefined ? "" : String(field.default);
    control = el("select", {"data-focus": focus},
      ...choices.map(([value, text]) => el("option", {value, selected: value === current}, text)));
    control.addEventListener("change", () => {
      if (control.value === "") delete field.default;
      else field.default = field.type === "checkbox" ? control.value === "true" : control.value;
      changed();
    });
    return labelled(T.attrDefault, control, {path: `${base}:default`});
  }
  return textAttr(field, "default", T.attrDefault, base, {type: field.type === "date" ? "date" : "text",
                                                          decimal: field.type === "number" || field.type === "integer"});
}

function rowsEditor(grid) {
  const rows = grid.rows && typeof grid.rows === "object" ? grid.rows : (grid.rows = {min: 1});
  const fixed = rows.fixed !== undefined;
  const name = `rows-mode-${uid(grid)}`;
  const radio = (mode, text, checked) => {
    const input = el("input", {type: "radio", name, value: mode, checked, id: `${name}-${mode}`,
                               "data-focus": `${uid(grid)}:rows:${mode}`});
    input.addEventListener("change", () => {
      grid.rows = mode === "fixed" ? {fixed: rows.min || rows.fixed || 1} : {min: rows.fixed ?? 1};
      changed();
      refresh();
    });
    return el("span", {class: "radio"}, input, el("label", {for: input.id}, text));
  };
  const counts = fixed
    ? [integerAttr(rows, "fixed", T.fixedRowCount, `${uid(grid)}:rows:count`)]
    : [integerAttr(rows, "min", T.minRows, `${uid(grid)}:rows:min`),
       integerAttr(rows, "max", T.maxRows, `${uid(grid)}:rows:max`, {hint: T.maxRowsHint})];
  return el("fieldset", {class: ["attr", "wide"]}, el("legend", {}, T.gridRows),
    el("div", {class: "radios"}, radio("fixed", T.rowsFixedMode, fixed), radio("range", T.rowsRangeMode, !fixed)),
    el("div", {class: "attrs"}, ...counts));
}

function typeAttributes(field, base, grid) {
  const decimal = (prop, text, hint) => textAttr(field, prop, text, base, {decimal: true, hint});
  switch (field.type) {
    case "number":
      return [decimal("min", T.attrMin), decimal("max", T.attrMax), textAttr(field, "unit", T.attrUnit, base),
              decimal("resolution", T.attrResolution, T.resolutionHint),
              decimal("display_interval", T.attrDisplayInterval, T.displayIntervalHint), defaultAttr(field, base)];
    case "integer":
      return [decimal("min", T.attrMin), decimal("max", T.attrMax), defaultAttr(field, base)];
    case "text":
      return [textAttr(field, "pattern", T.attrPattern, base, {code: true, hint: T.patternHint}),
              integerAttr(field, "max_length", T.attrMaxLength, `${uid(field)}:max_length`, {min: 1}),
              defaultAttr(field, base)];
    case "date":
    case "checkbox":
      return [defaultAttr(field, base)];
    case "select":
      return [optionsEditor(field, base), defaultAttr(field, base)];
    case "formula":
      return [textAttr(field, "expression", T.attrExpression, base, {code: true, wide: true, hint: T.expressionHint}),
              textAttr(field, "unit", T.attrUnit, base),
              decimal("display_interval", T.attrDisplayInterval, T.displayIntervalHint)];
    case "grid":
      return [rowsEditor(field),
              el("div", {class: ["attr", "wide"]}, el("button", {type: "button", class: "button", id: `add-column-${uid(field)}`,
                on: {click: () => addColumn(field)}}, T.addColumn))];
    default:
      return [];
  }
}

function addColumn(grid) {
  const column = {key: uniqueName(T.newColumnKey, (grid.columns || []).map((c) => c.key)), type: "number"};
  grid.columns = grid.columns || [];
  grid.columns.push(column);
  changed();
  select(column, grid);
}

function renderPanel() {
  const panel = document.getElementById("field-panel");
  if (!stillPresent(app.selected)) app.selected = null;
  if (!app.selected) {
    panel.replaceChildren(el("h3", {}, T.fieldPanel),
      el("p", {class: "help"}, app.definition.fields.length ? T.selectFieldHint : T.noFieldsYet));
    return;
  }
  const {field, grid} = app.selected;
  const base = fieldPath(field, grid);
  const heading = grid ? fmt(T.columnHeading, {name: fieldLabel(field), grid: fieldLabel(grid)})
    : fmt(T.fieldHeading, {name: fieldLabel(field)});
  panel.replaceChildren(
    el("h3", {}, heading),
    errorSlot(base),
    el("div", {class: "attrs"},
      keyAttr(field, base, grid),
      textAttr(field, "label", T.attrLabel, base),
      typeSelect(field, grid),
      grid ? "" : integerAttr(field, "step", T.attrStep, `${uid(field)}:step`, {hint: T.stepHint}),
      NO_REQUIRED.has(field.type) ? "" : requiredAttr(field),
      ...typeAttributes(field, base, grid),
      textAttr(field, "help", T.attrHelp, base, {wide: true}),
      grid ? el("div", {class: ["attr", "wide"]}, el("button", {type: "button", class: "button", id: `add-column-${uid(grid)}`,
        on: {click: () => addColumn(grid)}}, fmt(T.addColumnTo, {grid: fieldLabel(grid)}))) : ""),
    el("button", {type: "button", class: "button", "data-view": true, "data-focus": `${uid(field)}:back`,
                  on: {click: () => { app.selected = null; refresh({focus: `${uid(field)}:edit`}); }}}, T.closePanel));
}

function locateField(problem) {
  const where = problem.where || "";
  const field = app.definition.fields.find((f) => f.key === where);
  if (!field) return null;
  const column = problem.grid_column ? (field.columns || []).find((c) => c.key === problem.grid_column) : null;
  const target = column || field;
  const part = problem.line !== null && problem.line !== undefined && target.type === "formula" ? "expression" : "key";
  return () => select(target, column ? field : null, part);
}

export function setUpFields() {
  app.sections.push(renderList, renderPanel);
  app.liveUpdaters.push(liveList);
  app.locators.push(locateField);
  const add = document.getElementById("add-field");
  if (add) {
    add.addEventListener("click", () => {
      const fields = app.definition.fields;
      const steps = fields.map((f) => f.step).filter((s) => Number.isInteger(s));
      const field = {key: uniqueName(T.newFieldKey, fields.map((f) => f.key)), type: "number",
                     step: steps.length ? Math.max(...steps) : 1};
      fields.push(field);
      changed();
      select(field, null);
    });
  }
}
