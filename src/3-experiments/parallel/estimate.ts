/**
 * How long and how much memory a run of boots will take, before it starts: a
 * few boots are timed in this thread (measureBootCosts, well under a second),
 * and estimateRun scales them to the run's CPU counts, boots and threads. The
 * constants come from measurements on the seed's model (README, "Limits and
 * errors") and err on the high side: refusing a run that would have fitted is
 * cheaper than finding out after an hour.
 */
import { simulateBoot, BootResult } from "../../1-model/boot";
import type { Params } from "../../1-model/params";
import type { Scenario } from "../../1-model/scenario";

/** One policy's boot time measured at `cpus` CPUs. */
export interface BootCost {
  cpus: number;
  seconds: number;
}

/** `boots` boots of `policy` on `cpus` CPUs. */
export interface Work {
  policy: string;
  cpus: number;
  boots: number;
}

export interface EstimateInput {
  work: Work[];
  /** Per policy of the work. */
  costs: Record<string, BootCost>;
  /** Threads the pool will use (poolThreads); 1 runs in this thread. */
  threads: number;
  /** Cores that can run them at once (os.availableParallelism()). */
  cores: number;
  /** Bytes written per boot (CSV rows) and once (header lines). */
  outputBytesPerBoot?: number;
  outputHeadBytes?: number;
  /** Bytes held until the end per boot (simulate keeps its results); 0 when streamed. */
  keptBytesPerBoot?: number;
}

export interface Estimate {
  boots: number;
  seconds: number;
  memoryBytes: number;
  outputBytes: number;
}

/** The process itself: Node, the model, the CLI and the calibration's boots (measured ~46 MB RSS before any boot). */
export const processBytes = 80e6;
/** Each worker thread's own isolate with the model loaded. */
export const workerBytes = 25e6;
/** Starting the workers (each loads the model and warms up, ~0.1-0.3 s, in parallel). */
export const workerStartSeconds = 0.5;
/**
 * Times are multiplied by this: the calibration's few boots vary by 2x from run
 * to run on a busy machine, and a run that takes longer than announced is the
 * failure to avoid.
 */
export const timeSafetyFactor = 1.25;
/** Per boot besides the simulation: posting the job to a worker, the result back, its rows (measured ~0.4 ms at 8 CPUs). */
export const perBootOverheadSeconds = 0.5e-3;

/**
 * A boot's working set at `cpus` CPUs: measured 13 MB at 256, 31 MB at 1024,
 * 58 MB at 4096 and 88 MB at 16384 (RSS growth, base policy, the largest);
 * this line lies above every one of them.
 */
export function bootWorkingBytes(cpus: number): number {
  return 24e6 + 8e3 * cpus;
}

/**
 * Boot time grows a little faster than the CPU count: n log n fits the bench
 * (9 ms at 288, 0.2 s at 4096, 0.74 s at 16384) and, scaled up from 256 CPUs,
 * overestimates the measured times by up to 1.5x. Below 32 CPUs fixed costs dominate.
 */
export function cpuScale(cpus: number): number {
  const n = Math.max(cpus, 32);
  return n * Math.log2(n);
}

/** One boot of a policy at `cpus`, from its cost measured at another CPU count. */
export function bootSeconds(cost: BootCost, cpus: number): number {
  return (cost.seconds * cpuScale(cpus)) / cpuScale(cost.cpus) + perBootOverheadSeconds;
}

/** The estimate of a run: pure, given the measured costs. */
export function estimateRun(input: EstimateInput): Estimate {
  let boots = 0;
  let cpuSeconds = 0;
  let maxCpus = 0;
  for (const w of input.work) {
    const cost = input.costs[w.policy];
    if (!cost) throw new Error(`estimateRun: no measured cost for policy ${w.policy}`);
    boots += w.boots;
    cpuSeconds += w.boots * bootSeconds(cost, w.cpus);
    if (w.boots > 0) maxCpus = Math.max(maxCpus, w.cpus);
  }
  const threads = Math.max(1, input.threads);
  const inWorkers = threads > 1;
  const parallel = Math.max(1, Math.min(threads, input.cores));
  const seconds = timeSafetyFactor * (cpuSeconds / parallel + (inWorkers ? workerStartSeconds : 0));
  const perThread = bootWorkingBytes(maxCpus) + (inWorkers ? workerBytes : 0);
  const memoryBytes = processBytes + threads * perThread + boots * (input.keptBytesPerBoot ?? 0);
  const outputBytes = (input.outputHeadBytes ?? 0) + boots * (input.outputBytesPerBoot ?? 0);
  return { boots, seconds, memoryBytes, outputBytes };
}

