import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { AttemptToFormat, formatUdevLog } from "../src/2-measurements/journals/formatLog";
import { logFormats } from "../src/2-measurements/journals/readLogs";
import { parseMessage } from "../src/2-measurements/journals/messages";
import { root, runNode, tmpDir } from "./helpers";

const fixtures = path.join(root, "test/fixtures/udev");
const fixture = (name: string) => path.join("test/fixtures/udev", name);
const measure = (...args: string[]) => runNode("bin/modburst.js", ["measure", ...args]);
const read = (file: string) => fs.readFileSync(file, "utf8");

// debug and interleaved have a module with one attempt in a boot (a 0.000 row): refused unless asked, so they ask to keep it.
const fixtureArgs: Record<string, string[]> = { debug: ["--single-attempts", "keep"], interleaved: ["--single-attempts", "keep"] };
for (const name of ["short-precise", "json", "debug", "crlf", "non-utf8", "truncated", "interleaved"]) {
  test(`the ${name} fixture gives its expected measured CSV and events CSV exactly`, (t) => {
    const dir = tmpDir(t);
    const out = path.join(dir, `${name}.csv`);
    const r = measure(fixture(`${name}.log`), "--config", "base", "--out", out, ...(fixtureArgs[name] ?? []));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(read(out), read(path.join(fixtures, `${name}.csv`)));
    assert.equal(read(path.join(dir, `${name}.events.csv`)), read(path.join(fixtures, `${name}.events.csv`)));
    assert.equal(r.stdout, "");
  });
}

test("a cut-off last line is left out with a note on stderr", (t) => {
  const dir = tmpDir(t);
  const r = measure(fixture("truncated.log"), "--config", "base", "--out", path.join(dir, "m.csv"));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^measure: note: test\/fixtures\/udev\/truncated\.log:4: the last line has no newline \(cut off\?\); ignored$/m);
});

test("several files are several boots, numbered in the order given; --policy and --events are honoured", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "m.csv");
  const events = path.join(dir, "e.csv");
  const r = measure(fixture("crlf.log"), fixture("non-utf8.log"), "--config", "my", "--policy", "merge", "--out", out, "--events", events);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(read(out), "config,policy,module,boot,seconds\nmy,merge,acpi_cpufreq,1,8.509\nmy,merge,acpi_cpufreq,2,9.424\nmy,merge,pcc_cpufreq,3,2.685\n");
  assert.match(read(events), /^3,3\.585000,pcc_cpufreq,failed,EBUSY,Device or resource busy$/m);
  assert.equal(r.stderr, `measure: 2 files (short-precise), 3 boots, 6 attempts -> ${out} (3 rows), ${events}\n`);
});

test("the messages of systemd v219..v256 are recognised; ignored ones give nothing", () => {
  assert.deepEqual(parseMessage("Inserted module 'acpi_cpufreq'"), { module: "acpi_cpufreq", outcome: "inserted", errno: "", errnoText: "" });
  assert.deepEqual(parseMessage("mmc1:0001:2: Failed to insert module 'x': Device or resource busy"), { module: "x", outcome: "failed", errno: "EBUSY", errnoText: "Device or resource busy" });
  assert.deepEqual(parseMessage("Failed to insert module 'x': Unknown error 512"), { module: "x", outcome: "failed", errno: "", errnoText: "Unknown error 512" });
  assert.deepEqual(parseMessage("cpu0: Module 'x' is already loaded"), { module: "x", outcome: "already-loaded", errno: "", errnoText: "" });
  assert.deepEqual(parseMessage("Inserted 'x'"), { module: "x", outcome: "inserted", errno: "", errnoText: "" });
  assert.deepEqual(parseMessage("Failed to insert 'x'"), { module: "x", outcome: "failed", errno: "", errnoText: "" });
  for (const m of ["Module 'x' is blacklisted", "Module 'x' is built in", "Loading module: x", "Inserted module 'x' twice"]) assert.equal(parseMessage(m), null, m);
});

const attempts: AttemptToFormat[] = [
  { boot: 1, timeSeconds: 0, module: "pcc_cpufreq", outcome: "failed", errno: "EBUSY" },
  { boot: 1, timeSeconds: 0.000001, module: "acpi_cpufreq", outcome: "inserted", errno: "" },
  { boot: 1, timeSeconds: 12.5, module: "acpi_cpufreq", outcome: "already-loaded", errno: "" },
  { boot: 1, timeSeconds: 45.374001, module: "pcc_cpufreq", outcome: "inserted", errno: "" },
  { boot: 1, timeSeconds: 45.462, module: "acpi_cpufreq", outcome: "failed", errno: "EBUSY" },
  { boot: 2, timeSeconds: 1.5, module: "acpi_cpufreq", outcome: "failed", errno: "ENODEV" },
  { boot: 2, timeSeconds: 3.0005, module: "acpi_cpufreq", outcome: "failed", errno: "EEXIST" },
  { boot: 3, timeSeconds: 86_400.25, module: "pcc_cpufreq", outcome: "inserted", errno: "" },
];
const errnoText: Record<string, string> = { EBUSY: "Device or resource busy", ENODEV: "No such device", EEXIST: "File exists", "": "" };
const expectedEvents = ["boot,time_seconds,module,outcome,errno,errno_text", ...attempts.map((a) => [a.boot, a.timeSeconds.toFixed(6), a.module, a.outcome, a.errno, errnoText[a.errno]].join(","))].join("\n") + "\n";

