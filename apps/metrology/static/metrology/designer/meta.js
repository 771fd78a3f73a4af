// The procedure's own information (docs/procedure-format.md, "Top level"): code, name, test type,
// the sub-types it serves, the documents its conclusion gives, the regulation, the measuring
// instrument, version and notes. Keys the panel does not know are kept as they are.

import {T, CHOICES, el, fmt, domId, labelled, errorSlot, moveButtons} from "./dom.js";
import {app, changed, refresh, refreshSoon} from "./app.js";

const REQUIRED = new Set(["code", "name", "test_type"]);

function datalist(values) {
  return el("datalist", {id: domId("choices")}, ...values.map((value) => el("option", {value})));
}

function textInput(value, focus, path, options) {
  const opts = options || {};
  const tag = opts.multiline ? "textarea" : "input";
  const input = el(tag, {type: opts.multiline ? null : "text", value: typeof value === "string" ? value : (value ?? ""),
                         "data-focus": focus, "data-path": path, autocomplete: "off", rows: opts.multiline ? 3 : null,
                         list: opts.list ? opts.list.id : null, class: opts.code ? "code" : null});
  input.addEventListener("change", refreshSoon);
  return input;
}

// A top-level text: a required one stays (empty) so that its problem is shown; others go when emptied.
function topText(prop, labelText, options) {
  const opts = options || {};
  const path = `m:${prop}`;
  const input = textInput(app.definition[prop], `meta:${prop}`, path, opts);
  input.addEventListener("input", () => {
    if (input.value === "" && !REQUIRED.has(prop)) delete app.definition[prop];
    else app.definition[prop] = input.value;
    changed();
  });
  const parts = [labelled(labelText, input, {path, hint: opts.hint, wide: opts.wide})];
  if (opts.list) parts.push(opts.list);
  return parts;
}

// An attribute of a metadata object (regulation, item); the object goes when nothing is left in it.
function objectOf(prop) {
  const value = app.definition[prop];
  return value && typeof value === "object" && !Array.isArray(value) ? value : {};
}

function writeObject(prop, key, value) {
  const object = {...objectOf(prop)};
  if (value === undefined) delete object[key];
  else object[key] = value;
  if (Object.keys(object).length) app.definition[prop] = object;
  else delete app.definition[prop];
  changed();
}

function objectText(prop, key, labelText, hint) {
  const input = textInput(objectOf(prop)[key], `meta:${prop}:${key}`, `m:${prop}:${key}`);
  input.addEventListener("input", () => writeObject(prop, key, input.value === "" ? undefined : input.value));
  return labelled(labelText, input, {hint});
}

function periodMonths() {
  const current = objectOf("item").period_months;
  const input = el("input", {type: "number", min: 1, step: 1, class: "count", value: current ?? "",
                             "data-focus": "meta:item:period_months", "data-path": "m:item:period_months"});
  input.addEventListener("input", () => {
    if (input.value === "") writeObject("item", "period_months", undefined);
    else if (/^\d+$/.test(input.value)) writeObject("item", "period_months", parseInt(input.value, 10));
  });
  input.addEventListener("change", refreshSoon);
  return labelled(T.itemPeriod, input);
}

// -- sub-types ----------------------------------------------------------------------------------

function subTypeList() {
  return Array.isArray(app.definition.sub_types) ? app.definition.sub_types : null;
}

function setSubTypes(list, focus) {
  if (list.length) app.definition.sub_types = list;
  else delete app.definition.sub_types;
  changed();
  refresh({focus, fallback: "meta-add-sub-type"});
}

function subTypesEditor() {
  const list = subTypeList() || [];
  const suggestions = datalist(app.subTypes);
  const rows = list.map((name, i) => {
    const input = textInput(name, `meta:sub_types:${i}`, `m:sub_types:${i}`, {list: suggestions});
    input.setAttribute("aria-label", fmt(T.subTypeN, {n: i + 1}));
    input.addEventListener("input", () => {
      list[i] = input.value;
      changed();
    });
    return el("li", {class: "sub-type"}, input,
      app.editable ? moveButtons(list, i, name || fmt(T.subTypeN, {n: i + 1}), `meta:sub_types:${i}`,
                                 () => setSubTypes(list)) : "");
  });
  const missing = app.subTypes.filter((name) => !list.includes(name));
  const add = el("button", {type: "button", class: "button", id: "meta-add-sub-type", "data-focus": "meta:sub_types:add",
                            on: {click: () => {
    setSubTypes([...list, ""], `meta:sub_types:${list.length}`);
  }}}, T.addSubType);
  const quick = missing.map((name) => el("button", {type: "button", class: ["button", "small"],
    "data-focus": `meta:add-sub-type:${name}`, "data-sub-type": name,
    "aria-label": fmt(T.addSubTypeNamed, {name}), on: {click: () => setSubTypes([...list, name], "meta:sub_types:add")}},
  `+ ${name}`));
  return el("fieldset", {class: ["attr", "wide", "sub-types"]}, el("legend", {}, T.subTypesLegend),
    el("p", {class: "hint"}, T.subTypesHint),
    list.length ? el("ol", {class: "sub-type-list"}, ...rows) : el("p", {class: "help"}, T.noSubTypesYet),
    suggestions,
    app.editable ? el("div", {class: "sub-type-actions"}, add, ...quick) : "",
    errorSlot("m:sub_types"));
}

