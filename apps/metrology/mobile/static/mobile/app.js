// The app's start and its screens: first start (name the device), login on the device, tasks,
// entry of one record (#/record/<id>). The sync state stays in the header on every screen.

import {call, messageOf, setCsrfToken} from "./api.js";
import {storedDevice} from "./device.js";
import {showEntry} from "./entry.js";
import {showDeviceSetup, showLogin} from "./login.js";
import {flush, onStatus, report} from "./sync.js";
import {showTasks} from "./tasks.js";
import {T, URLS, el, fmt} from "./text.js";

const view = document.getElementById("view");
const syncState = document.getElementById("sync-state");
const who = document.getElementById("who");
let session = null;
let leaving = [];

const app = {
  onLeave(callback) {
    leaving.push(callback);
  },
  loggedOut(message) {
    session = null;
    showSession();
    login(message);
  },
};

function leaveScreen() {
  for (const callback of leaving) callback();
  leaving = [];
}

function showSession() {
  if (!session) {
    who.replaceChildren();
    return;
  }
  who.replaceChildren(el("span", {id: "who-name"}, session.name || session.username),
    el("button", {type: "button", class: "link", id: "log-out", on: {click: logOut}}, T.logOut));
}

function showSyncState({pending, sending, blocked}) {
  let text = T.saved;
  let state = "saved";
  if (pending && sending && navigator.onLine && !blocked) {
    text = fmt(T.saving, {n: pending});
    state = "saving";
  } else if (pending) {
    text = fmt(T.pendingSync, {n: pending});
    state = "pending";
  }
  syncState.textContent = navigator.onLine ? text : `${text} · ${T.offline}`;
  syncState.dataset.state = state;
  syncState.dataset.pending = String(pending);
  if (blocked && blocked.status === 401 && session) app.loggedOut(messageOf(blocked, T.sessionEnded));
}

function login(message) {
  leaveScreen();
  if (!storedDevice()) {
    showDeviceSetup(view, () => login(message));
    return;
  }
  showLogin(view, {
    message,
    onLoggedIn(data) {
      startSession(data);
      route();
    },
    onChangeDevice() {
      showDeviceSetup(view, () => login());
    },
  });
}

function startSession(data) {
  session = data;
  setCsrfToken(data.csrf_token);
  showSession();
  flush();
}

async function logOut() {
  await call("POST", URLS.logoutUrl);
  app.loggedOut("");
}

function route() {
  if (!session) {
    login();
    return;
  }
  leaveScreen();
  const match = location.hash.match(/^#\/record\/(\d+)$/);
  if (match) showEntry(view, Number(match[1]), app);
  else showTasks(view, app);
  view.focus({preventScroll: true});
}

async function start() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(URLS.serviceWorkerUrl, {scope: URLS.scope}).catch(() => null);
  }
  onStatus(showSyncState);
  await report();
  const answer = await call("GET", URLS.sessionUrl);
  if (answer.ok) {
    startSession(answer.data);
  } else if (answer.network) {
    view.replaceChildren(el("p", {class: "message", role: "alert"}, T.offlineStart));
    window.addEventListener("online", start, {once: true});
    return;
  }
  window.addEventListener("hashchange", route);
  route();
  document.body.dataset.ready = "true";
}

start();
