/**
 * The two files `modburst measure` writes: the tidy measured CSV (the columns of
 * data/measured/, one row per module and boot) and the per-attempt events.
 * Fields are quoted by RFC 4180 where needed: a module name and an unknown
 * errno text are the log's text (`a,b"c` is written `"a,b""c"`, by
 * src/core/csv.ts, whose tables name the columns and whose readCsv reads them back).
 */
import { csvCell, eventColumns, measuredColumns, recordLine } from "../../core/csv";
import type { LogRun } from "./readLogs";
import { errnoOf } from "./messages";
import type { ModuleSpan } from "./spans";

/** Integer milliseconds as seconds with 3 decimals, exactly (no float rounding on the way). */
export function formatMs(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}`;
}

/** Integer microseconds as seconds with 6 decimals (the journal's resolution). */
function formatUs(us: number): string {
  const sign = us < 0 ? "-" : "";
  const abs = Math.abs(us);
  return `${sign}${Math.floor(abs / 1e6)}.${String(abs % 1e6).padStart(6, "0")}`;
}

export function measuredCsvText(spans: readonly ModuleSpan[], config: string, policy: string): string {
  const rows = spans.map((s) => recordLine(measuredColumns, { config, policy, module: s.module, boot: String(s.boot), seconds: formatMs(s.spanMs) }));
  return [measuredColumns.join(","), ...rows].join("\n") + "\n";
}

/**
 * The events CSV of a run (eventColumns, cells quoted by csvCell), as bytes: every row is sized first and written into
 * one buffer of exactly that size, so the events of a GB of logs never become
 * one string (V8's longest is 512 MiB) nor a buffer and its copy.
 */
export function eventsCsvBytes(run: LogRun): Buffer {
  const s = run.store;
  const modules = s.modules.values.map((m) => csvCell(m));
  const texts = s.texts.values.map((t) => `${errnoOf(t)},${csvCell(t)}`);
  const moduleBytes = modules.map((m) => Buffer.byteLength(m));
  const textBytes = texts.map((t) => Buffer.byteLength(t));
  const header = eventColumns.join(",") + "\n";
  const digits = (n: number) => String(n).length;
  let size = header.length;
  const orders = run.boots.map((b) => s.sortedRange(b.start, b.end));
  run.boots.forEach((b, k) => {
    const bootBytes = digits(b.number) + 1;
    for (const i of orders[k]) {
      // boot, time (seconds digits + "." + 6), module, outcome, errno and text, 5 commas and a newline.
      size += bootBytes + digits(Math.floor((s.timeUs(i) - b.originUs) / 1e6)) + 8 + moduleBytes[s.moduleIndex(i)] + 1 + s.outcome(i).length + 1 + textBytes[s.textIndex(i)] + 1;
    }
  });
  const buf = Buffer.allocUnsafe(size);
  let at = buf.write(header, 0);
  run.boots.forEach((b, k) => {
    for (const i of orders[k]) {
      at += buf.write(`${b.number},${formatUs(s.timeUs(i) - b.originUs)},${modules[s.moduleIndex(i)]},${s.outcome(i)},${texts[s.textIndex(i)]}\n`, at);
    }
  });
  if (at !== size) throw new Error(`events CSV: ${at} bytes written, ${size} sized`);
  return buf;
}
