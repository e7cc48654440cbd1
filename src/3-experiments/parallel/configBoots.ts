/** Several boots of one configuration through the thread pool (the one way boots are run), and their per-module means. */
import type { ModuleSummary } from "../../1-model/boot";
import type { Params } from "../../1-model/params";
import { ModuleMean, summarizeBoots } from "../../1-model/bootMeans";
import type { Scenario } from "../../1-model/scenario";
import { bootJobs, PoolOptions, runBoots } from "./pool";

export interface RunOptions extends PoolOptions {
  policy: string;
  scenario: Scenario;
  params: Params;
  seed: number;
  boots: number;
}

export interface RunResult {
  policy: string;
  scenario: string;
  cpus: number;
  seed: number;
  boots: Array<{ boot: number; modules: Record<string, ModuleSummary> }>;
  mean: Record<string, ModuleMean>;
}

export async function simulateRun(o: RunOptions): Promise<RunResult> {
  const results = await runBoots(bootJobs([o.policy], o.scenario, o.params, o.seed, o.boots), o);
  return {
    policy: o.policy,
    scenario: o.scenario.name,
    cpus: o.scenario.cpus,
    seed: o.seed,
    boots: results.map((r) => ({ boot: r.boot, modules: r.modules })),
    mean: summarizeBoots(results),
  };
}
