// Range cells of a limit table, in the notation of the xlsx form: `≥0.9`, `<0.9`, `>500,≤2000`
// (also >=, <=, =>, =< and full-width forms) ↔ {"ge": "0.9"}, {"gt": "500", "le": "2000"}.

const OPERATORS = {">=": "ge", "=>": "ge", "≥": "ge", "⩾": "ge", ">": "gt",
                   "<=": "le", "=<": "le", "≤": "le", "⩽": "le", "<": "lt"};
const SYMBOLS = {gt: ">", ge: "≥", lt: "<", le: "≤"};
const BOUND = /^\s*(>=|<=|=>|=<|≥|≤|⩾|⩽|>|<)\s*([^\s,;]+)\s*$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

// Full-width ASCII (＞＝０．９，) to its plain form; ideographic space to a space.
function halfWidth(text) {
  return text.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, " ").replace(/[、；]/g, ",");
}

// {"ge": "0.9"} for good text; null when the text is not a range.
export function parseRange(text) {
  const plain = halfWidth(String(text ?? "")).trim();
  if (!plain) return null;
  const bounds = {};
  for (const piece of plain.split(/[,;]/)) {
    const match = BOUND.exec(piece);
    if (!match || !DECIMAL.test(match[2])) return null;
    const op = OPERATORS[match[1]];
    const lower = op === "gt" || op === "ge";
    if (Object.keys(bounds).some((o) => (o === "gt" || o === "ge") === lower)) return null;
    bounds[op] = match[2];
  }
  const ordered = {};
  for (const op of ["gt", "ge", "lt", "le"]) if (op in bounds) ordered[op] = bounds[op];
  return ordered;
}

export function formatRange(value) {
  if (typeof value === "string") return value;  // text typed but not (yet) a range: shown as typed
  if (!value || typeof value !== "object") return "";
  return ["gt", "ge", "lt", "le"].filter((op) => op in value).map((op) => `${SYMBOLS[op]}${value[op]}`).join(",");
}

// A block copied from Excel/WPS: rows by line, cells by tab (a trailing line break dropped).
export function parseBlock(text) {
  const lines = String(text).replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n");
  return lines.map((line) => line.split("\t"));
}
