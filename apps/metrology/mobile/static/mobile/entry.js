// Entering one record in the fixed order of its steps, with live results from each save's answer.
// A value is queued the moment typing pauses (or the input is left) and the queue sends it. A record
// submitted before (returned or withdrawn) takes changes with a reason, given once above the steps;
// submitting is the workflow's step "submit", signed on the signing sheet.

import {call, messageOf} from "./api.js";
import {attachmentSections} from "./attachments.js";
import {
  entrySteps, inputFor, isBlank, openStep, placeOf, shown, valueAt, withValue,
} from "./fields.js";
import {showPreview} from "./preview.js";
import {openSigningSheet} from "./signing.js";
import {onAnswer, queuedFor, save} from "./sync.js";
import {refreshCount} from "./tabs.js";
import {T, URLS, el, fmt, randomId} from "./text.js";

const PAUSE_MS = 500;

export async function showEntry(view, recordId, app) {
  view.replaceChildren(el("p", {class: "loading"}, T.loading));
  const [answer, workflow] = await Promise.all([call("GET", `${URLS.recordsUrl}${recordId}/entry/`),
                                                call("GET", `${URLS.workflowUrl}records/${recordId}/`)]);
  if (!answer.ok) {
    if (answer.status === 401) return app.loggedOut(messageOf(answer, ""));
    view.replaceChildren(el("p", {class: "message", role: "alert"},
                            answer.network ? T.needsConnection : messageOf(answer, T.loadFailed)),
                         el("a", {href: "#/", class: "button"}, T.backToTasks));
    return;
  }
  const entry = new Entry(view, recordId, answer.data, workflow.ok ? workflow.data : {steps: []}, app);
  await entry.restoreQueued();
  entry.render();
}

class Entry {
  constructor(view, recordId, data, workflow, app) {
    this.view = view;
    this.workflow = workflow;
    this.held = new Map();
    this.id = recordId;
    this.app = app;
    this.record = data.record;
    this.fields = data.fields;
    this.live = data.live;
    this.inputs = {...data.record.inputs};
    this.locked = Boolean(data.record.first_submitted_at) && !this.submitStep();  // under review: read only
    this.timers = new Map();
    this.sent = new Map();
    this.stopListening = onAnswer((item, reply) => this.answered(item, reply));
    app.onLeave(() => this.leave());
  }

  async restoreQueued() {
    for (const item of await queuedFor(this.id)) {
      this.inputs = withValue(this.inputs, item.field, item.row, item.column, item.value);
    }
  }

  leave() {
    for (const [place, timer] of this.timers) {
      clearTimeout(timer.id);
      timer.send();
    }
    this.timers.clear();
    this.stopListening();
  }

  render() {
    const record = this.record;
    const head = el("div", {class: "record-head"},
      el("a", {href: "#/", class: "back"}, T.backToTasks),
      el("h2", {}, `${record.item_name} · ${record.test_type} · ${record.sub_type}`),
      el("p", {class: "muted"}, fmt(T.recordLine, {id: record.id, version: record.version})));
    this.verdict = el("section", {class: "verdict", id: "verdict", "aria-live": "polite"});
    this.generalErrors = el("ul", {class: "errors", id: "general-errors"});
    this.rules = el("ul", {class: "rules", id: "rule-results"});
    const results = el("section", {class: "card results"}, el("h3", {}, T.ruleResults), this.rules,
                       this.generalErrors);
    this.actions = this.renderActions();
    const steps = entrySteps(this.fields).map((step) => this.renderStep(step));
    const underReview = this.locked ? el("p", {class: "card message", id: "under-review"}, T.underReview) : null;
    const parts = [head, this.verdict, underReview, this.renderChangeReason(), ...steps,
                   ...attachmentSections(this.id, record), results, this.actions];
    this.view.replaceChildren(...parts.filter(Boolean));
    this.refreshSteps();
    this.showLive();
  }

  renderChangeReason() {
    if (!this.record.first_submitted_at || this.locked) return null;
    this.changeReason = el("input", {type: "text", id: "change-reason", maxlength: 500, autocomplete: "off"});
    this.changeReason.addEventListener("change", () => {
      if (!this.changeReason.value.trim()) return;
      const held = [...this.held.values()];
      this.held.clear();
      for (const send of held) send();
    });
    return el("section", {class: "card change-reason"},
              el("label", {for: this.changeReason.id}, T.changeReason), this.changeReason,
              el("p", {class: "hint"}, T.changeReasonHint));
  }

  submitStep() {
    return (this.workflow.steps || []).find((step) => step.action === "submit") || null;
  }

  renderStep(step) {
    const legend = step === 0 ? T.stepCommon : fmt(T.stepN, {n: step});
    const fieldset = el("fieldset", {class: "step card", "data-step": step},
      el("legend", {}, legend),
      el("p", {class: "locked-hint"}, T.stepLocked));
    for (const field of this.fields.filter((f) => f.step === step)) {
      fieldset.append(this.renderField(field));
    }
    if (step !== 0) return fieldset;
    return el("details", {class: "common"}, el("summary", {}, T.commonSummary), fieldset);
  }

