// Shared helpers. Every text shown to people comes from the page's `mobile-text` block (translated
// by Django), never from this code.

export const T = JSON.parse(document.getElementById("mobile-text").textContent);
export const URLS = document.getElementById("app").dataset;

export function fmt(template, params) {
  return String(template ?? "").replace(/\{(\w+)\}/g, (whole, name) =>
    (params && params[name] !== undefined && params[name] !== null ? String(params[name]) : whole));
}

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (name === "class") {
      node.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    } else if (name === "value" || name === "checked" || name === "disabled") {
      node[name] = value;
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

let domIds = 0;
export function domId(prefix) {
  domIds += 1;
  return `${prefix}-${domIds}`;
}
