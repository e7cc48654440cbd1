/**
 * Slurm's client commands (sbatch, squeue, scontrol, scancel, sinfo), each
 * called once per question and its failure turned into one line naming the
 * command and its own first error line. Nothing here decides what to run.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { UserError } from "../core/errors";

/** The path of `cmd` on PATH, or null. */
export function onPath(cmd: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const file = path.join(dir, cmd);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** Refuse, before anything is written or submitted, a machine without Slurm's client commands. */
export function requireSlurmClients(what: string): void {
  for (const cmd of ["sbatch", "squeue", "scancel", "sinfo"]) {
    if (onPath(cmd) === null) throw new UserError(`${what}: no ${cmd} on PATH (allowed: a machine with Slurm's client commands; \`npm run setup -- --slurm\` installs Slurm here)`);
  }
}

/** Run a Slurm command; its stdout, or a one-line UserError (exit 1) with its first error line. */
export function slurm(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", input: opts.input, timeout: opts.timeoutMs ?? 60_000 });
  if (r.error) throw new UserError(`${cmd} failed: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`, 1);
  if (r.status !== 0) {
    const first = (r.stderr || r.stdout || "").trim().split("\n")[0] || `exit ${r.status ?? r.signal}`;
    throw new UserError(`${cmd} failed: ${first.replace(/^s\w+: error: /, "")}`, 1);
  }
  return r.stdout;
}

/** `sbatch --parsable ARGS SCRIPT`: the job id (the part before any `;cluster`). */
export function submit(script: string, args: string[]): string {
  const out = slurm("sbatch", ["--parsable", ...args, script]).trim();
  const id = out.split(";")[0];
  if (!/^\d+$/.test(id)) throw new UserError(`sbatch failed: printed ${JSON.stringify(out)} instead of a job id`, 1);
  return id;
}

/** An array task's state as Slurm names it (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...). */
export type TaskStates = Map<number, string>;

/**
 * Each task of array job `jobId` that Slurm still knows, with its state. A job
 * Slurm has forgotten (finished longer ago than its MinJobAge) gives an empty
 * map: the run folder then says how each task ended.
 */
export function arrayTaskStates(jobId: string): TaskStates {
  const r = spawnSync("squeue", ["-h", "-r", "-j", jobId, "--states=all", "-o", "%K %T"], { encoding: "utf8", timeout: 60_000 });
  const states: TaskStates = new Map();
  if (r.status !== 0) {
    if (/Invalid job id/i.test(r.stderr ?? "")) return states;
    throw new UserError(`squeue failed: ${(r.stderr || "").trim().split("\n")[0] || `exit ${r.status ?? r.signal}`}`, 1);
  }
  for (const line of r.stdout.split("\n")) {
    const m = /^\s*(\d+)\s+(\S+)/.exec(line);
    if (m) states.set(Number(m[1]), m[2]);
  }
  return states;
}

/** States in which a task may still run and write its shard. */
export const activeStates = new Set(["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED"]);

/** A task's end as Slurm's controller still remembers it (scontrol): state and exit code. */
export interface TaskEnd {
  state: string;
  exitCode: number;
}

/**
 * The ends of the array's tasks that Slurm still lists (scontrol -o show job).
 * A task cancelled while pending is split off and dropped at once: it is not
 * listed, so its absence (with no exit status in the run folder) means cancelled or purged.
 */
export function arrayTaskEnds(jobId: string): Map<number, TaskEnd> {
  const r = spawnSync("scontrol", ["-o", "show", "job", jobId], { encoding: "utf8", timeout: 60_000 });
  const ends = new Map<number, TaskEnd>();
  if (r.status !== 0) return ends;
  for (const line of r.stdout.split("\n")) {
    const task = /\bArrayTaskId=(\d+)\b/.exec(line);
    const state = /\bJobState=(\S+)/.exec(line);
    const exit = /\bExitCode=(\d+):(\d+)/.exec(line);
    if (task && state) ends.set(Number(task[1]), { state: state[1], exitCode: exit ? Number(exit[1]) : -1 });
  }
  return ends;
}

/** Cancel a whole job array (all its tasks) or one task (`JOB_TASK`). */
export function cancel(jobOrTask: string): void {
  slurm("scancel", [jobOrTask]);
}

/** The host names of the cluster's nodes (sinfo's %n), for the shared-folder check. */
export function nodeHostNames(): string[] {
  return [...new Set(slurm("sinfo", ["-h", "-N", "-o", "%n"]).split("\n").map((l) => l.trim()).filter((l) => l !== ""))];
}
