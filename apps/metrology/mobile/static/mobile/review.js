// What waits for me (#/review): records to verify or approve, and my own returned ones, sorted by
// name, number, time or item and filtered by item. One record (#/review/<id>): its values
// and verdict, previews, the history with each signature and whether it is still valid, and the
// steps I may take, each through the signing sheet. On my own submitted record the verifier may
// take theirs on this phone (hand-over, R-4.3.10.5); the session stays mine.

import {call, messageOf} from "./api.js";
import {shown} from "./fields.js";
import {showPreview} from "./preview.js";
import {openSigningSheet} from "./signing.js";
import {refreshCount} from "./tabs.js";
import {T, URLS, el, fmt} from "./text.js";

const ORDERS = ["time", "name", "number", "item"];

function failed(view, answer, app) {
  if (answer.status === 401) return app.loggedOut(messageOf(answer, ""));
  view.replaceChildren(el("p", {class: "message", role: "alert"},
                          answer.network ? T.needsConnection : messageOf(answer, T.loadFailed)));
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

export async function showWaiting(view, app) {
  view.replaceChildren(el("p", {class: "loading"}, T.loading));
  const order = el("select", {id: "review-order"},
                   ORDERS.map((code) => el("option", {value: code}, T[`order_${code}`])));
  const item = el("select", {id: "review-item"}, el("option", {value: ""}, T.allItems));
  const list = el("div", {id: "waiting"});
  const items = new Map();
  const load = async () => {
    const query = new URLSearchParams({order: order.value, item: item.value});
    const answer = await call("GET", `${URLS.workflowUrl}waiting/?${query}`);
    if (!answer.ok) return failed(list, answer, app);
    const records = answer.data.records || [];
    if (!item.value) {
      for (const record of records) items.set(record.item, record.item_name);
      item.replaceChildren(el("option", {value: ""}, T.allItems),
                           ...[...items].map(([code, name]) => el("option", {value: code}, name)));
    }
    list.replaceChildren(records.length
      ? el("ul", {class: "tasks", id: "waiting-list"}, records.map(waitingCard))
      : el("p", {class: "muted", id: "waiting-list"}, T.nothingWaiting));
    refreshCount();
  };
  order.addEventListener("change", load);
  item.addEventListener("change", load);
  view.replaceChildren(el("section", {class: "card"}, el("h2", {}, T.waitingTitle),
    el("div", {class: "filters"},
       el("div", {class: "field"}, el("label", {for: order.id}, T.sortBy), order),
       el("div", {class: "field"}, el("label", {for: item.id}, T.item), item)),
    list));
  await load();
}

function waitingCard(record) {
  const instrument = [record.serial_number, record.instrument_model].filter(Boolean).join(" · ");
  return el("li", {}, el("a", {href: `#/review/${record.id}`, class: "task", "data-record": record.id},
    el("strong", {}, `${record.item_name} · ${record.sub_type}`),
    el("span", {class: ["badge", `state-${record.state}`]}, record.state_name),
    record.raw_record_number ? el("span", {}, record.raw_record_number) : null,
    instrument ? el("span", {class: "muted"}, instrument) : null,
    el("span", {class: "muted"}, fmt(T.inspectorLine, {name: record.inspector, time: when(record.submitted_at)}))));
}

export async function showReview(view, recordId, app) {
  view.replaceChildren(el("p", {class: "loading"}, T.loading));
  const [detail, entry] = await Promise.all([call("GET", `${URLS.workflowUrl}records/${recordId}/`),
                                             call("GET", `${URLS.recordsUrl}${recordId}/entry/`)]);
  if (!detail.ok) return failed(view, detail, app);
  if (!entry.ok) return failed(view, entry, app);
  const review = new Review(view, recordId, detail.data, entry.data, app);
  await review.loadHandover();
  review.render();
}

class Review {
  constructor(view, recordId, detail, entry, app) {
    this.view = view;
    this.id = recordId;
    this.detail = detail;
    this.entry = entry;
    this.app = app;
    this.mine = entry.record.inspector === app.username();
    this.handoverSteps = [];
  }

  // On my own record: the steps the verifier may take on this phone now (none while it is mine to edit).
  async loadHandover() {
    if (!this.mine) return;
    const answer = await call("GET", `${URLS.handoverStepsUrl}${this.id}/`);
    this.handoverSteps = answer.ok ? answer.data.steps || [] : [];
  }

  render(said = "") {
    const d = this.detail;
    const live = this.entry.live || {};
    const head = el("div", {class: "record-head"},
      el("a", {href: this.mine ? "#/" : "#/review", class: "back"}, this.mine ? T.backToTasks : T.backToWaiting),
      el("h2", {}, `${d.item_name} · ${d.sub_type}`),
      el("p", {class: "muted", id: "review-number"}, d.raw_record_number || ""),
      el("p", {}, el("span", {class: ["badge", `state-${d.state}`], id: "review-state", "data-state": d.state},
                     d.state_name), " ", fmt(T.inspectorLine, {name: d.inspector, time: when(d.submitted_at)})));
    const failedItems = live.failed_items || [];
    const outcome = d.conclusion ? (failedItems.length ? "fail" : "pass") : "pending";
    const verdict = el("section", {class: ["verdict", outcome], id: "review-verdict"},
      el("span", {class: "verdict-label"}, T.verdict),
      el("strong", {id: "verdict-value"}, d.conclusion || T.verdictPending),
      failedItems.length ? el("span", {}, fmt(T.failedItems, {items: failedItems.join("、")})) : null);
    this.message = el("p", {class: "message done", id: "review-message", role: "status"}, said);
    this.view.replaceChildren(head, verdict, this.message, this.stepsSection(), this.valuesSection(),
                              this.previewSection(), this.historySection());
  }

  stepsSection() {
    const buttons = this.detail.steps.map((step) => el("button", {
      type: "button", class: step.signs ? "primary" : "secondary", "data-step": step.action,
      on: {click: () => this.take(step)}}, step.label));
    const section = el("section", {class: "card actions", id: "steps"}, el("h3", {}, T.stepsTitle));
    if (this.mine && this.detail.steps.some((s) => s.action === "submit")) {
      section.append(el("a", {href: `#/record/${this.id}`, class: "button", id: "open-entry"}, T.openEntry));
    }
    section.append(...buttons);
    if (this.handoverSteps.length) section.append(this.handoverPart());
    if (section.children.length === 1) section.append(el("p", {class: "muted", id: "no-steps"}, T.noSteps));
    return section;
  }

  async take(step) {
    const url = `${URLS.workflowUrl}records/${this.id}/steps/${step.action}/`;
    const answer = await openSigningSheet({step, send: (body) => call("POST", url, body)});
    if (answer) this.done(answer.data, fmt(T.stepDone, {step: step.label}));
  }

  async done(detail, said) {
    this.detail = detail;
    await this.loadHandover();
    this.render(said);
    refreshCount();
  }

  handoverPart() {
    const box = el("div", {class: "handover", id: "handover"});
    const start = el("button", {type: "button", class: "secondary", id: "handover-start"}, T.handoverStart);
    start.addEventListener("click", () => {
      start.setAttribute("aria-expanded", "true");
      box.replaceChildren(start, el("p", {class: "hint"}, T.handoverChoose),
        ...this.handoverSteps.map((step) => el("button", {
          type: "button", class: "secondary", "data-handover": step.action,
          on: {click: () => this.handOver(step)}}, step.label)));
    });
    box.append(start);
    return box;
  }

  async handOver(step) {
    const url = `${URLS.workflowUrl}records/${this.id}/handover/${step.action}/`;
    const answer = await openSigningSheet({step, handover: true, send: (body) => call("POST", url, body)});
    if (answer) this.done(answer.data, fmt(T.handoverDone, {step: step.label}));
  }

  valuesSection() {
    const inputs = this.entry.record.inputs || {};
    const computed = (this.entry.live || {}).values || {};
    const values = {...computed, ...inputs};
    const rows = [];
    for (const spec of this.entry.fields) {
      if (spec.type === "section") continue;
      if (spec.type === "grid") {
        (inputs[spec.key] || []).forEach((entered, n) => {
          const row = {...((computed[spec.key] || [])[n] || {}), ...(entered || {})};
          const cell = (c) => [c.label, shown(row[c.key], c), c.unit].filter(Boolean).join(" ");
          const cells = (spec.columns || []).map(cell);
          rows.push(el("li", {"data-value-of": `${spec.key}|${n + 1}`},
                       el("span", {class: "muted"}, fmt(T.rowN, {grid: spec.label, n: n + 1})), " ", cells.join("；")));
        });
        continue;
      }
      const value = values[spec.key];
      if (value === undefined || value === null || value === "") continue;
      rows.push(el("li", {"data-value-of": spec.key}, el("span", {class: "muted"}, spec.label), " ",
                   el("strong", {}, shown(value, spec)), spec.unit ? ` ${spec.unit}` : ""));
    }
    return el("details", {class: "card values", id: "review-values", open: true},
              el("summary", {}, T.valuesTitle), el("ul", {class: "value-list"}, rows));
  }

  previewSection() {
    const box = el("div", {class: "preview", id: "preview"});
    const kind = (this.entry.live || {}).document_kind;
    const button = (id, text, chosen) => el("button", {type: "button", class: "secondary", id,
                                                         on: {click: () => showPreview(box, this.id, chosen)}}, text);
    return el("section", {class: "card actions"},
              button("preview-raw", T.previewRaw, URLS.rawRecordKind),
              kind ? button("preview-document", fmt(T.previewDocument, {kind}), kind) : null, box);
  }

  historySection() {
    const entries = this.detail.history.map((step) => {
      const signature = step.signature;
      const parts = [el("strong", {}, step.label), " · ", el("span", {}, step.actor), " · ",
                     el("span", {class: "muted"}, when(step.at))];
      if (step.reason) parts.push(el("p", {class: "reason"}, fmt(T.reasonLine, {reason: step.reason})));
      for (const change of step.changes || []) {
        const said = {field: change.field, before: shown(change.before), after: shown(change.after)};
        parts.push(el("p", {class: "muted change"}, fmt(T.changeLine, said)));
      }
      if (signature) parts.push(signatureBox(signature));
      return el("li", {"data-action": step.action, "data-signed": signature ? "true" : "false",
                       "data-valid": signature ? String(signature.valid) : ""}, parts);
    });
    return el("section", {class: "card", id: "history-section"}, el("h3", {}, T.historyTitle),
              entries.length ? el("ol", {class: "history", id: "history"}, entries)
                : el("p", {class: "muted", id: "history"}, T.historyNone));
  }
}

function signatureBox(signature) {
  const methods = (signature.methods || []).map((m) => T[`method_${m}`] || m).join("、");
  return el("div", {class: ["signature", signature.valid ? "valid" : "invalid"], "data-signature": signature.id,
                    "data-methods": (signature.methods || []).join(" ")},
    el("span", {}, fmt(T.signedAs, {meaning: signature.meaning, methods})),
    el("span", {class: ["badge", signature.valid ? "valid" : "invalid"]},
       signature.valid ? T.signatureValid : T.signatureInvalid),
    signature.handed_over ? el("span", {class: "muted"}, T.signedHandedOver) : null,
    signature.has_image ? el("img", {src: `${URLS.workflowUrl}signatures/${signature.id}/image/`,
                                     alt: T.signatureImage, class: "signature-image"}) : null);
}
