// Limit tables (read by LOOKUP) as a grid: key columns (exact, or ranges typed as ≥0.9, <0.9,
// >500,≤2000), value columns, rows added, removed, reordered or pasted from Excel/WPS; a table
// without keys is a list of named constants.

import {T, el, fmt, uid, labelled, errorSlot, iconButton, moveButtons, domId} from "./dom.js";
import {app, changed, refresh, refreshSoon, say} from "./app.js";
import {uniqueName} from "./fields.js";
import {formatRange, parseBlock, parseRange} from "./ranges.js";

function keyColumns(table) {
  return (Array.isArray(table.keys) ? table.keys : []).map((key) =>
    (key && typeof key === "object" ? {column: key.column ?? "", match: key.match || "exact"} : {column: key ?? "", match: "exact"}));
}

function valueColumns(table) {
  return Array.isArray(table.values) ? table.values : [];
}

function rowsOf(table) {
  if (!Array.isArray(table.rows)) table.rows = [];
  return table.rows;
}

function renameColumn(table, from, to) {
  if (from === to) return;
  for (const row of rowsOf(table)) {
    if (row && typeof row === "object" && from in row) {
      row[to] = row[from];
      delete row[from];
    }
  }
}

function usedNames(table) {
  return [...keyColumns(table).map((k) => k.column), ...valueColumns(table)];
}

// -- one cell ---------------------------------------------------------------------------------

function setCell(row, column, isRange, text) {
  if (text.trim() === "") {
    delete row[column];
    return null;
  }
  if (!isRange) {
    row[column] = text;
    return null;
  }
  const range = parseRange(text);
  row[column] = range || text;  // kept as typed when it is not a range yet: nothing typed is lost
  return range ? null : fmt(T.badRange, {text});
}

function cellInput(table, row, rowIndex, column, columnIndex, isRange, labelText) {
  const value = row[column.name];
  const text = isRange ? formatRange(value) : (value && typeof value === "object" ? formatRange(value) : (value ?? ""));
  const message = el("div", {class: "cell-error", id: domId("c")});
  const input = el("input", {type: "text", value: text, "data-focus": `${uid(row)}:${columnIndex}`,
                             "aria-label": labelText, "aria-describedby": message.id,
                             class: isRange ? "range" : null, autocomplete: "off",
                             placeholder: isRange ? T.rangePlaceholder : null});
  const show = (error) => {
    message.textContent = error ? `⚠ ${error}` : "";
    if (error) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    input.classList.toggle("invalid", !!error);
  };
  if (isRange && typeof value === "string" && value !== "") show(fmt(T.badRange, {text: value}));
  input.addEventListener("input", () => {
    show(setCell(row, column.name, isRange, input.value));
    changed();
  });
  input.addEventListener("paste", (event) => {
    const pasted = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
    if (!/[\t\n]/.test(pasted.replace(/\r?\n$/, ""))) return;
    event.preventDefault();
    pasteBlock(table, rowIndex, columnIndex, pasted);
  });
  return el("td", {}, input, message);
}

function allColumns(table) {
  return [...keyColumns(table).map((k) => ({name: k.column, range: k.match === "range"})),
          ...valueColumns(table).map((name) => ({name, range: false}))];
}

function pasteBlock(table, rowIndex, columnIndex, text) {
  const block = parseBlock(text);
  const columns = allColumns(table);
  const rows = rowsOf(table);
  let bad = 0;
  let dropped = 0;
  block.forEach((cells, i) => {
    while (rows.length <= rowIndex + i) rows.push({});
    cells.forEach((cell, j) => {
      const column = columns[columnIndex + j];
      if (!column) {
        dropped += 1;
        return;
      }
      if (setCell(rows[rowIndex + i], column.name, column.range, cell.trim())) bad += 1;
    });
  });
  changed();
  refresh();
  const parts = [fmt(T.pasted, {rows: block.length, columns: Math.max(...block.map((r) => r.length))})];
  if (dropped) parts.push(fmt(T.pastedDropped, {count: dropped}));
  if (bad) parts.push(fmt(T.pastedBad, {count: bad}));
  say(parts.join(T.sentenceSeparator), bad || dropped ? "error" : "info");
}

