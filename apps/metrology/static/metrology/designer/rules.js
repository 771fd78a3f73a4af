// Verdict rules: id, failed-item label, value operator limit, comparison method (with the rounding
// interval of 修约值比较法), applies_if, and `each` to check every row of a grid.

import {T, el, fmt, uid, labelled, errorSlot, moveButtons} from "./dom.js";
import {app, changed, refresh, refreshSoon} from "./app.js";
import {fieldLabel, uniqueName} from "./fields.js";

export const OPERATORS = ["<=", "<", ">=", ">", "=", "<>"];

function grids() {
  return app.definition.fields.filter((f) => f.type === "grid" && f.key);
}

function ruleText(rule, prop, labelText, options) {
  const opts = options || {};
  const path = `r:${rule.id}:${prop}`;
  const input = el("input", {type: "text", value: rule[prop] ?? "", "data-focus": `${uid(rule)}:${prop}`,
                             "data-path": path, class: opts.code ? "code" : null, spellcheck: opts.code ? "false" : null,
                             inputmode: opts.decimal ? "decimal" : null, autocomplete: "off",
                             "data-formula": opts.code ? prop : null});
  input.addEventListener("input", () => {
    if (input.value === "" && opts.optional) delete rule[prop];
    else rule[prop] = input.value;
    changed();
  });
  input.addEventListener("change", refreshSoon);
  return labelled(labelText, input, {path, hint: opts.hint, wide: opts.wide});
}

function choice(rule, prop, labelText, choices, onChange) {
  const node = el("select", {"data-focus": `${uid(rule)}:${prop}`},
    ...choices.map(([value, text]) => el("option", {value, selected: (rule[prop] ?? "") === value}, text)));
  node.addEventListener("change", () => {
    onChange(node.value);
    changed();
    refresh();
  });
  return labelled(labelText, node);
}

// Buttons that type a grid column's key into the value, limit or condition last focused.
function columnButtons(rule, card) {
  const grid = grids().find((g) => g.key === rule.each);
  if (!grid) return "";
  let target = null;
  card.addEventListener("focusin", (event) => {
    if (event.target.dataset && event.target.dataset.formula) target = event.target;
  });
  const insert = (key) => {
    const input = target || card.querySelector("[data-formula='value']");
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    input.setRangeText(key, start, end, "end");
    input.dispatchEvent(new Event("input"));
    input.focus();
  };
  const columns = (grid.columns || []).filter((c) => c.key);
  return el("div", {class: ["attr", "wide", "insert-columns"], role: "group", "aria-label": fmt(T.columnsOfGrid, {grid: fieldLabel(grid)})},
    el("span", {}, fmt(T.columnsOfGrid, {grid: fieldLabel(grid)})),
    ...columns.map((column) => el("button", {type: "button", class: ["button", "small"], "data-focus": `${uid(rule)}:insert:${column.key}`,
      "aria-label": fmt(T.insertColumn, {name: fieldLabel(column), key: column.key}),
      on: {mousedown: (event) => event.preventDefault(), click: () => insert(column.key)}}, fieldLabel(column))));
}

function ruleCard(rule, index) {
  const name = rule.label || rule.id || fmt(T.ruleN, {n: index + 1});
  const card = el("fieldset", {class: "rule-card"});
  const gridChoices = [["", T.notEachRow], ...grids().map((g) => [g.key, fmt(T.eachRowOf, {grid: fieldLabel(g)})])];
  if (rule.each && !grids().some((g) => g.key === rule.each)) gridChoices.push([rule.each, rule.each]);
  const methods = [["full", T.methodFull], ["rounded", T.methodRounded]];
  card.append(
    el("legend", {}, fmt(T.ruleHeading, {n: index + 1, name})),
    errorSlot(`r:${rule.id}`),
    el("div", {class: "attrs"},
      ruleText(rule, "id", T.ruleId, {code: true, hint: T.ruleIdHint}),
      ruleText(rule, "label", T.ruleLabel, {hint: T.ruleLabelHint}),
      choice(rule, "each", T.ruleEach, gridChoices, (value) => { if (value) rule.each = value; else delete rule.each; })),
    el("div", {class: ["attrs", "comparison"]},
      ruleText(rule, "value", T.ruleValue, {code: true}),
      choice(rule, "operator", T.ruleOperator, OPERATORS.map((op) => [op, (T.operators && T.operators[op]) || op]),
             (value) => { rule.operator = value; }),
      ruleText(rule, "limit", T.ruleLimit, {code: true})),
    columnButtons(rule, card),
    el("div", {class: "attrs"},
      choice(rule, "method", T.ruleMethod, methods, (value) => {
        rule.method = value;
        if (value !== "rounded") delete rule.interval;
      }),
      rule.method === "rounded" ? ruleText(rule, "interval", T.ruleInterval, {decimal: true, hint: T.ruleIntervalHint}) : "",
      ruleText(rule, "applies_if", T.ruleAppliesIf, {code: true, optional: true, hint: T.ruleAppliesIfHint, wide: true})),
    app.editable ? el("div", {class: "card-actions"},
      moveButtons(app.definition.rules, index, name, String(uid(rule)), () => { changed(); refresh({fallback: "add-rule"}); }))
      : "");
  return card;
}

function renderRules() {
  const box = document.getElementById("rules");
  const rules = app.definition.rules;
  box.replaceChildren(...(rules.length ? rules.map(ruleCard) : [el("p", {class: "help"}, T.noRulesYet)]));
}

function locateRule(problem) {
  const where = problem.where || "";
  if (!where.startsWith("rules.")) return null;
  const rule = app.definition.rules.find((r) => r.id === where.slice(6));
  if (!rule) return null;
  const part = problem.part || "id";
  return () => refresh({focus: `${uid(rule)}:${part}`});
}

export function setUpRules() {
  app.sections.push(renderRules);
  app.locators.push(locateRule);
  const add = document.getElementById("add-rule");
  if (add) {
    add.addEventListener("click", () => {
      const rule = {id: uniqueName(T.newRuleId, app.definition.rules.map((r) => r.id)), label: "", value: "=",
                    operator: "<=", limit: "=", method: "full"};
      app.definition.rules.push(rule);
      changed();
      refresh({focus: `${uid(rule)}:label`});
    });
  }
}
