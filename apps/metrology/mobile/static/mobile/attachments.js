// What goes with a record besides its values: the measurement standards used (picked from the
// equipment list; the server refuses one that is not valid today and its words are shown), the work
// conditions (place, ambient temperature, relative humidity) and the photos taken on site (sent at
// once, shown as thumbnails served by the API).

import {call, messageOf, upload} from "./api.js";
import {T, URLS, el, fmt, randomId} from "./text.js";

const PHOTO_ID = /^[0-9a-f]{32}\.(?:jpg|png|webp)$/;

export function attachmentSections(recordId, record) {
  return [new Standards(recordId, record.standards || []).render(),
          new Conditions(recordId, record.conditions || {}).render(),
          new Photos(recordId, record.attachments || []).render()];
}

// "{name} ({certificate}), valid until {date}", then its measuring range and accuracy when the list has them.
function standardLabel(template, standard, date) {
  let label = fmt(template, {name: standard.name, certificate: standard.certificate_number, date});
  if (standard.measuring_range) label = fmt(T.standardRange, {standard: label, range: standard.measuring_range});
  if (standard.accuracy) label = fmt(T.standardAccuracy, {standard: label, accuracy: standard.accuracy});
  return label;
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

class Standards {
  constructor(recordId, used) {
    this.recordId = recordId;
    this.used = used;
  }

  render() {
    this.list = el("ul", {class: "standards-used", id: "standards-used"});
    this.picker = el("select", {id: "standard-picker", class: "standard-picker"},
                     el("option", {value: ""}, T.standardChoose));
    this.addButton = el("button", {type: "button", class: "secondary", id: "add-standard",
                                   on: {click: () => this.add()}}, T.standardAdd);
    this.message = el("p", {class: "message", id: "standard-message", role: "alert"});
    this.showUsed();
    this.loadChoices();
    return el("section", {class: "card standards", id: "standards"},
              el("h3", {}, T.standardsTitle),
              this.list,
              el("label", {for: this.picker.id}, T.standardPick),
              this.picker, this.addButton, this.message);
  }

  showUsed() {
    this.list.replaceChildren(...(this.used.length
      ? this.used.map((s) => el("li", {"data-standard": s.id}, standardLabel(T.standardValid, s, s.valid_until)))
      : [el("li", {class: "muted"}, T.standardsNone)]));
  }

  async loadChoices() {
    const answer = await call("GET", `${URLS.standardsUrl}?all=1`);
    if (!answer.ok) {
      this.message.textContent = answer.network ? T.needsConnection : messageOf(answer, T.loadFailed);
      return;
    }
    const day = today();
    for (const standard of answer.data.results || []) {
      const notYet = !standard.usable && standard.valid_until >= day;
      const label = standard.usable ? T.standardValid : notYet ? T.standardNotYetValid : T.standardExpired;
      this.picker.append(el("option", {value: String(standard.id), class: standard.usable ? "" : "unusable",
                                       "data-usable": String(Boolean(standard.usable))},
                            standardLabel(label, standard, notYet ? standard.valid_from : standard.valid_until)));
    }
  }

  async add() {
    this.message.textContent = "";
    if (!this.picker.value) {
      this.message.textContent = T.standardChooseFirst;
      return;
    }
    this.addButton.disabled = true;
    const answer = await call("POST", `${URLS.recordsUrl}${this.recordId}/standards/`,
                              {standard: Number(this.picker.value)});
    this.addButton.disabled = false;
    if (!answer.ok) {
      this.message.textContent = answer.network ? T.needsConnection : messageOf(answer, T.standardRefused);
      return;
    }
    this.used = answer.data.standards || [];
    this.picker.value = "";
    this.showUsed();
  }
}

// 工作条件: free text with the unit as read (e.g. 20.5 ℃); the server checks the lengths and that the
// record is still in the inspector's hands, and its words are shown when it refuses.
const CONDITIONS = [["place", "conditionsPlace", 200], ["temperature", "conditionsTemperature", 50],
                    ["humidity", "conditionsHumidity", 50]];

class Conditions {
  constructor(recordId, conditions) {
    this.recordId = recordId;
    this.conditions = conditions;
  }

  render() {
    this.inputs = {};
    const fields = CONDITIONS.map(([name, label, length]) => {
      const input = el("input", {type: "text", id: `condition-${name}`, maxlength: length, autocomplete: "off",
                                 value: this.conditions[name] || ""});
      this.inputs[name] = input;
      return el("div", {class: "field"}, el("label", {for: input.id}, T[label]), input);
    });
    this.saveButton = el("button", {type: "button", class: "secondary", id: "save-conditions",
                                    on: {click: () => this.save()}}, T.conditionsSave);
    this.status = el("p", {class: "muted", id: "conditions-status", role: "status"});
    this.message = el("p", {class: "message", id: "conditions-message", role: "alert"});
    return el("section", {class: "card conditions", id: "conditions"},
              el("h3", {}, T.conditionsTitle),
              el("p", {class: "hint"}, T.conditionsHint),
              ...fields, el("div", {class: "actions"}, this.saveButton), this.status, this.message);
  }

  async save() {
    this.message.textContent = "";
    this.status.textContent = "";
    this.saveButton.disabled = true;
    const body = {request_id: randomId()};
    for (const [name] of CONDITIONS) body[name] = this.inputs[name].value;
    const answer = await call("POST", `${URLS.recordsUrl}${this.recordId}/conditions/`, body);
    this.saveButton.disabled = false;
    if (!answer.ok) {
      this.message.textContent = answer.network ? T.needsConnection : messageOf(answer, T.conditionsRefused);
      return;
    }
    this.conditions = answer.data;
    for (const [name] of CONDITIONS) this.inputs[name].value = this.conditions[name] || "";
    this.status.textContent = T.saved;
  }
}

class Photos {
  constructor(recordId, attachments) {
    this.recordId = recordId;
    this.attachments = attachments.filter((a) => PHOTO_ID.test(a.file_id));
  }

  render() {
    this.thumbs = el("div", {class: "thumbs", id: "photo-thumbs"});
    this.input = el("input", {type: "file", accept: "image/*", capture: "environment", id: "photo-input",
                              class: "visually-hidden", on: {change: () => this.send()}});
    this.status = el("p", {class: "muted", id: "photo-status", role: "status"});
    this.message = el("p", {class: "message", id: "photo-message", role: "alert"});
    for (const attachment of this.attachments) this.thumbs.append(this.thumbnail(attachment));
    return el("section", {class: "card photos", id: "photos"},
              el("h3", {}, T.photosTitle),
              this.thumbs,
              el("label", {for: this.input.id, class: "button secondary"}, T.photoTake),
              this.input, this.status, this.message);
  }

  thumbnail(attachment) {
    return el("a", {href: this.urlOf(attachment.file_id), target: "_blank", rel: "noopener",
                    class: "thumb", "data-photo": attachment.file_id},
              el("img", {src: this.urlOf(attachment.file_id), alt: attachment.caption || T.photoAlt,
                         loading: "lazy"}));
  }

  urlOf(fileId) {
    return `${URLS.recordsUrl}${this.recordId}/photos/${fileId}/`;
  }

  async send() {
    const files = Array.from(this.input.files || []);
    this.input.value = "";
    this.message.textContent = "";
    for (const file of files) {
      this.status.textContent = T.photoSending;
      const form = new FormData();
      form.append("photo", file);
      form.append("request_id", randomId());
      const answer = await upload(`${URLS.recordsUrl}${this.recordId}/photos/`, form);
      this.status.textContent = "";
      if (!answer.ok) {
        this.message.textContent = answer.network ? T.needsConnection : messageOf(answer, T.photoRefused);
        continue;
      }
      if (!this.thumbs.querySelector(`[data-photo="${answer.data.file_id}"]`)) {
        this.thumbs.append(this.thumbnail({file_id: answer.data.file_id, caption: ""}));
      }
    }
  }
}
