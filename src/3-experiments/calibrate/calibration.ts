/**
 * A study's calibration as a whole, written to its calibration.json
 * (data/studies/NAME/calibration.json; the seed's is pavlu-2022-10-15's):
 * - the fit of the free parameters to the expected span of every measured cell
 *   (six for the seed);
 * - a check on a seed the fit never used, with enough boots that the model's own
 *   noise is under 2% of every cell's mean (the fit quality quoted everywhere);
 * - the out-of-sample check: fit without one configuration (heldOutConfig, default
 *   the last) and predict it on that seed;
 * - bootstrap refits on resamples of the measured boots, whose parameter sets
 *   carry the calibration's uncertainty into every prediction.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { UserError } from "../../core/errors";
import { writeFileAtomic } from "../../core/fsutil";
import { defaultParams, Params } from "../../1-model/params";
import * as v from "valibot";
import { checkCalibrationRecord, paramSpreadSchema, readCalibrationFile, refitSchema, StoredCalibration } from "./schema";
import { correlation, mean, quantile } from "../../core/stats/describe";
import { displayPath, paths, projectRoot } from "../../core/paths";
import { Random } from "../../core/random";
import { FreeParam, freeParams as defaultFree } from "./bounds";
import { chordRefit, jacobian } from "./levenbergMarquardt";
import { BootDesign, CellFit, fit, FitCell, FitResult, optimiser, paramsFrom, residualFunction, simulateCells, Target, targetsOf, unitOf } from "./fit";
import type { Scenario } from "../../1-model/scenario";
import { seedMachineCpus } from "../../1-model/limits";
import { fitVerdict, FitVerdict } from "./verdict";
import type { VariantFit } from "./variants";

export interface CalibrationSettings {
  cpus: number;
  seed: number;
  /** Boots per policy for every candidate: more where a cell is noisy (revert's acpi_cpufreq). */
  boots: Record<string, number>;
  /** The seed of the check on unseen boots, never used by any fit. */
  checkSeed: number;
  checkBoots: Record<string, number>;
  /** Bootstrap refits, and model runs allowed per refit. */
  refits: number;
  refitEvals: number;
  /**
   * Full refits (`calibrate --bootstrap N --full`): each refit a whole
   * Levenberg-Marquardt fit from the fitted parameters, with the fit's iteration
   * limit and budget, instead of a few Gauss-Newton steps with the fit's Jacobian.
   */
  fullRefits?: boolean;
  /** The spreads' weight in the objective (fit.ts sdWeight by default; 0: the means alone). */
  spreadWeight?: number;
  /** Levenberg-Marquardt iteration limit of each fit (the fit of all cells, and the out-of-sample one). */
  maxIterations: number;
  /** Wall-clock seconds each of those fits may take (checked after each iteration); past it the fit stops, NOT converged. */
  budgetSeconds: number;
  /**
   * The scenario simulated (default the seed's machine at `cpus`), the free
   * parameters with their bounds (default bounds.ts), the starting values of
   * every parameter (default the documented defaults; fixed ones keep theirs),
   * the config held out of the out-of-sample fit and predicted (heldOutConfigOf),
   * and the record's description (studies set all of them: studySettings.ts).
   */
  scenario?: Scenario;
  free?: FreeParam[];
  start?: Params;
  heldOutConfig?: string;
  description?: string;
  /** Told how many more boots finished, as they finish: the command's progress lines (not stored). */
  onBoots?: (boots: number) => void;
  /** With fullRefits: run refits 1..refits elsewhere from the fitted parameters and return them in order (calibrate --slurm; not stored). */
  runFullRefits?: (fitted: Params) => Promise<Refit[]>;
}

/** The configuration held out of the out-of-sample fit and predicted: the settings', else the cells' last (a patch is listed last). */
export const heldOutConfigOf = (s: Pick<CalibrationSettings, "heldOutConfig">, cells: FitCell[]): string => s.heldOutConfig ?? cells[cells.length - 1].config;

/** The check's seed: the settings', moved off the fit's seed when they are equal, so the check is on boots no fit used. */
const checkSeedOf = (s: Pick<CalibrationSettings, "seed" | "checkSeed">): number => (s.checkSeed === s.seed ? s.seed + 1000003 : s.checkSeed);

