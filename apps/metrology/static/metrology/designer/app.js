// The designer's shared state and its life cycle: render with focus kept, keep every change in
// this browser, check with the server as you type (late answers to older checks ignored), show
// problems where they are, save and publish.

import {T, el, fmt, canonical, clone} from "./dom.js";
import {post} from "./server.js";
import {readDraft, writeDraft, clearDraft} from "./drafts.js";

const root = document.getElementById("designer");

function normalised(definition) {
  const out = definition && typeof definition === "object" && !Array.isArray(definition) ? definition : {};
  for (const key of ["fields", "rules", "tables", "test_cases"]) if (!Array.isArray(out[key])) out[key] = [];
  return out;
}

function jsonBlock(id, fallback) {
  const node = document.getElementById(id);
  if (!node) return fallback;
  try {
    return JSON.parse(node.textContent);
  } catch (error) {
    return fallback;
  }
}

const serverDefinition = normalised(jsonBlock("definition-data", {}));

export const app = {
  root,
  editable: root.dataset.editable === "true",
  versionId: root.dataset.versionId || "",
  definition: clone(serverDefinition),
  savedCanonical: canonical(serverDefinition),
  selected: null,        // {field, grid}: the field or grid column shown in the side panel
  problems: [],
  caseResults: null,     // name → {passed, error, differences, confirmed} after the last check
  lastResult: null,      // the last test run's result and its inputs
  lastRunInputs: null,
  runInputs: {},
  run: {},               // the test run's own choices: {context: {sub_type}} when a sub-type is picked
  pageContext: jsonBlock("designer-context", {}) || {},
  subTypes: jsonBlock("designer-sub-types", null),  // the test type's sub-types, offered for sub_types
  sections: [],          // render functions, in page order
  liveUpdaters: [],      // cheap updates while typing (never rebuild what has focus)
  afterProblems: [],     // run after problems or case results change
  locators: [],          // problem → action that shows it, or null
};

if (!Array.isArray(app.subTypes)) {
  app.subTypes = Array.isArray(serverDefinition.sub_types) ? serverDefinition.sub_types : [];
}

// -- rendering --------------------------------------------------------------------------

function applyReadOnly() {
  if (app.editable) return;
  for (const node of root.querySelectorAll("[data-editing] input, [data-editing] select, [data-editing] textarea, " +
                                           "[data-editing] button:not([data-view])")) {
    node.disabled = true;
  }
}

