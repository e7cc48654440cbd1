/**
 * Where each mechanism that acts only at scale starts to matter, for the marks
 * on the span-vs-CPU curves (notebook 03, the pack's span-vs-cpus):
 * - udevd's event timeout: the smallest CPU count of a prediction grid whose
 *   `base` boots had killed events (from the records, never a fixed number);
 * - children_max reaching its cap: from the scenario's udevd rule
 *   (model/childrenMax.ts), the smallest CPU count from which more CPUs give no
 *   more workers, so the herd on module_wq stops growing;
 * - each step of the FQS delay d (model/params.ts fqsDelayJiffies): every CPU
 *   count where d grows by a jiffy. The curves' points are at other CPU counts
 *   of the same scenario (withCpus), so nr_cpu_ids = CPUs there.
 * Each position is computed from its formula over the whole range the model
 * accepts; a figure keeps the ones inside its own axis.
 */
import { childrenMax, childrenMaxRule, workerNumMax } from "../../1-model/childrenMax";
import { maxCpus } from "../../1-model/limits";
import { fqsDelayJiffies } from "../../1-model/params";
import type { Scenario } from "../../1-model/scenario";

export interface TimeoutOnset {
  /** The first CPU count of the grid whose base boots had killed events. */
  cpus: number;
  /** Mean killed events per base boot there. */
  killedEvents: number;
  /** The grid's CPU count below it (none killed there); null when it is the grid's first. */
  previousCpus: number | null;
  eventTimeoutS: number;
}

export interface ChildrenMaxCap {
  /** The smallest CPU count at which children_max has its final value. */
  cpus: number;
  /** That value: the cap on udevd's workers. */
  workers: number;
  /** What caps it: WORKER_NUM_MAX or the memory limit. */
  cause: string;
  systemd: number;
}

export interface FqsStep {
  /** nr_cpu_ids at which d steps up. */
  cpus: number;
  /** d from there on, jiffies. */
  jiffies: number;
}

export interface ScaleMarkers {
  /** null: no base boot of the grid had a killed event (or the scenario has no udevd). */
  timeout: TimeoutOnset | null;
  /** null: children_max grows up to the model's largest machine (or the scenario has no udevd). */
  childrenMaxCap: ChildrenMaxCap | null;
  fqsSteps: FqsStep[];
  hz: number;
}

/** What a timeout onset is read from: a prediction per (policy, CPU count), as records/uncertainty.ts gives. */
export interface KilledAt {
  policy: string;
  cpus: number;
  killedEvents: number;
}

/** The smallest CPU count where `policy`'s boots had killed events (killedEvents is per boot, the same for every module of a point). */
export function timeoutOnset(points: KilledAt[], eventTimeoutS: number, policy = "base"): TimeoutOnset | null {
  const byCpus = new Map<number, number>();
  for (const p of points) if (p.policy === policy) byCpus.set(p.cpus, Math.max(byCpus.get(p.cpus) ?? 0, p.killedEvents));
  const cpus = [...byCpus.keys()].sort((a, b) => a - b);
  const i = cpus.findIndex((c) => byCpus.get(c)! > 0);
  if (i < 0) return null;
  return { cpus: cpus[i], killedEvents: byCpus.get(cpus[i])!, previousCpus: i > 0 ? cpus[i - 1] : null, eventTimeoutS };
}

/** Where the scenario's children_max stops growing with the CPU count; null when it never does below maxCpus. */
export function childrenMaxCap(s: Scenario): ChildrenMaxCap | null {
  if (s.userspace !== "udev") return null;
  const at = (cpus: number) => childrenMax(s.udevd, cpus, s.ramMiB);
  const final = at(maxCpus);
  // children_max never falls as CPUs are added (every rule is a min/max of non-decreasing terms): bisect for the first CPU count at its final value.
  let lo = 1;
  let hi = maxCpus;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (at(mid) >= final) hi = mid;
    else lo = mid + 1;
  }
  if (lo >= maxCpus) return null;
  const rule = childrenMaxRule(s.udevd);
  const cause = final === workerNumMax && rule.formula.includes("WORKER_NUM_MAX") ? "WORKER_NUM_MAX" : "RAM / 128 MiB";
  return { cpus: lo, workers: final, cause, systemd: s.udevd.systemd };
}

/** Every nr_cpu_ids in [2, maxCpus] at which d = fqsDelayJiffies grows, with its new value. */
export function fqsSteps(hz: number): FqsStep[] {
  const out: FqsStep[] = [];
  for (let c = 2; c <= maxCpus; c++) {
    const d = fqsDelayJiffies(c, hz);
    if (d > fqsDelayJiffies(c - 1, hz)) out.push({ cpus: c, jiffies: d });
  }
  return out;
}

/** The markers of a scenario's span-vs-CPU curves, the timeout's onset read from `predictions` (policy, cpus, killedEvents). */
export function scaleMarkers(s: Scenario, predictions: KilledAt[]): ScaleMarkers {
  return {
    timeout: s.userspace === "udev" ? timeoutOnset(predictions, s.udevd.eventTimeoutS) : null,
    childrenMaxCap: childrenMaxCap(s),
    fqsSteps: fqsSteps(s.hz),
    hz: s.hz,
  };
}