/** The defaults of every study's calibrate.json key (studySettings.ts); the seed's calibrate.json states the same values. */
export const defaultSettings: CalibrationSettings = {
  cpus: seedMachineCpus,
  seed: 1,
  boots: { base: 40, revert: 400, merge: 160 },
  checkSeed: 1000004,
  checkBoots: { base: 400, revert: 600, merge: 400 },
  refits: 30,
  refitEvals: 5,
  maxIterations: optimiser.maxIterations,
  // The seed's fit takes ~5 minutes on 2 cores; an hour is a safety net, not a setting it meets.
  budgetSeconds: 3600,
};

/**
 * A short calibration for a study that has no record yet (`modburst reproduce
 * --study NAME` runs it first): the same free parameters and bounds as the seed
 * (src/3-experiments/calibrate/bounds.ts), on the study's own scenario and configurations, with
 * few boots and refits so that a small study calibrates in seconds to minutes.
 * The fit itself runs as long as the seed's (up to 15 iterations) so that it
 * converges where it can, within a 5-minute budget per fit. Its record says so
 * in its description; `npm run calibrate` is the full one.
 */
export function shortSettings(scenario: Scenario, policies: string[]): CalibrationSettings {
  const each = (n: number) => Object.fromEntries(policies.map((p) => [p, n]));
  return {
    scenario,
    cpus: scenario.cpus,
    seed: defaultSettings.seed,
    boots: each(8),
    checkSeed: defaultSettings.checkSeed,
    checkBoots: each(40),
    refits: 4,
    refitEvals: 2,
    maxIterations: optimiser.maxIterations,
    budgetSeconds: 300,
  };
}

export type ParamSpread = v.InferOutput<typeof paramSpreadSchema>;
export type Refit = v.InferOutput<typeof refitSchema>;

/** The stored sections as the schema has them (calibrate/schema.ts), with the computed types of the free parameters and the verdict. */
export type CalibrationRecord = Omit<StoredCalibration, "free" | "verdict" | "optimiser"> & {
  free: FreeParam[];
  /** Converged or not, parameters on a bound, each unseen mean against the measured mean's 95% interval (verdict.ts). */
  verdict: FitVerdict;
  optimiser: typeof optimiser & { budgetSeconds?: number; spreadWeight?: number };
  /**
   * Not stored: the study's structural variants (variants.ts), the reference
   * (this record) first, attached when a study's calibration is read. Present,
   * they make every prediction interval one across variants x refits.
   */
  variants?: VariantFit[];
};

const maxAbs = (cells: CellFit[]) => Math.max(...cells.map((c) => Math.abs(c.errorPct)));
const round6 = (x: number) => Number(x.toPrecision(6));

function codeVersion(): { modburst: string; commit: string } {
  const version = JSON.parse(fs.readFileSync(`${projectRoot}/package.json`, "utf8")).version as string;
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (dirty) commit += "+dirty-src";
  } catch {
    // not a git checkout: the package version alone identifies the code
  }
  return { modburst: version, commit };
}

/** Resample each cell's five boots with replacement (one seeded stream per refit). */
export function resampleTargets(cells: FitCell[], resample: number, seed: number): Target[] {
  const rng = new Random(`modburst:bootstrap:${seed}:${resample}`);
  const original = targetsOf(cells);
  return cells.map((c, i) => {
    const picks = c.seconds.map(() => c.seconds[rng.int(c.seconds.length)]);
    // The spread target stays the measured one: a resample of five can have sd 0.
    return { mean: mean(picks), sd: original[i].sd };
  });
}

/** The Jacobian of the residuals at `params` (one model run, then one per free parameter). */
async function jacobianAt(cells: FitCell[], params: Params, free: FreeParam[], design: BootDesign): Promise<number[][]> {
  const z0 = unitOf(params, free);
  const res = residualFunction({ cells, start: params, free, design });
  return jacobian(res, z0, await res(z0), optimiser.h);
}

/** Whether the last fullRefit in this process converged (for its log line; not part of the record). */
let lastConverged = false;

/**
 * Full refit `b` (1-based): a whole fit from the fitted parameters `start` to
 * the means of resample b. It depends on nothing else, so it can run in any
 * process (calibrate --slurm runs each in an array task) and give the same Refit.
 */
