// Talking to the designer's views: every answer becomes {ok, status, data, failure}, where
// `failure` is a message for people when the request did not do its work (network, session,
// permission, server error). Nothing here throws.

import {T, fmt} from "./dom.js";

function csrf() {
  const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function post(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json"},
      body: JSON.stringify(body),
    });
  } catch (error) {
    return {ok: false, status: 0, data: {}, failure: T.networkError};
  }
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  if (!data || typeof data !== "object") {
    return {ok: false, status: response.status, data: {}, failure: fmt(T.serverError, {status: response.status})};
  }
  if (response.status === 401) {
    return {ok: false, status: 401, data, failure: T.sessionExpired, loginUrl: data.login_url || null};
  }
  if (response.status === 403) {
    return {ok: false, status: 403, data, failure: data.message || T.forbidden};
  }
  if (response.status >= 500 || (response.status >= 300 && response.status !== 400)) {
    return {ok: false, status: response.status, data,
            failure: data.message || fmt(T.serverError, {status: response.status})};
  }
  return {ok: response.ok && data.ok !== false, status: response.status, data, failure: null};
}
