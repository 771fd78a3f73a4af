// Test cases as forms (inputs and expected values generated from the fields), each marked ✓ or ✗
// after every check with its differences; the test run with per-row rule results, and
// "copy as a test case", which stays 未核对 until a person confirms it or edits an expected value.

import {T, KEYS, el, fmt, uid, labelled, errorSlot, moveButtons, displayValue, clone} from "./dom.js";
import {app, changed, differenceText, refresh, refreshSoon, runInputsChanged, say, sayFailure} from "./app.js";
import {post} from "./server.js";
import {fieldLabel, uniqueName} from "./fields.js";
import {cleanInputs, contextControl, expectedForm, expectedFromResult, gridFields, inputsForm} from "./forms.js";

function casePath(testCase) {
  return `t:${testCase.name}`;
}

function confirmArea(testCase) {
  const box = el("span", {class: "confirm-area", "data-confirm-for": uid(testCase)});
  fillConfirmArea(box, testCase);
  return box;
}

function fillConfirmArea(box, testCase) {
  if (testCase.confirmed !== false) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(el("span", {class: ["badge", "unconfirmed"]}, `⚠ ${T.unconfirmed}`), " ",
    el("button", {type: "button", class: "button", "data-focus": `${uid(testCase)}:confirm`,
                  "aria-label": fmt(T.confirmCaseNamed, {name: testCase.name}), on: {click: () => {
        delete testCase.confirmed;
        changed();
        refresh({focus: `${uid(testCase)}:name`});
      }}}, T.confirmCase),
    el("span", {class: "help"}, ` ${T.unconfirmedHint}`));
}

// An expected value edited by a person counts as checked by that person.
function expectedEdited(testCase, rebuild) {
  delete testCase.confirmed;
  const box = app.root.querySelector(`[data-confirm-for="${uid(testCase)}"]`);
  if (box) fillConfirmArea(box, testCase);
  changed();
  if (rebuild) refresh();
}

function caseCard(testCase, index) {
  if (!testCase.inputs || typeof testCase.inputs !== "object") testCase.inputs = {};
  if (!testCase.expected || typeof testCase.expected !== "object") testCase.expected = {};
  const name = testCase.name || fmt(T.caseN, {n: index + 1});
  const path = casePath(testCase);
  const focus = String(uid(testCase));
  const nameInput = el("input", {type: "text", value: testCase.name ?? "", "data-focus": `${focus}:name`,
                                 "data-path": `${path}:name`, autocomplete: "off"});
  nameInput.addEventListener("input", () => { testCase.name = nameInput.value; changed(); });
  nameInput.addEventListener("change", refreshSoon);
  const noteInput = el("input", {type: "text", value: testCase.note ?? "", "data-focus": `${focus}:note`, autocomplete: "off"});
  noteInput.addEventListener("input", () => {
    if (noteInput.value) testCase.note = noteInput.value;
    else delete testCase.note;
    changed();
  });
  const formOptions = {values: testCase.inputs, expected: testCase.expected, focus, path,
                       onInput: changed, onExpected: (rebuild) => expectedEdited(testCase, rebuild),
                       onRows: () => { changed(); refresh(); }};
  return el("fieldset", {class: "test-case", "data-case": uid(testCase)},
    el("legend", {}, fmt(T.caseHeading, {name})),
    el("div", {class: "case-status", "data-status-for": uid(testCase), role: "group", "aria-label": fmt(T.caseResultOf, {name})}),
    confirmArea(testCase),
    errorSlot(path),
    el("div", {class: "attrs"},
      labelled(T.caseName, nameInput),
      labelled(T.caseNote, noteInput, {wide: true}),
      contextControl(testCase, `${focus}:context`, () => { changed(); })),
    el("fieldset", {class: "case-part"}, el("legend", {}, T.caseInputs), inputsForm(formOptions)),
    el("fieldset", {class: "case-part"}, el("legend", {}, T.caseExpected),
       el("p", {class: "help"}, T.expectedHint), expectedForm(formOptions)),
    el("div", {class: "card-actions"},
      el("button", {type: "button", class: "button", "data-focus": `${focus}:to-run`, "data-view": true, on: {click: () => {
        app.runInputs = clone(testCase.inputs);
        app.run = testCase.context ? {context: clone(testCase.context)} : {};
        runInputsChanged();
        refresh({focus: "run-test"});
      }}}, T.loadIntoRun),
      app.editable ? moveButtons(app.definition.test_cases, index, name, focus,
                                 () => { changed(); refresh({fallback: "add-test-case"}); }) : ""));
}

function renderCases() {
  const box = document.getElementById("test-cases");
  const cases = app.definition.test_cases;
  box.replaceChildren(...(cases.length ? cases.map(caseCard) : [el("p", {class: "help"}, T.noCasesYet)]));
}

