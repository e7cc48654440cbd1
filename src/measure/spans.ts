/**
 * The measured figure, as the seed computed it: per module and boot, seconds
 * from the first to the last load attempt in the udev log (spanOutcomes in
 * attempts.ts says which lines are attempts).
 */
import { LoadAttempt, spanOutcomes } from "./attempts";

export interface ModuleSpan {
  module: string;
  boot: number;
  /** Last minus first attempt, integer milliseconds (the seed printed 3 decimals). */
  spanMs: number;
  /** Attempts that bound the span (inserted and failed lines). */
  attempts: number;
}

/** One row per module and boot that has attempts; modules in order of their first attempt, then boots ascending. */
export function spansOf(attempts: readonly LoadAttempt[]): ModuleSpan[] {
  const byModule = new Map<string, Map<number, { firstUs: number; lastUs: number; n: number }>>();
  for (const a of attempts) {
    if (!spanOutcomes.includes(a.outcome)) continue;
    const us = Math.round(a.timeSeconds * 1e6);
    const boots = byModule.get(a.module) ?? byModule.set(a.module, new Map()).get(a.module)!;
    const s = boots.get(a.boot);
    if (s) {
      s.firstUs = Math.min(s.firstUs, us);
      s.lastUs = Math.max(s.lastUs, us);
      s.n++;
    } else boots.set(a.boot, { firstUs: us, lastUs: us, n: 1 });
  }
  const rows: ModuleSpan[] = [];
  for (const [module, boots] of byModule) {
    for (const [boot, s] of [...boots].sort((x, y) => x[0] - y[0])) {
      rows.push({ module, boot, spanMs: Math.round((s.lastUs - s.firstUs) / 1000), attempts: s.n });
    }
  }
  return rows;
}
