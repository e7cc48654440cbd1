/**
 * The test cluster itself: it runs a job array, and stopping it leaves no
 * process (by the PIDs it started, or anything using its folder) and no file.
 */
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { processesUsing, startCluster } from "./cluster";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("test cluster: runs a 2-task array, then stops leaving no process and no file", async () => {
  const c = await startCluster();
  let stopped = false;
  try {
    assert.equal(c.pids.length, 3, "munged, slurmctld, slurmd");
    assert.equal((fs.statSync(c.dir).mode & 0o777).toString(8), "755");
    const job = spawnSync("sbatch", ["--parsable", "--wait", "--array=0-1", "-o", path.join(c.dir, "out-%a.txt"), "--wrap", "echo task $SLURM_ARRAY_TASK_ID"], { env: c.env, encoding: "utf8", timeout: 60_000 });
    assert.equal(job.status, 0, job.stderr);
    assert.equal(fs.readFileSync(path.join(c.dir, "out-1.txt"), "utf8"), "task 1\n");
    await c.stop();
    stopped = true;
    assert.deepEqual(c.pids.filter(alive), [], "every daemon started is gone");
    assert.deepEqual(processesUsing(c.dir), [], "no process uses the cluster's folder");
    assert.ok(!fs.existsSync(c.dir), "the folder is removed");
    // As CI checks after the suite: no Slurm or munge process at all (this suite runs one file at a time).
    for (const name of ["slurmctld", "slurmd", "slurmstepd", "munged"]) {
      const left = spawnSync("pgrep", ["-a", "-x", name], { encoding: "utf8" }).stdout.trim();
      assert.equal(left, "", `${name} left: ${left}`);
    }
  } finally {
    if (!stopped) await c.stop();
  }
});
