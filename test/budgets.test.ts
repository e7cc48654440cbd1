/** Bounded resources: time and memory estimated and limited before a run, sweep output streamed, read sizes capped. */
import assert from "node:assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { formatBytes, formatDuration, refusal, suggestedHours } from "../src/cli/budget";
import { loadParams } from "../src/cli/simulate";
import { maxCsvFileBytes } from "../src/core/fsutil";
import { bootSeconds, estimateRun, perBootOverheadSeconds, timeSafetyFactor } from "../src/3-experiments/parallel/estimate";
import { streamBoots, runBoots, bootJobs } from "../src/3-experiments/parallel/pool";
import { defaultParams } from "../src/1-model/params";
import { seedScenario } from "../src/1-model/scenarios";
import { formatSweepCsv } from "../src/3-experiments/sweep/csv";
import { Grid, GridPoint, gridPoint, gridPoints, gridSize, shardJob, shardOf, shardSize, sweepWork } from "../src/3-experiments/sweep/grid";
import { sweepProvenance } from "../src/3-experiments/sweep/provenance";
import { runSweep } from "../src/3-experiments/sweep/runSweep";
import { root, runNode, tmpDir } from "./helpers";

const cli = (...args: string[]) => runNode("bin/modburst.js", args, { timeoutMs: 120_000 });
const hugeSweep = ["sweep", "--policy", "all", "--cpus", "8,16,...,16384", "--boots", "100000"];
const tiny = ["--policy", "base,merge", "--cpus", "8", "--init-latency-ms", "0,50", "--boots", "2"];

/** Exit `status`, exactly one line on stderr matching `pattern`, nothing on stdout. */
function oneLine(r: { status: number | null; stdout: string; stderr: string }, status: number, pattern: RegExp): void {
  assert.equal(r.status, status, r.stderr);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^modburst: [^\n]*\n$/);
  assert.match(r.stderr, pattern);
}

test("a huge sweep is refused before any work: the estimate and --max-hours in one line, nothing written", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "huge.csv");
  const r = cli(...hugeSweep, "--out", out);
  oneLine(r, 2, /^modburst: sweep: 6000000 boots on \d+ threads, params: data\/studies\/pavlu-2022-10-15\/calibration\.json; estimate \d+ h, [\d.]+ [MG]B memory, [\d.]+ GB CSV: over the 1 h limit \(allowed: .*, or --max-hours \d+ to run it\)\n$/);
  assert.deepEqual(fs.readdirSync(dir), [], "no output, no temp file");
});

test("a huge simulate is refused before any work, nothing on stdout", () => {
  const r = cli("simulate", "--cpus", "16384", "--boots", "100000");
  oneLine(r, 2, /^modburst: simulate: 500000 boots on \d+ threads, params: .*; estimate [\d.]+ h, [\d.]+ [MG]B memory: over the 1 h limit \(allowed: fewer boots, CPUs or policies, or --max-hours \d+ to run it\)\n$/);
});

test("--max-hours: a tiny limit refuses a small run, a large one lets it run and prints the estimate", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "s.csv");
  // 1e-7 h is 0.36 ms: below the estimate of any run (each boot alone counts perBootOverheadSeconds).
  oneLine(cli("sweep", ...tiny, "--max-hours", "1e-7", "--out", out), 2, /^modburst: sweep: 8 boots on 1 thread, .*; estimate 1 s, .*: over the 1e-7 h limit \(allowed: .*--max-hours [\d.e-]+ to run it\)\n$/);
  assert.deepEqual(fs.readdirSync(dir), []);
  oneLine(cli("simulate", "--cpus", "8", "--boots", "1", "--max-hours", "1e-7"), 2, /^modburst: simulate: 5 boots on 1 thread, .*: over the 1e-7 h limit/);

  const ok = cli("sweep", ...tiny, "--max-hours", "1000", "--out", out);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /^sweep: 8 boots on 1 thread, params: data\/studies\/pavlu-2022-10-15\/calibration\.json; estimate 1 s, \d+ MB memory, [\d.]+ kB CSV\n/);
  const sim = cli("simulate", "--cpus", "8", "--boots", "1", "--max-hours", "1000", "--json");
  assert.equal(sim.status, 0, sim.stderr);
  assert.equal(sim.stderr, `simulate: 5 boots on 1 thread, params: data/studies/pavlu-2022-10-15/calibration.json; estimate 1 s, ${sim.stderr.match(/(\d+) MB memory/)![1]} MB memory\n`);
  assert.equal(JSON.parse(sim.stdout).length, 5);
});

