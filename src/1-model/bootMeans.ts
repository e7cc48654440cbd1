/** Summaries of several boots of one configuration: per-module means. */
import { mean } from "../core/stats/mean";
import { BootResult, ModuleSummary } from "./boot";

export interface ModuleMean {
  spanSeconds: number;
  attempts: number;
  fullLoads: number;
  herdWakeups: number;
  peakVmallocBytes: number;
}

export function summarizeBoots(results: BootResult[]): Record<string, ModuleMean> {
  const means: Record<string, ModuleMean> = {};
  for (const name of Object.keys(results[0]?.modules ?? {})) {
    const col = (f: (m: ModuleSummary) => number) => mean(results.map((r) => f(r.modules[name])));
    means[name] = {
      spanSeconds: col((m) => m.spanSeconds),
      attempts: col((m) => m.attempts),
      fullLoads: col((m) => m.fullLoads),
      herdWakeups: col((m) => m.herdWakeups),
      peakVmallocBytes: col((m) => m.peakVmallocBytes),
    };
  }
  return means;
}
