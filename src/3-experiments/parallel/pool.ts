/**
 * Many independent boots across worker threads. Every boot is fixed by its own
 * (seed, boot) and run whole by one thread, so the results, returned in job
 * order, are identical whatever the number of threads.
 */
import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import { BootResult, simulateBoot } from "../../1-model/boot";
import type { Params } from "../../1-model/params";
import type { Scenario } from "../../1-model/scenario";
import { projectRoot } from "../../core/paths";
import { UserError } from "../../core/errors";
import type { WorkerError } from "./worker";

export interface BootJob {
  policy: string;
  scenario: Scenario;
  params: Params;
  seed: number;
  boot: number;
  /** Keep each module's log times (ModuleSummary.logSeconds). */
  logTimes?: boolean;
}

export interface PoolOptions {
  /** Default: every core (os.availableParallelism()). 1 runs in this thread. */
  threads?: number;
  /** Jobs sent to a worker at a time. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export function defaultThreads(): number {
  return Math.max(1, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length);
}

/** The compiled worker (threads run JavaScript; tests running TypeScript still use the build). */
const workerFile = path.join(projectRoot, "dist", "3-experiments", "parallel", "worker.js");

/**
 * Below this many jobs per thread, starting workers (each loads the model, ~0.1 s)
 * costs more than it saves: small runs, such as a calibration's candidates on a
 * small machine, stay in this thread. Results do not depend on the thread count.
 */
export const minJobsPerWorker = 8;

/** The threads a run of `count` jobs uses when `requested` are allowed (1: this thread). */
export function poolThreads(count: number, requested: number): number {
  return Math.min(requested, Math.max(1, Math.floor(count / minJobsPerWorker)));
}

/** All results, in job order: for runs whose results are small enough to keep (records, simulate). */
export async function runBoots(jobs: BootJob[], o: PoolOptions = {}): Promise<BootResult[]> {
  const results: BootResult[] = new Array(jobs.length);
  await streamBoots(jobs.length, (i) => jobs[i], (i, r) => (results[i] = r), o);
  return results;
}

export interface StreamOptions extends PoolOptions {
  /**
   * Most jobs sent out but not yet delivered (default 4 batches per thread): a
   * slow job holds back at most this many finished ones, so memory stays bounded.
   */
  window?: number;
  /** Aborting stops the run (workers terminated) and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Run `count` jobs, each made by `jobAt(i)` only when it is sent, and hand every
 * result to `onResult` in job order. An error thrown by onResult or a job stops
 * the run and rejects. Results do not depend on the thread count.
 */
export async function streamBoots(count: number, jobAt: (i: number) => BootJob, onResult: (i: number, r: BootResult) => void, o: StreamOptions = {}): Promise<void> {
  o.signal?.throwIfAborted();
  const threads = poolThreads(count, o.threads ?? defaultThreads());
  if (threads <= 1) return streamInThread(count, jobAt, onResult, o);
  return streamInWorkers(count, jobAt, onResult, o, threads);
}

async function streamInThread(count: number, jobAt: (i: number) => BootJob, onResult: (i: number, r: BootResult) => void, o: StreamOptions): Promise<void> {
  let lastYield = performance.now();
  for (let i = 0; i < count; i++) {
    const r = simulateBoot({ ...jobAt(i), log: false });
    delete r.requests;
    onResult(i, r);
    o.onProgress?.(i + 1, count);
    // Let a notebook's display update, and a signal be handled, between boots.
    if (i % 20 === 19 || performance.now() - lastYield > 100) {
      await new Promise((res) => setImmediate(res));
      lastYield = performance.now();
      o.signal?.throwIfAborted();
    }
  }
}

function streamInWorkers(
  count: number,
  jobAt: (i: number) => BootJob,
  onResult: (i: number, r: BootResult) => void,
  o: StreamOptions,
  threads: number,
): Promise<void> {
  const batchSize = o.batchSize ?? 4;
  const window = Math.max(batchSize, o.window ?? threads * batchSize * 4);
  let next = 0;
  let delivered = 0;
  let done = 0;
  // Finished out of order, waiting for an earlier job: at most `window` of them.
  const waiting = new Map<number, BootResult>();
  // Workers with nothing to do while the window is full.
  const idle: Worker[] = [];
  const workers = acquireWorkers(threads);
  return new Promise<void>((resolve, reject) => {
    let finished = false;
    const feed = (w: Worker) => {
      const limit = Math.min(count, delivered + window);
      if (next >= limit) {
        if (next < count) idle.push(w);
        return;
      }
      const batch = [];
      for (let k = 0; k < batchSize && next < limit; k++, next++) batch.push({ index: next, job: jobAt(next) });
      w.postMessage({ batch });
    };
    const stop = () => {
      finished = true;
      o.signal?.removeEventListener("abort", onAbort);
    };
    const fail = (err: unknown) => {
      if (finished) return;
      stop();
      // Others may still answer batches of this run: never hand them to another run.
      for (const x of workers) void x.terminate();
      reject(err);
    };
    const onAbort = () => fail(o.signal!.reason);
    o.signal?.addEventListener("abort", onAbort, { once: true });
    const deliver = () => {
      for (let r = waiting.get(delivered); r !== undefined; r = waiting.get(delivered)) {
        waiting.delete(delivered);
        onResult(delivered, r);
        delivered++;
      }
    };
    for (const w of workers) {
      w.on("message", (msg: { results?: Array<{ index: number; result: BootResult }>; error?: WorkerError }) => {
        if (finished) return;
        if (msg.error || !msg.results) {
          fail(errorFromWorker(msg.error));
          return;
        }
        for (const { index, result } of msg.results) waiting.set(index, result);
        done += msg.results.length;
        try {
          o.onProgress?.(done, count);
          deliver();
        } catch (err) {
          fail(err);
          return;
        }
        if (delivered === count) {
          stop();
          // Every batch is answered, so no worker holds work of this run: they can serve the next one.
          releaseWorkers(workers);
          resolve();
          return;
        }
        feed(w);
        for (const x of idle.splice(0)) feed(x);
      });
      w.on("error", fail);
      feed(w);
    }
  });
}

/**
 * The error a worker caught, raised again in this thread: a UserError stays one
 * (same message and exit code, so the CLI prints one line, as on one thread);
 * anything else is a bug and keeps the worker's stack.
 */
export function errorFromWorker(e: WorkerError | undefined): Error {
  if (!e) return new Error("worker thread: a message with neither results nor an error");
  if (e.name === "UserError") return new UserError(e.message, e.exitCode ?? 2);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * Workers stay alive between runs (each loads the model and warms up its JIT
 * once, ~0.1-0.3 s), unreferenced while idle so they never keep a process alive.
 */
const idleWorkers: Worker[] = [];

function acquireWorkers(n: number): Worker[] {
  const out = idleWorkers.splice(0, n);
  while (out.length < n) out.push(new Worker(workerFile));
  for (const w of out) w.ref();
  return out;
}

function releaseWorkers(ws: Worker[]): void {
  for (const w of ws) {
    w.removeAllListeners("message");
    w.removeAllListeners("error");
    w.unref();
    idleWorkers.push(w);
  }
}

/** `boots` boots (1..boots) of each policy on one scenario. */
export function bootJobs(policies: string[], scenario: Scenario, params: Params, seed: number, boots: number): BootJob[] {
  return policies.flatMap((policy) => Array.from({ length: boots }, (_, i) => ({ policy, scenario, params, seed, boot: i + 1 })));
}