test("a bad --max-hours is one line naming it, exit 2, nothing written", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "s.csv");
  const allowed = "(allowed a positive number of hours up to 10000, e.g. 0.5 or 24)";
  for (const bad of ["0", "-1", "abc", "", "1h", "NaN", "Infinity", "10001"]) {
    const shown = bad === "" ? '""' : bad;
    for (const r of [cli("sweep", ...tiny, "--max-hours", bad, "--out", out), cli("simulate", "--cpus", "8", "--boots", "1", "--max-hours", bad)]) {
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr, `modburst: invalid max-hours: ${shown} ${allowed}\n`);
    }
  }
  oneLine(cli("sweep", ...tiny, "--max-hours", "2", "--max-hours", "3", "--out", out), 2, /^modburst: invalid --max-hours: given twice \(allowed once\)\n$/);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test("the streamed CSV is byte-identical to the in-memory format, on 1 and 2 threads", async (t) => {
  const dir = tmpDir(t);
  // Cheap and costly points mixed, so results finish out of order across threads.
  const args = ["--policy", "base,merge", "--cpus", "8,256", "--init-latency-ms", "0,50", "--boots", "6", "--seed", "3"];
  const grid: Grid = { policies: ["base", "merge"], cpus: [8, 256], initLatencyMs: [0, 50], initResults: ["fail"], boots: 6, seed: 3 };
  const { params } = loadParams(undefined);
  const expected = formatSweepCsv(await runSweep(grid, params, { threads: 1 }), sweepProvenance(grid, params, null));
  for (const threads of ["1", "2"]) {
    const out = path.join(dir, `t${threads}.csv`);
    const r = cli("sweep", ...args, "--threads", threads, "--out", out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(out, "utf8"), expected, `${threads} threads`);
  }
  assert.deepEqual(fs.readdirSync(dir).sort(), ["t1.csv", "t2.csv"], "no temp file left");
});

test("streamBoots: results in job order, jobs made lazily within the window, same as runBoots", async () => {
  const jobs = bootJobs(["base", "merge"], seedScenario(48), defaultParams(), 7, 12);
  const expected = await runBoots(jobs, { threads: 1 });
  const order: number[] = [];
  let worstAhead = 0;
  const got = new Array(jobs.length);
  await streamBoots(
    jobs.length,
    (i) => {
      worstAhead = Math.max(worstAhead, i - order.length);
      return jobs[i];
    },
    (i, r) => {
      order.push(i);
      got[i] = r;
    },
    { threads: 2, batchSize: 1, window: 3 },
  );
  assert.deepEqual(order, Array.from({ length: jobs.length }, (_, i) => i));
  assert.ok(worstAhead < 3, `a job made ${worstAhead} ahead of the last delivered one (window 3)`);
  assert.equal(JSON.stringify(got), JSON.stringify(expected));
});