export async function fullRefit(cells: FitCell[], start: Params, b: number, s: CalibrationSettings, design: BootDesign): Promise<Refit> {
  const freeParams = s.free ?? defaultFree;
  const targets = resampleTargets(cells, b, s.seed);
  const r = await fit({ cells, start, free: freeParams, design, targets, settings: { maxIterations: s.maxIterations, budgetSeconds: s.budgetSeconds } });
  lastConverged = r.converged;
  return { resample: b, targetMeans: targets.map((t) => round6(t.mean)), params: r.params, objective: r.objective, evaluations: r.evals };
}

/** The boots every fit of a calibration runs (its seed, boots per policy, scenario, spread weight, progress). */
export function fitDesign(s: CalibrationSettings): BootDesign {
  const scenario = s.scenario ? { scenario: s.scenario } : {};
  const onBoots = s.onBoots ? { onBoots: s.onBoots } : {};
  return { cpus: s.cpus, ...scenario, seed: s.seed, boots: s.boots, ...(s.spreadWeight !== undefined ? { spreadWeight: s.spreadWeight } : {}), ...onBoots };
}

async function bootstrap(cells: FitCell[], full: FitResult, J: number[][], s: CalibrationSettings, design: BootDesign, log: (l: string) => void): Promise<CalibrationRecord["bootstrap"]> {
  const freeParams = s.free ?? defaultFree;
  const z0 = unitOf(full.params, freeParams);
  const refits: Refit[] = [];
  // Full refits run elsewhere (calibrate --slurm: one per array task) come back whole, in order.
  const elsewhere = s.fullRefits && s.runFullRefits ? await s.runFullRefits(full.params) : null;
  for (let b = 1; b <= s.refits; b++) {
    const targets = resampleTargets(cells, b, s.seed);
    if (s.fullRefits) {
      const r = elsewhere ? elsewhere[b - 1] : await fullRefit(cells, full.params, b, s, design);
      refits.push(r);
      log(`  full refit ${b}/${s.refits}: objective ${r.objective.toExponential(2)} after ${r.evaluations} runs${elsewhere ? "" : ` (${lastConverged ? "converged" : "NOT converged"})`}`);
      continue;
    }
    const res = residualFunction({ cells, start: full.params, free: freeParams, design, targets });
    // Near the solution the Jacobian is good: take nearly undamped Gauss-Newton steps.
    const r = await chordRefit(res, z0, J, { maxEvals: s.refitEvals, tolStep: optimiser.tolStep, lambda: 1e-3 });
    refits.push({ resample: b, targetMeans: targets.map((t) => round6(t.mean)), params: paramsFrom(full.params, freeParams, r.z), objective: r.f, evaluations: r.evals });
    log(`  refit ${b}/${s.refits}: objective ${r.f.toExponential(2)} after ${r.evals} runs`);
  }
  const spread: ParamSpread[] = freeParams.map((f) => {
    const xs = refits.map((r) => r.params[f.name]);
    const p5 = quantile(xs, 0.05);
    const p95 = quantile(xs, 0.95);
    return { name: f.name, fitted: full.params[f.name], median: round6(quantile(xs, 0.5)), p5: round6(p5), p95: round6(p95), relativeWidth: round6((p95 - p5) / full.params[f.name]) };
  });
  const zs = freeParams.map((f) => refits.map((r) => unitOf(r.params, [f])[0]));
  const matrix = zs.map((a) => zs.map((b) => round6(correlation(a, b))));
  return {
    method:
      `${s.refits} refits, each to the means of one resample (with replacement) of every cell's five measured boots; ` +
      (s.fullRefits
        ? `full refits: a whole Levenberg-Marquardt fit from the fitted parameters (at most ${s.maxIterations} iterations each), same boots as the fit. `
        : `Gauss-Newton steps from the fitted parameters with their Jacobian (at most ${s.refitEvals} model runs each), same boots as the fit. `) +
      "Correlations are Pearson's, over the refits, of the logit of each parameter.",
    refits,
    spread,
    correlations: { names: freeParams.map((f) => f.name), matrix },
  };
}

/**
 * The Jacobian the optimiser last used was taken before its final step, and
 * along directions the seed hardly constrains (grace periods against the herd)
 * the objective is flat and its finite differences noisy, so the search can stop
 * short. A fresh Jacobian at the solution and a few Gauss-Newton steps with it
 * finish the job (and give the bootstrap refits a centre they do not drift from).
 */
