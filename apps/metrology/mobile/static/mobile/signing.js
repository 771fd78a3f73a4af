// The signing sheet: one step of the review chain taken with what the step asks for. A handwritten
// signature on a signature_pad canvas (an empty pad is refused here), the reason when the step needs
// one, then the fingerprint or face (passkeys.js) when the step allows it and this phone has one
// registered, else the password. In hand-over mode the other person's account and password come
// first. A refusal is shown at the sheet in the server's own words; the sheet stays open.

import {csrfToken, messageOf} from "./api.js";
import {hasPasskeyHere, passkeyText} from "./account.js";
import {T, URLS, el, fmt} from "./text.js";

let padModule = null;

async function loadSignaturePad() {
  if (!padModule) padModule = import(URLS.signaturePadUrl);
  return (await padModule).default;
}

function field(label, input) {
  return el("div", {class: "field"}, el("label", {for: input.id}, label), input);
}

// step: a step as GET /api/workflow/records/<pk>/ gives it; send(body) posts it and resolves to the
// answer ({ok, status, network, data}). Resolves to the accepted answer, or null when cancelled.
export function openSigningSheet({step, handover = false, send}) {
  if (document.getElementById("signing-sheet")) return Promise.resolve(null);  // one sheet at a time
  return new Promise((resolve) => {
    new Sheet(step, handover, send, resolve).open();
  });
}

class Sheet {
  constructor(step, handover, send, resolve) {
    this.step = step;
    this.handover = handover;
    this.send = send;
    this.resolve = resolve;
    this.pad = null;
  }

  async open() {
    const step = this.step;
    this.message = el("p", {class: "message", id: "sign-message", role: "alert"});
    const parts = [el("h2", {id: "sign-title"}, handoverTitle(step, this.handover))];
    if (this.handover) {
      parts.push(el("p", {class: "hint"}, T.handoverIntro));
      this.username = el("input", {type: "text", id: "sign-username", autocomplete: "off", autocapitalize: "none"});
      parts.push(field(T.handoverUsername, this.username));
    }
    const wantsPad = step.signs && step.handwriting;
    if (wantsPad) {
      this.canvas = el("canvas", {id: "signature-pad", class: "signature-pad", "aria-label": T.signHere});
      parts.push(el("div", {class: "field"}, el("span", {class: "label"}, T.signHere), this.canvas,
                    el("button", {type: "button", class: "secondary", id: "signature-clear",
                                  on: {click: () => this.pad && this.pad.clear()}}, T.signatureClear)));
    }
    if (step.reason) {
      this.reason = el("textarea", {id: "sign-reason", rows: 3, maxlength: 500});
      parts.push(field(T.reason, this.reason));
    }
    const buttons = await this.identityParts(parts);
    const cancel = el("button", {type: "button", class: "link", id: "sign-cancel", on: {click: () => this.close(null)}},
                      T.cancel);
    this.dialog = el("dialog", {class: "sheet", id: "signing-sheet", "aria-labelledby": "sign-title",
                                "data-action": step.action, "data-handover": this.handover ? "true" : "false"},
                     ...parts, this.message, ...buttons, cancel);
    this.dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      this.close(null);
    });
    document.body.append(this.dialog);
    this.dialog.showModal();
    if (wantsPad) await this.startPad();
    this.dialog.dataset.ready = "true";
  }

  async identityParts(parts) {
    const step = this.step;
    if (this.handover) {
      this.password = el("input", {type: "password", id: "sign-password", autocomplete: "off"});
      parts.push(field(T.handoverPassword, this.password));
      return [this.submitButton(fmt(T.confirmStep, {step: step.label}), "password")];
    }
    if (!step.signs) return [this.submitButton(fmt(T.confirmStep, {step: step.label}), "none")];
    const buttons = [];
    const passkeys = step.passkey_allowed ? await import(URLS.passkeysUrl) : null;
    if (passkeys && passkeys.passkeysSupported() && await hasPasskeyHere()) {
      buttons.push(el("button", {type: "button", class: "primary", id: "sign-passkey",
                                 on: {click: () => this.submit("passkey")}}, T.signWithPasskey));
    }
    if (step.password_allowed) {
      this.password = el("input", {type: "password", id: "sign-password", autocomplete: "current-password"});
      parts.push(field(T.signPassword, this.password));
      buttons.push(this.submitButton(T.signWithPassword, "password", buttons.length ? "secondary" : "primary"));
    }
    if (!buttons.length && !step.passkey_allowed) buttons.push(this.submitButton(T.signNow, "none"));
    if (!buttons.length) parts.push(el("p", {class: "message", id: "sign-needs-passkey"}, T.passkeyNeeded));
    return buttons;
  }

  submitButton(text, method, look = "primary") {
    return el("button", {type: "button", class: look, id: "sign-submit", on: {click: () => this.submit(method)}}, text);
  }

  async startPad() {
    const SignaturePad = await loadSignaturePad();
    this.sizeCanvas();
    this.pad = new SignaturePad(this.canvas, {minWidth: 1, maxWidth: 3});
    // A turned phone widens the box: the canvas follows it and the signature is drawn again. (The
    // keyboard opening also resizes the window, but leaves the width and the signature alone.)
    this.resized = () => {
      if (this.canvas.offsetWidth === this.drawnWidth) return;
      this.sizeCanvas();
      this.pad.clear();
    };
    window.addEventListener("resize", this.resized);
  }

  sizeCanvas() {
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const canvas = this.canvas;
    this.drawnWidth = canvas.offsetWidth;
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
  }

  say(text) {
    this.message.textContent = text;
  }

  async submit(method) {
    const body = {};
    if (this.username) {
      body.username = this.username.value.trim();
      if (!body.username) return this.say(T.handoverUsernameRequired);
    }
    if (this.canvas) {
      if (!this.pad || this.pad.isEmpty()) return this.say(T.signatureEmpty);
      body.signature = this.pad.toDataURL("image/png");
    }
    if (this.reason) {
      body.reason = this.reason.value.trim();
      if (!body.reason) return this.say(T.reasonRequired);
    }
    if (method === "password") {
      body.password = this.password.value;
      if (!body.password) return this.say(T.passwordRequired);
    }
    this.busy(true);
    this.say("");
    if (method === "passkey") {
      try {
        const passkeys = await import(URLS.passkeysUrl);
        body.passkey = await passkeys.confirmWithPasskey({optionsUrl: URLS.passkeyAssertionOptionsUrl,
                                                          csrfToken: csrfToken(), text: passkeyText()});
      } catch (error) {
        this.busy(false);
        return this.say((error && error.message) || T.passkeyFailed);
      }
    }
    const answer = await this.send(body);
    this.busy(false);
    if (answer.ok) {
      this.close(answer);
      return;
    }
    if (this.password) this.password.value = "";
    this.say(answer.network ? T.needsConnection : messageOf(answer, T.stepFailed));
  }

  busy(on) {
    for (const button of this.dialog.querySelectorAll("button")) button.disabled = on;
    this.dialog.setAttribute("aria-busy", on ? "true" : "false");
  }

  close(answer) {
    if (this.resized) window.removeEventListener("resize", this.resized);
    if (this.dialog.open) this.dialog.close();
    this.dialog.remove();
    this.resolve(answer);
  }
}

function handoverTitle(step, handover) {
  return handover ? fmt(T.handoverStepTitle, {step: step.label}) : step.label;
}