// -- column lists -------------------------------------------------------------------------------

function columnNameInput(table, labelText, read, write, focus) {
  const input = el("input", {type: "text", value: read(), "data-focus": focus, autocomplete: "off", "aria-label": labelText});
  let before = read();
  input.addEventListener("focus", () => { before = read(); });
  input.addEventListener("input", () => { write(input.value); changed(); });
  input.addEventListener("change", () => {
    renameColumn(table, before, read());
    before = read();
    changed();
    refreshSoon();
  });
  return input;
}

function keyColumnsEditor(table) {
  const keys = keyColumns(table);
  const reordered = keyColumns(table);
  const rows = keys.map((key, i) => {
    const focus = `${uid(table)}:key:${i}`;
    const write = (name) => { table.keys = keyColumns(table); table.keys[i].column = name; };
    const match = el("select", {"data-focus": `${focus}:match`, "aria-label": fmt(T.keyMatchOf, {name: key.column})},
      el("option", {value: "exact", selected: key.match !== "range"}, T.matchExact),
      el("option", {value: "range", selected: key.match === "range"}, T.matchRange));
    match.addEventListener("change", () => {
      table.keys = keyColumns(table);
      table.keys[i].match = match.value;
      convertColumn(table, key.column, match.value === "range");
      changed();
      refresh();
    });
    return el("tr", {},
      el("td", {}, columnNameInput(table, fmt(T.keyColumnN, {n: i + 1}), () => keyColumns(table)[i].column, write,
                                   `${focus}:name`)),
      el("td", {}, match),
      el("td", {}, moveButtons(reordered, i, key.column || fmt(T.keyColumnN, {n: i + 1}), focus, () => {
        table.keys = reordered;
        changed();
        refresh({fallback: `add-key-${uid(table)}`});
      })));
  });
  return el("div", {class: "column-list"},
    el("table", {class: ["designer-table", "compact"]},
      el("caption", {}, T.keyColumns),
      el("thead", {}, el("tr", {}, el("th", {scope: "col"}, T.columnName), el("th", {scope: "col"}, T.keyMatch),
                                   el("th", {scope: "col"}, el("span", {class: "visually-hidden"}, T.actions)))),
      el("tbody", {}, ...rows)),
    el("button", {type: "button", class: "button", id: `add-key-${uid(table)}`, on: {click: () => {
      table.keys = keyColumns(table);
      table.keys.push({column: uniqueName(T.newKeyColumn, usedNames(table)), match: "exact"});
      changed();
      refresh({focus: `${uid(table)}:key:${table.keys.length - 1}:name`});
    }}}, T.addKeyColumn));
}

// Switching a key column between exact and range keeps what the cells say.
function convertColumn(table, column, toRange) {
  for (const row of rowsOf(table)) {
    if (!(column in row)) continue;
    const value = row[column];
    if (toRange && typeof value === "string") row[column] = parseRange(value) || value;
    if (!toRange && value && typeof value === "object") row[column] = formatRange(value);
  }
}

