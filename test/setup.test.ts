import assert from "node:assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { browserEnvVar, findChromium, which } from "../src/machine/browser";
import { findJupyterPython, jupyterEnv, kernelSpec, kernelSpecFile, probePython, pythonCandidates, writeKernelSpec } from "../src/machine/jupyter";
import { findFrontEnd, labSettingDefaults } from "../src/machine/lab";
import { manualInstructions, readAptList, stateFile } from "../src/machine/setup";
import { pipRetryArgs, stampName, requirementsHash, venvPython, venvUpToDate } from "../src/machine/venv";
import { paths, userKernelName } from "../src/core/paths";
import { runNode, tmpDir } from "./helpers";
import { freePort } from "../src/cluster/localCluster";

/** `name==version` pins of requirements.txt (`- name==version` in environment.yml), names normalised as pip does. */
function pins(text: string, prefix: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = line.replace(/#.*/, "").replace(prefix, "").trim().match(/^([A-Za-z0-9_.-]+)==(\S+)$/);
    if (m) out.set(m[1].toLowerCase().replace(/[-_.]+/g, "-"), m[2]);
  }
  return out;
}

/** The machine's setup state, put back after a test that runs setup with a deliberately odd environment. */
function keepState(t: { after(fn: () => void): void }): void {
  const saved = fs.readFileSync(stateFile);
  t.after(() => fs.writeFileSync(stateFile, saved));
}


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

test("python candidates: MODBURST_PYTHON first, then the project's venv, then Debian's python3", () => {
  const list = pythonCandidates({ MODBURST_PYTHON: "/opt/py/bin/python", PATH: "" });
  assert.deepEqual(list, ["/opt/py/bin/python", path.join(paths.root, ".venv", "bin", "python"), "/usr/bin/python3"]);
  assert.deepEqual(pythonCandidates({ PATH: "" }, { venv: false }), ["/usr/bin/python3"]);
});

