/**
 * calibrate --bootstrap N --full --slurm: the refits run one per array task on
 * a real single-node Slurm, and the record equals the local run's.
 */
import assert from "node:assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { after, before, test } from "node:test";
import { root, runNode, tinyCalibrationCopy, tmpDir } from "../helpers";
import { Cluster, startCluster } from "./cluster";

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(async () => {
  await cluster?.stop();
});


function calibrateAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(root, "bin", "modburst.js"), "calibrate", ...args], { cwd: root, env: cluster.env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

test("calibrate --bootstrap 4 --full --slurm: one refit per array task, the same record as the local run", { timeout: 600_000 }, async (t) => {
  const localStudy = tinyCalibrationCopy(t);
  const slurmStudy = tinyCalibrationCopy(t);
  const local = runNode("bin/modburst.js", ["calibrate", "--study", localStudy, "--bootstrap", "4", "--full"], { timeoutMs: 300_000 });
  assert.equal(local.status, 0, local.stderr);
  const runDir = path.join(tmpDir(t), "run");
  const r = await calibrateAsync(["--study", slurmStudy, "--bootstrap", "4", "--full", "--slurm", "--run-dir", runDir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /calibrate --slurm: submitted job \d+: 4 tasks \(array 0-3\)/);
  assert.match(r.stderr, /calibrate --slurm: job \d+: 0 pending, 0 running, 4 done, 0 failed\n/);
  for (let i = 0; i < 4; i++) assert.match(fs.readdirSync(path.join(runDir, "logs")).join(" "), new RegExp(`task-${i}\\.job-\\d+\\.log`));
  const a = fs.readFileSync(path.join(localStudy, "calibration.json"), "utf8");
  const b = fs.readFileSync(path.join(slurmStudy, "calibration.json"), "utf8");
  // Byte for byte, but for the study folder's path, which the description names.
  assert.equal(b.split(slurmStudy).join(localStudy), a);
  assert.equal(JSON.parse(b).bootstrap.refits.length, 4);

  // A refit lost (its output and status gone, as after a node failure): --resume reruns only it, and the record is the same.
  fs.rmSync(path.join(runDir, "refit-2.json"));
  fs.rmSync(path.join(runDir, "status", "task-2"));
  fs.rmSync(path.join(slurmStudy, "calibration.json"));
  const again = await calibrateAsync(["--study", slurmStudy, "--bootstrap", "4", "--full", "--slurm", "--resume", runDir]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /calibrate --resume: 3 of 4 refits done; resubmitting 2\n/);
  const submissions = JSON.parse(fs.readFileSync(path.join(runDir, "run.json"), "utf8")).submissions as Array<{ tasks: number[] }>;
  assert.deepEqual(submissions.map((x) => x.tasks), [[0, 1, 2, 3], [2]]);
  assert.equal(fs.readFileSync(path.join(slurmStudy, "calibration.json"), "utf8").split(slurmStudy).join(localStudy), a);

  // Another seed is another calibration: its fit would not match the run's base.json, so it is refused, naming the run.
  const other = await calibrateAsync(["--study", slurmStudy, "--seed", "9", "--bootstrap", "4", "--full", "--slurm", "--resume", runDir]);
  assert.equal(other.status, 2);
  assert.match(other.stderr, /(^|\n)modburst: invalid --resume: .*run: it ran calibrate --study .* \(allowed: the same study, --seed and --bootstrap as that run\)\n$/);
  assert.doesNotMatch(other.stdout, /\] fit: /, "refused before any fit");
});

test("calibrate --slurm: refused without --study and --bootstrap N --full, before any work", () => {
  const r = runNode("bin/modburst.js", ["calibrate", "--study", "synthetic-edac-96", "--bootstrap", "4", "--slurm"]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "modburst: invalid slurm: true (allowed only with --bootstrap N --full: one full refit per array task)\n");
});
