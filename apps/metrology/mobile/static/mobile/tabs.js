// The tab bar under the header: my tasks, what waits for me (with its count) and my account. The
// count is asked again on every screen change, when the app comes back to the foreground and after
// each step taken.

import {call} from "./api.js";
import {T, URLS, el, fmt} from "./text.js";

const bar = document.getElementById("tabs");
let badge = null;

export function showTabs(loggedIn) {
  if (!loggedIn) {
    bar.replaceChildren();
    bar.hidden = true;
    badge = null;
    return;
  }
  badge = el("span", {class: "count", id: "waiting-count", hidden: true});
  bar.replaceChildren(
    el("a", {href: "#/", id: "tab-tasks", "data-tab": "tasks"}, T.myTasks),
    el("a", {href: "#/review", id: "tab-review", "data-tab": "review"}, T.waitingTab, badge),
    el("a", {href: "#/account", id: "tab-account", "data-tab": "account"}, T.accountTab));
  bar.hidden = false;
}

export function markTab(name) {
  for (const link of bar.querySelectorAll("a[data-tab]")) {
    if (link.dataset.tab === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

export async function refreshCount() {
  if (!badge) return;
  const answer = await call("GET", URLS.waitingCountUrl);
  if (!answer.ok || !badge) return;
  const count = Number(answer.data.count) || 0;
  badge.textContent = String(count);
  badge.hidden = count === 0;
  badge.dataset.count = String(count);
  badge.setAttribute("aria-label", fmt(T.waitingCount, {n: count}));
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refreshCount();
});
