// The account screen (#/account): who is logged in on this phone, and this phone's fingerprint or
// face for signing (passkeys.js registerPasskey). Whether one is registered here is asked once per
// screen and remembered until it changes.

import {call, csrfToken} from "./api.js";
import {storedDevice} from "./device.js";
import {T, URLS, el} from "./text.js";

let known = null;  // the promise of this person's passkeys registered on this phone

export function passkeyText() {
  return {unsupported: T.passkeyUnsupported, cancelled: T.passkeyCancelled, exists: T.passkeyExists,
          failed: T.passkeyFailed, network: T.needsConnection, refused: T.passkeyFailed};
}

async function passkeysHere() {
  const answer = await call("GET", URLS.passkeysListUrl);
  if (!answer.ok || !Array.isArray(answer.data)) return [];
  const device = storedDevice();
  return answer.data.filter((p) => p.is_enabled && device && p.device_identifier === device.identifier);
}

export function forgetPasskeys() {
  known = null;
}

export async function hasPasskeyHere() {
  if (!known) known = passkeysHere();
  return (await known).length > 0;
}

export async function showAccount(view, app) {
  view.replaceChildren(el("p", {class: "loading"}, T.loading));
  forgetPasskeys();
  known = passkeysHere();
  const mine = await known;
  const passkeys = await import(URLS.passkeysUrl);
  const said = el("p", {class: "message", id: "passkey-message", role: "status"});
  const list = el("ul", {class: "passkeys", id: "passkeys-here"},
                  mine.map((p) => el("li", {"data-passkey": p.id}, p.name)));
  const register = el("button", {type: "button", class: "primary", id: "register-passkey"}, T.passkeyRegister);
  register.disabled = !passkeys.passkeysSupported();
  register.addEventListener("click", async () => {
    register.disabled = true;
    said.textContent = "";
    try {
      const device = storedDevice();
      await passkeys.registerPasskey({optionsUrl: URLS.passkeyRegistrationOptionsUrl,
                                      finishUrl: URLS.passkeyRegistrationUrl, csrfToken: csrfToken(),
                                      name: device ? device.name : "", text: passkeyText()});
      app.refresh();
      return;
    } catch (error) {
      said.textContent = (error && error.message) || T.passkeyFailed;
    }
    register.disabled = false;
  });
  view.replaceChildren(el("section", {class: "card", id: "account"},
    el("h2", {}, T.accountTitle),
    el("p", {id: "account-name"}, app.person()),
    el("h3", {}, T.passkeyTitle),
    el("p", {class: "hint"}, T.passkeyIntro),
    mine.length ? list : el("p", {class: "muted", id: "passkeys-here"}, T.passkeyNone),
    passkeys.passkeysSupported() ? null : el("p", {class: "message"}, T.passkeyUnsupported),
    register, said));
  if (!mine.length) return;
  register.textContent = T.passkeyRegisterAnother;
}
