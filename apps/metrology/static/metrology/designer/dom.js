// Small DOM helpers shared by the designer's parts. Every text shown to people comes from the
// page's `designer-text` block (translated by Django), never from this code.

export const T = JSON.parse(document.getElementById("designer-text").textContent);
export const KEYS = JSON.parse(document.getElementById("designer-keys").textContent);
export const CHOICES = JSON.parse(document.getElementById("designer-choices").textContent);

export function fmt(template, params) {
  return String(template ?? "").replace(/\{(\w+)\}/g, (whole, name) =>
    (params && params[name] !== undefined && params[name] !== null ? String(params[name]) : whole));
}

const ids = new WeakMap();
let nextId = 1;

// A stable id per object for as long as the object lives: focus and error slots follow it
// across re-renders even when keys are renamed or rows reordered.
export function uid(obj) {
  if (!ids.has(obj)) ids.set(obj, nextId++);
  return ids.get(obj);
}

let domIds = 0;
export function domId(prefix) {
  domIds += 1;
  return `${prefix}-${domIds}`;
}

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (name === "class" && Array.isArray(value)) {
      node.className = value.filter(Boolean).join(" ");
    } else if (name === "value" && (tag === "input" || tag === "textarea")) {
      node.value = value ?? "";
    } else if (name === "checked" || name === "selected" || name === "disabled") {
      node[name] = !!value;
    } else if (value === true) {
      node.setAttribute(name, "");
    } else if (value !== false && value !== null && value !== undefined) {
      node.setAttribute(name, value);
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

// A labelled control: a visible <label> tied to the control, and a slot for its error.
export function labelled(labelText, control, options) {
  const opts = options || {};
  if (!control.id) control.id = domId("d");
  const children = [el("label", {for: control.id}, labelText), control];
  if (opts.hint) {
    const hintId = domId("h");
    control.setAttribute("aria-describedby", hintId);
    children.push(el("div", {class: "hint", id: hintId}, opts.hint));
  }
  if (opts.path) children.push(errorSlot(opts.path, control));
  return el("div", {class: `attr${opts.wide ? " wide" : ""}`}, ...children);
}

export function errorSlot(path, control) {
  const slot = el("div", {class: "field-error", "data-error-for": path, id: domId("e")});
  if (control) {
    const describedBy = control.getAttribute("aria-describedby");
    control.setAttribute("aria-describedby", describedBy ? `${describedBy} ${slot.id}` : slot.id);
  }
  return slot;
}

export function iconButton(symbol, label, focus, onClick, extraClass) {
  return el("button", {type: "button", class: `icon${extraClass ? ` ${extraClass}` : ""}`, "aria-label": label,
                       title: label, "data-focus": focus, on: {click: onClick}}, symbol);
}

export function moveButtons(list, index, name, focusBase, onMoved) {
  const move = (delta) => () => {
    const target = index + delta;
    if (target < 0 || target >= list.length) return;
    [list[index], list[target]] = [list[target], list[index]];
    onMoved();
  };
  return el("span", {class: "row-actions"},
    iconButton("↑", fmt(T.moveUp, {name}), `${focusBase}:up`, move(-1)),
    iconButton("↓", fmt(T.moveDown, {name}), `${focusBase}:down`, move(1)),
    iconButton("✕", fmt(T.removeNamed, {name}), `${focusBase}:remove`,
               () => { list.splice(index, 1); onMoved(); }, "remove"));
}

export function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

// JSON with object keys sorted: two definitions that mean the same compare equal.
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export function displayValue(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (value === true) return T.yes;
  if (value === false) return T.no;
  if (Array.isArray(value)) return value.length ? value.map(displayValue).join(T.listSeparator) : T.none;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