function valueColumnsEditor(table) {
  if (!Array.isArray(table.values)) table.values = [];
  const values = table.values;
  const rows = values.map((name, i) => {
    const focus = `${uid(table)}:value:${i}`;
    return el("tr", {},
      el("td", {}, columnNameInput(table, fmt(T.valueColumnN, {n: i + 1}), () => values[i], (v) => { values[i] = v; },
                                   `${focus}:name`)),
      el("td", {}, moveButtons(values, i, name || fmt(T.valueColumnN, {n: i + 1}), focus,
                               () => { changed(); refresh({fallback: `add-value-${uid(table)}`}); })));
  });
  return el("div", {class: "column-list"},
    el("table", {class: ["designer-table", "compact"]},
      el("caption", {}, T.valueColumns),
      el("thead", {}, el("tr", {}, el("th", {scope: "col"}, T.columnName),
                                   el("th", {scope: "col"}, el("span", {class: "visually-hidden"}, T.actions)))),
      el("tbody", {}, ...rows)),
    el("button", {type: "button", class: "button", id: `add-value-${uid(table)}`, on: {click: () => {
      values.push(uniqueName(T.newValueColumn, usedNames(table)));
      changed();
      refresh({focus: `${uid(table)}:value:${values.length - 1}:name`});
    }}}, T.addValueColumn));
}

// -- the data grid -----------------------------------------------------------------------------

function dataGrid(table) {
  const columns = allColumns(table);
  const rows = rowsOf(table);
  const header = el("tr", {}, el("th", {scope: "col"}, T.rowNumber),
    ...columns.map((c) => el("th", {scope: "col"}, c.name, c.range ? el("span", {class: "range-mark"}, ` ${T.rangeMark}`) : "")),
    el("th", {scope: "col"}, el("span", {class: "visually-hidden"}, T.actions)));
  const body = rows.map((row, r) => el("tr", {},
    el("th", {scope: "row"}, String(r + 1)),
    ...columns.map((column, c) => cellInput(table, row, r, column, c, column.range,
                                            fmt(T.cellLabel, {row: r + 1, column: column.name}))),
    el("td", {}, moveButtons(rows, r, fmt(T.rowN, {n: r + 1}), String(uid(row)),
                             () => { changed(); refresh({fallback: `add-row-${uid(table)}`}); }))));
  return el("div", {class: "table-data"},
    el("p", {class: "help"}, T.pasteHint),
    el("div", {class: "scroll"}, el("table", {class: ["designer-table", "limit-grid"]},
      el("caption", {class: "visually-hidden"}, fmt(T.tableRowsOf, {name: table.name || ""})),
      el("thead", {}, header), el("tbody", {}, ...body))),
    el("button", {type: "button", class: "button", id: `add-row-${uid(table)}`, on: {click: () => {
      const row = {};
      rows.push(row);
      changed();
      refresh({focus: `${uid(row)}:0`});
    }}}, T.addTableRow));
}

function constantsList(table) {
  if (!Array.isArray(table.values)) table.values = [];
  const rows = rowsOf(table);
  if (!rows.length) rows.push({});
  const values = table.values;
  const row = rows[0];
  const items = values.map((name, i) => {
    const focus = `${uid(table)}:constant:${i}`;
    const valueInput = el("input", {type: "text", value: row[name] ?? "", "data-focus": `${focus}:value`, inputmode: "decimal",
                                    autocomplete: "off", "aria-label": fmt(T.constantValueOf, {name})});
    valueInput.addEventListener("input", () => {
      if (valueInput.value === "") delete row[values[i]];
      else row[values[i]] = valueInput.value;
      changed();
    });
    return el("tr", {},
      el("td", {}, columnNameInput(table, fmt(T.constantNameN, {n: i + 1}), () => values[i], (v) => { values[i] = v; },
                                   `${focus}:name`)),
      el("td", {}, valueInput),
      el("td", {}, moveButtons(values, i, name || fmt(T.constantNameN, {n: i + 1}), focus, () => {
        if (!values.includes(name)) delete row[name];
        changed();
        refresh({fallback: `add-constant-${uid(table)}`});
      })));
  });
  return el("div", {class: "constants"},
    el("table", {class: ["designer-table", "compact"]},
      el("caption", {class: "visually-hidden"}, fmt(T.constantsOf, {name: table.name || ""})),
      el("thead", {}, el("tr", {}, el("th", {scope: "col"}, T.constantName), el("th", {scope: "col"}, T.constantValue),
                                   el("th", {scope: "col"}, el("span", {class: "visually-hidden"}, T.actions)))),
      el("tbody", {}, ...items)),
    el("p", {class: "help"}, fmt(T.constantsHint, {name: table.name || ""})),
    el("button", {type: "button", class: "button", id: `add-constant-${uid(table)}`, on: {click: () => {
      values.push(uniqueName(T.newConstant, values));
      changed();
      refresh({focus: `${uid(table)}:constant:${values.length - 1}:name`});
    }}}, T.addConstant));
}

