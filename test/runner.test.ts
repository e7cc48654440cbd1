import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { checkInteger, checkKeyword, checkNumber } from "../src/errors";
import { listNotebooks, selectNotebooks } from "../src/notebooks/runner";
import { runNode, scratchDir } from "./helpers";

test("notebooks run in name order; hidden and non-notebook files are skipped", (t) => {
  const dir = scratchDir(t);
  for (const f of ["02-b.ipynb", "00-a.ipynb", ".00-a.ipynb.tmp-1.ipynb", "notes.md", "10-c.ipynb"]) fs.writeFileSync(path.join(dir, f), "{}");
  assert.deepEqual(listNotebooks(dir).map((f) => path.basename(f)), ["00-a.ipynb", "02-b.ipynb", "10-c.ipynb"]);
  assert.deepEqual(selectNotebooks(listNotebooks(dir), ["02", "10"]).map((f) => path.basename(f)), ["02-b.ipynb", "10-c.ipynb"]);
  assert.throws(() => selectNotebooks(listNotebooks(dir), ["99"]), /^Error: invalid notebook: 99 \(allowed: a prefix of 00-a.ipynb, 02-b.ipynb, 10-c.ipynb\)$|invalid notebook: 99/);
});

test("validation errors name the field and the allowed range", () => {
  assert.equal(checkInteger("cpus", "288", 1, 16384), 288);
  assert.throws(() => checkInteger("cpus", "-5", 1, 16384), { message: "invalid cpus: -5 (allowed integer 1..16384)" });
  assert.throws(() => checkInteger("cpus", "12abc", 1, 16384), { message: "invalid cpus: 12abc (allowed integer 1..16384)" });
  assert.throws(() => checkNumber("latency", NaN, 0, 10), { message: "invalid latency: NaN (allowed 0..10)" });
  assert.throws(() => checkNumber("latency", "", 0, 10), { message: 'invalid latency: "" (allowed 0..10)' });
  assert.throws(() => checkKeyword("policy", "fifo", ["base", "merge"] as const), { message: "invalid policy: fifo (allowed base|merge)" });
});

test("bad reproduce arguments: one line, exit 2, nothing run", () => {
  const r = runNode("bin/modburst.js", ["reproduce", "--timeout-seconds", "-1"]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "modburst: invalid timeout-seconds: -1 (allowed 1..86400)\n");
  assert.equal(r.stdout, "");
  const u = runNode("bin/modburst.js", ["reproduce", "--bogus"]);
  assert.equal(u.status, 2);
  assert.equal(u.stderr.trim().split("\n").length, 1);
});

