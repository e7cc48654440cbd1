/**
 * A run folder: everything one job-array run needs and leaves, so that any
 * later command (`--resume RUN_DIR`) can tell which tasks are done. Layout:
 *
 *   run.json               what runs (RunState): the task command, resources, submissions
 *   job.sh                 the batch script (jobScript.ts)
 *   token                  a random line the job script checks (the folder is shared)
 *   logs/task-I.job-J.log  each task's stdout and stderr, per submission
 *   status/task-I          the task's exit code, written by the script as it ends
 *   OUTPUT (per task)      e.g. shard-I.csv: the task's result
 *
 * A task is done when its status says 0 and its output exists; failed when its
 * status says anything else; missing when it has no status (cancelled, killed,
 * never ran).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { displayPath } from "../core/paths";
import * as v from "valibot";
import { UserError } from "../core/errors";
import { arr, int, nonEmpty, obj, oneOf, str } from "../core/schema/issues";
import { readJsonFile } from "../core/schema/readJson";
import { writeOutput } from "../core/outputs";

/** One sbatch of the run: the job id and the array task indices it ran. */
const submissionSchema = obj({ jobId: nonEmpty, tasks: arr(int(0)) });
export type Submission = v.InferOutput<typeof submissionSchema>;

/** Per task: what Slurm is asked for. */
const resourcesSchema = obj({ timeMinutes: int(1), memMb: int(1), cpusPerTask: int(1) });
export type TaskResources = v.InferOutput<typeof resourcesSchema>;

/** run.json: what a run folder holds, read back by --resume. */
const runStateSchema = obj({
  format: v.literal("modburst-slurm-run/1", "modburst-slurm-run/1"),
  /** The command the tasks run: "sweep" or "calibrate". */
  kind: oneOf(["sweep", "calibrate"]),
  tasks: int(1),
  /** `modburst` arguments of task I: "{task}" stands for I, "{shard}" for I+1. */
  taskArgs: arr(str),
  /** Task I's result, relative to the run folder, "{task}" standing for I. */
  taskOutput: nonEmpty,
  /** Where the merged result goes (absolute). */
  out: nonEmpty,
  resources: resourcesSchema,
  /** Extra sbatch arguments (--slurm-args), split. */
  slurmArgs: arr(str),
  /** Node and checkout the job script runs (absolute). */
  node: nonEmpty,
  checkout: nonEmpty,
  token: nonEmpty,
  submissions: arr(submissionSchema),
});
export type RunState = v.InferOutput<typeof runStateSchema>;

export const runFile = (dir: string) => path.join(dir, "run.json");
export const scriptFile = (dir: string) => path.join(dir, "job.sh");
export const tokenFile = (dir: string) => path.join(dir, "token");
export const statusFile = (dir: string, task: number) => path.join(dir, "status", `task-${task}`);
export const logFile = (dir: string, task: number, jobId: string) => path.join(dir, "logs", `task-${task}.job-${jobId}.log`);
export const taskOutputFile = (dir: string, state: RunState, task: number) => path.join(dir, state.taskOutput.replace("{task}", String(task)));

export const newToken = (): string => crypto.randomBytes(12).toString("hex");

/** Create a new run folder (it must not exist, or be empty) with its state, script and token. */
export function createRunDir(dir: string, state: RunState, script: string): void {
  if (fs.existsSync(dir)) {
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      throw new UserError(`invalid --run-dir: ${displayPath(dir)} (allowed: a new or empty folder)`);
    }
    if (entries.length > 0) throw new UserError(`invalid --run-dir: ${displayPath(dir)} is not empty (allowed: a new or empty folder; --resume ${displayPath(dir)} continues a run)`);
  }
  for (const sub of ["logs", "status"]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  writeOutput(tokenFile(dir), state.token + "\n");
  writeOutput(scriptFile(dir), script);
  fs.chmodSync(scriptFile(dir), 0o755);
  saveRunState(dir, state);
}

export function saveRunState(dir: string, state: RunState): void {
  writeOutput(runFile(dir), JSON.stringify(state, null, 2) + "\n");
}

/** The state of an existing run folder, or a one-line error naming it. */
export function loadRunState(dir: string): RunState {
  if (!fs.existsSync(runFile(dir))) throw new UserError(`invalid --resume: ${displayPath(dir)}: no run.json (allowed: a run folder written by --slurm)`);
  return readJsonFile(runFile(dir), "run file", runStateSchema);
}

export type Outcome = { kind: "done" } | { kind: "failed"; exitCode: number } | { kind: "missing" };

/** How task `task` ended, from the folder alone. */
export function taskOutcome(dir: string, state: RunState, task: number): Outcome {
  let text: string;
  try {
    text = fs.readFileSync(statusFile(dir, task), "utf8").trim();
  } catch {
    return { kind: "missing" };
  }
  const code = /^\d+$/.test(text) ? Number(text) : -1;
  if (code === 0 && fs.existsSync(taskOutputFile(dir, state, task))) return { kind: "done" };
  return { kind: "failed", exitCode: code };
}

/** Tasks not done (failed or missing), ascending. */
export function unfinishedTasks(dir: string, state: RunState): number[] {
  return Array.from({ length: state.tasks }, (_, i) => i).filter((i) => taskOutcome(dir, state, i).kind !== "done");
}

/** Forget what earlier attempts of these tasks left (status and output), before they are submitted again. */
export function clearTasks(dir: string, state: RunState, tasks: number[]): void {
  for (const i of tasks) {
    for (const f of [statusFile(dir, i), taskOutputFile(dir, state, i)]) {
      try {
        fs.rmSync(f, { force: true });
      } catch {
        // Something else in the way (a folder): the task's own run names it.
      }
    }
  }
}

/** The latest submission that ran `task` (its log is that job's). */
export function lastJobOf(state: RunState, task: number): string | undefined {
  for (let s = state.submissions.length - 1; s >= 0; s--) if (state.submissions[s].tasks.includes(task)) return state.submissions[s].jobId;
  return undefined;
}