async function polish(
  cells: FitCell[],
  all: FitResult,
  design: BootDesign,
  s: CalibrationSettings,
  log: (l: string) => void,
): Promise<{ fit: Partial<FitResult>; jacobian: number[][] | null }> {
  const freeParams = s.free ?? defaultFree;
  const z0 = unitOf(all.params, freeParams);
  const res = residualFunction({ cells, start: all.params, free: freeParams, design });
  const J = await jacobianAt(cells, all.params, freeParams, design);
  const r = await chordRefit(res, z0, J, { maxEvals: s.refitEvals, tolStep: optimiser.tolStep, lambda: 1e-3 });
  const evals = all.evals + 1 + freeParams.length + r.evals;
  if (!(r.f < all.objective)) {
    log(`polish: a fresh Jacobian finds no lower objective; the fit stands`);
    // Still the Jacobian at the fitted parameters: the bootstrap reuses it.
    return { fit: { evals }, jacobian: J };
  }
  const params = paramsFrom(all.params, freeParams, r.z);
  const fits = await simulateCells(cells, params, design);
  log(`polish: objective ${all.objective.toExponential(3)} -> ${r.f.toExponential(3)} with a fresh Jacobian; worst cell ${maxAbs(fits).toFixed(1)}%`);
  const reason = `${all.reason}; then Gauss-Newton steps with a fresh Jacobian at the solution lowered the objective to ${r.f.toExponential(3)}`;
  return { fit: { params, cells: fits, objective: r.f, evals, reason }, jacobian: null };
}

export async function calibrate(cells: FitCell[], s: CalibrationSettings, log: (line: string) => void): Promise<CalibrationRecord> {
  const start = s.start ?? defaultParams();
  const freeParams = s.free ?? defaultFree;
  const scenario = s.scenario ? { scenario: s.scenario } : {};
  const onBoots = s.onBoots ? { onBoots: s.onBoots } : {};
  const design: BootDesign = fitDesign(s);
  const checkSeed = checkSeedOf(s);
  const check: BootDesign = { cpus: s.cpus, ...scenario, seed: checkSeed, boots: s.checkBoots, ...onBoots };
  const configs = [...new Set(cells.map((c) => c.config))];
  const heldOutConfig = heldOutConfigOf(s, cells);

  log(`fit: ${freeParams.map((f) => f.name).join(", ")} to all ${cells.length} cells (boots per policy ${JSON.stringify(s.boots)}, seed ${s.seed})`);
  const settings = { maxIterations: s.maxIterations, budgetSeconds: s.budgetSeconds };
  const all = await fit({ cells, start, free: freeParams, design, onProgress: log, settings });
  log(`fit: ${all.converged ? "converged" : "stopped"} (${all.reason}) after ${all.evals} runs; worst cell ${maxAbs(all.cells).toFixed(1)}%`);
  const polished = await polish(cells, all, design, s, log);
  Object.assign(all, polished.fit);

  log(`check: seed ${checkSeed}, boots per policy ${JSON.stringify(s.checkBoots)}, never used by a fit`);
  const unseen = await simulateCells(cells, all.params, check);
  const noise = Math.max(...unseen.map((c) => (c.simulatedSd / Math.sqrt(c.boots) / c.simulatedMean) * 100));

  const heldOut = cells.filter((c) => c.config === heldOutConfig);
  const inSample = cells.filter((c) => c.config !== heldOutConfig);
  const fittedOn = configs.filter((c) => c !== heldOutConfig);
  log(`out-of-sample: fit on ${fittedOn.join(" + ")} (${inSample.length} cells), predict ${heldOutConfig}`);
  const oos = await fit({ cells: inSample, start, free: freeParams, design, onProgress: log, settings });
  const predicted = await simulateCells(heldOut, oos.params, check);
  log(`out-of-sample: prediction errors ${predicted.map((c) => `${c.module} ${c.errorPct.toFixed(1)}%`).join(", ")}`);

  if (!polished.jacobian) log(`bootstrap: Jacobian at the polished parameters (${freeParams.length + 1} model runs)`);
  const J = polished.jacobian ?? (await jacobianAt(cells, all.params, freeParams, design));
  const boot = await bootstrap(cells, all, J, s, design, log);

  const fitReport = { cells: all.cells, objective: all.objective, maxAbsErrorPct: maxAbs(all.cells), evaluations: all.evals, iterations: all.iterations, converged: all.converged, stopReason: all.reason };
  const unseenReport = { seed: checkSeed, boots: s.checkBoots, cells: unseen, maxAbsErrorPct: maxAbs(unseen), maxModelNoisePct: noise };
  return {
    description: s.description ?? "Calibrated parameters of the modburst model, fitted to the expected span of each cell.",
    params: all.params,
    free: freeParams,
    design: { scenario: s.scenario?.name ?? "seed", cpus: s.cpus, seed: s.seed, boots: s.boots, refits: s.refits, refitEvals: s.refitEvals },
    fit: fitReport,
    unseen: unseenReport,
    verdict: fitVerdict({ params: all.params, free: freeParams, fit: fitReport, unseen: unseenReport }, cells),
    outOfSample: {
      fittedOn,
      params: oos.params,
      fitCells: oos.cells,
      predicted,
      maxAbsPredictionErrorPct: maxAbs(predicted),
      evaluations: oos.evals,
      converged: oos.converged,
      stopReason: oos.reason,
    },
    bootstrap: boot,
    optimiser: { ...optimiser, maxIterations: s.maxIterations, budgetSeconds: s.budgetSeconds, ...(s.spreadWeight !== undefined ? { spreadWeight: s.spreadWeight } : {}) },
    code: codeVersion(),
  };
}

