/**
 * A strict reader for the kit's CSV files: one record per line, fields quoted
 * by RFC 4180 where they need it (`modburst measure` writes a module name with
 * a comma or quote as `"a,b""c"`); a quote anywhere else is an error.
 */
import * as path from "path";
import { UserError } from "../errors";
import { maxCsvFileBytes, readFileCapped } from "../fsutil";
import { projectRoot } from "../paths";
import { splitCsvLine } from "../csvCells";

export interface CsvRow {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  values: Record<string, string>;
}

/** A file path as the user should see it: relative to the checkout when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(projectRoot, file);
  return rel.startsWith("..") ? file : rel;
}

export function csvError(file: string, line: number, column: string, value: string, allowed: string): UserError {
  return new UserError(`invalid ${displayPath(file)} line ${line} column ${column}: ${value === "" ? '""' : value} (allowed ${allowed})`);
}

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
    throw new UserError(`invalid ${displayPath(file)} line 1 (header): ${lines[0] ?? ""} (allowed ${columns.join(",")})`);
  }
  const rows: CsvRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i].trim() === "") throw new UserError(`invalid ${displayPath(file)} line ${line}: empty line (allowed: ${columns.length} comma-separated fields)`);
    const cells = splitCsvLine(lines[i]);
    if (typeof cells === "string") throw new UserError(`invalid ${displayPath(file)} line ${line}: ${cells} (allowed RFC 4180 cells: one with a comma or quote in double quotes, its quotes doubled)`);
    if (cells.length !== columns.length) {
      throw new UserError(`invalid ${displayPath(file)} line ${line}: ${cells.length} fields (allowed ${columns.length}: ${columns.join(",")})`);
    }
    const values: Record<string, string> = {};
    columns.forEach((c, k) => {
      values[c] = cells[k].trim();
    });
    rows.push({ line, values });
  }
  return rows;
}

