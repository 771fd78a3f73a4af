// The app's start and its screens: first start (name the device), login on the device, tasks,
// entry of one record (#/record/<id>), what waits for me (#/review) and one record under review
// (#/review/<id>), the account with this phone's fingerprint or face (#/account). The sync state
// stays in the header on every screen, the tabs with the count of what waits for me under it.

import {call, messageOf, setCsrfToken} from "./api.js";
import {storedDevice} from "./device.js";
import {forgetPasskeys, showAccount} from "./account.js";
import {showEntry} from "./entry.js";
import {showDeviceSetup, showLogin} from "./login.js";
import {showReview, showWaiting} from "./review.js";
import {flush, onStatus, report} from "./sync.js";
import {markTab, refreshCount, showTabs} from "./tabs.js";
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
  username() {
    return session ? session.username : "";
  },
  person() {
    return session ? session.name || session.username : "";
  },
  refresh() {
    route();
  },
};

function leaveScreen() {
  for (const callback of leaving) callback();
  leaving = [];
}

function showSession() {
  showTabs(Boolean(session));
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
  forgetPasskeys();
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
  // Each screen draws into its own box: one still loading when another is chosen draws out of sight.
  const screen = el("div", {class: "screen"});
  view.replaceChildren(screen);
  const hash = location.hash;
  const record = hash.match(/^#\/record\/(\d+)$/);
  const review = hash.match(/^#\/review\/(\d+)$/);
  if (record) {
    markTab("tasks");
    showEntry(screen, Number(record[1]), app);
  } else if (review) {
    markTab("review");
    showReview(screen, Number(review[1]), app);
  } else if (hash === "#/review") {
    markTab("review");
    showWaiting(screen, app);
  } else if (hash === "#/account") {
    markTab("account");
    showAccount(screen, app);
  } else {
    markTab("tasks");
    showTasks(screen, app);
  }
  refreshCount();
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