  renderField(field) {
    if (field.type === "section") return el("h3", {class: "section"}, field.label);
    if (field.computed) {
      return el("div", {class: "computed"}, el("span", {}, field.label),
                el("output", {"data-value": field.key}, "—"), field.unit ? el("span", {class: "unit"}, field.unit) : null);
    }
    if (field.type === "grid") return this.renderGrid(field);
    return this.renderInput(field, field.key, null, "");
  }

  renderInput(spec, field, row, column) {
    const place = placeOf(field, row, column);
    const input = inputFor(spec, place, valueAt(this.inputs, field, row, column),
                           (value, final) => this.typed(field, row, column, value, final));
    const error = el("p", {class: "error", id: `err-${place}`, "data-error-for": place});
    input.setAttribute("aria-describedby", error.id);
    const label = el("label", {for: input.id}, spec.label, spec.required ? el("span", {class: "req"}, " *") : null);
    const unit = spec.unit ? el("span", {class: "unit"}, spec.unit) : null;
    return el("div", {class: "field", "data-field": place}, label, el("div", {class: "with-unit"}, input, unit),
              spec.help ? el("p", {class: "hint"}, spec.help) : null, error);
  }

  renderGrid(grid) {
    const box = el("div", {class: "grid", "data-grid": grid.key}, el("h3", {class: "section"}, grid.label));
    const cards = el("div", {class: "rows"});
    const count = Math.max((grid.rows && grid.rows.min) || 0, (this.inputs[grid.key] || []).length, 1);
    const addRow = el("button", {type: "button", class: "secondary add-row", "data-add-row": grid.key},
                      fmt(T.addRow, {grid: grid.label}));
    const showCount = () => {
      addRow.disabled = Boolean(grid.rows && grid.rows.max && cards.children.length >= grid.rows.max);
    };
    const addCard = () => {
      cards.append(this.renderRow(grid, cards.children.length + 1));
      showCount();
    };
    for (let n = 0; n < count; n += 1) addCard();
    addRow.addEventListener("click", () => {
      addCard();
      this.showLive();
      cards.lastElementChild.querySelector("input, select").focus();
    });
    box.append(cards, addRow);
    return box;
  }

  renderRow(grid, row) {
    const card = el("div", {class: "row-card", "data-row": row},
                    el("h4", {}, fmt(T.rowN, {grid: grid.label, n: row})));
    for (const column of grid.columns) {
      if (column.computed) {
        card.append(el("div", {class: "computed"}, el("span", {}, column.label),
                       el("output", {"data-value": placeOf(grid.key, row, column.key)}, "—"),
                       column.unit ? el("span", {class: "unit"}, column.unit) : null));
      } else {
        card.append(this.renderInput(column, grid.key, row, column.key));
      }
    }
    return card;
  }

  renderActions() {
    const submitStep = this.submitStep();
    this.submitButton = el("button", {type: "button", class: "primary", id: "submit-record",
                                      on: {click: () => this.submit()}},
                           submitStep ? submitStep.label : T.submitRecord);
    this.actionMessage = el("p", {class: "message", id: "action-message", role: "status"});
    this.previewBox = el("div", {class: "preview", id: "preview"});
    const preview = (kind) => () => showPreview(this.previewBox, this.id, kind);
    this.previewRaw = el("button", {type: "button", class: "secondary", id: "preview-raw",
                                    on: {click: preview(URLS.rawRecordKind)}}, T.previewRaw);
    this.previewDocument = el("button", {type: "button", class: "secondary", id: "preview-document",
                                         on: {click: () => preview(this.live.document_kind)()}}, T.previewDocument);
    return el("section", {class: "card actions"}, this.previewRaw, this.previewDocument, this.previewBox,
              this.submitButton, this.actionMessage,
              el("a", {href: `#/review/${this.id}`, class: "button", id: "open-review"}, T.openReview));
  }

  typed(field, row, column, value, final) {
    this.inputs = withValue(this.inputs, field, row, column, value);
    this.refreshSteps();
    const place = placeOf(field, row, column);
    const pending = this.timers.get(place);
    if (pending) clearTimeout(pending.id);
    const send = () => {
      this.timers.delete(place);
      if (this.sent.get(place) === value) return;
      const reason = this.changeReason ? this.changeReason.value.trim() : "";
      if (this.changeReason && !reason) {
        this.held.set(place, send);
        const slot = this.view.querySelector(`[data-error-for="${CSS.escape(place)}"]`);
        if (slot) slot.textContent = T.changeReasonFirst;
        return;
      }
      this.held.delete(place);
      this.sent.set(place, value);
      save({record: this.id, field, row, column, value, request_id: randomId(),
            captured_at: new Date().toISOString(), ...(this.changeReason ? {reason} : {})});
    };
    if (final) {
      send();
      return;
    }
    this.timers.set(place, {id: setTimeout(send, PAUSE_MS), send});
  }

