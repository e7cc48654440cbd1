/** Summaries of several boots of one configuration: per-module means. */
import { BootResult, ModuleSummary } from "./boot";

export interface ModuleMean {
  spanSeconds: number;
  attempts: number;
  fullLoads: number;
  herdWakeups: number;
  peakVmallocBytes: number;
}


export function meanOf(xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function summarizeBoots(results: BootResult[]): Record<string, ModuleMean> {
  const mean: Record<string, ModuleMean> = {};
  for (const name of Object.keys(results[0]?.modules ?? {})) {
    const col = (f: (m: ModuleSummary) => number) => meanOf(results.map((r) => f(r.modules[name])));
    mean[name] = {
      spanSeconds: col((m) => m.spanSeconds),
      attempts: col((m) => m.attempts),
      fullLoads: col((m) => m.fullLoads),
      herdWakeups: col((m) => m.herdWakeups),
      peakVmallocBytes: col((m) => m.peakVmallocBytes),
    };
  }
  return mean;
}
