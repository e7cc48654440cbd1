/**
 * The two files `modburst measure` writes: the tidy measured CSV (the columns of
 * data/measured/, one row per module and boot) and the per-attempt events.
 */
import { measuredColumns } from "../data/measured";
import type { LoadAttempt } from "./attempts";
import type { ModuleSpan } from "./spans";

export const eventColumns = ["boot", "time_seconds", "module", "outcome", "errno", "errno_text"] as const;

/** Integer milliseconds as seconds with 3 decimals, exactly (no float rounding on the way). */
export function formatMs(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}`;
}

/** Seconds with 6 decimals (microseconds, the journal's resolution). */
export function formatUsSeconds(seconds: number): string {
  const us = Math.round(seconds * 1e6);
  const sign = us < 0 ? "-" : "";
  const abs = Math.abs(us);
  return `${sign}${Math.floor(abs / 1e6)}.${String(abs % 1e6).padStart(6, "0")}`;
}

export function measuredCsvText(spans: readonly ModuleSpan[], config: string, policy: string): string {
  const rows = spans.map((s) => [config, policy, s.module, s.boot, formatMs(s.spanMs)].join(","));
  return [measuredColumns.join(","), ...rows].join("\n") + "\n";
}

/** RFC 4180 quoting, only where needed: an unknown errno text is free text from the log. */
function cell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function eventsCsvText(attempts: readonly LoadAttempt[]): string {
  const rows = attempts.map((a) => [String(a.boot), formatUsSeconds(a.timeSeconds), a.module, a.outcome, a.errno, a.errnoText].map(cell).join(","));
  return [eventColumns.join(","), ...rows].join("\n") + "\n";
}
