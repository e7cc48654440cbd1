import assert from "node:assert/strict";
import { test } from "node:test";
import { simulateBoot } from "../src/1-model/boot";
import { defaultParams } from "../src/1-model/params";
import { seedScenario } from "../src/1-model/scenarios";
import { bootJobs, runBoots } from "../src/3-experiments/parallel/pool";

test("boots across worker threads: identical results in job order whatever the thread count", async () => {
  const jobs = bootJobs(["base", "merge", "idempotent"], seedScenario(48), defaultParams(), 7, 6);
  const progress: number[] = [];
  const one = await runBoots(jobs, { threads: 1 });
  const two = await runBoots(jobs, { threads: 2, batchSize: 1, onProgress: (d) => progress.push(d) });
  assert.equal(JSON.stringify(two), JSON.stringify(one));
  assert.deepEqual(progress, Array.from({ length: jobs.length }, (_, i) => i + 1));
  // And each equals the boot run on its own.
  const direct = simulateBoot({ ...jobs[7], log: false });
  delete direct.requests;
  assert.deepEqual(two[7], direct);
});
