// The pinned version's fields on a phone: inputs by type, the order of steps as the server
// checks it (a step opens when every required value before it is there), values for display.

import {el} from "./text.js";

export function isBlank(value) {
  return value === null || value === undefined || (typeof value === "string" && !value.trim());
}

export function placeOf(field, row, column) {
  return row ? `${field}|${row}|${column}` : field;
}

export function valueAt(inputs, field, row, column) {
  if (!row) return inputs[field];
  const rows = inputs[field] || [];
  return row <= rows.length ? (rows[row - 1] || {})[column] : undefined;
}

export function withValue(inputs, field, row, column, value) {
  const updated = {...inputs};
  if (!row) {
    updated[field] = value;
    return updated;
  }
  const rows = (inputs[field] || []).map((r) => ({...r}));
  while (rows.length < row) rows.push({});
  rows[row - 1][column] = value;
  updated[field] = rows;
  return updated;
}

function inputColumns(grid) {
  return (grid.columns || []).filter((column) => !column.computed);
}

function needed(spec) {
  return spec.required && (spec.default === undefined || spec.default === null) && spec.type !== "checkbox";
}

function filledRows(grid, inputs) {
  const rows = [...(inputs[grid.key] || [])];
  while (rows.length && inputColumns(grid).every((c) => isBlank((rows[rows.length - 1] || {})[c.key]))) rows.pop();
  return rows;
}

export function isMissing(field, inputs) {
  if (field.type !== "grid") return needed(field) && isBlank(inputs[field.key]);
  const rows = filledRows(field, inputs);
  if (rows.length < ((field.rows && field.rows.min) || 0)) return true;
  return rows.some((row) => inputColumns(field).some((c) => needed(c) && isBlank((row || {})[c.key])));
}

export function entrySteps(fields) {
  return [...new Set(fields.filter((f) => f.type !== "section").map((f) => f.step))].sort((a, b) => a - b);
}

// The last step that may be entered now, as records/entry.py open_step works it out.
export function openStep(fields, inputs) {
  const steps = entrySteps(fields.filter((f) => !f.computed));
  for (const step of steps) {
    if (fields.some((f) => f.step === step && !f.computed && f.type !== "section" && isMissing(f, inputs))) {
      return step;
    }
  }
  return steps.length ? steps[steps.length - 1] : 0;
}

function decimalsOf(interval) {
  const text = String(interval || "");
  return text.includes(".") ? text.split(".")[1].length : 0;
}

export function shown(value, spec) {
  if (isBlank(value)) return "—";
  const text = String(value);
  const number = Number(text);
  if (!Number.isFinite(number) || !/^-?\d/.test(text)) return text;
  if (spec && spec.display_interval) return number.toFixed(decimalsOf(spec.display_interval));
  const [, decimals = ""] = text.split(".");
  return decimals.length > 6 ? number.toFixed(6) : text;
}

// One input for a field or grid cell; `typed(value, final)` is called on every keystroke and,
// with final true, when the input is left or a choice made.
export function inputFor(spec, place, value, typed) {
  const common = {id: `in-${place}`, "data-place": place, "aria-required": spec.required ? "true" : null};
  let input;
  if (spec.type === "select") {
    input = el("select", common, el("option", {value: ""}, ""),
               (spec.options || []).map((option) => el("option", {value: option}, option)));
    input.value = isBlank(value) ? "" : String(value);
    input.addEventListener("change", () => typed(input.value, true));
    return input;
  }
  if (spec.type === "checkbox") {
    input = el("input", {...common, type: "checkbox", checked: value === true});
    input.addEventListener("change", () => typed(input.checked, true));
    return input;
  }
  const kinds = {number: {type: "text", inputmode: "decimal"}, date: {type: "date"}};
  input = el("input", {...common, ...(kinds[spec.type] || {type: "text"}), autocomplete: "off",
                       maxlength: spec.max_length || null, value: isBlank(value) ? "" : String(value)});
  input.addEventListener("input", () => typed(input.value, false));
  input.addEventListener("change", () => typed(input.value, true));
  return input;
}
