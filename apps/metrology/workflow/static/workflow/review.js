// The review page of one raw record (workflow/review.html): handwritten signatures on signature_pad
// (npm), previews of the record's documents, and taking a step by posting to the JSON step endpoint
// (/api/workflow/records/<id>/steps/<action>/), then reloading to show the record as it is now.
// Every text for people comes from the page's `review-text` block; refusals carry the server's words.
// The fingerprint or face check (/static/metrology/passkeys.js) is offered only where the browser and
// the person have one; the password path works without it.

const root = document.getElementById("review");
const T = JSON.parse(document.getElementById("review-text").textContent);
const urls = root.dataset;
const POLL_MS = 1000;
const GIVE_UP_AFTER = 180;

function fmt(template, params) {
  return String(template ?? "").replace(/\{(\w+)\}/g, (whole, name) =>
    (params && params[name] !== undefined ? String(params[name]) : whole));
}

async function call(method, url, body) {
  const options = {method, credentials: "same-origin", cache: "no-store",
                   headers: {"Accept": "application/json", "X-CSRFToken": urls.csrfToken}};
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    return {ok: false, data: {detail: T.network}};
  }
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = {};
  }
  return {ok: response.ok, data};
}

// The server's words for a refusal: {"detail": "..."} or {"field": ["..."]}.
function messagesOf(data) {
  const found = [];
  for (const [name, value] of Object.entries(data && typeof data === "object" ? data : {})) {
    const text = Array.isArray(value) ? value.filter((v) => typeof v === "string").join(" ") : value;
    if (typeof text === "string" && text) found.push([name, text]);
  }
  return found;
}

// -- handwritten signatures ------------------------------------------------------------------------

const pads = new Map();

function fit(canvas, pad) {
  const ratio = Math.max(window.devicePixelRatio || 1, 1);
  const drawn = pad.toData();
  canvas.width = canvas.offsetWidth * ratio;
  canvas.height = canvas.offsetHeight * ratio;
  canvas.getContext("2d").scale(ratio, ratio);
  pad.clear();
  pad.fromData(drawn);
}

async function setUpPads() {
  const canvases = Array.from(root.querySelectorAll("canvas.signature-pad"));
  if (!canvases.length) return;
  const {default: SignaturePad} = await import(urls.padModule);
  for (const canvas of canvases) {
    const pad = new SignaturePad(canvas, {penColor: "#000000", minWidth: 0.8, maxWidth: 2.6});
    fit(canvas, pad);
    pads.set(canvas.closest("form").dataset.action, pad);
    canvas.closest(".signature-row").querySelector(".signature-clear").addEventListener("click", () => pad.clear());
  }
  window.addEventListener("resize", () => {
    for (const canvas of canvases) fit(canvas, pads.get(canvas.closest("form").dataset.action));
  });
}

// -- taking a step -----------------------------------------------------------------------------------

function clearErrors(form) {
  for (const box of form.querySelectorAll("[data-field]")) {
    box.textContent = "";
    if (box.classList.contains("step-error")) box.hidden = true;
  }
}

function showError(form, field, text) {
  const box = form.querySelector(`.field-error[data-field="${field}"]`);
  if (box) {
    box.textContent = text;
    return;
  }
  const general = form.querySelector(".step-error");
  general.textContent = general.textContent ? `${general.textContent} ${text}` : text;
  general.hidden = false;
}

function showRefusal(form, data) {
  const found = messagesOf(data);
  if (!found.length) found.push(["detail", T.refused]);
  for (const [field, text] of found) showError(form, field, text);
}

function setBusy(form, busy) {
  for (const button of form.querySelectorAll("button")) button.disabled = busy;
  form.setAttribute("aria-busy", busy ? "true" : "false");
  form.querySelector(".step-status").textContent = busy ? T.working : "";
}

