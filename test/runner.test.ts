import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { checkInteger, checkKeyword, checkNumber } from "../src/core/errors";
import { describeFailure, listNotebooks, selectNotebooks } from "../src/6-notebooks/runner";
import { root, runNode, scratchDir } from "./helpers";

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


test("a notebook is named by a prefix or by its path (as a shell completes it), relative to where the command was typed", (t) => {
  const dir = scratchDir(t);
  for (const f of ["00-a.ipynb", "01-b.ipynb", "02-c.ipynb"]) fs.writeFileSync(path.join(dir, f), "{}");
  const files = listNotebooks(dir);
  const names = (fs_: string[]) => fs_.map((f) => path.basename(f));
  const rel = path.relative(root, dir);
  assert.deepEqual(names(selectNotebooks(files, [`${rel}/01-b.ipynb`], root)), ["01-b.ipynb"]);
  assert.deepEqual(names(selectNotebooks(files, [`./${rel}/02-c.ipynb`, "00"], root)), ["00-a.ipynb", "02-c.ipynb"], "file order, whatever the order asked");
  assert.deepEqual(names(selectNotebooks(files, ["01-b.ipynb"], dir)), ["01-b.ipynb"], "typed inside the folder");
  assert.deepEqual(names(selectNotebooks(files, [path.join(dir, "02-c.ipynb")], "/")), ["02-c.ipynb"], "an absolute path");
  // Each argument must name something: a stray one is not silently dropped.
  assert.throws(() => selectNotebooks(files, ["01", "notebooks/99-x.ipynb"], root), {
    message: `invalid notebook: notebooks/99-x.ipynb (allowed: a prefix of 00-a.ipynb, 01-b.ipynb, 02-c.ipynb, or the path of one of them in ${rel}/)`,
  });
  // A notebook of the same name in another folder is not one of these.
  assert.throws(() => selectNotebooks(files, ["test/fixtures/01-b.ipynb"], root), { message: /^invalid notebook: test\/fixtures\/01-b\.ipynb \(allowed/ });
});

test("reproduce -- notebooks/NAME.ipynb: the tab-completed path is accepted, a path that is none of them is one line", (t) => {
  // A results cache under a file stops the run after the notebooks are chosen and before any record or kernel.
  const file = path.join(scratchDir(t), "a-file");
  fs.writeFileSync(file, "");
  const ok = runNode("bin/modburst.js", ["reproduce", "notebooks/00-environment.ipynb"], { env: { MODBURST_CACHE_DIR: path.join(file, "cache"), INIT_CWD: root } });
  assert.equal(ok.status, 1, ok.stderr);
  assert.equal(ok.stderr, `modburst: cannot write the results cache ${path.join(file, "cache")}: ENOTDIR (${file} is a file, not a folder; set MODBURST_CACHE_DIR to a writable folder)\n`);
  const r = runNode("bin/modburst.js", ["reproduce", "notebooks/00-environment.ipynb", "notebooks/99-none.ipynb"], { env: { INIT_CWD: root } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^modburst: invalid notebook: notebooks\/99-none\.ipynb \(allowed: a prefix of 00-environment\.ipynb, .*, or the path of one of them in notebooks\/\)\n$/);
});

test("a failing cell is named by its code-cell number (the prompt's) and its place in the file", () => {
  const base = { notebook: path.join(process.cwd(), "notebooks", "x.ipynb"), ok: false, seconds: 1 };
  assert.equal(describeFailure({ ...base, kind: "error", cell: 7, codeCell: 4, message: "Error: boom" }), "notebooks/x.ipynb: code cell 4 (cell 7 of the file): Error: boom");
  assert.equal(describeFailure({ ...base, kind: "timeout", cell: 2, codeCell: 1, message: "cell did not finish within 3 s" }), "notebooks/x.ipynb: code cell 1 (cell 2 of the file): cell did not finish within 3 s");
  assert.equal(describeFailure({ ...base, kind: "startup", message: "kernel died" }), "notebooks/x.ipynb: kernel start: kernel died");
  assert.equal(describeFailure({ ...base, kind: "crash", message: "executor exited 1: x" }), "notebooks/x.ipynb: executor: executor exited 1: x");
});