  answered(item, reply) {
    if (item.record !== this.id || !this.view.isConnected) return;
    if (reply.ok) {
      this.live = reply.data.live;
      this.showLive();
      return;
    }
    const slot = this.view.querySelector(`[data-error-for="${CSS.escape(placeOf(item.field, item.row, item.column))}"]`);
    const message = messageOf(reply, T.saveRefused);
    if (slot) slot.textContent = message;
    else this.generalErrors.append(el("li", {}, message));
  }

  refreshSteps() {
    const open = openStep(this.fields, this.inputs);
    for (const fieldset of this.view.querySelectorAll("fieldset[data-step]")) {
      const waiting = Number(fieldset.dataset.step) > open;
      fieldset.disabled = this.locked || waiting;
      fieldset.classList.toggle("locked", waiting && !this.locked);
    }
  }

  showLive() {
    const live = this.live || {};
    for (const slot of this.view.querySelectorAll("[data-error-for]")) slot.textContent = "";
    this.generalErrors.replaceChildren();
    for (const field of this.view.querySelectorAll("[data-field]")) field.classList.remove("has-error");
    for (const error of live.errors || []) {
      const place = placeOf(error.field, error.row, error.column);
      const slot = this.view.querySelector(`[data-error-for="${CSS.escape(place)}"]`);
      if (slot) {
        slot.textContent = error.message;
        slot.closest("[data-field]").classList.add("has-error");
      } else {
        this.generalErrors.append(el("li", {}, error.message));
      }
    }
    this.showValues(live.values || {});
    this.showRules(live.rule_results || []);
    this.showVerdict(live);
  }

  showValues(values) {
    const specs = new Map(this.fields.map((f) => [f.key, f]));
    for (const output of this.view.querySelectorAll("output[data-value]")) {
      const [key, row, column] = output.dataset.value.split("|");
      const spec = row ? (specs.get(key).columns || []).find((c) => c.key === column) : specs.get(key);
      const value = row ? ((values[key] || [])[Number(row) - 1] || {})[column] : values[key];
      output.textContent = shown(value, spec);
    }
  }

  showRules(rules) {
    this.rules.replaceChildren(...rules.filter((rule) => rule.applicable !== false).flatMap((rule) => {
      const outcome = (passed) => (passed === null || passed === undefined ? T.notYet : passed ? T.passed : T.failed);
      const lines = [el("li", {class: rule.passed === false ? "failed" : rule.passed ? "passed" : ""},
                        fmt(T.ruleOutcome, {rule: rule.label, outcome: outcome(rule.passed)}),
                        rule.limit !== null && rule.limit !== undefined
                          ? el("span", {class: "muted"}, fmt(T.ruleLimit, {value: shown(rule.value), limit: rule.limit}))
                          : null)];
      for (const row of rule.rows || []) {
        lines.push(el("li", {class: ["row-rule", row.passed === false ? "failed" : "passed"]},
                      fmt(T.ruleRow, {rule: rule.label, n: row.row, outcome: outcome(row.passed)})));
      }
      return lines;
    }));
  }

  showVerdict(live) {
    const verdict = live.conclusion;
    const failed = live.failed_items || [];
    this.verdict.className = ["verdict", verdict ? (failed.length ? "fail" : "pass") : "pending"].join(" ");
    this.verdict.replaceChildren(...[
      el("span", {class: "verdict-label"}, T.verdict),
      el("strong", {id: "verdict-value"}, verdict || T.verdictPending),
      failed.length ? el("span", {id: "failed-items"}, fmt(T.failedItems, {items: failed.join("、")})) : null,
      !verdict && (live.missing || []).length
        ? el("span", {class: "muted"}, fmt(T.stillMissing, {n: live.missing.length})) : null].filter(Boolean));
    this.submitButton.disabled = !live.complete || !this.submitStep();
    this.previewDocument.hidden = !live.complete || !live.document_kind;
    if (live.document_kind) this.previewDocument.textContent = fmt(T.previewDocument, {kind: live.document_kind});
  }

  async submit() {
    if ((await queuedFor(this.id)).length || this.timers.size) {
      this.actionMessage.textContent = T.waitForSync;
      return;
    }
    const step = this.submitStep();
    if (!step) return;
    this.actionMessage.textContent = "";
    const url = `${URLS.workflowUrl}records/${this.id}/steps/${step.action}/`;
    const answer = await openSigningSheet({step, send: (body) => call("POST", url, body)});
    if (!answer) return;
    this.workflow = answer.data;
    this.record = {...this.record, state: answer.data.state, raw_record_number: answer.data.raw_record_number};
    this.submitButton.disabled = true;
    this.locked = true;
    this.refreshSteps();
    this.actionMessage.textContent = fmt(T.submitted, {number: answer.data.raw_record_number});
    refreshCount();
  }
}
