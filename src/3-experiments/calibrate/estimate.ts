/**
 * How long a calibration will take and how much memory it needs, before it
 * starts: its model runs are counted from the settings, each fit at its
 * iteration limit, and each run's boots are priced as a sweep's are
 * (parallel/estimate.ts: a few boots timed here, scaled to the CPU count).
 * Generous on purpose, not absurd: the seed's calibration made 315 runs where
 * this counts 480 (each fit converged in 7 of its 15 iterations), so an
 * estimate under the limit is a run that ends under it.
 */
import { defaultParams } from "../../1-model/params";
import { seedScenario } from "../../1-model/scenarios";
import { withCpus } from "../../1-model/scenario";
import { bootSeconds, bootWorkingBytes, calibrationCpus, Estimate, measureSteadyBootCosts, processBytes, timeSafetyFactor, workerBytes, workerStartSeconds } from "../parallel/estimate";
import { poolThreads } from "../parallel/pool";
import { freeParams as defaultFree } from "./bounds";
import type { CalibrationSettings } from "./calibration";
import type { FitCell } from "./fit";

/**
 * Step tries counted per Levenberg-Marquardt iteration besides its Jacobian's
 * runs: an iteration may try up to 8 damped steps, but after the first
 * iteration nearly every one is accepted at the first or second try.
 */
export const stepTriesPerIteration = 2;

/** Results a run holds until its means are taken, per boot and module (a boot's summary; simulate measured ~2.5 kB with its JSON). */
const keptBytesPerModule = 3e3;

/** Model runs of each kind a calibration makes (upper bounds in practice, see stepTriesPerIteration). */
export interface CalibrationRuns {
  /** Runs on the fit's boots (settings.boots): the two fits, the polish, the bootstrap. */
  fit: number;
  /** Runs on the check's boots (settings.checkBoots): the unseen check and the out-of-sample prediction. */
  check: number;
  /** Of `fit`, the runs of one whole fit: what a wall-clock budget (budgetSeconds) can cut short. */
  perFit: number;
  /** Whole fits made: the fit of all cells, the out-of-sample one, and full bootstrap refits. */
  fits: number;
}

/** The runs of a calibration with `s`, by the structure of calibration.ts calibrate(). */
export function calibrationRuns(s: CalibrationSettings): CalibrationRuns {
  const free = (s.free ?? defaultFree).length;
  const iteration = free + stepTriesPerIteration;
  // The start, every iteration, and fit()'s final evaluation at the solution.
  const perFit = 1 + s.maxIterations * iteration + 1;
  // Jacobian at the solution (1 + free), the chord steps, the polished cells; then the bootstrap's own Jacobian when the polish moved.
  const polish = 1 + free + s.refitEvals + 1 + (1 + free);
  const fits = 2 + (s.fullRefits ? s.refits : 0);
  const refits = s.fullRefits ? 0 : s.refits * s.refitEvals;
  return { fit: fits * perFit + polish + refits, check: 2, perFit, fits };
}

/** Boots of one run, over the policies the cells ask for. */
function bootsPerRun(boots: Record<string, number>, policies: string[]): number {
  return policies.reduce((n, p) => n + (boots[p] ?? 0), 0);
}

/**
 * The estimate of `calibrate(cells, s)` on this machine with `cores` cores:
 * boots timed now (well under a second), then scaled. A fit cut short by its
 * budget (budgetSeconds) is counted at the budget plus one iteration.
 */
export function estimateCalibration(cells: FitCell[], s: CalibrationSettings, cores: number): Estimate & { runs: CalibrationRuns; boots: number } {
  const policies = [...new Set(cells.map((c) => c.policy))];
  const scenario = s.scenario ? withCpus(s.scenario, s.cpus) : seedScenario(s.cpus);
  const sampleScenario = withCpus(scenario, calibrationCpus(s.cpus));
  const costs = measureSteadyBootCosts(
    policies.map((policy) => ({ policy, scenario: sampleScenario })),
    s.start ?? defaultParams(),
    s.seed,
  );
  const runs = calibrationRuns(s);
  const fitBoots = bootsPerRun(s.boots, policies);
  const checkBoots = bootsPerRun(s.checkBoots, policies);
  // Every run is one pool run of all its boots (fit.ts simulateCellSpans), on every core.
  const threadsOf = (boots: number) => poolThreads(boots, cores);
  const runSeconds = (boots: Record<string, number>) => {
    const cpuSeconds = policies.reduce((t, p) => t + (boots[p] ?? 0) * bootSeconds(costs[p], s.cpus), 0);
    return cpuSeconds / Math.max(1, Math.min(threadsOf(bootsPerRun(boots, policies)), cores));
  };
  const fitRun = runSeconds(s.boots);
  const wholeFit = runs.perFit * fitRun;
  const iteration = ((s.free ?? defaultFree).length + 8) * fitRun;
  // A fit past its budget stops after the iteration in progress.
  const cappedFit = Math.min(wholeFit, s.budgetSeconds + iteration);
  const fitSeconds = (runs.fit - runs.fits * runs.perFit) * fitRun + runs.fits * cappedFit;
  const threads = Math.max(threadsOf(fitBoots), threadsOf(checkBoots));
  const seconds = timeSafetyFactor * (fitSeconds + runs.check * runSeconds(s.checkBoots) + (threads > 1 ? workerStartSeconds : 0));
  const memoryBytes =
    processBytes + threads * (bootWorkingBytes(s.cpus) + (threads > 1 ? workerBytes : 0)) + Math.max(fitBoots, checkBoots) * keptBytesPerModule * Object.keys(scenario.modules).length;
  // All the boots the counted runs make (the progress lines' "at most").
  const boots = runs.fit * fitBoots + runs.check * checkBoots;
  return { boots, seconds, memoryBytes, outputBytes: 0, runs };
}
