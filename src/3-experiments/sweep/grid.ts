/**
 * A sweep grid: every combination of policy, CPU count, init latency and init
 * result, each run for `boots` boots. Jobs are numbered in one fixed order, so
 * any slice (shard) of the grid can run anywhere and be merged back by number.
 */
import { checkInteger, checkKeyword, checkNumber, invalid, UserError } from "../../core/errors";
import type { Params } from "../../1-model/params";
import { policyNames } from "../../1-model/policies";
import { maxCpus, maxInitLatencyMs } from "../../1-model/limits";
import { Scenario, withCpus, withInit } from "../../1-model/scenario";
import { seedScenario } from "../../1-model/scenarios";
import type { BootJob } from "../parallel/pool";
import type { CostSample, Work } from "../parallel/estimate";
import { maxOf, minOf } from "../../core/arrays";

export interface Grid {
  policies: string[];
  cpus: number[];
  initLatencyMs: number[];
  initResults: Array<"fail" | "success">;
  /** Boots per grid point (boot numbers 1..boots of `seed`). */
  boots: number;
  seed: number;
  /** The machine and drivers swept over (its CPU count is replaced per point); default the seed's. */
  scenario?: Scenario;
}

export interface GridPoint {
  job: number;
  policy: string;
  cpus: number;
  initLatencyMs: number;
  initResult: "fail" | "success";
  boot: number;
}

/** How many jobs the grid has, computed rather than counted: a huge grid is never materialised. */
export function gridSize(g: Grid): number {
  return g.policies.length * g.cpus.length * g.initLatencyMs.length * g.initResults.length * g.boots;
}

/**
 * Job `job` of the grid, from its number alone: policy outermost, then CPU count,
 * init latency, init result and boot (the order the job numbers always had).
 */
export function gridPoint(g: Grid, job: number): GridPoint {
  let rest = job;
  const boot = (rest % g.boots) + 1;
  rest = Math.floor(rest / g.boots);
  const initResult = g.initResults[rest % g.initResults.length];
  rest = Math.floor(rest / g.initResults.length);
  const initLatencyMs = g.initLatencyMs[rest % g.initLatencyMs.length];
  rest = Math.floor(rest / g.initLatencyMs.length);
  const cpus = g.cpus[rest % g.cpus.length];
  const policy = g.policies[Math.floor(rest / g.cpus.length)];
  return { job, policy, cpus, initLatencyMs, initResult, boot };
}

/** Every point, in job order: for small grids only (tests, notebooks); runs use gridPoint. */
export function gridPoints(g: Grid): GridPoint[] {
  return Array.from({ length: gridSize(g) }, (_, job) => gridPoint(g, job));
}

export function jobOf(p: GridPoint, g: Grid, params: Params): BootJob {
  return {
    policy: p.policy,
    scenario: withInit(g.scenario ? withCpus(g.scenario, p.cpus) : seedScenario(p.cpus), { initLatencyMs: p.initLatencyMs, initResult: p.initResult }),
    params,
    seed: g.seed,
    boot: p.boot,
  };
}

/** Shard K of N (1-based): jobs whose number is K-1 modulo N, so every shard gets a mix of cheap and costly points. */
export function shardOf(points: GridPoint[], shard: Shard | null): GridPoint[] {
  return shard ? points.filter((p) => p.job % shard.n === shard.k - 1) : points;
}

export interface Shard {
  k: number;
  n: number;
}

/** Jobs of the shard among job numbers 0..total-1 (all of them without a shard). */
export function shardSize(total: number, shard: Shard | null): number {
  return shard ? jobsBelow(total, shard) : total;
}

/** The job number of the shard's i-th job (0-based). */
export function shardJob(i: number, shard: Shard | null): number {
  return shard ? shard.k - 1 + i * shard.n : i;
}

/** Jobs of the shard numbered below `end`. */
export function jobsBelow(end: number, shard: Shard): number {
  return end >= shard.k ? Math.floor((end - shard.k) / shard.n) + 1 : 0;
}

/** The shard rule, for `--shard` and a sweep CSV's `# shard:` line alike. */
export const shardRule = "K/N with 1 <= K <= N <= 100000";

/** K/N by shardRule, or null. */
export function readShard(text: string): Shard | null {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const shard = m ? { k: Number(m[1]), n: Number(m[2]) } : null;
  return shard && shard.k >= 1 && shard.k <= shard.n && shard.n <= 100_000 ? shard : null;
}

