// The Desk page 我的指纹与面容: register and check one's own fingerprint or face. Texts come from the
// page's `passkeys-text` block; refusals from the server carry its own words.

import {confirmWithPasskey, passkeysSupported, postJSON, registerPasskey} from "../metrology/passkeys.js";

const root = document.getElementById("passkeys");
const T = JSON.parse(document.getElementById("passkeys-text").textContent);
const status = document.getElementById("passkey-status");
const urls = root.dataset;

function show(state, message) {
  status.dataset.state = state;
  status.textContent = message || "";
  status.classList.toggle("errornote", state === "refused");
}

function finished(done) {
  const url = new URL(urls.pageUrl, window.location.href);
  url.searchParams.set("done", done);
  window.location.assign(url.toString());
}

async function run(button, action) {
  button.disabled = true;
  show("working", T.working);
  try {
    await action();
  } catch (error) {
    show("refused", error.message || T.failed);
  } finally {
    button.disabled = false;
  }
}

function register(button) {
  return run(button, async () => {
    const name = document.getElementById("passkey-name").value.trim();
    await registerPasskey({optionsUrl: urls.registrationOptionsUrl, finishUrl: urls.registrationUrl,
                           csrfToken: urls.csrfToken, name, text: T});
    show("registered", "");
    finished("registered");
  });
}

function check(button) {
  return run(button, async () => {
    const credential = await confirmWithPasskey({optionsUrl: urls.assertionOptionsUrl, csrfToken: urls.csrfToken,
                                                 text: T});
    await postJSON(urls.assertionUrl, {credential}, urls.csrfToken, T);
    show("confirmed", "");
    finished("confirmed");
  });
}

if (!passkeysSupported()) {
  document.getElementById("passkeys-unsupported").hidden = false;
  for (const button of root.querySelectorAll("button")) button.disabled = true;
} else {
  const registerButton = document.getElementById("passkey-register");
  registerButton.addEventListener("click", () => register(registerButton));
  const checkButton = document.getElementById("passkey-check");
  if (checkButton) checkButton.addEventListener("click", () => check(checkButton));
}