// -- document kinds -------------------------------------------------------------------------

function defaultKinds() {
  return CHOICES.calibrationTypes.includes(app.definition.test_type)
    ? CHOICES.calibrationDocumentKinds : CHOICES.defaultDocumentKinds;
}

function kindsText(kinds) {
  if (kinds.always) return `${T.alwaysIssued}${T.colon}${kinds.always}`;
  return `${T.issuedWhenPasses}${T.colon}${kinds.pass}${T.sentenceSeparator}${T.issuedWhenFails}${T.colon}${kinds.fail}`;
}

function kindsMode(kinds) {
  if (kinds === undefined || kinds === null) return "default";
  return kinds && typeof kinds === "object" && "always" in kinds ? "always" : "conclusion";
}

function switchKinds(mode) {
  const kinds = app.definition.document_kinds;
  const current = kinds && typeof kinds === "object" ? kinds : {};
  const fallback = defaultKinds();
  if (mode === "default") delete app.definition.document_kinds;
  else if (mode === "always") {
    app.definition.document_kinds = {always: current.always || fallback.always || CHOICES.calibrationDocumentKinds.always};
  } else {
    const byConclusion = CHOICES.defaultDocumentKinds;
    app.definition.document_kinds = {pass: current.pass || fallback.pass || byConclusion.pass,
                                     fail: current.fail || fallback.fail || byConclusion.fail};
  }
  changed();
  refresh({focus: `meta:kinds-mode:${mode}`});
}

function kindInput(which, labelText, names) {
  const kinds = app.definition.document_kinds;
  const input = textInput(kinds && typeof kinds === "object" ? kinds[which] : "", `meta:kinds:${which}`,
                          `m:document_kinds:${which}`, {list: names});
  input.addEventListener("input", () => {
    const current = app.definition.document_kinds;
    app.definition.document_kinds = {...(current && typeof current === "object" ? current : {}), [which]: input.value};
    changed();
  });
  return labelled(labelText, input);
}

function documentKindsEditor() {
  const mode = kindsMode(app.definition.document_kinds);
  const group = `meta-kinds-${domId("g")}`;
  const radio = (value, text) => {
    const input = el("input", {type: "radio", name: group, value, checked: mode === value, id: `${group}-${value}`,
                               "data-focus": `meta:kinds-mode:${value}`});
    input.addEventListener("change", () => switchKinds(value));
    return el("span", {class: "radio"}, input, el("label", {for: input.id}, text));
  };
  const names = datalist(CHOICES.documentKinds);
  const inputs = mode === "always" ? [kindInput("always", T.alwaysIssued, names)]
    : mode === "conclusion" ? [kindInput("pass", T.issuedWhenPasses, names), kindInput("fail", T.issuedWhenFails, names)]
      : [];
  return el("fieldset", {class: ["attr", "wide", "document-kinds"]}, el("legend", {}, T.documentKindsLegend),
    el("div", {class: "radios"},
      radio("default", fmt(T.documentKindsDefault, {kinds: kindsText(defaultKinds())})),
      radio("conclusion", T.documentKindsByConclusion),
      radio("always", T.documentKindsAlways)),
    inputs.length ? el("div", {class: "attrs"}, ...inputs, names) : "",
    inputs.length ? el("p", {class: "hint"}, T.documentKindsHint) : "",
    errorSlot("m:document_kinds"));
}

// -- the panel ------------------------------------------------------------------------------

function renderMeta() {
  const box = document.getElementById("meta");
  box.replaceChildren(
    errorSlot("m:procedure"),
    errorSlot("m:format_version"),
    el("div", {class: "attrs"},
      ...topText("code", T.codeLabel, {code: true, hint: T.codeHint}),
      ...topText("name", T.nameLabel),
      ...topText("test_type", T.testTypeLabel, {list: datalist(CHOICES.testTypes), hint: T.testTypeHint}),
      ...topText("version", T.versionLabel, {hint: T.versionHint})),
    subTypesEditor(),
    documentKindsEditor(),
    el("div", {class: "meta-groups"},
      el("fieldset", {class: ["attr", "regulation"]}, el("legend", {}, T.regulationLegend),
        objectText("regulation", "code", T.regulationCode, T.regulationCodeHint),
        objectText("regulation", "title", T.regulationTitle)),
      el("fieldset", {class: ["attr", "item"]}, el("legend", {}, T.itemLegend),
        objectText("item", "name", T.itemName),
        periodMonths())),
    el("div", {class: "attrs"}, ...topText("about", T.aboutLabel, {multiline: true, wide: true, hint: T.aboutHint})));
}

function locateMeta(problem) {
  if (problem.where === "document_kinds") return () => refresh({focus: focusOfKinds()});
  if (problem.where !== "procedure" || !problem.attribute) return null;
  const focus = problem.attribute === "sub_types" ? "meta:sub_types:add" : `meta:${problem.attribute}`;
  return () => {
    refresh({focus, fallback: "meta-add-sub-type"});
    document.getElementById("meta").scrollIntoView({block: "nearest"});
  };
}

function focusOfKinds() {
  const mode = kindsMode(app.definition.document_kinds);
  return mode === "always" ? "meta:kinds:always" : (mode === "conclusion" ? "meta:kinds:pass" : "meta:kinds-mode:default");
}

export function setUpMeta() {
  app.sections.push(renderMeta);
  app.locators.push(locateMeta);
}