export function parseShard(text: string): Shard {
  const shard = readShard(text);
  if (!shard) throw invalid("shard", text, `${shardRule}, e.g. 2/8`);
  return shard;
}

/**
 * A comma-separated list of numbers; "a,b,...,z" expands: geometrically when b/a is
 * a whole ratio >= 2 and z is a power of it times a (8,16,...,4096), else
 * arithmetically when (z-a) is a multiple of b-a (0,250,...,2000).
 */
export function parseNumberList(field: string, text: string, min: number, max: number, integer: boolean): number[] {
  const allowed = `comma-separated ${integer ? "integers" : "numbers"} in ${min}..${max}, optionally a,b,...,z`;
  const parts = text.split(",").map((s) => s.trim());
  const num = (s: string) => checkNumber(field, s, min, max, { integer });
  let values: number[];
  const dots = parts.indexOf("...");
  if (dots === -1) {
    values = parts.map((s) => {
      try {
        return num(s);
      } catch {
        throw invalid(field, text, allowed);
      }
    });
  } else {
    if (dots !== 2 || parts.length !== 4) throw invalid(field, text, allowed);
    let a: number, b: number, z: number;
    try {
      [a, b, z] = [num(parts[0]), num(parts[1]), num(parts[3])];
    } catch {
      throw invalid(field, text, allowed);
    }
    values = expand(a, b, z) ?? (() => { throw invalid(field, text, allowed); })();
  }
  if (values.length === 0 || values.length > 10_000) throw invalid(field, text, allowed);
  if (new Set(values).size !== values.length) throw invalid(field, text, `${allowed}, no repeats`);
  return values;
}

function expand(a: number, b: number, z: number): number[] | null {
  if (a > 0 && b > a && Number.isInteger(b / a) && b / a >= 2) {
    const out = [a];
    while (out[out.length - 1] < z) out.push(out[out.length - 1] * (b / a));
    if (out[out.length - 1] === z) return out;
  }
  const step = b - a;
  if (step > 0 && z >= b && Number.isInteger((z - a) / step)) {
    const out: number[] = [];
    for (let v = a; v <= z + 1e-9; v += step) out.push(Number(v.toPrecision(12)));
    return out;
  }
  return null;
}

export function parsePolicies(text: string): string[] {
  if (text === "all") return [...policyNames];
  const list = text.split(",").map((s) => s.trim());
  // "all" stands alone: inside a list it would reach the workers as a policy name.
  for (const p of list) checkKeyword("policy", p, list.length > 1 ? [...policyNames] : [...policyNames, "all"]);
  if (new Set(list).size !== list.length) throw new UserError(`invalid policy: ${text} (allowed a comma-separated list without repeats, or all)`);
  return list;
}

export function validateGrid(g: Grid): Grid {
  for (const c of g.cpus) checkInteger("cpus", c, 1, maxCpus);
  for (const l of g.initLatencyMs) checkNumber("init-latency-ms", l, 0, maxInitLatencyMs);
  checkInteger("boots", g.boots, 1, 100_000);
  return g;
}

/**
 * The shard's boots per policy and CPU count, counted arithmetically: each
 * (policy, CPU count) is one block of consecutive job numbers.
 */
export function sweepWork(g: Grid, shard: Shard | null): Work[] {
  const block = g.initLatencyMs.length * g.initResults.length * g.boots;
  const inShard = (end: number) => (shard ? jobsBelow(end, shard) : end);
  const work: Work[] = [];
  g.policies.forEach((policy, pi) =>
    g.cpus.forEach((cpus, ci) => {
      const start = (pi * g.cpus.length + ci) * block;
      work.push({ policy, cpus, boots: inShard(start + block) - inShard(start) });
    }),
  );
  return work;
}

/**
 * What to time before the sweep: each policy at `cpus` with the grid's shortest
 * and longest init latency and each init result (a latency changes how long
 * others wait, and so the boot's work).
 */
export function costSamples(g: Grid, params: Params, cpus: number): CostSample[] {
  const latencies = [...new Set([minOf(g.initLatencyMs), maxOf(g.initLatencyMs)])];
  return g.policies.flatMap((policy) =>
    latencies.flatMap((initLatencyMs) =>
      g.initResults.map((initResult) => ({ policy, scenario: jobOf({ job: 0, policy, cpus, initLatencyMs, initResult, boot: 1 }, g, params).scenario })),
    ),
  );
}
