/** A worker thread: simulates the boots it is sent and returns their summaries. */
import { parentPort } from "worker_threads";
import { simulateBoot } from "../../1-model/boot";
import { UserError } from "../../core/errors";
import type { BootJob } from "./pool";

/** What a worker sends when a boot throws: enough for the pool to raise the same error in the main thread. */
export interface WorkerError {
  name: string;
  message: string;
  exitCode?: number;
  stack?: string;
}

parentPort!.on("message", (msg: { batch: Array<{ index: number; job: BootJob }> }) => {
  try {
    const results = msg.batch.map(({ index, job }) => {
      const r = simulateBoot({ ...job, log: false });
      delete r.requests;
      return { index, result: r };
    });
    parentPort!.postMessage({ results });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const error: WorkerError = { name: e.name, message: e.message, stack: e.stack };
    if (err instanceof UserError) error.exitCode = err.exitCode;
    parentPort!.postMessage({ error });
  }
});
