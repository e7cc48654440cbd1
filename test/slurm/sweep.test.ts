/**
 * sweep --slurm against a real single-node Slurm (cluster.ts): the merged file
 * equals the local sweep byte for byte; a cancelled task is named and --resume
 * reruns only it; a failing task is one line naming it and its log; Ctrl-C
 * cancels the array. Tasks are submitted held (--slurm-args --hold) where the
 * test must act between submission and start, then released.
 */
import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { after, before, test } from "node:test";
import { root, runNode, tmpDir } from "../helpers";
import { Cluster, startCluster } from "./cluster";

const grid = ["--policy", "base,merge", "--cpus", "8,16,32", "--init-latency-ms", "0,50", "--boots", "2", "--seed", "7"];

let cluster: Cluster;
let local: string;
let localDir: string;

before(async () => {
  cluster = await startCluster();
  localDir = fs.mkdtempSync(path.join(root, ".test-slurm-"));
  const out = path.join(localDir, "local.csv");
  const r = runNode("bin/modburst.js", ["sweep", ...grid, "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  local = fs.readFileSync(out, "utf8");
});

after(async () => {
  await cluster?.stop();
  if (localDir) fs.rmSync(localDir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

/** `modburst sweep GRID ARGS` with the cluster's SLURM_CONF, running while the test acts. */
function sweepAsync(args: string[]): Run {
  const child = spawn(process.execPath, [path.join(root, "bin", "modburst.js"), "sweep", ...args], { cwd: root, env: cluster.env });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
  return { child, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The job id of the run's `n`-th submission, once run.json records it. */
async function submitted(dir: string, n = 0): Promise<string> {
  for (let i = 0; i < 600; i++) {
    try {
      const s = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8"));
      if (s.submissions.length > n) return s.submissions[n].jobId;
    } catch {
      // Not written yet.
    }
    await sleep(100);
  }
  throw new Error(`no submission ${n} in ${dir}/run.json`);
}

const slurmCmd = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { env: cluster.env, encoding: "utf8" });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

/** The error line: the last of stderr, the only one starting `modburst:`, no stack trace. */
function errorLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.filter((l) => l.startsWith("modburst:")).length, 1, stderr);
  assert.ok(!/^\s+at /m.test(stderr), stderr);
  return lines[lines.length - 1];
}

test("sweep --slurm: 4 array tasks merge into a CSV byte-identical to the local sweep", { timeout: 180_000 }, async (t) => {
  const dir = path.join(tmpDir(t), "run");
  const out = path.join(tmpDir(t), "slurm.csv");
  const r = await sweepAsync([...grid, "--slurm", "--slurm-tasks", "4", "--run-dir", dir, "--out", out]).done;
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.readFileSync(out, "utf8"), local);
  assert.equal(r.stdout, out + "\n", "prints the merged CSV's path");
  assert.match(r.stderr, /submitted job \d+: 4 tasks \(array 0-3\)/);
  assert.match(r.stderr, /: 0 pending, 0 running, 4 done, 0 failed\n/);
  const progress = r.stderr.split("\n").filter((l) => / pending, /.test(l));
  assert.equal(new Set(progress).size, progress.length, "a progress line only when the counts change");
  const state = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8"));
  assert.deepEqual(state.submissions.map((s: { tasks: number[] }) => s.tasks), [[0, 1, 2, 3]]);
  for (let i = 0; i < 4; i++) assert.match(fs.readFileSync(path.join(dir, "shard-" + i + ".csv"), "utf8"), new RegExp(`# shard: ${i + 1}/4`));
  assert.match(fs.readFileSync(path.join(dir, "job.sh"), "utf8"), /MODBURST_DETACHED=1 \S+ \S+\/bin\/modburst\.js sweep /);
});

test("sweep --slurm: a task cancelled with scancel is named; --resume reruns only it, and the merge is byte-identical", { timeout: 180_000 }, async (t) => {
  const dir = path.join(tmpDir(t), "run");
  const out = path.join(tmpDir(t), "slurm.csv");
  const run = sweepAsync([...grid, "--slurm", "--slurm-tasks", "4", "--slurm-args", "--hold", "--run-dir", dir, "--out", out]);
  const job = await submitted(dir);
  slurmCmd("scancel", [`${job}_1`]);
  slurmCmd("scontrol", ["release", job]);
  const r = await run.done;
  assert.equal(r.status, 1, r.stderr);
  const line = errorLine(r.stderr);
  assert.match(line, new RegExp(`^modburst: sweep --slurm: 1 of 4 tasks did not finish: task 1 \\(shard 2/4\\) CANCELLED \\(gone from the queue without an exit status\\), log \\S+/logs/task-1\\.job-${job}\\.log; nothing written to \\S+slurm\\.csv \\(modburst sweep --resume \\S+ reruns them\\)$`));
  assert.ok(!fs.existsSync(out), "nothing written to --out");
  assert.ok(!fs.existsSync(path.join(dir, "shard-1.csv")));

  // The resumed array must not be held: --slurm-args replaces the run's.
  const resumed = await sweepAsync(["--resume", dir, "--slurm-args", "--partition=debug"]).done;
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /sweep --resume: 3 of 4 tasks done; resubmitting 1\n/);
  assert.equal(fs.readFileSync(out, "utf8"), local);
  const state = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8"));
  assert.deepEqual(state.submissions.map((s: { tasks: number[] }) => s.tasks), [[0, 1, 2, 3], [1]]);
  assert.deepEqual(state.slurmArgs, ["--partition=debug"]);
  const second = state.submissions[1].jobId;
  const logs = fs.readdirSync(path.join(dir, "logs")).filter((f) => f.includes(`.job-${second}.`));
  assert.deepEqual(logs, [`task-1.job-${second}.log`], "the resumed job ran task 1 alone");
  assert.match(fs.readFileSync(path.join(dir, "logs", logs[0]), "utf8"), /wrote \d+ rows to \S+shard-1\.csv/);
});

test("sweep --slurm: a task that fails is one line naming it and its log; nothing written", { timeout: 180_000 }, async (t) => {
  const dir = path.join(tmpDir(t), "run");
  const out = path.join(tmpDir(t), "slurm.csv");
  const run = sweepAsync([...grid, "--slurm", "--slurm-tasks", "4", "--slurm-args", "--hold", "--run-dir", dir, "--out", out]);
  const job = await submitted(dir);
  // A folder where task 2's shard goes: its sweep cannot write it (exit 1), on the node.
  fs.mkdirSync(path.join(dir, "shard-2.csv"));
  slurmCmd("scontrol", ["release", job]);
  const r = await run.done;
  assert.equal(r.status, 1, r.stderr);
  const log = path.join(dir, "logs", `task-2.job-${job}.log`);
  assert.equal(errorLine(r.stderr), `modburst: sweep --slurm: 1 of 4 tasks did not finish: task 2 (shard 3/4) exited 1, log ${log}; nothing written to ${out} (modburst sweep --resume ${dir} reruns them)`);
  assert.match(fs.readFileSync(log, "utf8"), /^modburst: cannot write \S+shard-2\.csv: EISDIR/m);
  assert.ok(!fs.existsSync(out));
});

test("sweep --slurm: a run folder the node does not see as written fails the task at once, saying so", { timeout: 180_000 }, async (t) => {
  const dir = path.join(tmpDir(t), "run");
  const out = path.join(tmpDir(t), "slurm.csv");
  const run = sweepAsync([...grid, "--slurm", "--slurm-tasks", "2", "--slurm-args", "--hold", "--run-dir", dir, "--out", out]);
  const job = await submitted(dir);
  // Another folder at the same path, as a node without the shared filesystem would see it.
  fs.writeFileSync(path.join(dir, "token"), "another folder\n");
  slurmCmd("scontrol", ["release", job]);
  const r = await run.done;
  assert.equal(r.status, 1, r.stderr);
  assert.match(errorLine(r.stderr), /: 2 of 2 tasks did not finish: task 0 \(shard 1\/2\) FAILED with exit code 97 \(run folder not visible on the node\), log \S+; task 1 \(shard 2\/2\) FAILED with exit code 97 /);
  assert.match(fs.readFileSync(path.join(dir, "logs", `task-0.job-${job}.log`), "utf8"), /^modburst: run folder \S+ is not visible on \S+ as the submitter wrote it \(allowed: a checkout and --run-dir on a filesystem shared with the compute nodes\)$/m);
  assert.ok(!fs.existsSync(path.join(dir, "shard-0.csv")), "no work done");
});

test("sweep --slurm: Ctrl-C cancels the array it submitted and says so", { timeout: 180_000 }, async (t) => {
  const dir = path.join(tmpDir(t), "run");
  const out = path.join(tmpDir(t), "slurm.csv");
  const run = sweepAsync([...grid, "--slurm", "--slurm-tasks", "4", "--slurm-args", "--hold", "--run-dir", dir, "--out", out]);
  const job = await submitted(dir);
  run.child.kill("SIGINT");
  const r = await run.done;
  assert.equal(r.status, 130, r.stderr);
  assert.match(errorLine(r.stderr), new RegExp(`^modburst: sweep --slurm: interrupted by SIGINT: cancelled job ${job} \\(scancel ${job}\\); nothing written to \\S+ \\(modburst sweep --resume \\S+ runs the unfinished tasks\\)$`));
  const states = slurmCmd("squeue", ["-h", "-r", "-j", job, "--states=all", "-o", "%T"]).trim().split("\n");
  assert.deepEqual([...new Set(states)], ["CANCELLED"], "every task cancelled");
  assert.ok(!fs.existsSync(out));
});

test("sweep --slurm: sbatch refusing the job (an unknown partition) is its one line; --resume submits again", { timeout: 180_000 }, async (t) => {
  const dir = path.join(tmpDir(t), "run");
  const out = path.join(tmpDir(t), "slurm.csv");
  const r = await sweepAsync([...grid, "--slurm", "--slurm-tasks", "2", "--slurm-args", "--partition=nope", "--run-dir", dir, "--out", out]).done;
  assert.equal(r.status, 1, r.stderr);
  assert.equal(errorLine(r.stderr), "modburst: sbatch failed: invalid partition specified: nope");
  assert.ok(!fs.existsSync(out));
  const resumed = await sweepAsync(["--resume", dir, "--slurm-args", "--partition=debug", "--out", out]).done;
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /sweep --resume: 0 of 2 tasks done; resubmitting 0-1\n/);
  assert.equal(fs.readFileSync(out, "utf8"), local);
});

test("sweep --slurm: no sbatch on PATH is one line before anything is written", { timeout: 180_000 }, (t) => {
  const dir = path.join(tmpDir(t), "run");
  const r = spawnSync(process.execPath, [path.join(root, "bin", "modburst.js"), "sweep", ...grid, "--slurm", "--run-dir", dir, "--out", path.join(dir, "x.csv")], {
    env: { ...cluster.env, PATH: tmpDir(t) },
    encoding: "utf8",
  });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, "modburst: sweep --slurm: no sbatch on PATH (allowed: a machine with Slurm's client commands; `npm run setup -- --slurm` installs Slurm here)\n");
  assert.ok(!fs.existsSync(dir));
});
