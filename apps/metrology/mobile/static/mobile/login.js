// First start (name the device) and login on it. A refusal is shown in the server's own words.

import {call, messageOf} from "./api.js";
import {rememberDevice, storedDevice} from "./device.js";
import {T, URLS, el, domId} from "./text.js";

function field(label, input, hint) {
  const id = input.id || domId("f");
  input.id = id;
  const hintNode = hint ? el("p", {class: "hint", id: `${id}-hint`}, hint) : null;
  if (hintNode) input.setAttribute("aria-describedby", hintNode.id);
  return el("div", {class: "field"}, el("label", {for: id}, label), input, hintNode);
}

export function showDeviceSetup(view, onDone) {
  const known = storedDevice();
  const name = el("input", {type: "text", id: "device-name", required: true, maxlength: 100, autocomplete: "off",
                            value: known ? known.name : ""});
  const imei = el("input", {type: "text", id: "device-imei", inputmode: "numeric", maxlength: 20,
                            autocomplete: "off", value: known ? known.imei : ""});
  const form = el("form", {class: "card", id: "device-setup", novalidate: true},
    el("h2", {}, T.deviceSetupTitle),
    el("p", {}, T.deviceSetupIntro),
    field(T.deviceName, name, T.deviceNameHint),
    field(T.deviceImei, imei, T.deviceImeiHint),
    el("p", {class: "message", id: "device-setup-message", role: "alert"}),
    el("button", {type: "submit", class: "primary"}, T.deviceSave));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!name.value.trim()) {
      form.querySelector("#device-setup-message").textContent = T.deviceNameRequired;
      name.focus();
      return;
    }
    rememberDevice(name.value.trim(), imei.value.trim());
    onDone();
  });
  view.replaceChildren(form);
  name.focus();
}

export function showLogin(view, {message, onLoggedIn, onChangeDevice}) {
  const device = storedDevice();
  const username = el("input", {type: "text", id: "login-username", autocomplete: "username",
                                autocapitalize: "none", required: true});
  const password = el("input", {type: "password", id: "login-password", autocomplete: "current-password",
                                required: true});
  const said = el("p", {class: "message", id: "login-message", role: "alert"}, message || "");
  const submit = el("button", {type: "submit", class: "primary", id: "login-submit"}, T.logIn);
  const form = el("form", {class: "card", id: "login-form", novalidate: true},
    el("h2", {}, T.logInTitle),
    el("p", {class: "device-line"}, T.thisDevice, el("strong", {id: "device-label"}, device.name),
       el("button", {type: "button", class: "link", id: "change-device", on: {click: onChangeDevice}},
          T.changeDevice)),
    field(T.username, username), field(T.password, password), said, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    said.textContent = "";
    const answer = await call("POST", URLS.loginUrl, {
      username: username.value, password: password.value, device_identifier: device.identifier,
      device_name: device.name, imei: device.imei || ""});
    submit.disabled = false;
    if (answer.ok) {
      onLoggedIn(answer.data);
      return;
    }
    said.textContent = answer.network ? T.networkError : messageOf(answer, T.loginFailed);
    password.value = "";
  });
  view.replaceChildren(form);
  username.focus();
}
