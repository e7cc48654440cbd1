/** Tables as plain data (column names + rows of cells) rendered to text or HTML. */

export type TableValue = string | number | boolean | null | undefined;

export interface Table {
  columns: string[];
  rows: TableValue[][];
}

/** Numbers with a fixed number of decimals; integers as integers. */
export function formatCell(value: TableValue, digits = 3): string {
  if (value == null) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    return Number.isInteger(value) ? String(value) : value.toFixed(digits);
  }
  return String(value);
}

/** An aligned plain-text table (numbers right-aligned), for terminals and email. */
export function formatTextTable(table: Table, digits = 3): string {
  const cells = table.rows.map((r) => r.map((c) => formatCell(c, digits)));
  const widths = table.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? "").length)));
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
  const body = table.rows
    .map((r) => `<tr>${r.map((c) => `<td style="text-align:${typeof c === "number" ? "right" : "left"}">${escapeHtml(formatCell(c, digits))}</td>`).join("")}</tr>`)
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
