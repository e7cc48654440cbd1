/**
 * The measured figure, as the seed computed it: per module and boot, seconds
 * from the first to the last load attempt in the udev log (spanOutcomes in
 * attempts.ts says which lines are attempts).
 */
import { UserError } from "../../core/errors";
import { LoadAttempt, spanOutcomes } from "./attempts";
import type { LogRun } from "./readLogs";

export interface ModuleSpan {
  module: string;
  boot: number;
  /** Last minus first attempt, integer milliseconds (the seed printed 3 decimals). */
  spanMs: number;
  /** Attempts that bound the span (inserted and failed lines). */
  attempts: number;
}

interface Bounds {
  firstUs: number;
  lastUs: number;
  n: number;
  /** Where the first attempt is, `FILE:LINE` (runs only). */
  where: string;
}

/** Rows from per-module, per-boot bounds: modules in order of their first attempt, then boots ascending. */
function rowsOf(byModule: Map<string, Map<number, Bounds>>): Array<ModuleSpan & { where: string }> {
  const rows: Array<ModuleSpan & { where: string }> = [];
  for (const [module, boots] of byModule) {
    for (const [boot, s] of [...boots].sort((x, y) => x[0] - y[0])) {
      rows.push({ module, boot, spanMs: Math.round((s.lastUs - s.firstUs) / 1000), attempts: s.n, where: s.where });
    }
  }
  return rows;
}

function add(byModule: Map<string, Map<number, Bounds>>, module: string, boot: number, us: number, where: () => string): void {
  const boots = byModule.get(module) ?? byModule.set(module, new Map()).get(module)!;
  const s = boots.get(boot);
  if (s) {
    s.firstUs = Math.min(s.firstUs, us);
    s.lastUs = Math.max(s.lastUs, us);
    s.n++;
  } else boots.set(boot, { firstUs: us, lastUs: us, n: 1, where: where() });
}

/** One row per module and boot that has attempts; modules in order of their first attempt, then boots ascending. */
export function spansOf(attempts: readonly LoadAttempt[]): ModuleSpan[] {
  const byModule = new Map<string, Map<number, Bounds>>();
  for (const a of attempts) {
    if (!spanOutcomes.includes(a.outcome)) continue;
    add(byModule, a.module, a.boot, Math.round(a.timeSeconds * 1e6), () => "");
  }
  return rowsOf(byModule).map(({ where: _, ...s }) => s);
}

/** spansOf for a run (readLogRun), without attempt objects; each row says where its first attempt is. */
export function spansOfRun(run: LogRun): Array<ModuleSpan & { where: string }> {
  const byModule = new Map<string, Map<number, Bounds>>();
  const s = run.store;
  for (const b of run.boots) {
    for (const i of s.sortedRange(b.start, b.end)) {
      if (!spanOutcomes.includes(s.outcome(i))) continue;
      add(byModule, s.module(i), b.number, s.timeUs(i) - b.originUs, () => `${b.file}:${s.line(i)}`);
    }
  }
  return rowsOf(byModule);
}

/**
 * What measure does with a module that has one attempt in a boot, whose span is
 * 0.000 s (study loading refuses a span that is not > 0): refuse (default),
 * keep the 0.000 row, or skip it (the cell then has fewer boots).
 */
export const singleAttemptModes = ["refuse", "keep", "skip"] as const;
export type SingleAttemptMode = (typeof singleAttemptModes)[number];

export interface CheckedSpans {
  spans: ModuleSpan[];
  /** Rows left out by `skip`: how many, the first as `MODULE in boot N (FILE:LINE)`. */
  skipped: { rows: number; first: string | null };
}

/**
 * The rows measure writes: refuses a run with no load attempts at all (only
 * "already loaded" lines: a CSV of a header alone), and applies `mode` to
 * single attempts, naming the first one's file and line.
 */
export function checkSpans(rows: ReadonlyArray<ModuleSpan & { where: string }>, alreadyLoaded: number, mode: SingleAttemptMode): CheckedSpans {
  const noAttempts = (what: string) =>
    new UserError(`invalid LOG: ${what} (allowed at least one module with two or more "Inserted module" or "Failed to insert module" lines in a boot: an "already loaded" line is no attempt, udev found the module loaded and called no finit_module)`);
  if (rows.length === 0) throw noAttempts(`no load attempt in any boot, ${alreadyLoaded} "already loaded" line${alreadyLoaded === 1 ? "" : "s"} only`);
  const single = rows.filter((r) => r.attempts === 1);
  if (single.length > 0 && mode === "refuse") {
    const r = single[0];
    throw new UserError(
      `invalid ${r.where}: ${r.module} has a single load attempt in boot ${r.boot}${single.length > 1 ? ` (and ${single.length - 1} more module-boot${single.length > 2 ? "s" : ""})` : ""}: its span would be 0.000 s, which study loading refuses (allowed two or more attempts per module and boot; --single-attempts skip leaves such rows out, --single-attempts keep writes them as 0.000)`,
    );
  }
  const kept = mode === "skip" ? rows.filter((r) => r.attempts > 1) : rows;
  if (kept.length === 0) throw noAttempts(`every module has a single load attempt in every boot (${rows.length} row${rows.length === 1 ? "" : "s"}, all left out by --single-attempts skip)`);
  const first = mode === "skip" && single.length > 0 ? `${single[0].module} in boot ${single[0].boot} (${single[0].where})` : null;
  return { spans: kept.map(({ where: _, ...s }) => s), skipped: { rows: mode === "skip" ? single.length : 0, first } };
}
