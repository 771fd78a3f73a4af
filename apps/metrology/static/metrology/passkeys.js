// Fingerprint and face checks (WebAuthn) in the browser, for the Desk pages and the phone app alike:
// import it as /static/metrology/passkeys.js.
//
// The server (metrology.passkeys) makes the options and checks the answers; this module turns its
// JSON options into what navigator.credentials expects and the browser's credential back into JSON
// (binary parts as base64url). No text for people lives here: a refusal carries the server's own
// words (`detail`) or, for what happens in the browser, the caller's translated strings, passed as
// `text` ({unsupported, cancelled, exists, failed, network}), by the PasskeyError's code.

export function bufferToBase64url(buffer) {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer)
    : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function base64urlToBuffer(text) {
  const base64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

// A secure context (HTTPS or localhost) with the WebAuthn API; whether a fingerprint reader or
// camera is there is known only once the browser is asked (or from platformAuthenticatorAvailable).
export function passkeysSupported() {
  return Boolean(window.isSecureContext && window.PublicKeyCredential && navigator.credentials);
}

export async function platformAuthenticatorAvailable() {
  if (!passkeysSupported()) return false;
  try {
    return await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable();
  } catch (error) {
    return false;
  }
}

export class PasskeyError extends Error {
  constructor(code, message) {
    super(message || "");
    this.name = "PasskeyError";
    this.code = code;
  }
}

function refusal(code, text, message) {
  return new PasskeyError(code, message || (text && text[code]) || "");
}

// What a DOMException of navigator.credentials means for the person.
function browserRefusal(error, text) {
  const codes = {NotAllowedError: "cancelled", AbortError: "cancelled", InvalidStateError: "exists",
                 SecurityError: "unsupported", NotSupportedError: "unsupported"};
  return refusal(codes[error && error.name] || "failed", text);
}

function descriptors(list) {
  return (list || []).map((item) => ({...item, id: base64urlToBuffer(item.id)}));
}

export function creationOptions(json) {
  return {...json, challenge: base64urlToBuffer(json.challenge),
          user: {...json.user, id: base64urlToBuffer(json.user.id)},
          excludeCredentials: descriptors(json.excludeCredentials)};
}

export function requestOptions(json) {
  return {...json, challenge: base64urlToBuffer(json.challenge),
          allowCredentials: descriptors(json.allowCredentials)};
}

function common(credential) {
  return {id: credential.id, rawId: bufferToBase64url(credential.rawId), type: credential.type,
          authenticatorAttachment: credential.authenticatorAttachment || null,
          clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {}};
}

export function registrationJSON(credential) {
  const response = credential.response;
  return {...common(credential), response: {
    clientDataJSON: bufferToBase64url(response.clientDataJSON),
    attestationObject: bufferToBase64url(response.attestationObject),
    transports: response.getTransports ? response.getTransports() : []}};
}

export function assertionJSON(credential) {
  const response = credential.response;
  return {...common(credential), response: {
    clientDataJSON: bufferToBase64url(response.clientDataJSON),
    authenticatorData: bufferToBase64url(response.authenticatorData),
    signature: bufferToBase64url(response.signature),
    userHandle: response.userHandle ? bufferToBase64url(response.userHandle) : null}};
}

// options: the JSON of the server's creation options; resolves to the JSON to send back.
export async function createCredential(options, text) {
  if (!passkeysSupported()) throw refusal("unsupported", text);
  let credential;
  try {
    credential = await navigator.credentials.create({publicKey: creationOptions(options)});
  } catch (error) {
    throw browserRefusal(error, text);
  }
  if (!credential) throw refusal("cancelled", text);
  return registrationJSON(credential);
}

// options: the JSON of the server's request options (e.g. from /api/passkeys/assertion/options/);
// resolves to the assertion as JSON, ready for a signing request's body.
export async function getAssertion(options, text) {
  if (!passkeysSupported()) throw refusal("unsupported", text);
  let credential;
  try {
    credential = await navigator.credentials.get({publicKey: requestOptions(options)});
  } catch (error) {
    throw browserRefusal(error, text);
  }
  if (!credential) throw refusal("cancelled", text);
  return assertionJSON(credential);
}

// POST JSON with the session's CSRF token; resolves to the answer's JSON, or throws a PasskeyError
// with the server's words.
export async function postJSON(url, body, csrfToken, text) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: {"Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken || ""},
      body: JSON.stringify(body === undefined ? {} : body)});
  } catch (error) {
    throw refusal("network", text);
  }
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = {};
  }
  if (!response.ok) throw refusal("refused", text, serverMessage(data));
  return data;
}

function serverMessage(data) {
  if (!data || typeof data !== "object") return "";
  if (typeof data.detail === "string") return data.detail;
  for (const value of Object.values(data)) {
    if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  }
  return "";
}

// Register a fingerprint or face for the logged-in person; resolves to the new credential's JSON.
export async function registerPasskey({optionsUrl, finishUrl, csrfToken, name = "", text}) {
  if (!passkeysSupported()) throw refusal("unsupported", text);
  const options = await postJSON(optionsUrl, {}, csrfToken, text);
  const credential = await createCredential(options, text);
  return postJSON(finishUrl, {credential, name}, csrfToken, text);
}

// Ask the server for assertion options, then the browser for the fingerprint or face; resolves to
// the assertion JSON (what a signing endpoint takes, or /api/passkeys/assertion/ checks).
export async function confirmWithPasskey({optionsUrl, csrfToken, text}) {
  if (!passkeysSupported()) throw refusal("unsupported", text);
  const options = await postJSON(optionsUrl, {}, csrfToken, text);
  return getAssertion(options, text);
}
