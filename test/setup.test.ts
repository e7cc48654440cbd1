import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { browserEnvVar, findChromium, which } from "../src/env/browser";
import { findJupyterPython, jupyterEnv, kernelSpec, kernelSpecFile, probePython, pythonCandidates, writeKernelSpec } from "../src/env/jupyter";
import { manualInstructions, readAptList } from "../src/env/setup";
import { paths } from "../src/paths";
import { runNode, tmpDir } from "./helpers";


test("apt list: packages one per line, comments and blanks ignored", (t) => {
  const file = path.join(tmpDir(t), "apt.txt");
  fs.writeFileSync(file, "# header\npython3-nbclient\n\n  chromium  # browser\n");
  assert.deepEqual(readAptList(file), ["python3-nbclient", "chromium"]);
  const real = readAptList();
  for (const p of ["python3-nbclient", "jupyter-nbconvert", "jupyter-client", "chromium"]) assert.ok(real.includes(p), p);
});

test("kernelspec points at this checkout's tslab, which exists and is executable", () => {
  const spec = kernelSpec();
  assert.equal(spec.argv[0], paths.tslabBin);
  assert.ok(spec.argv[0].startsWith(paths.root));
  fs.accessSync(spec.argv[0], fs.constants.X_OK);
  assert.deepEqual(spec.argv.slice(1), ["kernel", "--config-path", "{connection_file}"]);
  assert.equal(spec.language, "typescript");
});

test("writing the kernelspec is idempotent and lands under kernels/tslab", (t) => {
  const dir = tmpDir(t);
  assert.equal(writeKernelSpec(dir, "/x/tslab"), true);
  assert.equal(writeKernelSpec(dir, "/x/tslab"), false);
  const file = kernelSpecFile(dir);
  assert.equal(file, path.join(dir, "kernels", "tslab", "kernel.json"));
  assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).argv[0], "/x/tslab");
  assert.equal(writeKernelSpec(dir, "/y/tslab"), true, "a moved checkout rewrites it");
});

test("JUPYTER_PATH puts the project folder first and keeps the user's", () => {
  assert.equal(jupyterEnv({}, "/p/.jupyter").JUPYTER_PATH, "/p/.jupyter");
  assert.equal(jupyterEnv({ JUPYTER_PATH: "/u" }, "/p/.jupyter").JUPYTER_PATH, `/p/.jupyter${path.delimiter}/u`);
});

test("python candidates: MODBURST_PYTHON first, then Debian's python3", () => {
  const list = pythonCandidates({ MODBURST_PYTHON: "/opt/py/bin/python", PATH: "" });
  assert.deepEqual(list.slice(0, 2), ["/opt/py/bin/python", "/usr/bin/python3"]);
});

test("the Jupyter executor is found, with versions", () => {
  const found = findJupyterPython({ PATH: process.env.PATH });
  assert.ok(found, "setup must have made nbclient + nbconvert importable");
  assert.match(found.versions.nbclient, /^\d+\.\d+/);
  assert.match(found.versions.nbconvert, /^\d+\.\d+/);
});

test("a python without nbclient is not taken", (t) => {
  const fake = path.join(tmpDir(t), "python3");
  fs.writeFileSync(fake, "#!/bin/sh\nexit 1\n", { mode: 0o755 });
  assert.equal(probePython(fake), null);
  assert.notEqual(findJupyterPython({ MODBURST_PYTHON: fake, PATH: "" })?.python, fake);
});

test("chromium: a browser named by the env variable wins; a wrong one is a one-line error", (t) => {
  const dir = tmpDir(t);
  const fake = path.join(dir, "my-chrome");
  fs.writeFileSync(fake, "#!/bin/sh\n", { mode: 0o755 });
  assert.equal(findChromium({ [browserEnvVar]: fake, PATH: "" }), fake);
  assert.throws(() => findChromium({ [browserEnvVar]: path.join(dir, "nope"), PATH: "" }), (e: Error) => {
    assert.match(e.message, new RegExp(`^invalid ${browserEnvVar}: .*nope \\(allowed`));
    assert.ok(!e.message.includes("\n"));
    return true;
  });
  assert.equal(findChromium({ PATH: dir.replace(/$/, "-empty") }), null);
  assert.equal(which("my-chrome", dir), fake);
});

test("manual instructions name every package and the pip/conda route", () => {
  const text = manualInstructions(["python3-nbclient", "chromium"]);
  assert.match(text, /apt-get install python3-nbclient chromium/);
  assert.match(text, /requirements\.txt/);
  assert.match(text, /environment\.yml/);
  assert.match(text, /MODBURST_CHROMIUM/);
});

test("setup CLI is idempotent: a second run leaves the kernelspec unchanged", () => {
  const first = runNode("bin/modburst.js", ["setup"]);
  assert.equal(first.status, 0, first.stderr);
  const second = runNode("bin/modburst.js", ["setup"]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /kernelspec unchanged/);
});

test("npm run lab without any front end says what to install, exit 3", () => {
  const r = runNode("bin/modburst.js", ["lab", "--print-command"], { env: { PATH: "/nonexistent", MODBURST_PYTHON: "/nonexistent/python" } });
  if (r.status === 0) {
    // Only Debian's /usr/bin/python3 is left to probe: it may have the classic notebook.
    assert.match(r.stdout, /^(jupyterlab|notebook): /);
  } else {
    assert.equal(r.status, 3);
    assert.match(r.stderr, /^modburst: no JupyterLab or classic notebook found: pip install -r environment\/requirements\.txt/);
    assert.equal(r.stderr.trim().split("\n").length, 1);
  }
});