for (const format of logFormats) {
  test(`the ${format} formatter round-trips through measure: the same events and spans back`, (t) => {
    const dir = tmpDir(t);
    const log = path.join(dir, `synthetic.${format}.log`);
    fs.writeFileSync(log, formatUdevLog(attempts, format));
    const out = path.join(dir, "m.csv");
    // Boot 3's pcc_cpufreq has one attempt: kept as 0.000 when asked.
    const r = measure(log, "--config", "base", "--out", out, "--single-attempts", "keep");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(read(path.join(dir, "m.events.csv")), expectedEvents);
    assert.equal(read(out), "config,policy,module,boot,seconds\nbase,base,pcc_cpufreq,1,45.374\nbase,base,pcc_cpufreq,3,0.000\nbase,base,acpi_cpufreq,1,45.462\nbase,base,acpi_cpufreq,2,1.501\n");
    assert.equal(formatUdevLog(attempts, format), read(log), "pure: the same text again");
  });
}

/** Every bad input: exact one-line error, exit 2, no output file, no stack trace. */
const bad: Array<{ name: string; text: string | Buffer; error: (file: string) => string }> = [
  { name: "nothing matches", text: "Oct 15 10:01:02.000000 host systemd[1]: Started Rule-based Manager for Device Events and Files.\nOct 15 10:01:02.100000 host systemd-udevd[812]: Using default interface naming scheme 'v251'.\n",
    error: (f) => `invalid ${f}: no module load lines (allowed a systemd-udevd log with "Inserted module", "Module ... is already loaded" or "Failed to insert module" lines; they are debug messages: boot with udev.log_level=debug)` },
  { name: "empty file", text: "", error: (f) => `invalid ${f}: no module load lines (allowed a systemd-udevd log with "Inserted module", "Module ... is already loaded" or "Failed to insert module" lines; they are debug messages: boot with udev.log_level=debug)` },
  { name: "bad short-precise timestamp", text: "Oct 15 10:01:02.000000 host systemd-udevd[812]: Inserted module 'a'\nOct 32 10:01:03.000000 host systemd-udevd[813]: Inserted module 'a'\n",
    error: (f) => `invalid ${f}:2: timestamp of a module load line: Oct 32 10:01:03.000000 (allowed "Oct 15 10:01:02.123456 host systemd-udevd[812]: ..." as journalctl -o short-precise prints it, or an ISO 8601 time as -o short-iso-precise does)` },
  { name: "missing short-precise timestamp", text: "Oct 15 10:01:02.000000 host systemd-udevd[812]: Inserted module 'a'\nhost systemd-udevd[813]: Inserted module 'a'\n",
    error: (f) => `invalid ${f}:2: timestamp of a module load line: host (allowed "Oct 15 10:01:02.123456 host systemd-udevd[812]: ..." as journalctl -o short-precise prints it, or an ISO 8601 time as -o short-iso-precise does)` },
  { name: "malformed JSON line", text: '{"__MONOTONIC_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"systemd-udevd","MESSAGE":"Inserted module \'a\'"}\n{"__MONOTONIC_TIMESTAMP":\n',
    error: (f) => `invalid ${f}:2: not a JSON object: {"__MONOTONIC_TIMESTAMP": (allowed one journalctl -o json object per line)` },
  { name: "JSON entry without a usable timestamp", text: '{"__REALTIME_TIMESTAMP":"12.5","_BOOT_ID":"b","SYSLOG_IDENTIFIER":"systemd-udevd","MESSAGE":"Inserted module \'a\'"}\n',
    error: (f) => `invalid ${f}:1: __REALTIME_TIMESTAMP of a module load entry: "12.5" (allowed decimal microseconds in a string, in every entry of a boot, as journalctl -o json prints them)` },
  { name: "debug line without a stamp", text: "[    5.000000] systemd-udevd[901]: Inserted module 'a'\ncpu0: Inserted module 'a'\n",
    error: (f) => `invalid ${f}:2: a module load line without a monotonic stamp: cpu0: Inserted module 'a' (allowed "[   12.345678] systemd-udevd[812]: ..." as the kernel console and journalctl -o short-monotonic print it)` },
];

