/** Several boots of one configuration, and their per-module means. */
import { BootResult, ModuleSummary, simulateBoot } from "./boot";
import { Params } from "./params";
import type { Policy } from "./policies";
import { Scenario } from "./scenario";
import { HerdMode } from "./wq";

export interface RunOptions {
  policy: string | Policy;
  scenario: Scenario;
  params: Params;
  seed: number;
  boots: number;
  herdMode?: HerdMode;
}

export interface ModuleMean {
  spanSeconds: number;
  attempts: number;
  fullLoads: number;
  herdWakeups: number;
  peakVmallocBytes: number;
}

export interface RunResult {
  policy: string;
  scenario: string;
  cpus: number;
  seed: number;
  boots: Array<{ boot: number; modules: Record<string, ModuleSummary> }>;
  mean: Record<string, ModuleMean>;
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

export function simulateRun(o: RunOptions): RunResult {
  const results: BootResult[] = [];
  for (let boot = 1; boot <= o.boots; boot++) {
    results.push(simulateBoot({ policy: o.policy, scenario: o.scenario, params: o.params, seed: o.seed, boot, herdMode: o.herdMode }));
  }
  return {
    policy: typeof o.policy === "string" ? o.policy : o.policy.name,
    scenario: o.scenario.name,
    cpus: o.scenario.cpus,
    seed: o.seed,
    boots: results.map((r) => ({ boot: r.boot, modules: r.modules })),
    mean: summarizeBoots(results),
  };
}
