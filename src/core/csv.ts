/**
 * The kit's CSV files, in one place: RFC 4180 cells both ways, the `# key:
 * value` comment lines, and one column table per file kind (sweep, measured,
 * events) from which that kind's writer and reader derive. Own code, not
 * csv-parse/csv-stringify: the kit's files are one record per line, and the
 * cell rules below fit in a few lines (see the README).
 */
import * as fs from "fs";
import { StringDecoder } from "string_decoder";
import { UserError } from "./errors";
import { maxCsvFileBytes, readFileCapped } from "./fsutil";
import { displayPath } from "./paths";

/** How a column's cell is written and read: a number (integer or not), a keyword (never quoted), or text (RFC 4180-quoted where needed). */
type CellKind = "int" | "num" | "word" | "text";
interface Column {
  readonly name: string;
  readonly key: string;
  readonly kind: CellKind;
}
type RowOf<T extends readonly Column[]> = { [C in T[number] as C["key"]]: C["kind"] extends "int" | "num" ? number : string };
const col = <N extends string, K extends string, T extends CellKind>(name: N, key: K, kind: T) => ({ name, key, kind }) as const;

/** Sweep CSVs (sweep, merge-results, data/derived/): one row per grid point, boot and module. */
export const sweepTable = [
  col("job", "job", "int"), col("jobs_total", "jobsTotal", "int"), col("policy", "policy", "word"), col("cpus", "cpus", "int"),
  col("init_latency_ms", "initLatencyMs", "num"), col("init_result", "initResult", "word"), col("seed", "seed", "int"), col("boot", "boot", "int"),
  col("module", "module", "text"), col("span_seconds", "spanSeconds", "num"), col("attempts", "attempts", "int"), col("full_loads", "fullLoads", "int"),
  col("herd_wakeups", "herdWakeups", "int"), col("peak_vmalloc_bytes", "peakVmallocBytes", "int"),
] as const;
export type SweepRow = RowOf<typeof sweepTable>;
export const sweepColumns = sweepTable.map((c) => c.name);

/** Measured tables (data/studies/*\/measured.csv, `modburst measure --out`): one row per configuration, module and boot. */
export const measuredColumns = ["config", "policy", "module", "boot", "seconds"] as const;
/** `modburst measure --events`: one row per load attempt. */
export const eventColumns = ["boot", "time_seconds", "module", "outcome", "errno", "errno_text"] as const;

/** One cell: quoted only where needed (a comma, quote or line break, or spaces at either end, which reading trims otherwise). */
export function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One line of text cells by column name (measured and events CSVs: every cell is text), in the columns' order. */
export const recordLine = <C extends string>(columns: readonly C[], cells: Record<C, string>): string => columns.map((c) => csvCell(cells[c])).join(",");

/** One typed row as a line, by its table: numbers and keywords as they are, text RFC 4180-quoted where needed. */
export function tableLine<T extends readonly Column[]>(table: T, row: RowOf<T>): string {
  const r = row as Record<string, string | number>;
  return table.map((c) => (c.kind === "text" ? csvCell(String(r[c.key])) : r[c.key])).join(",");
}

/** A number cell, as the kit writes them: non-negative, plain or with an exponent. */
const numberPattern = /^\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** The cells of a line as a typed row by its table, or a string saying which cell is wrong (keywords are the caller's to check). */
export function tableRow<T extends readonly Column[]>(table: T, cells: readonly string[]): RowOf<T> | string {
  const row: Record<string, string | number> = {};
  for (let i = 0; i < table.length; i++) {
    const c = table[i];
    const s = cells[i];
    if (c.kind === "word" || c.kind === "text") {
      row[c.key] = s;
      continue;
    }
    const n = Number(s);
    const integer = c.kind === "int";
    if (!numberPattern.test(s) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      return `${c.name}: ${s === "" ? '""' : s} (allowed ${integer ? "a non-negative integer" : "a non-negative number"})`;
    }
    row[c.key] = n;
  }
  return row as RowOf<T>;
}

/**
 * The cells of one line (no line break inside a quoted cell: the kit's names
 * have none), or a string saying what is wrong with its quoting. With `trim`,
 * unquoted cells lose spaces at either end (hand-written files); quoted cells never do.
 */
export function splitCsvLine(line: string, trim = false): string[] | string {
  const cut = (s: string) => (trim ? s.trim() : s);
  if (!line.includes('"')) return line.split(",").map(cut);
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      const q = quotedCell(line, i + 1);
      if (typeof q === "string") return `cell ${cells.length + 1}: ${q}`;
      cells.push(q.value);
      i = q.end;
      if (i === line.length) return cells;
      if (line[i] !== ",") return `cell ${cells.length}: text after the closing quote`;
      i++;
    } else {
      const comma = line.indexOf(",", i);
      const value = comma === -1 ? line.slice(i) : line.slice(i, comma);
      if (value.includes('"')) return `cell ${cells.length + 1}: a quote inside an unquoted cell`;
      cells.push(cut(value));
      if (comma === -1) return cells;
      i = comma + 1;
    }
  }
}

