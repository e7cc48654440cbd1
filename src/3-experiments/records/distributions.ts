/** Notebook 02's record, many simulated boots per policy, and what is read off it. */
import { BootResult } from "../../1-model/boot";

export type Distribution = Record<string, BootResult[]>;

export function spans(results: BootResult[], module: string): number[] {
  return results.map((r) => r.modules[module].spanSeconds);
}

/** The internal counts per boot, summed over both modules. */
export function countSamples(results: BootResult[]) {
  const sum = (f: (m: BootResult["modules"][string]) => number) => results.map((r) => Object.values(r.modules).reduce((a, m) => a + f(m), 0));
  return {
    fullLoads: sum((m) => m.fullLoads),
    herdWakeups: sum((m) => m.herdWakeups),
    peakVmallocMiB: results.map((r) => r.peakVmallocBytes / 1048576),
  };
}
