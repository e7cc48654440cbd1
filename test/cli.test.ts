import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { test } from "node:test";
import { commandHelp, commands, dispatch } from "../src/cli/main";
import { root, runNode, tmpDir } from "./helpers";

const sim = (...args: string[]) => runNode("bin/modburst.js", ["simulate", ...args]);

test("simulate --json: the documented document, one run", () => {
  const r = sim("--policy", "merge", "--cpus", "32", "--boots", "3", "--seed", "4", "--json");
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.policy, "merge");
  assert.equal(doc.cpus, 32);
  assert.equal(doc.seed, 4);
  assert.deepEqual(doc.boots.map((b: { boot: number }) => b.boot), [1, 2, 3]);
  for (const name of ["pcc_cpufreq", "acpi_cpufreq"]) {
    const m = doc.boots[0].modules[name];
    for (const k of ["spanSeconds", "attempts", "fullLoads", "peakVmallocBytes"]) assert.equal(typeof m[k], "number", `${name}.${k}`);
    const mean = doc.boots.reduce((a: number, b: any) => a + b.modules[name].spanSeconds, 0) / 3;
    assert.ok(Math.abs(doc.mean[name].spanSeconds - mean) < 1e-12);
  }
  assert.equal(doc.boots[0].modules.acpi_cpufreq.attempts, 64);
  assert.equal(doc.boots[0].modules.pcc_cpufreq.attempts, 32);
});

test("simulate --policy all --json: an array with every policy", () => {
  const r = sim("--policy", "all", "--cpus", "16", "--boots", "1", "--json");
  assert.equal(r.status, 0, r.stderr);
  const docs = JSON.parse(r.stdout);
  assert.deepEqual(docs.map((d: { policy: string }) => d.policy), ["base", "revert", "merge", "no-wait-going", "idempotent"]);
});

test("same seed: byte-identical JSON; another seed: different spans", () => {
  const a = sim("--policy", "revert", "--cpus", "64", "--boots", "2", "--seed", "11", "--json");
  const b = sim("--policy", "revert", "--cpus", "64", "--boots", "2", "--seed", "11", "--json");
  const c = sim("--policy", "revert", "--cpus", "64", "--boots", "2", "--seed", "12", "--json");
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(JSON.parse(a.stdout).mean.acpi_cpufreq.spanSeconds, JSON.parse(c.stdout).mean.acpi_cpufreq.spanSeconds);
});

test("--init-result success and --init-latency-ms override every module", () => {
  const r = sim("--policy", "base", "--cpus", "32", "--boots", "1", "--init-result", "success", "--init-latency-ms", "200", "--json");
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout).boots[0].modules;
  for (const name of ["pcc_cpufreq", "acpi_cpufreq"]) {
    assert.equal(m[name].fullLoads, 1, `${name}: once LIVE, nobody loads it again`);
    assert.equal(m[name].outcomes.failed + m[name].outcomes.ebusy, 0);
  }
  const slow = JSON.parse(sim("--policy", "base", "--cpus", "32", "--boots", "1", "--init-latency-ms", "200", "--json").stdout);
  const fast = JSON.parse(sim("--policy", "base", "--cpus", "32", "--boots", "1", "--init-latency-ms", "0", "--json").stdout);
  // base serialises the 64 failing acpi_cpufreq loads, so 63 whole inits lie between its first and last log line.
  assert.ok(slow.mean.acpi_cpufreq.spanSeconds >= 63 * 0.2, String(slow.mean.acpi_cpufreq.spanSeconds));
  assert.ok(slow.mean.acpi_cpufreq.spanSeconds > fast.mean.acpi_cpufreq.spanSeconds);
});

test("the readable table names policy, module, span and full loads", () => {
  const r = sim("--policy", "base", "--cpus", "16", "--boots", "2");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^scenario seed, 16 CPUs, seed 1, 2 boots, params: /);
  assert.match(r.stdout, /policy +module +span s \(mean\)/);
  assert.match(r.stdout, /^base +acpi_cpufreq +\d+\.\d{3} /m);
});

