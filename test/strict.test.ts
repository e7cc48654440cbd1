/** A careless user's mistakes: each is one line on stderr, exit 2, nothing on stdout and nothing written. */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { UserError } from "../src/errors";
import { bootJobs, runBoots } from "../src/parallel/pool";
import { defaultParams } from "../src/model/params";
import { seedScenario } from "../src/model/scenarios";
import { runNode, tmpDir } from "./helpers";

const cli = (...args: string[]) => runNode("bin/modburst.js", args, { timeoutMs: 60_000 });

/** Exit 2, exactly `modburst: <line>` on stderr, nothing on stdout. */
function rejected(r: { status: number | null; stdout: string; stderr: string }, line: string | RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, "");
  if (typeof line === "string") assert.equal(r.stderr, `modburst: ${line}\n`);
  else {
    assert.match(r.stderr, /^modburst: [^\n]*\n$/);
    assert.match(r.stderr, line);
  }
}

test("a UserError thrown in a worker thread reaches the caller as the same UserError", async () => {
  const jobs = bootJobs(["no-such-policy"], seedScenario(8), defaultParams(), 1, 32);
  const one = await runBoots(jobs, { threads: 1 }).then(() => null, (e: unknown) => e);
  const two = await runBoots(jobs, { threads: 2 }).then(() => null, (e: unknown) => e);
  assert.ok(one instanceof UserError);
  assert.ok(two instanceof UserError, String(two));
  assert.equal((two as UserError).message, (one as UserError).message);
  assert.equal((two as UserError).exitCode, (one as UserError).exitCode);
});

test("sweep errors do not depend on the thread count: --policy all,base is one line on 1 or 2 threads", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "s.csv");
  for (const threads of ["1", "2"]) {
    const r = cli("sweep", "--policy", "all,base", "--cpus", "8,16", "--boots", "8", "--threads", threads, "--out", out);
    rejected(r, "invalid policy: all (allowed base|revert|merge|no-wait-going|idempotent)");
  }
  assert.ok(!fs.existsSync(out));
});

test("a positional argument a command does not take is rejected, naming it", (t) => {
  rejected(cli("simulate", "--policy", "base", "--", "--cpus", "8"), "invalid argument: --cpus (allowed none: this command takes only --options)");
  rejected(cli("simulate", "--cpus", "8", "--boots", "1", "extra"), "invalid argument: extra (allowed none: this command takes only --options)");
  const out = path.join(tmpDir(t), "s.csv");
  rejected(cli("sweep", "--cpus", "8", "--boots", "1", "--out", out, "stray"), "invalid argument: stray (allowed none: this command takes only --options)");
  rejected(cli("calibrate", "stray"), "invalid argument: stray (allowed none: this command takes only --options)");
  rejected(cli("bench", "stray"), "invalid argument: stray (allowed none: this command takes only --options)");
  rejected(cli("figures", "stray"), "invalid argument: stray (allowed none: this command takes only --options)");
  assert.ok(!fs.existsSync(out));
});

test("a repeated item in a list flag is rejected: sweep --init-result fail,fail", (t) => {
  const out = path.join(tmpDir(t), "s.csv");
  rejected(
    cli("sweep", "--init-result", "fail,fail", "--cpus", "8", "--boots", "1", "--out", out),
    "invalid init-result: fail,fail (allowed a comma-separated list of fail|success without repeats)",
  );
  rejected(cli("sweep", "--policy", "base,base", "--cpus", "8", "--boots", "1", "--out", out), /^modburst: invalid policy: base,base \(allowed .*without repeats/);
  rejected(cli("sweep", "--init-latency-ms", "1,1.0", "--cpus", "8", "--boots", "1", "--out", out), /^modburst: invalid init-latency-ms: 1,1.0 \(allowed .*no repeats\)/);
  assert.ok(!fs.existsSync(out));
});

test("a flag given twice is rejected, not the last one silently kept", (t) => {
  rejected(cli("simulate", "--cpus", "8", "--cpus", "16", "--boots", "1"), "invalid --cpus: given twice (allowed once)");
  rejected(cli("simulate", "--cpus", "8", "--boots", "1", "--json", "--json"), "invalid --json: given twice (allowed once)");
  const out = path.join(tmpDir(t), "s.csv");
  rejected(cli("sweep", "--cpus", "8", "--boots", "1", "--out", out, "--out=" + out), "invalid --out: given twice (allowed once)");
  assert.ok(!fs.existsSync(out));
});

test("reproduce --timeout-seconds 1.5 is rejected: nbclient's cell timeout is whole seconds", () => {
  rejected(cli("reproduce", "--timeout-seconds", "1.5"), "invalid timeout-seconds: 1.5 (allowed whole seconds 1..86400)");
});

test("a bad MODBURST_CELL_TIMEOUT is named as the environment variable, not the flag", () => {
  const r = runNode("bin/modburst.js", ["reproduce"], { env: { MODBURST_CELL_TIMEOUT: "abc" }, timeoutMs: 60_000 });
  rejected(r, "invalid MODBURST_CELL_TIMEOUT: abc (allowed 1..86400)");
  const r2 = runNode("bin/modburst.js", ["reproduce"], { env: { MODBURST_CELL_TIMEOUT: "2.5" }, timeoutMs: 60_000 });
  rejected(r2, "invalid MODBURST_CELL_TIMEOUT: 2.5 (allowed whole seconds 1..86400)");
});

test("a params, scenario or data file that is not a regular file or is too large is refused before reading it", (t) => {
  rejected(cli("simulate", "--params", "/dev/zero", "--cpus", "8", "--boots", "1"), "invalid params file: /dev/zero: not a regular file (allowed: a regular JSON file of at most 4194304 bytes)");
  rejected(cli("simulate", "--scenario", "/dev/zero", "--cpus", "8", "--boots", "1"), "invalid scenario file: /dev/zero: not a regular file (allowed: a readable JSON file)");
  const big = path.join(tmpDir(t), "big.json");
  fs.writeFileSync(big, " ".repeat((4 << 20) + 1));
  rejected(cli("simulate", "--params", big, "--cpus", "8", "--boots", "1"), `invalid params file: ${big}: ${(4 << 20) + 1} bytes (allowed: a regular JSON file of at most 4194304 bytes)`);
});

test("readCsv refuses a device file in one line naming it", async () => {
  const { readCsv } = await import("../src/data/csv");
  assert.throws(() => readCsv("/dev/zero", ["a"]), (e: unknown) => e instanceof UserError && /^invalid data file: \/dev\/zero: not a regular file/.test(e.message));
});
