/**
 * modburst sweep ... --slurm [--slurm-tasks N] [--slurm-args "..."] [--run-dir DIR] [--dry-run]
 * modburst sweep --resume RUN_DIR [--out FILE] [--slurm-args "..."]
 *
 * The sweep as one Slurm job array: task I runs `modburst sweep ... --shard
 * I+1/N --out RUN_DIR/shard-I.csv` on a compute node (src/cluster/), and the
 * shards are merged into --out by merge-results' code, with its provenance
 * checks. Nothing is written to --out unless every task is done.
 */
import * as path from "path";
import { arrayRanges, refuseActiveTasks, runArray } from "../cluster/arrayRun";
import { jobScript } from "../cluster/jobScript";
import { createRunDir, loadRunState, newToken, RunState, taskOutputFile, unfinishedTasks } from "../cluster/runDir";
import { checkSharedFolders } from "../cluster/sharedFolder";
import { nodeHostNames, requireSlurmClients } from "../cluster/slurm";
import { checkInteger, invalid, UserError } from "../core/errors";
import { maxCsvFileBytes } from "../core/fsutil";
import { checkOutputs, isStdout } from "../core/outputs";
import type { Params } from "../1-model/params";
import { displayPath, paths } from "../core/paths";
import { Grid, gridSize } from "../3-experiments/sweep/grid";
import { mergeSweepFiles } from "../3-experiments/sweep/merge";
import { bootsOnThreads, enforceBudget } from "./budget";

/** The options only a Slurm run takes. */
export const slurmOnlyOptions = ["slurm-tasks", "slurm-args", "run-dir", "dry-run"] as const;

/** A task's estimate is doubled, plus this, for its --time: a node slower than this one must not hit the limit. */
const timeSlackMinutes = 2;
/** A task's --mem: its memory estimate times this, at least minMemMb. */
const memFactor = 1.5;
const minMemMb = 256;
/** Without --slurm-tasks: about this much estimated work per task. */
const targetTaskSeconds = 600;
const maxTasks = 1000;

type Values = Record<string, string | boolean | undefined>;

/** Slurm-only options without --slurm: refused, not ignored. */
export function checkSlurmOptions(values: Values): void {
  if (values.slurm === true) return;
  for (const k of slurmOnlyOptions) if (values[k] !== undefined) throw invalid(`--${k}`, values[k], "only with --slurm");
}

/** --slurm-args, split on blanks; the options the run sets itself are refused. */
export function parseSlurmArgs(text: string | undefined): string[] {
  const args = (text ?? "").split(/\s+/).filter((a) => a !== "");
  for (const a of args) {
    if (/^(--array|-a|--parsable|--wrap|--output|-o)(=|$)/.test(a)) throw invalid("slurm-args", a, "sbatch options other than --array, --parsable, --wrap and --output, which the run sets");
    if (!a.startsWith("-")) throw invalid("slurm-args", a, 'sbatch options, e.g. "--partition=p --account=a"');
  }
  return args;
}

/** `.cache/slurm/sweep-20261206-051503-1234` in the checkout (shared with the nodes, as the checkout must be). */
export function defaultRunDir(kind: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return path.join(paths.root, ".cache", "slurm", `${kind}-${stamp}-${process.pid}`);
}

/** Everything sweepCommand has parsed, for a Slurm run. */
export interface SlurmSweepInput {
  values: Values;
  grid: Grid;
  params: Params;
  source: string;
  maxHours: number;
  out: string;
  /** Inputs named on the command line, for checkOutputs. */
  inputs: Array<{ flag: string; path: string }>;
  estimate: (tasks: number | null, threads: number) => import("../3-experiments/parallel/estimate").Estimate;
}

/** The task's own sweep arguments: the grid as given (files made absolute), one thread count, its shard and shard file. */
function taskArgs(values: Values, tasks: number, threads: number, dir: string): string[] {
  const args = ["sweep"];
  for (const k of ["policy", "cpus", "init-latency-ms", "init-result", "boots", "seed", "max-hours"]) if (values[k] !== undefined) args.push(`--${k}`, String(values[k]));
  if (values.params !== undefined) args.push("--params", path.resolve(values.params as string));
  if (values.scenario !== undefined) {
    const s = values.scenario as string;
    args.push("--scenario", s.includes("/") || s.endsWith(".json") ? path.resolve(s) : s);
  }
  args.push("--threads", String(threads), "--shard", `{shard}/${tasks}`, "--out", path.join(dir, "shard-{task}.csv"));
  return args;
}

