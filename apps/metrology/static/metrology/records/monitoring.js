// Refreshes the work-in-progress counts and table of the monitoring page by fetching them again.
// Text for people comes from the page's `monitoring-text` block (translated by Django).

const T = JSON.parse(document.getElementById("monitoring-text").textContent);
const container = document.getElementById("work-in-progress");
const status = document.getElementById("work-refreshed");
const seconds = Math.max(5, Number(container.dataset.refreshSeconds) || 30);

function clock(date) {
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((part) => String(part).padStart(2, "0")).join(":");
}

async function refresh() {
  if (document.hidden) {
    return;
  }
  try {
    const response = await fetch(container.dataset.refreshUrl, {
      credentials: "same-origin",
      headers: {"Accept": "text/html"},
    });
    if (!response.ok) {
      throw new Error(String(response.status));
    }
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const summary = page.getElementById("work-summary");
    if (!summary) {
      throw new Error("summary");
    }
    container.replaceChildren(document.importNode(summary, true));
    status.textContent = T.refreshed.replace("{time}", clock(new Date()));
  } catch (error) {
    status.textContent = T.refreshFailed;
  }
}

setInterval(refresh, seconds * 1000);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) {
    refresh();
  }
});
