/** Tables as plain data (column names + rows of cells) rendered to text or HTML. */
import { maxOf } from "../../core/arrays";

export type TableValue = string | number | boolean | null | undefined;

export interface Table {
  columns: string[];
  rows: TableValue[][];
}

/**
 * The decimals of a column: as many as its most precise number needs when
 * written with `maxDigits` decimals (trailing zeros dropped), so the whole column
 * shows one number of decimals: 51, 20.5 and 57 show as 51.0, 20.5 and 57.0,
 * never as 51, 20.500 and 57.000. A column of whole numbers has none.
 */
export function columnDecimals(values: readonly TableValue[], maxDigits = 3): number {
  let decimals = 0;
  for (const v of values) {
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    const fixed = v.toFixed(maxDigits);
    const dot = fixed.indexOf(".");
    if (dot >= 0) decimals = Math.max(decimals, fixed.slice(dot + 1).replace(/0+$/, "").length);
  }
  return decimals;
}

/** A cell with `decimals` decimals (a number) or as it is (anything else). */
export function formatCell(value: TableValue, decimals = 3): string {
  if (value == null) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    return value.toFixed(decimals);
  }
  return String(value);
}

/** Each cell as text, each column's numbers with the decimals columnDecimals chose for it (at most `digits`). */
function formatCells(table: Table, digits: number): string[][] {
  const decimals = table.columns.map((_, i) => columnDecimals(table.rows.map((r) => r[i]), digits));
  return table.rows.map((r) => r.map((c, i) => formatCell(c, decimals[i])));
}

/** An aligned plain-text table (numbers right-aligned), for terminals and email; `digits` is the most decimals a column gets. */
export function formatTextTable(table: Table, digits = 3): string {
  const cells = formatCells(table, digits);
  const widths = table.columns.map((c, i) => Math.max(c.length, maxOf(cells.map((r) => (r[i] ?? "").length))));
  const numeric = table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((r) => typeof r[i] === "number" || r[i] == null));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(table.columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function formatHtmlTable(table: Table, digits = 3, caption?: string): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const cells = formatCells(table, digits);
  const body = table.rows
    .map((r, j) => `<tr>${r.map((c, i) => `<td style="text-align:${typeof c === "number" ? "right" : "left"}">${escapeHtml(cells[j][i])}</td>`).join("")}</tr>`)
    .join("\n");
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : "";
  return `<table class="modburst-table">${cap}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

/** A danfojs DataFrame (or anything with columns + values) as a plain Table. */
export function tableFromFrame(df: { columns: string[]; values: unknown[] | unknown[][] }): Table {
  const values = df.values as unknown[];
  const rows = values.map((r) => (Array.isArray(r) ? r : [r]) as TableValue[]);
  return { columns: [...df.columns], rows };
}

/** Records (plain objects) as a Table, columns in first-seen key order. */
export function tableFromRecords(records: Array<Record<string, TableValue>>): Table {
  const columns: string[] = [];
  for (const r of records) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return { columns, rows: records.map((r) => columns.map((c) => r[c])) };
}
