/** The notebook runner against the real tslab kernel: a failing cell, a hung cell, Ctrl-C and kill -9. */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { root, runNode, scratchDir } from "../helpers";

/** Every process but zombies (this machine's init does not reap them), from ps. */
function processTable(): Array<{ pid: number; ppid: number; args: string }> {
  return spawnSync("ps", ["-eo", "pid=,ppid=,stat=,args="], { encoding: "utf8" })
    .stdout.split("\n")
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !m[3].startsWith("Z"))
    .map((m) => ({ pid: +m[1], ppid: +m[2], args: m[4] }));
}

/** The processes started, directly or not, by `pid`. */
function descendantsOf(pid: number): Array<{ pid: number; ppid: number; args: string }> {
  const rows = processTable();
  const out: typeof rows = [];
  const walk = (p: number): void => rows.filter((r) => r.ppid === p).forEach((r) => (out.push(r), walk(r.pid)));
  walk(pid);
  return out;
}

const isAlive = (pid: number): boolean => processTable().some((r) => r.pid === pid);

test("a failing cell stops the run: exit 1, notebook and cell named, original untouched, nothing new started", (t) => {
  const dir = scratchDir(t);
  const nb = path.join(dir, "01-failing.ipynb");
  fs.copyFileSync(path.join(root, "test", "fixtures", "failing.ipynb"), nb);
  // Two run side by side: 02 starts with 01 (and fails as well); 03 must never start.
  for (const name of ["02-beside.ipynb", "03-after.ipynb"]) fs.copyFileSync(path.join(root, "test", "fixtures", "failing.ipynb"), path.join(dir, name));
  const before = fs.readFileSync(nb);
  const r = runNode("bin/modburst.js", ["reproduce", "--dir", dir]);
  assert.equal(r.status, 1, r.stderr);
  const line = r.stderr.trim().split("\n").pop() as string;
  assert.match(line, /01-failing\.ipynb: code cell 2 \(cell 3 of the file\): Error: deliberate failure in fixture$/);
  assert.match(r.stdout, /FAIL 01-failing\.ipynb/);
  assert.doesNotMatch(r.stdout, /03-after/, "nothing starts after a failure");
  assert.match(r.stdout, /^reproduce: 0 of 3 notebooks executed before stopping/m);
  assert.ok(fs.readFileSync(nb).equals(before), "the failing notebook is unchanged");
  assert.deepEqual(fs.readdirSync(dir).sort(), ["01-failing.ipynb", "02-beside.ipynb", "03-after.ipynb"], "no temp file left behind");
});

test("a hung cell times out with the cell named; the notebook is unchanged", (t) => {
  const dir = scratchDir(t);
  const nb = path.join(dir, "hanging.ipynb");
  fs.copyFileSync(path.join(root, "test", "fixtures", "hanging.ipynb"), nb);
  const before = fs.readFileSync(nb);
  const r = runNode("bin/modburst.js", ["reproduce", "--dir", dir, "--timeout-seconds", "3"]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr.trim(), /hanging\.ipynb: code cell 1 \(cell 2 of the file\): cell did not finish within 3 s$/);
  assert.ok(fs.readFileSync(nb).equals(before));
  assert.deepEqual(fs.readdirSync(dir), ["hanging.ipynb"]);
});

test("Ctrl-C stops the run: exit 130, the notebook untouched, no executor or kernel left running", async (t) => {
  const dir = scratchDir(t);
  const nb = path.join(dir, "hanging.ipynb");
  fs.copyFileSync(path.join(root, "test", "fixtures", "hanging.ipynb"), nb);
  const before = fs.readFileSync(nb);
  const child = spawn(process.execPath, [path.join(root, "bin", "modburst.js"), "reproduce", "--dir", dir], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  // This run's processes (the executor and its kernel) are the descendants of the child: other tests' kernels may run beside it.
  const ours = () => descendantsOf(child.pid!).filter((p) => /tslab kernel|execute_notebook\.py/.test(p.args));
  // Wait until the kernel is up and the hanging cell runs.
  const until = Date.now() + 60_000;
  while (ours().filter((p) => p.args.includes("tslab kernel")).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  const started = ours().map((p) => p.pid);
  assert.ok(started.length >= 2, "executor and kernel running");
  await new Promise((r) => setTimeout(r, 1500));
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /modburst: interrupted \(SIGINT\); notebooks left as they were/);
  assert.ok(fs.readFileSync(nb).equals(before));
  assert.deepEqual(fs.readdirSync(dir), ["hanging.ipynb"]);
  assert.deepEqual(started.filter(isAlive), [], "executor and kernel are gone");
});

test("kill -9 on reproduce takes its executor, kernel, browser, the kernel's connection file and the browser's temp folders with it", async (t) => {
  const dir = scratchDir(t);
  // Two notebooks, so that reproduce also starts the browser it shares between kernels.
  for (const name of ["hanging.ipynb", "hanging-too.ipynb"]) fs.copyFileSync(path.join(root, "test", "fixtures", "hanging.ipynb"), path.join(dir, name));
  // The run's TMPDIR, to see what its browsers leave behind.
  const tmp = scratchDir(t);
  const child = spawn(process.execPath, [path.join(root, "bin", "modburst.js"), "reproduce", "--dir", dir], {
    cwd: root,
    stdio: ["ignore", "ignore", "ignore"],
    env: { ...process.env, TMPDIR: tmp },
  });
  t.after(() => child.kill("SIGKILL"));
  const until = Date.now() + 60_000;
  let kernel: { pid: number; args: string } | undefined;
  while (!(kernel = descendantsOf(child.pid!).find((p) => p.args.includes("tslab kernel"))) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  assert.ok(kernel, "the kernel started");
  await new Promise((r) => setTimeout(r, 1500));
  const recorded = descendantsOf(child.pid!);
  const connection = /--config-path[= ](\S+)/.exec(kernel.args)?.[1];
  assert.ok(connection && fs.existsSync(connection), `connection file in ${kernel.args}`);
  assert.ok(recorded.some((p) => p.args.includes("execute_notebook.py")), "executor running");
  assert.ok(recorded.some((p) => /chrom/.test(p.args)), "the shared browser running");
  child.kill("SIGKILL");
  const deadline = Date.now() + 10_000;
  while ((recorded.some((p) => isAlive(p.pid)) || fs.existsSync(connection) || fs.readdirSync(tmp).length > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(recorded.filter((p) => isAlive(p.pid)).map((p) => `${p.pid} ${p.args.slice(0, 80)}`), [], "no process of the run is left");
  assert.equal(fs.existsSync(connection), false, "the kernel's connection file is removed");
  assert.deepEqual(fs.readdirSync(dir).sort(), ["hanging-too.ipynb", "hanging.ipynb"]);
  const left = (fs.readdirSync(tmp, { recursive: true }) as string[]).sort();
  assert.deepEqual(left, [], `no temp folder of the run's browser (playwright_chromiumdev_profile-*, playwright-artifacts-*) is left: ${left.slice(0, 8).join(", ")}`);
});
