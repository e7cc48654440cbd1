/** A worker thread: simulates the boots it is sent and returns their summaries. */
import { parentPort } from "worker_threads";
import { simulateBoot } from "../model/boot";
import type { BootJob } from "./pool";

parentPort!.on("message", (msg: { batch: Array<{ index: number; job: BootJob }> }) => {
  const results = msg.batch.map(({ index, job }) => {
    const r = simulateBoot({ ...job, log: false });
    delete r.requests;
    return { index, result: r };
  });
  parentPort!.postMessage({ results });
});
