// Sends the queued values in the order typed, one at a time. A value stays queued until the
// server has answered it; without a connection (or with a session to renew) sending stops and is
// tried again when the connection returns or after a while.

import {call} from "./api.js";
import {dequeue, enqueue, queued} from "./queue.js";
import {URLS} from "./text.js";

const RETRY_MS = 5000;
const answerListeners = new Set();
const statusListeners = new Set();
let flushing = false;
let again = false;
let retryTimer = null;
let blocked = null;

export function onAnswer(listener) {
  answerListeners.add(listener);
  return () => answerListeners.delete(listener);
}

export function onStatus(listener) {
  statusListeners.add(listener);
}

export function valuesUrl(recordId) {
  return `${URLS.recordsUrl}${recordId}/values/`;
}

export async function queuedFor(recordId) {
  return (await queued()).filter((save) => save.record === recordId);
}

export async function report() {
  const pending = (await queued()).length;
  for (const listener of statusListeners) listener({pending, sending: flushing, blocked});
}

export async function save(entry) {
  await enqueue(entry);
  await report();
  flush();
}

function retryLater() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, RETRY_MS);
}

function mustWait(answer) {
  return answer.network || answer.status >= 500 || answer.status === 401 || answer.status === 403
    || answer.status === 429;
}

async function sendQueued() {
  for (const item of await queued()) {
    if (!navigator.onLine) {
      blocked = {network: true, status: 0};
      return;
    }
    const {seq, record, ...body} = item;
    const answer = await call("POST", valuesUrl(record), body);
    if (mustWait(answer)) {
      blocked = answer;
      return;
    }
    blocked = null;
    await dequeue(seq);
    for (const listener of answerListeners) listener(item, answer);
    await report();
  }
}

export async function flush() {
  if (flushing) {
    again = true;
    return;
  }
  flushing = true;
  await report();
  try {
    do {
      again = false;
      await sendQueued();
    } while (again && !blocked);
  } finally {
    flushing = false;
  }
  if (blocked) retryLater();
  await report();
}

window.addEventListener("online", () => flush());
window.addEventListener("offline", () => report());
