/** The sensitivity grids of notebook 03, defined once so the figure pack reruns exactly the same sweeps. */
import type { Grid } from "../sweep/grid";
import { policyNames } from "../../1-model/policies";
import { seedMachineCpus } from "../../1-model/limits";

const doubling = (from: number, to: number) => {
  const out = [from];
  while (out[out.length - 1] < to) out.push(out[out.length - 1] * 2);
  return out;
};

/** Every policy, 8-4096 CPUs, init failing at once, 5 boots per point. */
export const cpuSweepGrid: Grid = { policies: [...policyNames], cpus: doubling(8, 4096), initLatencyMs: [0], initResults: ["fail"], boots: 5, seed: 3 };

/** Every policy on the seed machine, init failing after 0-2000 ms, 10 boots per point. */
export const latencySweepGrid: Grid = {
  policies: [...policyNames],
  cpus: [seedMachineCpus],
  initLatencyMs: [0, 10, 20, 50, 100, 200, 500, 1000, 1500, 2000],
  initResults: ["fail"],
  boots: 10,
  seed: 4,
};

/** base and merge over 8-2048 CPUs x six latencies, 3 boots per cell. */
export const ratioSweepGrid: Grid = { policies: ["base", "merge"], cpus: doubling(8, 2048), initLatencyMs: [0, 10, 100, 500, 1000, 2000], initResults: ["fail"], boots: 3, seed: 5 };
