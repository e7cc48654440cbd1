/**
 * The Slurm run's pieces that need no cluster (src/cluster/, sweep --slurm's
 * checks and --dry-run). Runs through a real Slurm are in test/slurm/ (npm run test:slurm).
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { test } from "node:test";
import { arrayRanges } from "../src/cluster/arrayRun";
import { shellQuote } from "../src/cluster/jobScript";
import { checkSharedFolders, clusterIsThisHost, nodeLocalReason } from "../src/cluster/sharedFolder";
import { UserError } from "../src/core/errors";
import { createRunDir, loadRunState, RunState } from "../src/cluster/runDir";
import { runNode, tmpDir } from "./helpers";

const grid = ["--policy", "base,merge", "--cpus", "8,16", "--boots", "2", "--seed", "5"];
const sweep = (...args: string[]) => runNode("bin/modburst.js", ["sweep", ...grid, ...args]);

test("arrayRanges: Slurm's --array list of ascending task indices", () => {
  assert.equal(arrayRanges([0, 1, 2, 3]), "0-3");
  assert.equal(arrayRanges([1]), "1");
  assert.equal(arrayRanges([1, 4, 5, 6, 9]), "1,4-6,9");
});

test("shellQuote: one shell word whatever the text", () => {
  assert.equal(shellQuote("/a/b-c.csv"), "/a/b-c.csv");
  assert.equal(shellQuote("it's a dir"), `'it'\\''s a dir'`);
});

test("shared folders: a node-local run folder is refused when the cluster has other nodes, allowed on a one-host cluster", () => {
  assert.equal(nodeLocalReason("/tmp/run"), "under /tmp");
  assert.equal(nodeLocalReason("/dev/shm/run"), "under /dev/shm");
  assert.ok(clusterIsThisHost([os.hostname()]));
  assert.ok(!clusterIsThisHost([os.hostname(), "node-b"]));
  checkSharedFolders("sweep --slurm", [{ flag: "--run-dir", dir: "/tmp/run" }], [os.hostname()]);
  assert.throws(
    () => checkSharedFolders("sweep --slurm", [{ flag: "--run-dir", dir: "/tmp/run" }], ["node-a", "node-b"]),
    (e: unknown) => e instanceof UserError && e.message === "sweep --slurm: invalid --run-dir: /tmp/run is under /tmp, which the cluster's other nodes (node-a, node-b) cannot see (allowed: a folder on a filesystem shared with the compute nodes)",
  );
});

test("sweep --slurm --dry-run: prints the job script, writes and submits nothing (no Slurm needed)", (t) => {
  const dir = tmpDir(t);
  const run = path.join(dir, "run");
  const out = path.join(dir, "x.csv");
  const r = sweep("--slurm", "--slurm-tasks", "4", "--dry-run", "--run-dir", run, "--out", out, "--slurm-args", "--partition=p --account=a");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^#!\/bin\/bash\n/);
  assert.match(r.stdout, /^#SBATCH --time=\d+$/m);
  assert.match(r.stdout, /^#SBATCH --mem=\d+M$/m);
  assert.match(r.stdout, /^MODBURST_DETACHED=1 \S+ \S+\/bin\/modburst\.js sweep --policy base,merge --cpus 8,16 --boots 2 --seed 5 --threads 1 --shard "\$\(\(i \+ 1\)\)"\/4 --out \S+\/run\/shard-"\$i"\.csv$/m);
  assert.match(r.stderr, /would write \S+ and run sbatch --parsable --array=0-3 --partition=p --account=a \S+\/job\.sh; nothing written or submitted\n$/);
  assert.ok(!fs.existsSync(run) && !fs.existsSync(out));
});

test("sweep: Slurm options are one-line errors where they do not apply", (t) => {
  const out = path.join(tmpDir(t), "x.csv");
  const cases: Array<[string[], RegExp]> = [
    [["--run-dir", "d", "--out", out], /^modburst: invalid --run-dir: d \(allowed only with --slurm\)$/],
    [["--slurm", "--shard", "1/2", "--dry-run", "--out", out], /^modburst: invalid shard: 1\/2 \(allowed none with --slurm: the run shards the grid itself/],
    [["--slurm", "--dry-run", "--slurm-args", "--array=0-9", "--out", out], /^modburst: invalid slurm-args: --array=0-9 \(allowed sbatch options other than --array/],
    [["--resume", "d", "--out", out], /^modburst: invalid --policy: base,merge \(allowed none with --resume/],
  ];
  for (const [args, pattern] of cases) {
    const r = sweep(...args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr.trim(), pattern);
    assert.equal(r.stderr.trim().split("\n").length, 1);
  }
  assert.ok(!fs.existsSync(out));
});

test("a run folder's run.json goes through the schema layer: a bad or missing field is one line naming it", (t) => {
  const dir = path.join(tmpDir(t), "run");
  const state: RunState = {
    format: "modburst-slurm-run/1",
    kind: "sweep",
    tasks: 2,
    taskArgs: ["sweep", "--shard", "{shard}/2"],
    taskOutput: "shard-{task}.csv",
    out: path.join(dir, "out.csv"),
    resources: { timeMinutes: 5, memMb: 256, cpusPerTask: 1 },
    slurmArgs: [],
    node: process.execPath,
    checkout: path.resolve(__dirname, ".."),
    token: "t0k3n",
    submissions: [{ jobId: "17", tasks: [0, 1] }],
  };
  createRunDir(dir, state, "#!/bin/sh\n");
  assert.deepEqual(loadRunState(dir), state, "what is written reads back");
  const file = path.join(dir, "run.json");
  const edited = (edit: (j: Record<string, unknown>) => void) => {
    const j = JSON.parse(JSON.stringify(state));
    edit(j);
    fs.writeFileSync(file, JSON.stringify(j));
  };
  const refused = (re: RegExp) => assert.throws(() => loadRunState(dir), (e: Error) => e instanceof UserError && re.test(e.message) && !e.message.includes("\n"));
  edited((j) => (j.tasks = 0));
  refused(/^invalid .*run\.json: tasks: 0 \(allowed an integer >= 1\)$|^invalid .*run\.json: tasks: 0 \(allowed .*1.*\)$/);
  edited((j) => delete j.token);
  refused(/^invalid .*run\.json: token: missing \(allowed .*\)$/);
  edited((j) => (j.kind = "bake"));
  refused(/^invalid .*run\.json: kind: "bake" \(allowed sweep\|calibrate\)$/);
  fs.writeFileSync(file, "{ cut off");
  refused(/^invalid run file: .*run\.json: not JSON/);
  fs.rmSync(file);
  refused(/^invalid --resume: .*: no run\.json \(allowed a run folder written by --slurm\)$|no run\.json/);
});
