/**
 * Where the time of one failing load goes under a policy: the mean, over the
 * leaders of one logged boot, of each step of a full load, and the herd's
 * re-checks that every wake_up_all costs under module_mutex. Shows which
 * mechanism grows with the CPU count (the FQS part of grace periods, the herd)
 * and which does not.
 */
import { simulateBoot } from "../../1-model/boot";
import type { Params } from "../../1-model/params";
import type { Scenario } from "../../1-model/scenario";
import type { SegmentKind } from "../../1-model/types";

export interface LoadBreakdown {
  cpus: number;
  policy: string;
  module: string;
  fullLoads: number;
  /** Mean per full load, milliseconds. */
  gracePeriodsMs: number;
  mutexWaitMs: number;
  herdRechecksMs: number;
  otherKernelMs: number;
  /** The module's span divided by its full loads: what each load adds to the burst. */
  spanPerLoadMs: number;
}

const other: SegmentKind[] = ["read", "layout", "formation", "init", "teardown"];

export function loadBreakdown(scenario: Scenario, policy: string, params: Params, module: string, seed: number): LoadBreakdown {
  const b = simulateBoot({ policy, scenario, params, seed, boot: 1, log: true });
  const leaders = (b.requests ?? []).filter((r) => r.module === module && r.fullLoad);
  const n = Math.max(1, leaders.length);
  const sum = (kinds: SegmentKind[]) => leaders.reduce((a, r) => a + r.segments.filter((s) => kinds.includes(s.kind)).reduce((x, s) => x + (s.endUs - s.startUs), 0), 0) / n / 1000;
  const m = b.modules[module];
  // Every woken sleeper re-checks for herdRecheckUs under module_mutex; all herds are shared by every module's loads.
  const allLoads = Object.values(b.modules).reduce((a, x) => a + x.fullLoads, 0);
  const allWakeups = Object.values(b.modules).reduce((a, x) => a + x.herdWakeups, 0);
  return {
    cpus: scenario.cpus,
    policy,
    module,
    fullLoads: m.fullLoads,
    gracePeriodsMs: sum(["gracePeriod"]),
    mutexWaitMs: sum(["mutexWait"]),
    herdRechecksMs: (allWakeups * params.herdRecheckUs) / Math.max(1, allLoads) / 1000,
    otherKernelMs: sum(other),
    spanPerLoadMs: (m.spanSeconds * 1000) / Math.max(1, m.fullLoads),
  };
}

/**
 * The scaling exponent the mechanism implies between two machines: base runs
 * every request as a full load in turn, so span ~ requests x time per load, and
 * requests grow with the CPU count. k = log(span ratio) / log(CPU ratio).
 */
export function mechanismExponent(small: LoadBreakdown, large: LoadBreakdown): { perLoadRatio: number; requestsRatio: number; exponent: number } {
  const requestsRatio = large.fullLoads / small.fullLoads;
  const perLoadRatio = large.spanPerLoadMs / small.spanPerLoadMs;
  return { perLoadRatio, requestsRatio, exponent: Math.log(requestsRatio * perLoadRatio) / Math.log(large.cpus / small.cpus) };
}