/** Start the CLI in the background; resolves on its first progress line, with its exit. */
function startSweep(args: string[]) {
  const child = spawn(process.execPath, [path.join(root, "bin/modburst.js"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  const exited = new Promise<{ status: number | null; stderr: string }>((resolve) => child.on("close", (status) => resolve({ status, stderr })));
  const started = new Promise<void>((resolve) => {
    child.stderr.on("data", (d) => {
      stderr += d;
      if (/^sweep: \d+\/\d+ /m.test(stderr)) resolve();
    });
  });
  return { child, started, exited };
}

// Long enough (about 10 s on two cores) that it is still running when the test acts on its first progress line.
const longSweep = ["sweep", "--policy", "all", "--cpus", "1024", "--boots", "200"];

test("Ctrl-C or SIGTERM mid-sweep: one line, exit 130 or 143, no output and no temp file", async (t) => {
  const dir = tmpDir(t);
  for (const [signal, threads, status] of [["SIGINT", "2", 130], ["SIGTERM", "1", 143]] as const) {
    const out = path.join(dir, "s.csv");
    const run = startSweep([...longSweep, "--threads", threads, "--out", out]);
    await run.started;
    assert.equal(fs.readdirSync(dir).length, 1, "the temp file exists while the sweep runs");
    run.child.kill(signal);
    const r = await run.exited;
    assert.equal(r.status, status, r.stderr);
    assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("modburst:")).join("\n"), `modburst: sweep: nothing written to ${out} (interrupted by ${signal})`);
    assert.deepEqual(fs.readdirSync(dir), [], `${signal}: nothing left behind`);
  }
});

test("a --out that becomes a folder mid-sweep: one line naming it, exit 1, the temp file removed", async (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "s.csv");
  const run = startSweep(["sweep", "--policy", "base,merge", "--cpus", "256", "--boots", "300", "--out", out]);
  await run.started;
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, "keep"), "");
  const r = await run.exited;
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("modburst:")).join("\n"), `modburst: cannot write ${out}: EISDIR (is a directory)`);
  assert.deepEqual(fs.readdirSync(dir), ["s.csv"], "only the folder: the temp file is gone");
});

test("merge-results refuses a file over the CSV size cap, or not a regular file, before reading it", (t) => {
  const dir = tmpDir(t);
  const shard = path.join(dir, "s1.csv");
  assert.equal(cli("sweep", ...tiny, "--shard", "1/2", "--out", shard).status, 0);
  // Sparse: the size is over the cap, no disk is used.
  fs.truncateSync(shard, maxCsvFileBytes + 1);
  const out = path.join(dir, "m.csv");
  oneLine(cli("merge-results", shard, "--out", out), 2, new RegExp(`^modburst: invalid .*s1\\.csv: ${maxCsvFileBytes + 1} bytes \\(allowed: a regular sweep CSV file of at most ${maxCsvFileBytes} bytes\\)\n$`));
  oneLine(cli("merge-results", "/dev/zero", "--out", out), 2, /^modburst: invalid \/dev\/zero: not a regular file \(allowed: a regular sweep CSV file of at most \d+ bytes\)\n$/);
  assert.ok(!fs.existsSync(out));
});

test("grid points from job numbers: the nested order, shards and per-block counts without materialising", () => {
  const g: Grid = { policies: ["base", "merge", "revert"], cpus: [8, 16], initLatencyMs: [0, 5, 9], initResults: ["fail", "success"], boots: 3, seed: 1 };
  const nested: GridPoint[] = [];
  for (const policy of g.policies)
    for (const cpus of g.cpus)
      for (const initLatencyMs of g.initLatencyMs)
        for (const initResult of g.initResults)
          for (let boot = 1; boot <= g.boots; boot++) nested.push({ job: nested.length, policy, cpus, initLatencyMs, initResult, boot });
  assert.deepEqual(gridPoints(g), nested);
  for (const shard of [null, { k: 1, n: 1 }, { k: 3, n: 7 }, { k: 7, n: 7 }, { k: 5, n: 500 }]) {
    const jobs: number[] = shardOf(nested, shard).map((p) => p.job);
    assert.equal(shardSize(gridSize(g), shard), jobs.length, JSON.stringify(shard));
    assert.deepEqual(Array.from({ length: jobs.length }, (_, i) => shardJob(i, shard)), jobs);
    const work = sweepWork(g, shard);
    assert.equal(work.reduce((n, w) => n + w.boots, 0), jobs.length);
    assert.equal(work.find((w) => w.policy === "merge" && w.cpus === 16)!.boots, shardOf(nested, shard).filter((p) => p.policy === "merge" && p.cpus === 16).length);
  }
  // A grid of 10^12 jobs: its size and last point, computed at once.
  const huge: Grid = { ...g, cpus: Array.from({ length: 10_000 }, (_, i) => i + 1), initLatencyMs: Array.from({ length: 1000 }, (_, i) => i), boots: 100_000 / 10 };
  assert.equal(gridSize(huge), 3 * 10_000 * 1000 * 2 * 10_000);
  assert.deepEqual(gridPoint(huge, gridSize(huge) - 1), { job: gridSize(huge) - 1, policy: "revert", cpus: 10_000, initLatencyMs: 999, initResult: "success", boot: 10_000 });
});