// ✓ or ✗ per case, its differences listed and the differing expected values marked.
function applyCaseResults() {
  for (const testCase of app.definition.test_cases) {
    const box = app.root.querySelector(`[data-status-for="${uid(testCase)}"]`);
    if (!box) continue;
    const result = app.caseResults ? app.caseResults[testCase.name] : null;
    if (!result) {
      box.replaceChildren(el("span", {class: ["badge", "not-run"]}, app.problems.length ? T.caseNotRunProblems : T.caseNotRun));
      continue;
    }
    if (result.passed) {
      box.replaceChildren(el("span", {class: ["badge", "passed"]}, `✓ ${T.casePassed}`));
      continue;
    }
    const lines = (result.differences || []).map((d) => differenceText(testCase.name, d));
    if (result.error) lines.unshift(result.error);
    box.replaceChildren(el("span", {class: ["badge", "failed"]}, `✗ ${T.caseFailedBadge}`),
      el("ul", {class: "differences"}, ...lines.map((line) => el("li", {}, line))));
    for (const difference of result.differences || []) {
      const where = difference.row !== null && difference.row !== undefined && difference.column
        ? `${casePath(testCase)}:exp:${difference.field}:${difference.row}:${difference.column}`
        : `${casePath(testCase)}:exp:${difference.field}`;
      const input = app.root.querySelector(`[data-path="${CSS.escape(where)}"]`);
      if (input) {
        input.classList.add("has-error");
        input.setAttribute("aria-invalid", "true");
      }
    }
  }
}

function locateCase(problem) {
  const where = problem.where || "";
  if (!where.startsWith("test_cases.")) return null;
  const testCase = app.definition.test_cases.find((c) => c.name === where.slice(11));
  return testCase ? () => refresh({focus: `${uid(testCase)}:name`}) : null;
}

// -- the test run -----------------------------------------------------------------------------

function renderRunForm() {
  const box = document.getElementById("run-form");
  const options = {values: app.runInputs, expected: null, focus: "run", path: "run",
                   onInput: runInputsChanged, onExpected: () => {}, onRows: () => { runInputsChanged(); refresh(); }};
  box.replaceChildren(contextControl(app.run, "run:context", runInputsChanged), inputsForm(options));
  const copy = document.getElementById("copy-to-case");
  if (copy) copy.disabled = !app.lastResult || !app.editable;
}

function verdictText(passed, applicable) {
  if (applicable === false || passed === null || passed === undefined) return T.notApplicable;
  return passed ? `✓ ${T.rulePassed}` : `✗ ${T.ruleFailed}`;
}

function valuesTable(result) {
  const rows = [];
  for (const field of app.definition.fields) {
    if (!field.key || field.type === "section" || field.type === "grid") continue;
    rows.push(el("tr", {}, el("th", {scope: "row"}, fieldLabel(field)),
      el("td", {class: "code"}, displayValue(result[field.key]), field.unit ? ` ${field.unit}` : "")));
  }
  return rows.length ? el("table", {class: ["designer-table", "compact", "result-values"]},
    el("caption", {}, T.resultValues),
    el("thead", {}, el("tr", {}, el("th", {scope: "col"}, T.fieldColumn), el("th", {scope: "col"}, T.valueColumn))),
    el("tbody", {}, ...rows)) : "";
}

function gridResult(grid, rows) {
  const columns = grid.columns.filter((c) => c.key);
  return el("div", {class: "scroll"}, el("table", {class: ["designer-table", "compact"]},
    el("caption", {}, fieldLabel(grid)),
    el("thead", {}, el("tr", {}, el("th", {scope: "col"}, T.rowNumber),
      ...columns.map((c) => el("th", {scope: "col"}, c.unit ? fmt(T.withUnit, {name: fieldLabel(c), unit: c.unit}) : fieldLabel(c))))),
    el("tbody", {}, ...rows.map((row, i) => el("tr", {}, el("th", {scope: "row"}, String(i + 1)),
      ...columns.map((c) => el("td", {class: "code"}, displayValue(row[c.key]))))))));
}

function ruleRows(rule) {
  const rows = [];
  const failedRows = (rule.rows || []).filter((r) => r.passed === false).map((r) => r.row);
  rows.push(el("tr", {class: rule.passed === false ? "rule-failed" : null},
    el("th", {scope: "row"}, rule.label || rule.id),
    el("td", {}, rule.rows ? fmt(T.everyRowCount, {count: rule.rows.length}) : ""),
    el("td", {class: "code"}, displayValue(rule.compared ?? rule.value)),
    el("td", {class: "code"}, (T.operators && T.operators[rule.operator]) || rule.operator || ""),
    el("td", {class: "code"}, displayValue(rule.limit)),
    el("td", {class: "verdict"}, verdictText(rule.passed, rule.applicable),
       failedRows.length ? el("div", {class: "failed-rows"}, fmt(T.failedRows, {rows: failedRows.join(T.listSeparator)})) : "")));
  for (const row of rule.rows || []) {
    rows.push(el("tr", {class: `rule-row${row.passed === false ? " rule-failed" : ""}`},
      el("th", {scope: "row", class: "row-label"}, fmt(T.rowOfRule, {row: row.row})),
      el("td", {}, ""),
      el("td", {class: "code"}, displayValue(row.compared ?? row.value)),
      el("td", {class: "code"}, (T.operators && T.operators[rule.operator]) || rule.operator || ""),
      el("td", {class: "code"}, displayValue(row.limit)),
      el("td", {class: "verdict"}, verdictText(row.passed, row.applicable))));
  }
  return rows;
}

