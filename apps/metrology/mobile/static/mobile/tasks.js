// The inspector's tasks: records still in their hands (drafts, returned, withdrawn) and a new task
// on an item they may start (authorised, with a valid qualification), by type and sub-type.

import {call, messageOf} from "./api.js";
import {T, URLS, el, domId} from "./text.js";

function choice(label, id, options) {
  const select = el("select", {id}, options.map(([value, text]) => el("option", {value}, text)));
  return [el("div", {class: "field"}, el("label", {for: id}, label), select), select];
}

function taskCard(record) {
  const state = T[`state_${record.state}`] || record.state;
  const instrument = [record.serial_number, record.instrument_model].filter(Boolean).join(" · ");
  return el("li", {}, el("a", {href: `#/record/${record.id}`, class: "task", "data-record": record.id},
    el("strong", {}, `${record.item_name} · ${record.sub_type}`),
    el("span", {class: ["badge", `state-${record.state}`]}, state),
    instrument ? el("span", {class: "muted"}, instrument) : null,
    el("span", {class: "muted"}, new Date(record.updated_at).toLocaleString())));
}

function newTaskForm(startable, app) {
  const items = [...new Map(startable.map((p) => [p.item, p.item_name])).entries()];
  const [itemBox, item] = choice(T.item, "new-item", items);
  const [typeBox, type] = choice(T.testType, "new-type", []);
  const [subBox, sub] = choice(T.subType, "new-sub-type", []);
  const fill = () => {
    const types = [...new Set(startable.filter((p) => p.item === item.value).map((p) => p.test_type))];
    type.replaceChildren(...types.map((t) => el("option", {value: t}, t)));
    fillSub();
  };
  const fillSub = () => {
    sub.replaceChildren(...startable.filter((p) => p.item === item.value && p.test_type === type.value)
      .map((p) => el("option", {value: p.sub_type}, p.sub_type_short_name)));
  };
  item.addEventListener("change", fill);
  type.addEventListener("change", fillSub);
  fill();
  const text = (label, key, hint) => {
    const id = domId("new");
    const input = el("input", {type: "text", id, "data-key": key, autocomplete: "off"});
    return [el("div", {class: "field"}, el("label", {for: id}, label), input,
               hint ? el("p", {class: "hint"}, hint) : null), input];
  };
  const [serialBox, serial] = text(T.serialNumber, "serial_number", T.serialHint);
  const [modelBox, model] = text(T.instrumentModel, "instrument_model");
  const [clientBox, client] = text(T.client, "client");
  const said = el("p", {class: "message", id: "start-message", role: "alert"});
  const start = el("button", {type: "submit", class: "primary", id: "start-task"}, T.startTask);
  const form = el("form", {class: "card", id: "new-task"}, el("h2", {}, T.newTask), itemBox, typeBox, subBox,
                  el("details", {}, el("summary", {}, T.instrumentSeenBefore), serialBox, modelBox, clientBox),
                  said, start);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    start.disabled = true;
    const answer = await call("POST", URLS.recordsUrl, {
      item: item.value, sub_type: Number(sub.value), serial_number: serial.value.trim(),
      instrument_model: model.value.trim(), client: client.value.trim()});
    start.disabled = false;
    if (answer.ok) {
      location.hash = `#/record/${answer.data.id}`;
      return;
    }
    if (answer.status === 401) return app.loggedOut(messageOf(answer, ""));
    said.textContent = answer.network ? T.needsConnection : messageOf(answer, T.startFailed);
  });
  return form;
}

export async function showTasks(view, app) {
  view.replaceChildren(el("p", {class: "loading"}, T.loading));
  const [mine, startable] = await Promise.all([call("GET", URLS.recordsUrl), call("GET", `${URLS.recordsUrl}startable/`)]);
  if (mine.status === 401 || startable.status === 401) return app.loggedOut(messageOf(mine, ""));
  if (mine.network || startable.network) {
    view.replaceChildren(el("p", {class: "message", role: "alert"}, T.needsConnection));
    return;
  }
  const records = (mine.data.results || []);
  const list = records.length
    ? el("ul", {class: "tasks", id: "my-tasks"}, records.map(taskCard))
    : el("p", {class: "muted", id: "my-tasks"}, T.noTasks);
  const starting = (startable.ok && startable.data.length)
    ? newTaskForm(startable.data, app)
    : el("p", {class: "card message", id: "new-task"}, startable.ok ? T.nothingToStart : messageOf(startable, T.loadFailed));
  view.replaceChildren(el("section", {class: "card"}, el("h2", {}, T.myTasks), list), starting);
}
