/**
 * modburst calibrate [--seed S] [--refits N] [--out FILE]   (npm run calibrate -- ...)
 * modburst calibrate --study NAME|FOLDER [--seed S] [--refits N]: a study's own calibration, into its folder
 * modburst calibrate --verdict-only [--study NAME|FOLDER | --out FILE]: recompute an existing record's verdict, no fit
 * Every run ends with the fit's verdict (src/7-pack/verdict.ts).
 */
import { calibrate, CalibrationRecord, CalibrationSettings, readCalibration, rewriteVerdict, writeCalibration } from "../3-experiments/calibrate/calibration";
import { freeParams } from "../3-experiments/calibrate/bounds";
import { referenceVariantName, variantByName, variantFile, variantFree, variantNames, variantStart } from "../3-experiments/calibrate/variants";
import { calibrateStudy } from "../4-studies/calibration";
import { studyFitCells, studySettings } from "../4-studies/settings";
import { displayPath } from "../core/paths";
import type { FitCell } from "../3-experiments/calibrate/fit";
import { checkInteger, UserError } from "../core/errors";
import { checkWritableFile } from "../core/fsutil";
import { loadStudy, seedStudyName, studyCells } from "../4-studies/study";
import { verdictLines } from "../7-pack/verdict";
import { formatTextTable } from "../5-views/tables/format";
import { OptionTable, parseCli } from "./args";
import { parseMaxHours } from "./budget";
import { budgetCalibration, calibrateDefaultMaxHours } from "./calibrationBudget";

/** Bootstrap refits of a structural variant's calibration unless --refits says otherwise (intervals take as many from each variant, the reference included). */
export const variantRefits = 10;

/** calibrate's options: what it parses and what `modburst calibrate --help` prints. */
export const calibrateOptions: OptionTable = {
  study: { type: "string", value: "NAME|FOLDER", help: "calibrate that study, into its own calibration file (default: the seed's calibration)" },
  seed: { type: "string", value: "S", help: "the seed of the fit's boots (default: the study's calibrate.json)" },
  refits: { type: "string", value: "N", help: "bootstrap refits, 2..1000 (default: the study's calibrate.json)" },
  out: { type: "string", value: "FILE", help: "where the seed's record goes (default its calibration.json; not with --study)" },
  "verdict-only": { type: "boolean", help: "recompute only the record's verdict from its numbers and the measured CSV; nothing else changes" },
  bootstrap: { type: "string", value: "N", help: "bootstrap refits, 2..1000 (the same as --refits)" },
  full: { type: "boolean", help: "with --bootstrap: each refit a whole fit from the fitted point, not a few linearised steps (slow: minutes per refit)" },
  "max-hours": { type: "string", value: "H", help: `refuse a calibration estimated over H hours, before it starts (default ${calibrateDefaultMaxHours})` },
  variant: { type: "string", value: "NAME", help: `calibrate one structural variant of the seed's model (${variantNames.filter((n) => n !== referenceVariantName).join("|")}) into variants/NAME.json beside its calibration, starting from the reference fit (default ${variantRefits} refits)` },
  slurm: { type: "boolean", help: "with --bootstrap N --full: run the N refits as one Slurm job array, one refit per task (README, On a cluster)" },
  "run-dir": { type: "string", value: "DIR", help: "with --slurm: the run folder, on a filesystem the nodes share (default .cache/slurm/calibrate-TIME-PID)" },
  "slurm-args": { type: "string", value: '"ARGS"', help: 'with --slurm: extra sbatch options, e.g. "--partition=p --cpus-per-task=8"', dashValue: true },
  resume: { type: "string", value: "RUN_DIR", help: "with --slurm: resubmit only the refits of that run folder not done (the fit is recomputed here and must match its base.json), then write the record" },
  "refit-task": { type: "string", value: "I", help: "(what a --slurm array task runs) only full refit I+1, from --run-dir's base.json into its refit-I.json" },
};


export async function calibrateCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, calibrateOptions);
  if (values.bootstrap !== undefined) {
    if (values.refits !== undefined) throw new UserError(`invalid bootstrap: ${values.bootstrap} (allowed: --bootstrap or --refits, not both)`);
    values.refits = values.bootstrap;
  }
  if (values.full === true && values.bootstrap === undefined) throw new UserError("invalid full: true (allowed only with --bootstrap N)");
  const studyArg = values.study as string | undefined;
  if (["slurm", "run-dir", "slurm-args", "refit-task", "resume"].some((k) => values[k] !== undefined)) {
    (require("./calibrateSlurm") as typeof import("./calibrateSlurm")).checkCalibrateSlurmOptions(values);
  }
  const maxHours = parseMaxHours(values["max-hours"] as string | undefined, calibrateDefaultMaxHours);
  const t0 = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  if (values["verdict-only"] === true) {
    for (const k of ["seed", "refits", "max-hours"]) if (values[k] !== undefined) throw new UserError(`invalid ${k}: ${values[k]} (allowed none with --verdict-only: it fits nothing)`);
    if (studyArg !== undefined && values.out !== undefined) throw new UserError(`invalid out: ${values.out} (allowed none with --study: the study's calibration file is updated)`);
    return verdictOnly(studyArg, values.out as string | undefined, t0);
  }
  if (values.variant !== undefined) {
    if (studyArg !== undefined) throw new UserError(`invalid study: ${studyArg} (allowed none with --variant: variants are the seed's)`);
    return calibrateVariant(values, maxHours, t0, log);
  }
  if (studyArg !== undefined && values.out !== undefined) throw new UserError(`invalid out: ${values.out} (allowed none with --study: the record goes to the study's calibration file)`);
  const study = loadStudy(studyArg ?? seedStudyName);
  const { seed, refits } = seedAndRefits(values);
  // One refit per Slurm array task (calibrateSlurm.ts), loaded only when asked for.
  const onSlurm = () => require("./calibrateSlurm") as typeof import("./calibrateSlurm");
  if (values["refit-task"] !== undefined) return onSlurm().refitTask(values, study, seed, refits!);
  const beforeFit = (cells: FitCell[], s: CalibrationSettings) => {
    // With --slurm the full refits run on the cluster: the local estimate counts linearised ones.
    const b = budgetCalibration(studyArg === undefined ? "calibrate" : `calibrate: study ${study.name}`, cells, values.slurm === true ? { ...s, fullRefits: false } : s, maxHours, studyRemedy(study.dir, s));
    return values.slurm === true ? { ...b, fullRefits: true, runFullRefits: onSlurm().slurmRefits(values, study, seed, refits!, cells, b) } : b;
  };
  const out = (values.out as string | undefined) ?? study.files.calibration;
  const record = await calibrateStudy(study, { seed, refits, fullRefits: values.full === true, log, beforeFit, out });
  report(record, out, t0);
  return 0;
}