test("requirements.txt pins exact versions, and environment.yml has the same pins", () => {
  const pip = pins(fs.readFileSync(paths.requirements, "utf8"), /^/);
  const conda = pins(fs.readFileSync(paths.condaEnvironment, "utf8"), /^\s*-\s*/);
  assert.deepEqual([...pip.keys()].sort(), ["jupyter-client", "jupyterlab", "nbclient", "nbconvert", "plotly"]);
  assert.deepEqual(conda, pip);
  const unpinned = fs.readFileSync(paths.requirements, "utf8").split("\n").filter((l) => l.replace(/#.*/, "").trim() !== "" && !l.includes("=="));
  assert.deepEqual(unpinned, [], "every requirement is an exact pin");
});

test("pip gets --retries 0 unless the user chose retries (PIP_RETRIES or pip's config)", () => {
  assert.deepEqual(pipRetryArgs({}, false), ["--retries", "0"]);
  assert.deepEqual(pipRetryArgs({ PIP_RETRIES: "3" }, false), []);
  assert.deepEqual(pipRetryArgs({}, true), []);
});

test("the venv stamp: current only for the requirements.txt it was installed from", (t) => {
  const dir = tmpDir(t);
  const req = path.join(dir, "requirements.txt");
  fs.writeFileSync(req, "nbclient==0.11.0\n");
  fs.mkdirSync(path.join(dir, "venv", "bin"), { recursive: true });
  fs.writeFileSync(venvPython(path.join(dir, "venv")), "");
  assert.equal(venvUpToDate(path.join(dir, "venv"), req), false, "no stamp yet");
  fs.writeFileSync(path.join(dir, "venv", stampName), requirementsHash(req) + "\n");
  assert.equal(venvUpToDate(path.join(dir, "venv"), req), true);
  fs.writeFileSync(req, "nbclient==0.12.0\n");
  assert.equal(venvUpToDate(path.join(dir, "venv"), req), false, "an edited requirements.txt is installed again");
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

test("setup takes the venv path and is idempotent: the second run installs nothing", (t) => {
  // The first run installs from the local index only when .venv/ is absent (~20-30 s here, once).
  const timed = () => {
    const started = Date.now();
    const r = runNode("bin/modburst.js", ["setup"]);
    return { ...r, seconds: (Date.now() - started) / 1000 };
  };
  const first = timed();
  assert.equal(first.status, 0, first.stderr);
  const second = timed();
  assert.equal(second.status, 0, second.stderr);
  t.diagnostic(`setup: first run ${first.seconds.toFixed(1)} s, second run ${second.seconds.toFixed(1)} s`);
  assert.match(second.stdout, /^setup: python \.venv\/bin\/python \(venv: requirements unchanged, nothing installed; nbclient 0\.11\.0, nbconvert 7\.17\.1\)/m);
  assert.doesNotMatch(second.stdout, /pip install|-m venv/);
  assert.match(second.stdout, /kernelspec unchanged/);
  const state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
  assert.equal(state.python, venvPython(paths.venv), "reproduce executes notebooks with the venv's nbclient");
  assert.equal(state.source, "venv");
});

test("npm run lab -- --print-command names JupyterLab from the venv, and the environment it gets", () => {
  const r = runNode("bin/modburst.js", ["lab", "--print-command"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^jupyterlab: \S*\/\.venv\/bin\/jupyter-lab --notebook-dir=\S+\/notebooks( --allow-root)?\n/);
  const env = /^environment: JUPYTER_PATH=(\S+) JUPYTER_CONFIG_PATH=(\S+)\n$/m.exec(r.stdout);
  assert.ok(env, r.stdout);
  assert.equal(env[2].split(path.delimiter)[0], paths.jupyterConfigPath);
  const overrides = JSON.parse(fs.readFileSync(path.join(paths.jupyterConfigPath, "labconfig", "default_setting_overrides.json"), "utf8"));
  assert.deepEqual(overrides, labSettingDefaults);
});


test("npm run lab: the server JupyterLab starts hands out fetchNews \"false\" and checkForUpdates false (no news pop-up), no browser", async (t) => {
  const dir = tmpDir(t);
  const port = await freePort();
  const token = "modburst-settings-test";
  // A fresh user config and data dir: what the project passes, not what this machine's user chose.
  const env = { ...process.env, JUPYTER_CONFIG_DIR: path.join(dir, "config"), JUPYTER_DATA_DIR: path.join(dir, "data") };
  const args = ["lab", "--no-rebuild", "--no-browser", `--port=${port}`, "--ip=127.0.0.1", `--ServerApp.token=${token}`, `--notebook-dir=${dir}`];
  const lab = spawn(process.execPath, [path.join(paths.root, "bin", "modburst.js"), ...args], { cwd: paths.root, stdio: ["ignore", "pipe", "pipe"], detached: true, env });
  let log = "";
  lab.stdout!.on("data", (d) => (log += d));
  lab.stderr!.on("data", (d) => (log += d));
  const exited = new Promise((resolve) => lab.on("close", resolve));
  t.after(async () => {
    try {
      process.kill(-lab.pid!, "SIGTERM");
    } catch {
      return; // already gone
    }
    await exited;
  });
  const url = `http://127.0.0.1:${port}/lab/api/settings/@jupyterlab/apputils-extension:notification?token=${token}`;
  let settings: { schema: { properties: Record<string, { default: unknown }> }; raw: string } | undefined;
  for (const until = Date.now() + 90_000; !settings && Date.now() < until; ) {
    try {
      const res = await fetch(url);
      if (res.ok) settings = (await res.json()) as typeof settings;
    } catch {
      // not listening yet
    }
    if (!settings) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(settings, `JupyterLab never answered on port ${port}:\n${log}`);
  // The announcements plugin shows its question while the composite fetchNews is "none": the server's defaults decide it.
  assert.equal(settings.schema.properties.fetchNews.default, "false");
  assert.equal(settings.schema.properties.checkForUpdates.default, false);
  assert.equal(settings.raw.trim(), "{}", "no user setting in the scratch config: the defaults are the project's");
});

test("front end: JupyterLab before the classic notebook; none found is null", (t) => {
  const dir = tmpDir(t);
  const none = { PATH: "", MODBURST_VENV: path.join(dir, "no-venv"), MODBURST_SYSTEM_PYTHON: path.join(dir, "no-python") };
  assert.equal(findFrontEnd(none, "/nb"), null);
  const withVenv = findFrontEnd({ PATH: "" }, "/nb");
  assert.equal(withVenv?.name, "jupyterlab");
  assert.deepEqual(withVenv?.args, ["--notebook-dir=/nb"]);
});

test("setup --user registers a valid kernelspec under JUPYTER_DATA_DIR; --remove-user removes it", (t) => {
  const data = tmpDir(t);
  const env = { JUPYTER_DATA_DIR: data };
  const r = runNode("bin/modburst.js", ["setup", "--user"], { env });
  assert.equal(r.status, 0, r.stderr);
  const file = path.join(data, "kernels", userKernelName, "kernel.json");
  assert.match(r.stdout, new RegExp(`kernel ${userKernelName} .* registered at ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  const spec = JSON.parse(fs.readFileSync(file, "utf8"));
  assert.deepEqual(spec, { ...kernelSpec(), display_name: "TypeScript (modburst)" });
  // Jupyter itself lists it (what JupyterLab and VS Code read).
  const listed = spawnSync(venvPython(paths.venv), ["-m", "jupyter", "kernelspec", "list", "--json"], { encoding: "utf8", env: { ...process.env, JUPYTER_DATA_DIR: data } });
  assert.equal(listed.status, 0, listed.stderr);
  assert.equal(JSON.parse(listed.stdout).kernelspecs[userKernelName].resource_dir, path.dirname(file));
  const removed = runNode("bin/modburst.js", ["setup", "--remove-user"], { env });
  assert.equal(removed.status, 0, removed.stderr);
  assert.match(removed.stdout, /removed from/);
  assert.equal(fs.existsSync(path.dirname(file)), false);
  assert.match(runNode("bin/modburst.js", ["setup", "--remove-user"], { env }).stdout, /was not registered/);
});

test("setup: a bad flag is one line, exit 2", () => {
  for (const [args, message] of [
    [["--bogus"], "modburst: invalid setup option: --bogus (allowed --user|--remove-user|--slurm)\n"],
    [["--user", "--remove-user"], "modburst: invalid setup options: --user --remove-user (allowed one of --user|--remove-user|--slurm)\n"],
  ] as const) {
    const r = runNode("bin/modburst.js", ["setup", ...args]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, message);
  }
});

test("neither the venv nor Debian's packages: one message, exit 3", (t) => {
  keepState(t);
  const dir = tmpDir(t);
  const chromium = findChromium();
  // No python3 anywhere (and no apt-get on PATH): the venv cannot be made and no python has nbclient.
  const env = {
    PATH: path.join(dir, "empty"),
    MODBURST_PYTHON: "",
    MODBURST_VENV: path.join(dir, "venv"),
    MODBURST_SYSTEM_PYTHON: path.join(dir, "no-python3"),
    ...(chromium ? { MODBURST_CHROMIUM: chromium } : {}),
  };
  const r = runNode("bin/modburst.js", ["setup"], { env });
  assert.equal(r.status, 3, r.stdout + r.stderr);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^modburst: setup: no python with Jupyter's executor \(nbclient \+ nbconvert\)\.\n  \.venv\/ failed: no python3 to create .*venv with\n/);
  assert.equal(r.stderr.match(/modburst:/g)?.length, 1, "one message");
  assert.match(r.stderr, /apt-get install python3-nbclient/);
  assert.equal(fs.existsSync(path.join(dir, "venv")), false);
});
