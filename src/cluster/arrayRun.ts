/**
 * Submit, watch and account for one job array of a run folder: `sbatch
 * --parsable --array=LIST job.sh`, a progress line whenever the counts of
 * pending, running, done and failed tasks change, and at the end either every
 * submitted task done or a one-line error naming each task that is not (its
 * state and log). SIGINT, SIGTERM and SIGHUP (Ctrl-C, a closed terminal, the
 * lifeline) scancel the array and say so. Merging the tasks' outputs is the
 * caller's: this module never writes the run's result.
 */
import { displayPath } from "../core/paths";
import { UserError } from "../core/errors";
import { notVisibleExit } from "./jobScript";
import { clearTasks, lastJobOf, logFile, RunState, saveRunState, scriptFile, taskOutcome } from "./runDir";
import { activeStates, arrayTaskEnds, arrayTaskStates, cancel, submit, TaskStates } from "./slurm";

export interface ArrayRunOptions {
  /** Prefix of every line: `sweep --slurm`. */
  what: string;
  /** Task I for people: `shard 2/4`. */
  describeTask: (task: number) => string;
  /** The resume command, for the failure lines. */
  resumeHint: string;
  /** Where the result would have gone, for the failure lines. */
  outShown: string;
  /** How often squeue is asked (default 1 s; Slurm schedules in ~2 s steps anyway). */
  pollMs?: number;
  log?: (line: string) => void;
}

/** squeue failing this many polls in a row ends the watch. */
const maxSqueueFailures = 30;

/** `0-3`, `1,4-6`: Slurm's --array syntax for ascending indices. */
export function arrayRanges(tasks: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < tasks.length; ) {
    let j = i;
    while (j + 1 < tasks.length && tasks[j + 1] === tasks[j] + 1) j++;
    parts.push(i === j ? String(tasks[i]) : `${tasks[i]}-${tasks[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** Exit codes of a run stopped by a signal: 128 + its number, as a shell reports it. */
const signalExit = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof signalExit;

interface Counts {
  pending: number;
  running: number;
  done: number;
  failed: number;
}

/** Where a task is now: Slurm's state while it may still run, else the run folder's account. */
function taskPhase(dir: string, state: RunState, task: number, states: TaskStates): keyof Counts {
  const s = states.get(task);
  if (s !== undefined && activeStates.has(s)) return s === "PENDING" ? "pending" : "running";
  return taskOutcome(dir, state, task).kind === "done" ? "done" : "failed";
}

/**
 * Submit `tasks` of the run in `dir` as one array and wait for them. Resolves
 * when all are done; throws a UserError (exit 1) naming the tasks that are not,
 * or (exit 130/143/129) after cancelling the array on a signal.
 */
/** --resume's first check: no task of the run is still pending or running (one line naming the job otherwise). */
export function refuseActiveTasks(dir: string, state: RunState): void {
  for (const s of state.submissions) {
    const active = [...arrayTaskStates(s.jobId).values()].filter((st) => activeStates.has(st)).length;
    if (active > 0) throw new UserError(`invalid --resume: ${displayPath(dir)}: job ${s.jobId} still has ${active} task${active === 1 ? "" : "s"} pending or running (allowed: wait for them, or scancel ${s.jobId})`);
  }
}

export async function runArray(dir: string, state: RunState, tasks: number[], o: ArrayRunOptions): Promise<void> {
  const log = o.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const pollMs = o.pollMs ?? 1000;
  let stopped: StopSignal | null = null;
  let wake: (() => void) | null = null;
  const handlers = (Object.keys(signalExit) as StopSignal[]).map((sig) => {
    const h = () => {
      stopped = sig;
      wake?.();
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    clearTasks(dir, state, tasks);
    const jobId = submit(scriptFile(dir), [`--array=${arrayRanges(tasks)}`, ...state.slurmArgs]);
    state.submissions.push({ jobId, tasks });
    saveRunState(dir, state);
    const r = state.resources;
    log(`${o.what}: submitted job ${jobId}: ${tasks.length} task${tasks.length === 1 ? "" : "s"} (array ${arrayRanges(tasks)}), each --time=${r.timeMinutes} min --mem=${r.memMb}M --cpus-per-task=${r.cpusPerTask}; run folder ${displayPath(dir)}`);
    let last = "";
    let states: TaskStates = new Map();
    let squeueFailures = 0;
    for (;;) {
      if (stopped !== null) break;
      try {
        states = arrayTaskStates(jobId);
        squeueFailures = 0;
      } catch (err) {
        // A controller restarting or busy: keep watching a while before giving up (the tasks run on regardless).
        if (++squeueFailures >= maxSqueueFailures) {
          throw new UserError(`${(err as Error).message} (${maxSqueueFailures} times in a row; job ${jobId} runs on: ${o.resumeHint} merges it once done)`, 1);
        }
      }
      const counts: Counts = { pending: 0, running: 0, done: 0, failed: 0 };
      for (const t of tasks) counts[taskPhase(dir, state, t, states)]++;
      const line = `${o.what}: job ${jobId}: ${counts.pending} pending, ${counts.running} running, ${counts.done} done, ${counts.failed} failed`;
      if (line !== last) log(line);
      last = line;
      if (counts.pending + counts.running === 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
    if (stopped !== null) {
      const sig: StopSignal = stopped;
      // Best effort: the array may have ended meanwhile.
      let how = `scancel ${jobId}`;
      try {
        cancel(jobId);
      } catch (err) {
        how = `scancel ${jobId} failed: ${(err as Error).message}`;
      }
      throw new UserError(`${o.what}: interrupted by ${sig}: cancelled job ${jobId} (${how}); nothing written to ${o.outShown} (${o.resumeHint} runs the unfinished tasks)`, signalExit[sig]);
    }
    const bad = tasks.filter((t) => taskOutcome(dir, state, t).kind !== "done");
    if (bad.length > 0) {
      const ends = arrayTaskEnds(jobId);
      const named = bad.map((t) => {
        const outcome = taskOutcome(dir, state, t);
        const end = ends.get(t);
        const how =
          outcome.kind === "failed"
            ? `exited ${outcome.exitCode}`
            : end === undefined
              ? "CANCELLED (gone from the queue without an exit status)"
              : `${end.state}${end.exitCode > 0 ? ` with exit code ${end.exitCode}${end.exitCode === notVisibleExit ? " (run folder not visible on the node)" : ""}` : ""}`;
        return `task ${t} (${o.describeTask(t)}) ${how}, log ${displayPath(logFile(dir, t, lastJobOf(state, t) ?? jobId))}`;
      });
      throw new UserError(`${o.what}: ${bad.length} of ${state.tasks} tasks did not finish: ${named.join("; ")}; nothing written to ${o.outShown} (${o.resumeHint} reruns them)`, 1);
    }
  } finally {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  }
}