/** A setting to time: a policy on a scenario (at the calibration's CPU count). */
export interface CostSample {
  policy: string;
  scenario: Scenario;
}

/** The CPU count boots are timed at: moderate, so the calibration stays well under a second. */
export function calibrationCpus(largest: number): number {
  return Math.min(calibrationMaxCpus, largest);
}
const calibrationMaxCpus = 256;
/** Boots run first on this many CPUs, untimed: they warm up the JIT on every sample's code paths cheaply. */
const warmupCpus = 16;

/**
 * Time each sample in this thread and keep, per policy, its slowest sample (of
 * each sample, the faster of two boots: a GC pause or a late JIT tier would
 * otherwise inflate it). Results are discarded: every boot is fixed by (seed,
 * boot), so running one here changes nothing the run computes. Returns the
 * costs and one result (for row sizes).
 */
export function measureBootCosts(samples: CostSample[], params: Params, seed: number): { costs: Record<string, BootCost>; sample: BootResult } {
  if (samples.length === 0) throw new Error("measureBootCosts: no samples");
  const boot = (s: CostSample, cpus: number, n: number) =>
    simulateBoot({ policy: s.policy, scenario: { ...s.scenario, cpus: Math.min(cpus, s.scenario.cpus) }, params, seed, boot: n, log: false });
  for (const s of samples) boot(s, warmupCpus, 1);
  const costs: Record<string, BootCost> = {};
  let sample: BootResult | undefined;
  for (const s of samples) {
    let seconds = Infinity;
    for (const n of [1, 2]) {
      const t0 = performance.now();
      sample = boot(s, s.scenario.cpus, n);
      seconds = Math.min(seconds, (performance.now() - t0) / 1000);
    }
    const prev = costs[s.policy];
    if (!prev || seconds > prev.seconds) costs[s.policy] = { cpus: s.scenario.cpus, seconds };
  }
  return { costs, sample: sample! };
}

/**
 * Per policy, the cost of a boot in a long run of boots of one size (a
 * calibration's hundreds of model runs), where measureBootCosts's first boots at
 * a new size would mislead: those run cold (the JIT still compiling for the
 * larger sizes), measured at 3-10x a later boot's time (base at 256 CPUs: 105,
 * 91, 36, 36, 26, then 10-11 ms). So each sample is booted `warm` times untimed
 * at its own size, then timed `timed` times, and its median kept (a load spike
 * during one boot is not the run's pace). The slowest sample of a policy stands for it.
 */
export function measureSteadyBootCosts(samples: CostSample[], params: Params, seed: number, warm = 4, timed = 3): Record<string, BootCost> {
  if (samples.length === 0) throw new Error("measureSteadyBootCosts: no samples");
  const boot = (s: CostSample, n: number) => simulateBoot({ policy: s.policy, scenario: s.scenario, params, seed, boot: n, log: false });
  const costs: Record<string, BootCost> = {};
  for (const s of samples) {
    for (let n = 1; n <= warm; n++) boot(s, n);
    const times: number[] = [];
    for (let n = warm + 1; n <= warm + timed; n++) {
      const t0 = performance.now();
      boot(s, n);
      times.push((performance.now() - t0) / 1000);
    }
    times.sort((a, b) => a - b);
    const seconds = times[Math.floor(times.length / 2)];
    const prev = costs[s.policy];
    if (!prev || seconds > prev.seconds) costs[s.policy] = { cpus: s.scenario.cpus, seconds };
  }
  return costs;
}