export async function sweepOnSlurm(input: SlurmSweepInput): Promise<number> {
  const { values, grid } = input;
  if (values.shard !== undefined) throw invalid("shard", values.shard, "none with --slurm: the run shards the grid itself (--slurm-tasks N)");
  const jobs = gridSize(grid);
  const threads = values.threads === undefined ? 1 : checkInteger("threads", values.threads, 1, 256);
  const dryRun = values["dry-run"] === true;
  if (!dryRun) requireSlurmClients("sweep --slurm");
  const slurmArgs = parseSlurmArgs(values["slurm-args"] as string | undefined);
  const dir = path.resolve((values["run-dir"] as string | undefined) ?? defaultRunDir("sweep"));
  const out = isStdout(input.out) ? input.out : path.resolve(input.out);
  if (!dryRun) checkOutputs("sweep", [{ flag: "--out", path: input.out }], input.inputs);
  let tasks: number;
  if (values["slurm-tasks"] !== undefined) tasks = checkInteger("slurm-tasks", values["slurm-tasks"], 1, Math.min(jobs, maxTasks));
  else tasks = Math.max(1, Math.min(jobs, maxTasks, Math.ceil(input.estimate(null, 1).seconds / targetTaskSeconds)));
  // Shard 1 holds the most jobs (round robin): it sizes every task.
  const perTask = input.estimate(tasks, threads);
  const head = `sweep --slurm: ${tasks} task${tasks === 1 ? "" : "s"} of up to ${bootsOnThreads(Math.ceil(jobs / tasks), threads)}, params: ${input.source}, per task`;
  enforceBudget(head, perTask, { maxHours: input.maxHours, outputBytes: maxCsvFileBytes }, { time: "more --slurm-tasks, a smaller grid or fewer boots", memory: "fewer --threads or CPUs" }, "CSV");
  const state: RunState = {
    format: "modburst-slurm-run/1",
    kind: "sweep",
    tasks,
    taskArgs: taskArgs(values, tasks, threads, dir),
    taskOutput: "shard-{task}.csv",
    out,
    resources: {
      timeMinutes: Math.ceil((2 * perTask.seconds) / 60) + timeSlackMinutes,
      memMb: Math.max(minMemMb, Math.ceil((memFactor * perTask.memoryBytes) / 2 ** 20)),
      cpusPerTask: threads,
    },
    slurmArgs,
    node: process.execPath,
    checkout: paths.root,
    token: newToken(),
    submissions: [],
  };
  const script = jobScript(dir, state);
  if (dryRun) {
    process.stdout.write(script);
    const sbatch = ["sbatch", "--parsable", `--array=${arrayRanges(range(tasks))}`, ...slurmArgs, displayPath(path.join(dir, "job.sh"))].join(" ");
    process.stderr.write(`sweep --slurm: dry run: would write ${displayPath(dir)} and run ${sbatch}; nothing written or submitted\n`);
    return 0;
  }
  checkSharedFolders("sweep --slurm", [{ flag: "--run-dir", dir }, { flag: "checkout", dir: paths.root }], nodeHostNames());
  createRunDir(dir, state, script);
  return finish(dir, state, range(tasks), out);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Run the tasks (if any), then merge every shard into `out`. */
async function finish(dir: string, state: RunState, tasks: number[], out: string): Promise<number> {
  const shown = isStdout(out) ? "stdout" : displayPath(out);
  if (tasks.length > 0) {
    await runArray(dir, state, tasks, {
      what: "sweep --slurm",
      describeTask: (t) => `shard ${t + 1}/${state.tasks}`,
      resumeHint: `modburst sweep --resume ${displayPath(dir)}`,
      outShown: shown,
    });
  }
  const files = range(state.tasks).map((t) => taskOutputFile(dir, state, t));
  const { rows } = mergeSweepFiles(files, out);
  process.stderr.write(`sweep --slurm: merged ${files.length} shards, ${rows} rows -> ${shown}\n`);
  if (!isStdout(out)) process.stdout.write(out + "\n");
  return 0;
}

/** --resume RUN_DIR: the tasks not done, as one new array, then the merge. */
export async function resumeSweep(values: Values, rejectRepeats: () => void): Promise<number> {
  for (const k of Object.keys(values)) {
    if (!["resume", "out", "slurm-args", "slurm"].includes(k) && values[k] !== undefined) throw invalid(`--${k}`, values[k], "none with --resume: the run folder holds the sweep (only --out and --slurm-args)");
  }
  rejectRepeats();
  const dir = path.resolve(values.resume as string);
  const state = loadRunState(dir);
  if (state.kind !== "sweep") throw new UserError(`invalid --resume: ${displayPath(dir)} is a ${state.kind} run (allowed: a sweep run folder; resume it with modburst ${state.kind} --resume)`);
  requireSlurmClients("sweep --resume");
  const out = values.out !== undefined ? (isStdout(values.out as string) ? "-" : path.resolve(values.out as string)) : state.out;
  checkOutputs("sweep", [{ flag: "--out", path: out }]);
  refuseActiveTasks(dir, state);
  if (values["slurm-args"] !== undefined) state.slurmArgs = parseSlurmArgs(values["slurm-args"] as string);
  checkSharedFolders("sweep --resume", [{ flag: "--resume", dir }, { flag: "checkout", dir: state.checkout }], nodeHostNames());
  const tasks = unfinishedTasks(dir, state);
  process.stderr.write(`sweep --resume: ${state.tasks - tasks.length} of ${state.tasks} tasks done; ${tasks.length === 0 ? "merging" : `resubmitting ${arrayRanges(tasks)}`}\n`);
  return finish(dir, state, tasks, out);
}
