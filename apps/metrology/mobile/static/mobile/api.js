// Talking to the JSON API: every answer becomes {ok, status, network, data}; nothing here throws.
// `network` is true when no answer came at all (offline, connection dropped).

import {deviceIdentifier} from "./device.js";

let sessionToken = "";

export function setCsrfToken(token) {
  sessionToken = token || "";
}

export function csrfToken() {
  return sessionToken;
}

export async function call(method, url, body) {
  const headers = {"Content-Type": "application/json"};
  return send(method, url, body === undefined ? undefined : JSON.stringify(body),
              body === undefined ? {} : headers);
}

// A multipart form (a photo): the browser sets its own Content-Type with the boundary.
export async function upload(url, form) {
  return send("POST", url, form, {});
}

async function send(method, url, body, extraHeaders) {
  const headers = {"Accept": "application/json", ...extraHeaders};
  if (method !== "GET") headers["X-CSRFToken"] = sessionToken;
  const device = deviceIdentifier();
  if (device) headers["X-Device-Id"] = device;
  let response;
  try {
    response = await fetch(url, {method, headers, credentials: "same-origin", cache: "no-store", body});
  } catch (error) {
    return {ok: false, status: 0, network: true, data: {}};
  }
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = {};
  }
  return {ok: response.ok, status: response.status, network: false,
          data: data && typeof data === "object" ? data : {}};
}

// The server's own words for a refusal: `detail`, else the first message given for a field.
export function messageOf(answer, fallback) {
  const data = answer.data || {};
  if (typeof data.detail === "string") return data.detail;
  for (const value of Object.values(data)) {
    if (Array.isArray(value) && typeof value[0] === "string") return value[0];
    if (typeof value === "string") return value;
  }
  return fallback;
}
