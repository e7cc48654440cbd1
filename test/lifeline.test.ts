/**
 * The process that does the work dies with whoever started it (src/cli/lifeline.ts):
 * `npx modburst sweep|calibrate ... --out F` killed (SIGTERM, SIGKILL) leaves no
 * process of the run behind and never writes F; SIGHUP stops a sweep cleanly;
 * MODBURST_DETACHED=1 lets a run outlive its starter. Real npx, real processes.
 */
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { root, tmpDir } from "./helpers";

/** A bound on how long a run may take to stop once its starter is gone (the lifeline checks every 0.2 s). */
const stopBoundMs = 30_000;

interface Run {
  child: ChildProcess;
  /** Everything the run wrote to stderr so far. */
  stderr: () => string;
  /** Resolves once every process of the run has closed stderr (all of it read). */
  closed: Promise<void>;
}

/** `npx --no-install modburst ARGS` in its own process group (so every process of the run can be found). */
function npx(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn("npx", ["--no-install", "modburst", ...args], { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  child.stdout!.resume();
  const closed = new Promise<void>((res) => child.stderr!.on("close", () => res()));
  return { child, stderr: () => err, closed };
}

async function waitFor(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Live (not zombie) processes of process group `pgid`, with their command lines. */
function groupProcesses(pgid: number): Array<{ pid: number; cmd: string }> {
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) !== pgid || f[0] === "Z") continue;
      out.push({ pid: Number(name), cmd: fs.readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ").trim() });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Kill whatever is left of a run (a failed test must not leave a sweep running). */
function cleanup(pgid: number): void {
  for (const p of groupProcesses(pgid)) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

const tempsOf = (file: string) => fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith(`.${path.basename(file)}.tmp-`));

/**
 * Start `npx modburst ARGS --out F` over a previous F, wait for the line that
 * says the work starts, kill npx with `signal`, and check: within the bound no
 * process of the run is left, F is byte-identical, and no temp file is left.
 */
async function killNpxDuringRun(t: { after(fn: () => void): void }, args: string[], started: RegExp, signal: NodeJS.Signals): Promise<string> {
  const dir = tmpDir(t, "modburst-lifeline-");
  const out = path.join(dir, "out");
  const previous = "a previous output, to be kept byte for byte\n";
  fs.writeFileSync(out, previous);
  const run = npx([...args, "--out", out]);
  const pgid = run.child.pid!;
  t.after(() => cleanup(pgid));
  await waitFor(`${started} on stderr (got: ${run.stderr()})`, () => started.test(run.stderr()), 180_000);
  const node = groupProcesses(pgid).find((p) => /modburst/.test(p.cmd) && !/^npm /.test(p.cmd));
  assert.ok(node, `the node process of the run: ${JSON.stringify(groupProcesses(pgid))}`);
  process.kill(pgid, signal);
  await waitFor(`no process of the run left (left: ${JSON.stringify(groupProcesses(pgid))}; stderr: ${run.stderr()})`, () => groupProcesses(pgid).length === 0, stopBoundMs);
  assert.equal(fs.readFileSync(out, "utf8"), previous, "the previous output is untouched");
  assert.deepEqual(tempsOf(out), [], "no temp file left beside it");
  // Every writer is gone, so the pipe ends once the last of it is read.
  await run.closed;
  return run.stderr();
}

const sweepArgs = ["sweep", "--policy", "base", "--cpus", "1024", "--boots", "4000", "--threads", "2", "--max-hours", "1000"];
const sweepStarted = /^sweep: .*estimate/m;
const calibrateArgs = ["calibrate", "--max-hours", "1000"];
const calibrateStarted = /^calibrate: at most .*estimate/m;

test("npx killed with SIGTERM during a sweep: the node process stops (143) before writing --out", async (t) => {
  const stderr = await killNpxDuringRun(t, sweepArgs, sweepStarted, "SIGTERM");
  assert.match(stderr, /^modburst: sweep: nothing written to .* \(interrupted by SIGTERM\)$/m);
});

test("npx killed with SIGKILL during a sweep: the lifeline notices and the run stops before writing --out", async (t) => {
  const stderr = await killNpxDuringRun(t, sweepArgs, sweepStarted, "SIGKILL");
  assert.match(stderr, /^modburst: stopping: PID \d+ \(npm exec modburst sweep.*\), which started this run, is gone$/m);
  assert.match(stderr, /^modburst: sweep: nothing written to .* \(interrupted by SIGTERM\)$/m);
});

test("npx killed with SIGTERM during a calibration: nothing written", async (t) => {
  await killNpxDuringRun(t, calibrateArgs, calibrateStarted, "SIGTERM");
});

test("npx killed with SIGKILL during a calibration: the lifeline stops it, nothing written", async (t) => {
  const stderr = await killNpxDuringRun(t, calibrateArgs, calibrateStarted, "SIGKILL");
  assert.match(stderr, /^modburst: stopping: PID \d+ \(npm exec modburst calibrate.*\), which started this run, is gone$/m);
});

test("SIGHUP (a closed terminal) stops a sweep: exit 129, --out untouched, no temp file", async (t) => {
  const dir = tmpDir(t, "modburst-lifeline-");
  const out = path.join(dir, "out.csv");
  fs.writeFileSync(out, "previous\n");
  const child = spawn(process.execPath, [path.join(root, "bin/modburst.js"), ...sweepArgs, "--out", out], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
  t.after(() => child.kill("SIGKILL"));
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exit = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  await waitFor("the sweep's estimate line", () => sweepStarted.test(stderr), 120_000);
  child.kill("SIGHUP");
  assert.equal(await exit, 129, stderr);
  assert.match(stderr, /^modburst: sweep: nothing written to .* \(interrupted by SIGHUP\)$/m);
  assert.equal(fs.readFileSync(out, "utf8"), "previous\n");
  assert.deepEqual(tempsOf(out), []);
});

test("MODBURST_DETACHED=1: a run outlives the npx that started it and writes --out", async (t) => {
  const dir = tmpDir(t, "modburst-lifeline-");
  const out = path.join(dir, "out.csv");
  const run = npx(["sweep", "--policy", "merge", "--cpus", "256", "--boots", "1000", "--threads", "2", "--out", out], { MODBURST_DETACHED: "1" });
  const pgid = run.child.pid!;
  t.after(() => cleanup(pgid));
  await waitFor("the sweep's estimate line", () => sweepStarted.test(run.stderr()), 180_000);
  process.kill(pgid, "SIGKILL");
  // Only npm was killed: the detached run goes on to the end and writes its CSV.
  await waitFor("the detached sweep to finish", () => groupProcesses(pgid).length === 0, 300_000);
  assert.match(fs.readFileSync(out, "utf8"), /^# /, "the CSV was written");
  assert.match(run.stderr(), /sweep: wrote 2000 rows to /);
});
