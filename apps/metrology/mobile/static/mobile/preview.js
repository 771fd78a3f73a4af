// The raw record or the certificate as PDF before submitting: ask the server, wait for the job,
// then offer the PDF to open.

import {call, messageOf} from "./api.js";
import {T, URLS, el, fmt} from "./text.js";

const POLL_MS = 1000;
const GIVE_UP_AFTER = 180;

export async function showPreview(box, recordId, kind) {
  const base = `${URLS.recordsUrl}${recordId}/preview/`;
  const say = (text, ...extra) => box.replaceChildren(el("p", {role: "status"}, text), ...extra);
  say(fmt(T.previewWaiting, {kind}));
  const asked = await call("POST", base, {kind});
  if (!asked.ok) {
    say(asked.network ? T.needsConnection : messageOf(asked, T.previewFailed));
    return;
  }
  const job = asked.data.job;
  for (let tries = 0; tries < GIVE_UP_AFTER; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const state = await call("GET", `${base}${job}/`);
    if (state.network) continue;
    if (!state.ok) {
      say(messageOf(state, T.previewFailed));
      return;
    }
    if (state.data.state === "done") {
      say(fmt(T.previewReady, {kind}),
          el("a", {href: `${base}${job}/pdf/`, target: "_blank", rel: "noopener", class: "button",
                   id: "open-preview"}, T.openPdf));
      return;
    }
    if (state.data.state === "failed") {
      say(state.data.message || T.previewFailed);
      return;
    }
  }
  say(T.previewFailed);
}