export function writeCalibration(record: CalibrationRecord, file = paths.calibratedParams): void {
  const { variants: _attached, ...stored } = record;
  const text = JSON.stringify(stored, null, 2) + "\n";
  // The writer keeps to the reader's schema: a record it would refuse is a bug here, not the user's.
  try {
    checkCalibrationRecord(JSON.parse(text), displayPath(file));
  } catch (err) {
    throw new Error(`calibrate made a record its reader refuses: ${(err as Error).message}`);
  }
  writeFileAtomic(file, text);
}

/** The stored calibration record (params and the fit report), checked whole: every section, key, type and range. */
export function readCalibration(file = paths.calibratedParams): CalibrationRecord {
  if (!fs.existsSync(file)) throw new UserError(`invalid calibration file: ${file} (allowed: run npm run calibrate first)`);
  return readCalibrationFile(file) as CalibrationRecord;
}

/**
 * The record with its verdict computed afresh from its own fit, bounds and
 * unseen check and the measured boots (verdict.ts): no model runs, so every
 * fitted number stays as it is. The verdict goes after `unseen`, as calibrate writes it.
 */
export function withVerdict(rec: Omit<CalibrationRecord, "verdict"> & { verdict?: FitVerdict }, cells: FitCell[]): CalibrationRecord {
  const verdict = fitVerdict(rec, cells);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) {
    if (k === "verdict") continue;
    out[k] = v;
    if (k === "unseen") out.verdict = verdict;
  }
  return out as unknown as CalibrationRecord;
}

/**
 * `modburst calibrate --verdict-only`: read the record at `file` (checked whole
 * but for its verdict, which may be missing: records written before verdicts),
 * add or recompute its verdict, and write it back atomically.
 */
export function rewriteVerdict(file: string, cells: FitCell[]): CalibrationRecord {
  if (!fs.existsSync(file)) throw new UserError(`invalid calibration file: ${displayPath(file)} (allowed: an existing calibration record; --verdict-only does not fit one)`);
  const record = withVerdict(readCalibrationFile(file, { withoutVerdict: true }) as CalibrationRecord, cells);
  writeCalibration(record, file);
  return record;
}

/**
 * The parameter sets every prediction interval is taken over: one per bootstrap
 * refit; with structural variants attached, the same number from each variant
 * (the smallest any variant has), so each structure weighs the same.
 */
export function refitParams(rec: CalibrationRecord): Params[] {
  return refitSets(rec).flatMap((s) => s.params);
}

/** The variant each of refitParams' sets comes from, in the same order. */
export function refitVariants(rec: CalibrationRecord): string[] {
  return refitSets(rec).flatMap((s) => s.params.map(() => s.name));
}

function refitSets(rec: CalibrationRecord): Array<{ name: string; params: Params[] }> {
  const vs = rec.variants ?? [];
  if (vs.length <= 1) return [{ name: vs[0]?.name ?? "reference", params: rec.bootstrap.refits.map((r) => r.params) }];
  const each = Math.min(...vs.map((v) => v.record.bootstrap.refits.length));
  return vs.map((v) => ({ name: v.name, params: v.record.bootstrap.refits.slice(0, each).map((r) => r.params) }));
}