test("estimateRun: n log n scaling from the measured CPU count, threads up to the cores, memory and output", () => {
  const costs = { base: { cpus: 256, seconds: 0.01 }, merge: { cpus: 256, seconds: 0.002 } };
  assert.equal(bootSeconds(costs.base, 256), 0.01 + perBootOverheadSeconds);
  assert.ok(Math.abs(bootSeconds(costs.base, 1024) - (0.01 * (1024 * 10) / (256 * 8) + perBootOverheadSeconds)) < 1e-12);
  const work = [{ policy: "base", cpus: 256, boots: 100 }, { policy: "merge", cpus: 1024, boots: 100 }];
  const one = estimateRun({ work, costs, threads: 1, cores: 2, outputBytesPerBoot: 200, outputHeadBytes: 500 });
  const cpuSeconds = 100 * bootSeconds(costs.base, 256) + 100 * bootSeconds(costs.merge, 1024);
  assert.ok(Math.abs(one.seconds - timeSafetyFactor * cpuSeconds) < 1e-9);
  assert.equal(one.boots, 200);
  assert.equal(one.outputBytes, 500 + 200 * 200);
  const two = estimateRun({ work, costs, threads: 2, cores: 2 });
  const eight = estimateRun({ work, costs, threads: 8, cores: 2 });
  assert.ok(two.seconds < one.seconds && Math.abs(eight.seconds - two.seconds) < 1e-9, "threads beyond the cores do not speed it up");
  assert.ok(eight.memoryBytes > two.memoryBytes && two.memoryBytes > one.memoryBytes, "but each costs memory");
  const kept = estimateRun({ work, costs, threads: 1, cores: 2, keptBytesPerBoot: 1000 });
  assert.equal(kept.memoryBytes - one.memoryBytes, 200 * 1000);
  const big = estimateRun({ work: [{ policy: "base", cpus: 16384, boots: 1 }], costs, threads: 1, cores: 2 });
  assert.ok(big.memoryBytes > one.memoryBytes, "the working set grows with the largest CPU count");
});

test("refusal: null within the limits, else one line with the estimate and the remedy", () => {
  const e = { boots: 10, seconds: 7200, memoryBytes: 60e6, outputBytes: 1.2e6 };
  const limits = { maxHours: 1, memoryBytes: 8e9, outputBytes: 256 << 20 };
  const remedies = { time: "fewer boots", memory: "fewer threads", output: (n: number) => `${n} shards` };
  assert.equal(refusal("sweep: 10 boots", e, { ...limits, maxHours: 3 }, remedies, "CSV"), null);
  assert.equal(refusal("sweep: 10 boots", e, limits, remedies, "CSV"), "sweep: 10 boots; estimate 2 h, 60 MB memory, 1.2 MB CSV: over the 1 h limit (allowed: fewer boots, or --max-hours 2 to run it)");
  assert.equal(refusal("x", { ...e, seconds: 10, memoryBytes: 9e9 }, limits, remedies), "x; estimate 10 s, 9.0 GB memory: more memory than this machine's 8.0 GB (allowed: fewer threads)");
  assert.equal(refusal("x", { ...e, seconds: 10, outputBytes: 600e6 }, limits, remedies, "CSV"), `x; estimate 10 s, 60 MB memory, 600 MB CSV: over the ${256 << 20}-byte CSV limit (allowed: 3 shards)`);
  assert.deepEqual([formatDuration(0.01), formatDuration(40.2), formatDuration(600), formatDuration(36000), formatDuration(1.8e6)], ["1 s", "41 s", "10 min", "10 h", "500 h"]);
  assert.deepEqual([formatBytes(850), formatBytes(12_300), formatBytes(1.23e6), formatBytes(60e6), formatBytes(3.4e9)], ["850 B", "12 kB", "1.2 MB", "60 MB", "3.4 GB"]);
  assert.deepEqual([suggestedHours(7200), suggestedHours(1.8e6), suggestedHours(36)], [2, 500, 0.01]);
});