/** --seed and --refits, when given (each default is the study's calibrate.json). */
function seedAndRefits(values: Record<string, string | boolean | undefined>): { seed?: number; refits?: number } {
  return {
    ...(values.seed === undefined ? {} : { seed: checkInteger("seed", values.seed, 0, 2 ** 31) }),
    ...(values.refits === undefined ? {} : { refits: checkInteger("refits", values.refits, 2, 1000) }),
  };
}

/** What makes a study's calibration smaller, for the estimate's refusal. */
export function studyRemedy(dir: string, s?: CalibrationSettings): string {
  return `fewer boots, checkBoots, refits or maxIterations in ${displayPath(dir)}/calibrate.json, or fewer --refits${s?.fullRefits ? ", or no --full" : ""}`;
}

/**
 * One structural variant of the seed's model, calibrated to the seed's cells
 * with the seed's settings: its fixed choices applied, the other free parameters
 * fitted starting from the reference record's values (so it converges in a few
 * iterations), and `variantRefits` bootstrap refits.
 */
async function calibrateVariant(values: Record<string, string | boolean | undefined>, maxHours: number, t0: number, log: (line: string) => void): Promise<number> {
  const name = values.variant as string;
  const v = variantByName(name);
  if (!v || name === referenceVariantName) throw new UserError(`invalid variant: ${name} (allowed ${variantNames.filter((n) => n !== referenceVariantName).join("|")}; the reference is npm run calibrate)`);
  const study = loadStudy(seedStudyName);
  const reference = readCalibration(study.files.calibration);
  const out = (values.out as string | undefined) ?? variantFile(study.files.calibration, name);
  let settings: CalibrationSettings = {
    ...studySettings(study, { refits: variantRefits, ...seedAndRefits(values) }),
    fullRefits: values.full === true,
    free: variantFree(v, freeParams),
    start: variantStart(v, reference.params),
    description: `Structural variant "${name}" of the seed's calibration: ${v.summary}. Fitted to the same cells as the reference (calibration.json), starting from its values. Written by modburst calibrate --variant ${name}.`,
  };
  checkWritableFile(out);
  const cells = studyFitCells(study, settings);
  settings = budgetCalibration(`calibrate: variant ${name}`, cells, settings, maxHours, `fewer --refits${settings.fullRefits ? ", or no --full" : ""}`);
  const record = await calibrate(cells, settings, log);
  writeCalibration(record, out);
  report(record, out, t0);
  return 0;
}

/** The verdict of an existing record, recomputed from the record and the measured boots it was fitted to (seconds, no model run). */
function verdictOnly(studyArg: string | undefined, out: string | undefined, t0: number): number {
  const study = loadStudy(studyArg ?? seedStudyName);
  const file = out ?? study.files.calibration;
  checkWritableFile(file);
  const record = rewriteVerdict(file, studyCells(study));
  console.log(verdictLines(record.verdict).join("\n"));
  console.log(`wrote the verdict into ${file} in ${((Date.now() - t0) / 1000).toFixed(1)} s (nothing else in the record changed)`);
  return 0;
}

function report(record: CalibrationRecord, out: string, t0: number): void {
  const rows = record.unseen.cells.map((c) => [c.config, c.module, c.measuredMean, c.simulatedMean, c.errorPct, c.measuredSd, c.simulatedSd, c.simulatedSd / c.measuredSd]);
  console.log(`\nUnseen seed ${record.unseen.seed} (model noise at most ${record.unseen.maxModelNoisePct.toFixed(1)}% of a mean):`);
  console.log(formatTextTable({ columns: ["config", "module", "measured s", "simulated s", "error %", "measured sd", "simulated sd", "sd ratio"], rows }));
  console.log(`\nfitted: ${record.free.map((f) => `${f.name}=${record.params[f.name]}`).join(", ")}`);
  console.log(`fit: ${record.fit.converged ? "converged" : "NOT converged"}: ${record.fit.stopReason}`);
  const predicted = [...new Set(record.outOfSample.predicted.map((c) => c.config))].join("+");
  console.log(`out of sample (fit ${record.outOfSample.fittedOn.join("+")}, predict ${predicted}): ${record.outOfSample.predicted.map((c) => `${c.module} ${c.errorPct.toFixed(1)}%`).join(", ")}`);
  console.log(`\n${verdictLines(record.verdict).join("\n")}\n`);
  console.log(`wrote ${out} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