test("bad input: one line naming the field and the allowed values, exit 2, nothing on stdout", (t) => {
  const dir = tmpDir(t);
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const cases: Array<[string[], RegExp]> = [
    [["--policy", "fifo"], /^modburst: invalid policy: fifo \(allowed base\|revert\|merge\|no-wait-going\|idempotent\|all\)$/],
    [["--cpus", "-5"], /^modburst: invalid cpus: -5 \(allowed integer 1\.\.16384\)$/],
    [["--cpus", "0"], /^modburst: invalid cpus: 0 \(allowed integer 1\.\.16384\)$/],
    [["--cpus", "16385"], /^modburst: invalid cpus: 16385 /],
    [["--cpus", "many"], /^modburst: invalid cpus: many /],
    [["--boots", "1.5"], /^modburst: invalid boots: 1\.5 \(allowed integer 1\.\.100000\)$/],
    [["--seed", "NaN"], /^modburst: invalid seed: NaN /],
    [["--init-latency-ms", "-1"], /^modburst: invalid init-latency-ms: -1 \(allowed 0\.\.3600000\)$/],
    [["--init-result", "maybe"], /^modburst: invalid init-result: maybe \(allowed fail\|success\)$/],
    [["--params", file("unknown.json", '{"warpFactor": 9}')], /^modburst: invalid .*unknown\.json: params\.warpFactor: unknown key \(allowed triggerGapUs, /],
    [["--params", file("range.json", '{"readUs": -1}')], /^modburst: invalid .*range\.json: params\.readUs: -1 \(allowed integer 0\.\.1000000\)$/],
    [["--params", file("broken.json", '{"readUs": ')], /^modburst: invalid params file: .*broken\.json: not JSON/],
    [["--params", path.join(dir, "missing.json")], /^modburst: invalid params file: .*missing\.json: ENOENT \(allowed: a readable JSON file of at most 4194304 bytes\)$/],
    [["--bogus"], /^modburst: invalid option: --bogus \(allowed --policy\|--cpus\|--boots\|.*--max-hours\)$/],
    [["--seeds", "3"], /^modburst: invalid option: --seeds \(allowed .*; --seeds is now --boots\)$/],
  ];
  for (const [args, pattern] of cases) {
    const r = sim(...args, "--boots", args.includes("--boots") ? args[args.indexOf("--boots") + 1] : "1", "--json");
    assert.equal(r.status, 2, `${args.join(" ")}: exit ${r.status} ${r.stderr}`);
    assert.equal(r.stdout, "", args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr.trim(), pattern);
  }
  const u = runNode("bin/modburst.js", ["simulat"]);
  assert.equal(u.status, 2);
  assert.match(u.stderr, /^modburst: invalid command: simulat \(allowed simulate/);
});

test("one command table: help lists every command, npm scripts are aliases, an unknown command is one line, exit 2", () => {
  const names = Object.keys(commands);
  for (const args of [["help"], ["--help"], []]) {
    const r = runNode("bin/modburst.js", args);
    assert.equal(r.status, 0, r.stderr);
    for (const [name, c] of Object.entries(commands)) {
      assert.match(r.stdout, new RegExp(`^  ${name} +${c.description.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"), name);
      assert.ok(r.stdout.includes(c.usage.replace(/^usage: /, "")), `${name}: usage`);
    }
  }
  for (const [name, c] of Object.entries(commands)) {
    const r = runNode("bin/modburst.js", [name, "--help"]);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.ok(r.stdout.startsWith(`usage: ${c.usage.replace(/^usage: /, "")}\n`), `${name}: ${r.stdout}`);
    assert.ok(r.stdout.includes(`\n${c.description}\n`), `${name}: description`);
  }
  assert.equal(runNode("bin/modburst.js", ["measure", "-h"]).stdout, commandHelp("measure") + "\n", "-h is --help");

  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const own = ["build", "prepare", "typecheck", "test", "test:jupyter", "test:slurm", "setup"];
  const aliases = Object.keys(pkg.scripts).filter((s) => !own.includes(s));
  assert.ok(aliases.length >= 6, aliases.join(" "));
  for (const script of aliases) {
    const m = /^npm run build --silent && node bin\/modburst\.js (\S+)$/.exec(pkg.scripts[script]);
    assert.ok(m, `npm run ${script}: ${pkg.scripts[script]}`);
    assert.equal(m[1], script);
    assert.ok(names.includes(m[1]), script);
  }
  // npm run setup works before any build, so it is a script that runs `modburst setup`.
  assert.equal(pkg.scripts.setup, "bash environment/setup.sh");
  assert.match(fs.readFileSync(path.join(root, "environment", "setup.sh"), "utf8"), /^exec node bin\/modburst\.js setup "\$@"$/m);

  const u = runNode("bin/modburst.js", ["frobnicate", "--cpus", "8"]);
  assert.equal(u.status, 2);
  assert.equal(u.stdout, "");
  assert.equal(u.stderr, `modburst: invalid command: frobnicate (allowed ${names.join("|")})\n`);
  assert.equal(runNode("bin/modburst.js", ["constructor"]).status, 2);
});

test("every command's --help lists each option it parses, one line each, from the table the parser uses", async () => {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  for (const [name, c] of Object.entries(commands)) {
    const table = c.options();
    const out = commandHelp(name) + "\n";
    const lines = out.split("\n").filter((l) => /^  --/.test(l));
    assert.equal(lines.length, Object.keys(table).length, `${name}: one line per option\n${out}`);
    for (const [opt, def] of Object.entries(table)) {
      assert.ok(def.help.length > 0 && !def.help.includes("\n"), `${name} --${opt}: one line of help`);
      assert.ok(lines.some((l) => new RegExp(`^  --${esc(opt)}${def.value ? ` ${esc(def.value)}` : ""} +${esc(def.help)}$`).test(l)), `${name}: --${opt}\n${out}`);
      // The usage line and the table name the same options (the usage line is written by hand).
      assert.match(c.usage, new RegExp(`--${esc(opt)}\\b`), `${name}: the usage line lacks --${opt}`);
    }
    if (!c.passThrough) {
      for (const m of c.usage.matchAll(/--([a-z-]+)/g)) assert.ok(m[1] in table, `${name}: --${m[1]} is in the usage line, not in the option table`);
      // What the table does not list, the command's parser refuses, naming the table's options (before any work).
      const allowed = Object.keys(table).map((o) => `--${o}`).join("|");
      const message = name === "setup" ? `invalid setup option: --not-an-option (allowed ${allowed})` : `invalid option: --not-an-option (allowed ${allowed || "none"})`;
      await assert.rejects(async () => dispatch([name, "--not-an-option"]), { name: "UserError", message }, name);
    }
  }
});

test("importing a command module runs nothing", () => {
  const dir = path.join(root, "dist", "cli");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".js")).map((f) => path.join(dir, f));
  const r = spawnSync(process.execPath, ["-e", `for (const f of ${JSON.stringify(files)}) require(f)`], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout + r.stderr, "");
});