// What the step asks that the browser can check before anyone is asked for a fingerprint.
function readyToSend(form) {
  clearErrors(form);
  const reason = form.querySelector("[name=reason]");
  if (form.dataset.reason === "true" && !reason.value.trim()) {
    showError(form, "reason", T.reasonMissing);
    reason.focus();
    return false;
  }
  const pad = pads.get(form.dataset.action);
  if (form.dataset.handwriting === "true" && (!pad || pad.isEmpty())) {
    showError(form, "signature", T.signFirst);
    return false;
  }
  return true;
}

async function take(form, passkey) {
  const reason = form.querySelector("[name=reason]");
  const password = form.querySelector("[name=password]");
  const pad = pads.get(form.dataset.action);
  const body = {reason: reason ? reason.value : "",
                signature: pad && !pad.isEmpty() ? pad.toDataURL("image/png") : "",
                password: passkey || !password ? "" : password.value};
  if (passkey) body.passkey = passkey;
  setBusy(form, true);
  const answer = await call("POST", form.dataset.url, body);
  if (answer.ok) {
    window.location.reload();
    return;
  }
  setBusy(form, false);
  if (password) password.value = "";
  showRefusal(form, answer.data);
}

async function setUpPasskeys(forms) {
  const wanting = forms.filter((form) => form.dataset.passkey === "true");
  if (!wanting.length) return;
  let passkeys = null;
  try {
    passkeys = await import(urls.passkeysModule);
  } catch (error) {
    passkeys = null;
  }
  const usable = Boolean(passkeys && passkeys.passkeysSupported() && urls.hasPasskey === "true");
  for (const form of wanting) {
    const button = form.querySelector(".passkey-confirm");
    if (!usable) {
      if (form.dataset.password !== "true") showError(form, "passkey", T.unsupported);
      continue;
    }
    button.hidden = false;
    button.addEventListener("click", async () => {
      if (!readyToSend(form)) return;
      let assertion;
      try {
        assertion = await passkeys.confirmWithPasskey({optionsUrl: urls.assertionOptionsUrl,
                                                       csrfToken: urls.csrfToken, text: T});
      } catch (error) {
        showError(form, "passkey", error.message || T.failed);
        return;
      }
      await take(form, assertion);
    });
  }
}

function setUpSteps() {
  const forms = Array.from(root.querySelectorAll("form.review-step-form"));
  for (const form of forms) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (readyToSend(form)) take(form, null);
    });
  }
  return forms;
}

// -- previews of the raw record and the certificate (as the phone makes them: mobile/preview.js) -----

async function preview(kind) {
  const box = document.getElementById("preview-box");
  const say = (text, ...extra) => {
    const line = document.createElement("p");
    line.textContent = text;
    box.replaceChildren(line, ...extra);
  };
  say(fmt(T.previewWaiting, {kind}));
  const asked = await call("POST", urls.previewUrl, {kind});
  if (!asked.ok) {
    say(messagesOf(asked.data).map(([, text]) => text).join(" ") || T.previewFailed);
    return;
  }
  const base = `${urls.previewUrl}${asked.data.job}/`;
  for (let tries = 0; tries < GIVE_UP_AFTER; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const state = await call("GET", base);
    if (!state.ok) {
      say(messagesOf(state.data).map(([, text]) => text).join(" ") || T.previewFailed);
      return;
    }
    if (state.data.state === "done") {
      const link = document.createElement("a");
      Object.assign(link, {href: `${base}pdf/`, target: "_blank", rel: "noopener", className: "button",
                           id: "open-preview", textContent: T.openPdf});
      say(fmt(T.previewReady, {kind}), link);
      return;
    }
    if (state.data.state === "failed") {
      say(state.data.message || T.previewFailed);
      return;
    }
  }
  say(T.previewFailed);
}

for (const button of root.querySelectorAll(".preview-button")) {
  button.addEventListener("click", () => preview(button.dataset.kind));
}
const forms = setUpSteps();
setUpPasskeys(forms);
setUpPads().then(() => root.setAttribute("data-ready", "true"));