for (const b of bad) {
  test(`bad log (${b.name}): one line, exit 2, nothing written`, (t) => {
    const dir = tmpDir(t);
    const good = fixture("short-precise.log");
    const log = path.join(dir, "bad.log");
    fs.writeFileSync(log, b.text);
    const out = path.join(dir, "out", "m.csv");
    // The bad file second: nothing is written even though the first one was fine.
    const r = measure(good, log, "--config", "base", "--out", out);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `modburst: ${b.error(log)}\n`);
    assert.deepEqual(fs.readdirSync(dir), ["bad.log"], "no output, not even its folder");
  });
}

test("bad arguments and unreadable files: one line, exit 2 (unwritable output: exit 1), nothing written", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "m.csv");
  const log = fixture("short-precise.log");
  const cases: Array<[string[], number, string]> = [
    [["--config", "base", "--out", out], 2, "invalid LOG: missing (allowed one or more udev log files: journalctl -b -u systemd-udevd -o short-precise > udev.log)"],
    [[log, "--out", out], 2, "invalid config: missing (allowed a name of 1-64 letters, digits and . _ + -, starting with a letter or digit)"],
    [[log, "--config", "a,b", "--out", out], 2, "invalid config: a,b (allowed a name of 1-64 letters, digits and . _ + -, starting with a letter or digit)"],
    [[log, "--config", "base"], 2, "invalid out: missing (allowed: a file path for the measured CSV, --out FILE.csv, or - for stdout)"],
    [[log, "--config", "base", "--out", out, "--events", out], 2, `invalid events: ${out} is the same file as --out ${out} (allowed: a different file for each output of measure)`],
    [[log, "--config", "base", "--config", "my", "--out", out], 2, "invalid --config: given twice (allowed once)"],
    // The policy column is what a study maps configurations to: a policy the model has, never a made-up one.
    [[log, "--config", "base", "--policy", "mine", "--out", out], 2, "invalid policy: mine (allowed base|revert|merge|no-wait-going|idempotent)"],
    [[log, "--config", "mykernel", "--out", out], 2, "invalid policy: missing (allowed base|revert|merge|no-wait-going|idempotent; required with --config mykernel, which is not a policy name)"],
    [[path.join(dir, "missing.log"), "--config", "base", "--out", out], 2, `invalid log file: ${path.join(dir, "missing.log")}: ENOENT (allowed: a readable file)`],
    [[dir, "--config", "base", "--out", out], 2, `invalid log file: ${dir}: not a regular file (allowed: a regular file; save a pipe's output to a file first)`],
    [[log, "--config", "base", "--out", dir], 1, `cannot write ${dir}: EISDIR (is a directory)`],
  ];
  for (const [args, status, message] of cases) {
    const r = measure(...args);
    assert.equal(r.status, status, `${args.join(" ")}\n${r.stderr}`);
    assert.equal(r.stderr, `modburst: ${message}\n`);
  }
  assert.deepEqual(fs.readdirSync(dir), []);
});

test("--policy defaults to the config only when the config is a policy name", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "m.csv");
  const r = measure(fixture("short-precise.log"), "--config", "revert", "--out", out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(read(out), /^config,policy,module,boot,seconds\nrevert,revert,/);
  const mine = measure(fixture("short-precise.log"), "--config", "mykernel", "--policy", "merge", "--out", out);
  assert.equal(mine.status, 0, mine.stderr);
  assert.match(read(out), /^config,policy,module,boot,seconds\nmykernel,merge,/);
});

test("the README's measure examples run as written (their logs replaced by a fixture), and write a known policy", (t) => {
  const dir = tmpDir(t);
  const readme = read(path.join(root, "README.md"));
  const lines = readme.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("npx modburst measure "));
  assert.ok(lines.length >= 4, lines.join("\n"));
  for (const line of lines) {
    const args = line.replace(/^npx modburst measure /, "").split(/\s+/);
    // Logs (the arguments that are not an option or its value) become one fixture log; outputs go to the scratch folder.
    const real: string[] = [];
    let logs = 0;
    for (let i = 0; i < args.length; i++) {
      if (args[i].startsWith("--")) {
        const value = ["--out", "--events"].includes(args[i]) ? path.join(dir, path.basename(args[i + 1])) : args[i + 1];
        real.push(args[i], value);
        i++;
      } else if (logs++ === 0) real.push(fixture("short-precise.log"));
    }
    const r = measure(...real);
    assert.equal(r.status, 0, `${line}\n${r.stderr}`);
    const out = path.join(dir, path.basename(args[args.indexOf("--out") + 1]));
    const policies = new Set(read(out).trim().split("\n").slice(1).map((row) => row.split(",")[1]));
    for (const p of policies) assert.ok(["base", "revert", "merge", "no-wait-going", "idempotent"].includes(p), `${line}: policy ${p}`);
  }
});