function showResult(result) {
  const output = document.getElementById("test-output");
  const failed = Array.isArray(result[KEYS.failedItems]) ? result[KEYS.failedItems] : [];
  const verdict = result[KEYS.conclusion];
  const parts = [
    el("p", {class: `verdict-line ${verdict === KEYS.pass ? "pass" : "fail"}`},
       `${verdict === KEYS.pass ? "✓" : "✗"} ${KEYS.conclusion}${T.colon}${displayValue(verdict)}`,
       failed.length ? `${T.sentenceSeparator}${KEYS.failedItems}${T.colon}${failed.join(T.listSeparator)}` : "",
       result.document_kind ? `${T.sentenceSeparator}${fmt(T.documentKind, {kind: result.document_kind})}` : ""),
    valuesTable(result),
    ...gridFields().filter((g) => Array.isArray(result[g.key])).map((g) => gridResult(g, result[g.key])),
  ];
  const rules = result.rule_results || [];
  if (rules.length) {
    parts.push(el("table", {class: ["designer-table", "compact", "rule-results"]},
      el("caption", {}, T.ruleResults),
      el("thead", {}, el("tr", {}, ...[T.ruleColumn, T.eachRowColumn, T.valueColumn, T.operatorColumn, T.limitColumn,
                                       T.verdictColumn].map((text) => el("th", {scope: "col"}, text)))),
      el("tbody", {}, ...rules.flatMap(ruleRows))));
  }
  output.replaceChildren(el("div", {id: "test-result"}, ...parts));
}

function runSubType() {
  return app.run.context && app.run.context.sub_type ? app.run.context.sub_type : null;
}

let runSequence = 0;

async function runTest() {
  runSequence += 1;
  const sequence = runSequence;
  const inputs = cleanInputs(app.runInputs);
  const body = {definition: app.definition, inputs};
  const subType = runSubType();
  if (subType) body.context = {sub_type: subType};
  const status = document.getElementById("run-status");
  status.textContent = T.computing;
  const answer = await post(app.root.dataset.testRunUrl, body);
  if (sequence !== runSequence) return;
  status.textContent = "";
  const output = document.getElementById("test-output");
  if (answer.failure) {
    sayFailure(answer);
    status.textContent = `⚠ ${answer.failure}`;
    return;
  }
  if (answer.ok) {
    app.lastResult = answer.data.result;
    app.lastRunInputs = inputs;
    showResult(answer.data.result);
    status.textContent = `✓ ${T.computed}`;
  } else {
    app.lastResult = null;
    const problems = answer.data.problems || [];
    output.replaceChildren(el("div", {id: "test-result"},
      el("p", {class: "errornote"}, `⚠ ${answer.data.message || T.runFailed}`),
      el("ul", {}, ...problems.map((p) => el("li", {}, `⚠ ${p.message}`)))));
    status.textContent = `⚠ ${T.runFailed}`;
  }
  const copy = document.getElementById("copy-to-case");
  if (copy) copy.disabled = !app.lastResult || !app.editable;
}

function copyToCase() {
  if (!app.lastResult) return;
  const testCase = {name: uniqueName(T.newCaseName, app.definition.test_cases.map((c) => c.name)),
                    inputs: clone(app.lastRunInputs), expected: expectedFromResult(app.lastResult), confirmed: false};
  const subType = runSubType();
  if (subType) testCase.context = {sub_type: subType};
  app.definition.test_cases.push(testCase);
  changed();
  refresh({focus: `${uid(testCase)}:confirm`});
  say(fmt(T.copiedToCase, {name: testCase.name}), "info");
}

export function setUpCases() {
  app.sections.push(renderCases, renderRunForm);
  app.afterProblems.push(applyCaseResults);
  app.locators.push(locateCase);
  const add = document.getElementById("add-test-case");
  if (add) {
    add.addEventListener("click", () => {
      const testCase = {name: uniqueName(T.newCaseName, app.definition.test_cases.map((c) => c.name)), inputs: {}, expected: {}};
      app.definition.test_cases.push(testCase);
      changed();
      refresh({focus: `${uid(testCase)}:name`});
    });
  }
  document.getElementById("run-test").addEventListener("click", runTest);
  const copy = document.getElementById("copy-to-case");
  if (copy) copy.addEventListener("click", copyToCase);
}