export function refresh(options) {
  const active = document.activeElement;
  const focusKey = (options && options.focus) || (active && active.dataset ? active.dataset.focus : null);
  const selection = active && typeof active.selectionStart === "number" && active.type !== "number"
    ? [active.selectionStart, active.selectionEnd] : null;
  for (const render of app.sections) render();
  applyProblems();
  applyReadOnly();
  if (!focusKey) return;
  const again = root.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`) ||
    (options && options.fallback ? document.getElementById(options.fallback) : null);
  if (!again) return;
  if (again !== document.activeElement) again.focus();
  if (selection && !(options && options.focus) && typeof again.setSelectionRange === "function") {
    try {
      again.setSelectionRange(selection[0], selection[1]);
    } catch (error) {
      // inputs such as date have no text selection
    }
  }
}

let refreshQueued = false;
let pointerDown = false;

function runQueuedRefresh() {
  if (!refreshQueued || pointerDown) return;  // never rebuild under a press: its click would be lost
  refreshQueued = false;
  refresh();
}

document.addEventListener("pointerdown", () => { pointerDown = true; }, true);
document.addEventListener("pointerup", () => {
  setTimeout(() => { pointerDown = false; runQueuedRefresh(); }, 0);
}, true);
document.addEventListener("pointercancel", () => { pointerDown = false; }, true);

// After a committed change (blur, Enter, a choice): rebuild everything once the focus has moved.
export function refreshSoon() {
  if (refreshQueued) return;
  refreshQueued = true;
  setTimeout(runQueuedRefresh, 0);
}

// -- unsaved work ---------------------------------------------------------------------------

export function isDirty() {
  return canonical(app.definition) !== app.savedCanonical;
}

function updateDirty() {
  const node = document.getElementById("dirty-state");
  if (node) node.textContent = app.editable && isDirty() ? T.unsaved : "";
}

function keepLocally() {
  if (!app.editable) return;
  if (isDirty()) writeDraft(app.versionId, app.definition, app.runInputs);
  else clearDraft(app.versionId);
}

// Every edit ends here: kept in this browser, marked unsaved, checked by the server soon.
export function changed() {
  keepLocally();
  updateDirty();
  for (const update of app.liveUpdaters) update();
  scheduleCheck();
}

export function runInputsChanged() {
  keepLocally();
}

let leaving = false;

window.addEventListener("beforeunload", (event) => {
  if (app.editable && isDirty() && !leaving) {
    event.preventDefault();
    event.returnValue = "";
  }
});

function restoreLocalDraft() {
  if (!app.editable) return;
  const stored = readDraft(app.versionId);
  if (!stored) return;
  if (stored.runInputs && typeof stored.runInputs === "object") app.runInputs = stored.runInputs;
  if (canonical(normalised(stored.definition)) === app.savedCanonical) return;
  app.definition = normalised(stored.definition);
  const notice = document.getElementById("draft-notice");
  const when = stored.at ? new Date(stored.at).toLocaleString() : "";
  const discard = el("button", {type: "button", class: "button", id: "discard-local-draft", on: {click: () => {
    app.definition = clone(serverDefinition);
    app.selected = null;
    clearDraft(app.versionId);
    notice.replaceChildren(el("p", {}, T.localDraftDiscarded));
    updateDirty();
    refresh();
    scheduleCheck();
  }}}, T.discardLocalDraft);
  notice.replaceChildren(el("p", {}, `ⓘ ${fmt(T.localDraftRestored, {time: when})} `, discard));
}

// -- messages -------------------------------------------------------------------------------

export function say(text, kind, extra) {
  const node = document.getElementById("action-message");
  if (!node) return;
  const symbol = kind === "error" ? "⚠ " : (kind === "success" ? "✓ " : "");
  const parts = [el("span", {class: `message-${kind || "info"}`}, symbol + (text || ""))];
  if (extra && extra.loginUrl) {
    parts.push(" ", el("a", {href: extra.loginUrl, target: "_blank", rel: "noopener"}, T.logInAgain));
  }
  if (extra && extra.details && extra.details.length) {
    parts.push(el("ul", {class: "message-details"}, ...extra.details.map((line) => el("li", {}, line))));
  }
  node.replaceChildren(...parts);
}

export function sayFailure(answer) {
  say(answer.failure, "error", {loginUrl: answer.loginUrl});
}

// -- problems -------------------------------------------------------------------------------

let problemSequence = 0;

// Each request whose answer carries problems takes a number; only the newest is shown.
export function nextSequence() {
  problemSequence += 1;
  return problemSequence;
}

export function isLatest(sequence) {
  return sequence === problemSequence;
}

export function problemPaths(problem) {
  const where = problem.where || "";
  const formula = problem.line !== null && problem.line !== undefined;
  if (where.startsWith("rules.")) {
    const id = where.slice(6);
    return [...(problem.part ? [`r:${id}:${problem.part}`] : []), `r:${id}`];
  }
  if (where.startsWith("tables.")) return [`tb:${where.slice(7)}`];
  if (where.startsWith("test_cases.")) return [`t:${where.slice(11)}`];
  if (where === "procedure") return problem.attribute ? [`m:${problem.attribute}`] : ["m:procedure"];
  if (where === "document_kinds") return ["m:document_kinds"];
  if (!where || where.includes("[")) return [];
  const base = problem.grid_column ? `f:${where}:${problem.grid_column}` : `f:${where}`;
  return [...(formula ? [`${base}:expression`] : []), base];
}

function caretText(input, problem) {
  if (!input || problem.column === null || problem.column === undefined || input.tagName !== "INPUT") return "";
  const line = input.value.split("\n")[(problem.line || 1) - 1] || "";
  return `${line}\n${" ".repeat(Math.max(problem.column - 1, 0))}^`;
}

export function applyProblems() {
  for (const slot of root.querySelectorAll(".field-error")) slot.replaceChildren();
  for (const node of root.querySelectorAll("[aria-invalid='true'][data-path]")) {
    node.removeAttribute("aria-invalid");
    node.classList.remove("has-error");
  }
  for (const marker of root.querySelectorAll("[data-marker-for]")) marker.replaceChildren();
  const counts = new Map();
  for (const problem of app.problems) {
    const paths = problemPaths(problem);
    for (const path of paths) {
      const slot = root.querySelector(`[data-error-for="${CSS.escape(path)}"]`);
      if (!slot) continue;
      const input = root.querySelector(`[data-path="${CSS.escape(path)}"]`);
      if (input) {
        input.classList.add("has-error");
        input.setAttribute("aria-invalid", "true");
      }
      slot.append(el("div", {}, `⚠ ${problem.message}`));
      const pointer = caretText(input, problem);
      if (pointer) slot.append(el("pre", {class: "caret", "aria-hidden": "true"}, pointer));
      break;
    }
    const owner = paths.length ? paths[paths.length - 1] : null;
    if (owner) counts.set(owner, (counts.get(owner) || 0) + 1);
  }
  for (const [path, count] of counts) {
    const marker = root.querySelector(`[data-marker-for="${CSS.escape(path)}"]`);
    if (marker) marker.append(`⚠ ${fmt(T.problemCount, {count})}`);
  }
  for (const hook of app.afterProblems) hook();
}

function locatorFor(problem) {
  for (const locate of app.locators) {
    const action = locate(problem);
    if (action) return action;
  }
  return null;
}

function renderProblemList() {
  const list = document.getElementById("problems");
  if (!list) return;
  if (!app.problems.length) {
    list.replaceChildren(el("li", {class: "ok"}, `✓ ${T.noProblems}`));
    return;
  }
  list.replaceChildren(...app.problems.map((problem) => {
    const action = locatorFor(problem);
    return el("li", {class: "problem"}, `⚠ ${problem.message} `,
      action ? el("button", {type: "button", class: "link-button", "data-view": true, on: {click: action}},
                  T.showWhere) : "");
  }));
}

export function setProblems(problems, caseResults) {
  app.problems = Array.isArray(problems) ? problems : [];
  if (caseResults !== undefined) {
    app.caseResults = Array.isArray(caseResults) && caseResults.length
      ? Object.fromEntries(caseResults.map((result) => [result.name, result])) : null;
  }
  renderProblemList();
  applyProblems();
}

let checkTimer = null;

export function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, 500);
}

async function check() {
  const sequence = nextSequence();
  const answer = await post(root.dataset.checkUrl, {definition: app.definition});
  if (!isLatest(sequence)) return;
  if (answer.failure) {
    sayFailure(answer);
    return;
  }
  setProblems(answer.data.problems || [], answer.data.case_results || []);
}

// -- saving and publishing --------------------------------------------------------------------

export function differenceLines(caseResults) {
  const lines = [];
  for (const result of caseResults || []) {
    if (result.passed) continue;
    if (result.error) lines.push(result.error);  // the server's sentence names the case
    for (const difference of result.differences || []) lines.push(differenceText(result.name, difference));
    if (!result.error && !(result.differences || []).length) lines.push(fmt(T.caseFailed, {name: result.name}));
  }
  return lines;
}

export function differenceText(caseName, difference) {
  const field = difference.field_label || difference.field || "";
  const column = difference.column_label || difference.column || "";
  let place = field;
  if (difference.row !== null && difference.row !== undefined) {
    place = column ? fmt(T.placeRowColumn, {field, row: difference.row, column})
      : fmt(T.placeRow, {field, row: difference.row});
  } else if (column) {
    place = fmt(T.placeColumn, {field, column});
  }
  return fmt(T.difference, {name: caseName, place, expected: displayText(difference.expected),
                            computed: displayText(difference.computed)});
}

function displayText(value) {
  if (value === null || value === undefined || value === "") return T.blank;
  if (Array.isArray(value)) return value.length ? value.join(T.listSeparator) : T.none;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

async function save() {
  const sent = clone(app.definition);
  const sentCanonical = canonical(sent);
  const note = document.getElementById("change-note");
  const sequence = nextSequence();
  say(T.saving, "info");
  const answer = await post(root.dataset.saveUrl, {definition: sent, change_note: note ? note.value : ""});
  if (answer.failure) {
    sayFailure(answer);
    return false;
  }
  if (!answer.ok) {
    say(answer.data.message || T.notSaved, "error");
    if (isLatest(sequence)) setProblems(answer.data.problems || [], null);
    return false;
  }
  app.savedCanonical = sentCanonical;
  keepLocally();
  updateDirty();
  if (note) note.value = "";
  say(answer.data.message || T.saved, "success");
  if (isLatest(sequence)) setProblems(answer.data.problems || [], answer.data.case_results || []);
  return true;
}

async function publish() {
  if (!window.confirm(T.confirmPublish)) return;
  if (!(await save())) return;
  say(T.publishing, "info");
  const sequence = nextSequence();
  const answer = await post(root.dataset.publishUrl, {});
  if (answer.failure) {
    sayFailure(answer);
    return;
  }
  if (answer.ok && answer.data.redirect) {
    leaving = true;
    clearDraft(app.versionId);
    window.location.assign(answer.data.redirect);
    return;
  }
  const results = answer.data.case_results || [];
  if (isLatest(sequence)) setProblems(answer.data.problems || [], results.length ? results : undefined);
  const details = [...(answer.data.problems || []).map((problem) => problem.message), ...differenceLines(results)];
  say(answer.data.message || T.notPublished, "error", {details});
}

export function start() {
  restoreLocalDraft();
  updateDirty();
  if (app.editable) {
    document.getElementById("save-draft").addEventListener("click", save);
    document.getElementById("publish").addEventListener("click", publish);
  }
  refresh();
  renderProblemList();
  scheduleCheck();
  root.dataset.ready = "true";
}
