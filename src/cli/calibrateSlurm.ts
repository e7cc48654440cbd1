/**
 * modburst calibrate --study NAME|FOLDER --bootstrap N --full --slurm [--seed S] [--run-dir DIR] [--slurm-args "..."]
 *
 * The calibration runs here up to its bootstrap; then its N full refits run as
 * one Slurm job array, refit b in task b-1 (`calibrate ... --refit-task b-1`,
 * which reads the fitted parameters from RUN_DIR/base.json and writes
 * RUN_DIR/refit-(b-1).json), and the record is finished here with them: the
 * same record as the local run, since each refit depends only on the cells,
 * the settings, the fitted parameters and b. The study's calibration file is
 * written only when every refit is done.
 */
import * as path from "path";
import { runArray } from "../cluster/arrayRun";
import { jobScript } from "../cluster/jobScript";
import { createRunDir, newToken, RunState, taskOutputFile } from "../cluster/runDir";
import { checkSharedFolders } from "../cluster/sharedFolder";
import { nodeHostNames, requireSlurmClients } from "../cluster/slurm";
import { CalibrationSettings, fitDesign, fullRefit, Refit } from "../3-experiments/calibrate/calibration";
import { estimateCalibration } from "../3-experiments/calibrate/estimate";
import type { FitCell } from "../3-experiments/calibrate/fit";
import { studyFitCells, studySettings } from "../4-studies/settings";
import { checkInteger, invalid } from "../core/errors";
import { Params, readParamsFile } from "../1-model/params";
import { refitSchema } from "../3-experiments/calibrate/schema";
import { readJsonFile } from "../core/schema/readJson";
import { writeOutput } from "../core/outputs";
import { displayPath, paths } from "../core/paths";
import type { Study } from "../4-studies/study";
import { defaultRunDir, parseSlurmArgs } from "./sweepSlurm";

type Values = Record<string, string | boolean | undefined>;

const baseFile = (dir: string) => path.join(dir, "base.json");

/** Calibrate's Slurm options without --slurm (or a task without --run-dir): refused. */
export function checkCalibrateSlurmOptions(values: Values, studyArg: string | undefined): void {
  const asked = values.slurm === true || values["refit-task"] !== undefined;
  if (!asked) {
    for (const k of ["run-dir", "slurm-args"]) if (values[k] !== undefined) throw invalid(`--${k}`, values[k], "only with --slurm");
    return;
  }
  const flag = values.slurm === true ? "slurm" : "refit-task";
  if (studyArg === undefined) throw invalid(flag, values[flag], "only with --study NAME|FOLDER --bootstrap N --full");
  if (values.full !== true || values.bootstrap === undefined) throw invalid(flag, values[flag], "only with --bootstrap N --full: one full refit per array task");
  if (values["refit-task"] !== undefined && values["run-dir"] === undefined) throw invalid("refit-task", values["refit-task"], "only with --run-dir DIR, as the job script passes it");
}

/** The task side: refit b = task + 1 of the study's calibration, from the fitted parameters in base.json. */
export async function refitTask(values: Values, study: Study, seed: number | undefined, refits: number): Promise<number> {
  const task = checkInteger("refit-task", values["refit-task"], 0, refits - 1);
  const dir = path.resolve(values["run-dir"] as string);
  const settings: CalibrationSettings = { ...studySettings(study, { seed, refits }), fullRefits: true };
  const cells = studyFitCells(study, settings);
  const base: Params = readParamsFile(baseFile(dir));
  const t0 = Date.now();
  const refit = await fullRefit(cells, base, task + 1, settings, fitDesign(settings));
  writeOutput(path.join(dir, `refit-${task}.json`), JSON.stringify(refit) + "\n");
  console.log(`calibrate: full refit ${task + 1}/${refits}: objective ${refit.objective.toExponential(2)} after ${refit.evaluations} runs, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return 0;
}

/**
 * The submitter's side, given to the calibration as its settings' runFullRefits:
 * write the run folder (the fitted parameters in base.json), run the array,
 * and read the refits back in order.
 */
export function slurmRefits(values: Values, study: Study, seed: number | undefined, refits: number, cells: FitCell[], settings: CalibrationSettings): (fitted: Params) => Promise<Refit[]> {
  requireSlurmClients("calibrate --slurm");
  const slurmArgs = parseSlurmArgs(values["slurm-args"] as string | undefined);
  const dir = path.resolve((values["run-dir"] as string | undefined) ?? defaultRunDir("calibrate"));
  checkSharedFolders("calibrate --slurm", [{ flag: "--run-dir", dir }, { flag: "checkout", dir: paths.root }], nodeHostNames());
  // A refit is one whole fit: the calibration's estimate of one fit, on one core, sizes each task.
  const e = estimateCalibration(cells, { ...settings, refits: 1 }, 1);
  const perFitSeconds = e.seconds / Math.max(1, e.runs.fits);
  const state: RunState = {
    format: "modburst-slurm-run/1",
    kind: "calibrate",
    tasks: refits,
    taskArgs: ["calibrate", "--study", study.dir, ...(seed !== undefined ? ["--seed", String(seed)] : []), "--bootstrap", String(refits), "--full", "--run-dir", dir, "--refit-task", "{task}"],
    taskOutput: "refit-{task}.json",
    out: study.files.calibration,
    resources: { timeMinutes: Math.ceil((2 * perFitSeconds) / 60) + 5, memMb: Math.max(512, Math.ceil((1.5 * e.memoryBytes) / 2 ** 20)), cpusPerTask: 1 },
    slurmArgs,
    node: process.execPath,
    checkout: paths.root,
    token: newToken(),
    submissions: [],
  };
  createRunDir(dir, state, jobScript(dir, state));
  return async (fitted: Params) => {
    writeOutput(baseFile(dir), JSON.stringify({ params: fitted }) + "\n");
    const tasks = Array.from({ length: refits }, (_, i) => i);
    await runArray(dir, state, tasks, {
      what: "calibrate --slurm",
      describeTask: (t) => `refit ${t + 1}/${refits}`,
      resumeHint: "modburst calibrate --slurm (again)",
      outShown: displayPath(study.files.calibration),
    });
    return tasks.map((t) => readJsonFile(taskOutputFile(dir, state, t), "refit file", refitSchema));
  };
}
