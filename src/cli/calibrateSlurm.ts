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
import * as fs from "fs";
import * as path from "path";
import { arrayRanges, refuseActiveTasks, runArray } from "../cluster/arrayRun";
import { jobScript } from "../cluster/jobScript";
import { createRunDir, loadRunState, newToken, RunState, taskOutputFile, unfinishedTasks } from "../cluster/runDir";
import { checkSharedFolders } from "../cluster/sharedFolder";
import { nodeHostNames, requireSlurmClients } from "../cluster/slurm";
import { CalibrationSettings, fitDesign, fullRefit, Refit } from "../3-experiments/calibrate/calibration";
import { estimateCalibration } from "../3-experiments/calibrate/estimate";
import type { FitCell } from "../3-experiments/calibrate/fit";
import { studyFitCells, studySettings } from "../4-studies/settings";
import { checkInteger, invalid, UserError } from "../core/errors";
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
export function checkCalibrateSlurmOptions(values: Values): void {
  const asked = values.slurm === true || values["refit-task"] !== undefined;
  if (!asked) {
    for (const k of ["run-dir", "slurm-args", "resume"]) if (values[k] !== undefined) throw invalid(`--${k}`, values[k], "only with --slurm");
    return;
  }
  const flag = values.slurm === true ? "slurm" : "refit-task";
  if (values.resume !== undefined && values["run-dir"] !== undefined) throw invalid("--run-dir", values["run-dir"], "none with --resume: the run folder is the one resumed");
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
  const resuming = values.resume !== undefined;
  const dir = path.resolve((values.resume ?? values["run-dir"] ?? defaultRunDir("calibrate")) as string);
  checkSharedFolders("calibrate --slurm", [{ flag: resuming ? "--resume" : "--run-dir", dir }, { flag: "checkout", dir: paths.root }], nodeHostNames());
  const args = ["calibrate", "--study", study.dir, ...(seed !== undefined ? ["--seed", String(seed)] : []), "--bootstrap", String(refits), "--full", "--run-dir", dir, "--refit-task", "{task}"];
  const slurmArgs = values["slurm-args"] === undefined ? undefined : parseSlurmArgs(values["slurm-args"] as string);
  const state = resuming ? resumedState(dir, args) : newState(dir, args, study, refits, cells, settings, slurmArgs ?? []);
  if (resuming && slurmArgs !== undefined) state.slurmArgs = slurmArgs;
  const again = `modburst calibrate --study ${displayPath(study.dir)}${seed !== undefined ? ` --seed ${seed}` : ""} --bootstrap ${refits} --full --slurm --resume ${displayPath(dir)}`;
  return async (fitted: Params) => {
    const base = JSON.stringify({ params: fitted }) + "\n";
    let tasks = Array.from({ length: refits }, (_, i) => i);
    if (resuming) {
      // The fit is recomputed here, seeded: the same settings give the same point, so finished refits still hold.
      if (readIfThere(baseFile(dir)) !== base) throw new UserError(`invalid --resume: ${displayPath(dir)}: its base.json holds another fitted point (allowed: the run folder of this calibration: the same study, seed, settings and code)`);
      tasks = unfinishedTasks(dir, state);
      process.stderr.write(`calibrate --resume: ${refits - tasks.length} of ${refits} refits done; ${tasks.length === 0 ? "reading them" : `resubmitting ${arrayRanges(tasks)}`}\n`);
    } else writeOutput(baseFile(dir), base);
    if (tasks.length > 0) {
      await runArray(dir, state, tasks, { what: "calibrate --slurm", describeTask: (t) => `refit ${t + 1}/${refits}`, resumeHint: again, outShown: displayPath(study.files.calibration) });
    }
    return Array.from({ length: refits }, (_, t) => readJsonFile(taskOutputFile(dir, state, t), "refit file", refitSchema));
  };
}

/** A new run folder for the refits: each task sized by the calibration's estimate of one fit, on one core. */
function newState(dir: string, taskArgs: string[], study: Study, refits: number, cells: FitCell[], settings: CalibrationSettings, slurmArgs: string[]): RunState {
  const e = estimateCalibration(cells, { ...settings, refits: 1 }, 1);
  const perFitSeconds = e.seconds / Math.max(1, e.runs.fits);
  const state: RunState = {
    format: "modburst-slurm-run/1",
    kind: "calibrate",
    tasks: refits,
    taskArgs,
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
  return state;
}

/** The run folder given to --resume: a calibrate run of the same refits, none still pending or running. */
function resumedState(dir: string, taskArgs: string[]): RunState {
  const state = loadRunState(dir);
  if (state.kind !== "calibrate") throw new UserError(`invalid --resume: ${displayPath(dir)} is a ${state.kind} run (allowed: a calibrate run folder; resume it with modburst ${state.kind} --resume)`);
  if (state.taskArgs.join("\0") !== taskArgs.join("\0")) throw new UserError(`invalid --resume: ${displayPath(dir)}: it ran ${state.taskArgs.slice(0, -2).join(" ")} (allowed: the same study, --seed and --bootstrap as that run)`);
  refuseActiveTasks(dir, state);
  return state;
}

const readIfThere = (file: string): string | null => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null);