/** A quoted cell's value from just after its opening quote, and where it ends (after the closing quote). */
function quotedCell(line: string, from: number): { value: string; end: number } | string {
  let value = "";
  for (let j = from; ; ) {
    const q = line.indexOf('"', j);
    if (q === -1) return "a quoted cell without its closing quote";
    value += line.slice(j, q);
    if (line[q + 1] !== '"') return { value, end: q + 1 };
    value += '"';
    j = q + 2;
  }
}

/** The lines of an open file, streamed (read a megabyte at a time, never the whole file); `complete` is false for a last line without its newline. */
export class LineSource {
  private readonly decoder = new StringDecoder("utf8");
  private readonly chunk = Buffer.allocUnsafe(1 << 20);
  private text = "";
  private at = 0;
  private eof = false;
  private bytes = 0;
  /** 1-based number of the line next() returned last. */
  line = 0;

  constructor(private readonly file: string, private readonly fd: number, private readonly maxBytes: number) {}

  next(): { text: string; complete: boolean } | null {
    let nl = this.text.indexOf("\n", this.at);
    for (; nl === -1 && !this.eof; nl = this.text.indexOf("\n", this.at)) this.fill();
    if (nl === -1 && this.at === this.text.length) return null;
    const end = nl === -1 ? this.text.length : nl;
    const text = this.text.slice(this.at, end);
    this.at = nl === -1 ? end : end + 1;
    this.line++;
    return { text, complete: nl !== -1 };
  }

  private fill(): void {
    const got = fs.readSync(this.fd, this.chunk, 0, this.chunk.length, null);
    this.bytes += got;
    // A file that grew past the cap after the size check (or a file system that lies about sizes).
    if (this.bytes > this.maxBytes) throw new UserError(`invalid ${displayPath(this.file)}: more than ${this.maxBytes} bytes (allowed: a regular CSV file of at most ${this.maxBytes} bytes)`);
    this.eof = got === 0;
    this.text = this.text.slice(this.at) + (this.eof ? this.decoder.end() : this.decoder.write(this.chunk.subarray(0, got)));
    this.at = 0;
  }
}

/** A `# key: value` comment line (a sweep CSV's provenance). */
export const commentLine = (key: string, value: string): string => `# ${key}: ${value}`;
/** A comment line's key and value, or null when the line is not one. */
export function parseCommentLine(line: string): [key: string, value: string] | null {
  const m = /^# ([a-z_]+): (.*)$/.exec(line);
  return m ? [m[1], m[2]] : null;
}

export interface CsvRow {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  values: Record<string, string>;
}


export function csvError(file: string, line: number, column: string, value: string, allowed: string): UserError {
  return new UserError(`invalid ${displayPath(file)}:${line}: ${column}: ${value === "" ? '""' : value} (allowed ${allowed})`);
}

/**
 * A whole headed CSV of text cells (measured, events, external tables), strict:
 * the header must be `columns`, every line that many RFC 4180 cells; CRLF line
 * ends are accepted, unquoted cells trimmed.
 */
export function readCsv(file: string, columns: readonly string[]): CsvRow[] {
  const text = readFileCapped(file, maxCsvFileBytes, (p) =>
    p.kind === "unreadable"
      ? new UserError(`invalid data file: ${displayPath(file)} (allowed: a readable CSV file)`)
      : new UserError(`invalid data file: ${displayPath(file)}: ${p.detail} (allowed: a regular CSV file of at most ${maxCsvFileBytes} bytes)`),
  );
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const header = (lines[0] ?? "").split(",").map((h) => h.trim());
  if (header.join(",") !== columns.join(",")) {
    throw new UserError(`invalid ${displayPath(file)}:1: header: ${lines[0] ?? ""} (allowed ${columns.join(",")})`);
  }
  return lines.slice(1).map((text, i) => ({ line: i + 2, values: readCells(file, i + 2, text, columns) }));
}

function readCells(file: string, line: number, text: string, columns: readonly string[]): Record<string, string> {
  if (text.trim() === "") throw new UserError(`invalid ${displayPath(file)}:${line}: empty line (allowed: ${columns.length} comma-separated fields)`);
  const cells = splitCsvLine(text, true);
  if (typeof cells === "string") throw new UserError(`invalid ${displayPath(file)}:${line}: ${cells} (allowed RFC 4180 cells: one with a comma or quote in double quotes, its quotes doubled)`);
  if (cells.length !== columns.length) throw new UserError(`invalid ${displayPath(file)}:${line}: ${cells.length} fields (allowed ${columns.length}: ${columns.join(",")})`);
  return Object.fromEntries(columns.map((c, k) => [c, cells[k]]));
}