function tableCard(table, index) {
  const isConstants = keyColumns(table).length === 0;
  const name = table.name || fmt(T.tableN, {n: index + 1});
  const path = `tb:${table.name}`;
  const nameInput = el("input", {type: "text", value: table.name ?? "", "data-focus": `${uid(table)}:name`,
                                 "data-path": `${path}:name`, autocomplete: "off"});
  nameInput.addEventListener("input", () => { table.name = nameInput.value; changed(); });
  nameInput.addEventListener("change", refreshSoon);
  const kindName = `table-kind-${uid(table)}`;
  const kind = (value, text, checked) => {
    const input = el("input", {type: "radio", name: kindName, value, checked, id: `${kindName}-${value}`,
                               "data-focus": `${uid(table)}:kind:${value}`});
    input.addEventListener("change", () => {
      if (value === "constants") {
        table.keys = [];
        table.rows = rowsOf(table).slice(0, 1);
      } else {
        table.keys = [{column: uniqueName(T.newKeyColumn, usedNames(table)), match: "exact"}];
      }
      changed();
      refresh();
    });
    return el("span", {class: "radio"}, input, el("label", {for: input.id}, text));
  };
  return el("fieldset", {class: "table-card"},
    el("legend", {}, fmt(T.tableHeading, {name})),
    errorSlot(path),
    el("div", {class: "attrs"},
      labelled(T.tableName, nameInput, {hint: T.tableNameHint}),
      el("fieldset", {class: "attr"}, el("legend", {}, T.tableKind),
         kind("lookup", T.kindLookup, !isConstants), kind("constants", T.kindConstants, isConstants))),
    isConstants ? constantsList(table)
      : el("div", {}, el("div", {class: "column-lists"}, keyColumnsEditor(table), valueColumnsEditor(table)), dataGrid(table)),
    app.editable ? el("div", {class: "card-actions"},
      moveButtons(app.definition.tables, index, name, String(uid(table)), () => { changed(); refresh({fallback: "add-table"}); }))
      : "");
}

function renderTables() {
  const box = document.getElementById("tables");
  const tables = app.definition.tables;
  box.replaceChildren(...(tables.length ? tables.map(tableCard) : [el("p", {class: "help"}, T.noTablesYet)]));
}

function locateTable(problem) {
  const where = problem.where || "";
  if (!where.startsWith("tables.")) return null;
  const table = app.definition.tables.find((t) => t.name === where.slice(7));
  return table ? () => refresh({focus: `${uid(table)}:name`}) : null;
}

function addTable(constants) {
  const names = app.definition.tables.map((t) => t.name);
  const table = constants
    ? {name: uniqueName(T.newTableName, names), keys: [], values: [T.newConstant + "1"], rows: [{}]}
    : {name: uniqueName(T.newTableName, names), keys: [{column: T.newKeyColumn + "1", match: "exact"}],
       values: [T.newValueColumn + "1"], rows: [{}]};
  app.definition.tables.push(table);
  changed();
  refresh({focus: `${uid(table)}:name`});
}

export function setUpTables() {
  app.sections.push(renderTables);
  app.locators.push(locateTable);
  const add = document.getElementById("add-table");
  if (add) add.addEventListener("click", () => addTable(false));
  const addConstants = document.getElementById("add-constants");
  if (addConstants) addConstants.addEventListener("click", () => addTable(true));
}
