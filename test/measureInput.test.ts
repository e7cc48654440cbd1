/**
 * `modburst measure` and its input (issue 21): every line that mentions a module
 * load is read or refused with `invalid FILE:LINE: ...`; boots are split without
 * separator lines, and the same boot given twice is refused; a run with no
 * attempt, or a module with a single one, is refused unless asked; CSV fields
 * are quoted by RFC 4180 and read back; the total input is capped before it is
 * read; no output may be an input or the other output. Every case runs the
 * real CLI (dist/, built by `npm test`): one line, the exit code, and every
 * input and earlier output byte-identical.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { readCsv } from "../src/core/csv";
import { readMeasured } from "../src/2-measurements/measured";
import { eventColumns } from "../src/core/csv";
import { root, runNode, tmpDir } from "./helpers";

const measure = (...args: string[]) => runNode("bin/modburst.js", ["measure", ...args]);
const read = (file: string) => fs.readFileSync(file, "utf8");
const fixture = (name: string) => path.join(root, "test/fixtures/udev", name);

/** Folder contents with every file's bytes: what must not change when a run is refused. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).sort()) out[f] = fs.readFileSync(path.join(dir, f)).toString("base64");
  return out;
}

const stamp = (s: number) => `Oct 15 10:00:${String(Math.floor(s)).padStart(2, "0")}.${String(Math.round((s % 1) * 1e6)).padStart(6, "0")}`;
const udev = (s: number, pid: number, message: string) => `${stamp(s)} host systemd-udevd[${pid}]: ${message}`;

/** A one-boot short-precise log whose acpi_cpufreq span is 9.000 s (lines 2, 3, 4 are its attempts). */
const goodLines = [
  udev(0, 812, "Using default interface naming scheme 'v252'."),
  udev(1, 901, "Failed to insert module 'acpi_cpufreq': Device or resource busy"),
  udev(5, 902, "Failed to insert module 'acpi_cpufreq': Device or resource busy"),
  udev(10, 903, "Inserted module 'acpi_cpufreq'"),
];
const logText = (lines: string[]) => lines.map((l) => l + "\n").join("");

interface Setup {
  dir: string;
  log: string;
  out: string;
}

/** A scratch folder with `log.log` holding `text` and an earlier m.csv/m.events.csv that a refused run must leave as they were. */
function setup(t: { after(fn: () => void): void }, text: string | Buffer): Setup {
  const dir = tmpDir(t);
  const log = path.join(dir, "log.log");
  fs.writeFileSync(log, text);
  fs.writeFileSync(path.join(dir, "m.csv"), "earlier output\n");
  fs.writeFileSync(path.join(dir, "m.events.csv"), "earlier events\n");
  return { dir, log, out: path.join(dir, "m.csv") };
}

/** Run measure and require exactly one line `modburst: MESSAGE`, exit `status`, and the folder as it was. */
function refused(s: Setup, args: string[], message: string | RegExp, status = 2): void {
  const before = snapshot(s.dir);
  const r = measure(...args);
  assert.equal(r.status, status, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr.split("\n").length, 2, `one line: ${r.stderr}`);
  if (typeof message === "string") assert.equal(r.stderr, `modburst: ${message}\n`);
  else assert.match(r.stderr, message);
  assert.deepEqual(snapshot(s.dir), before, "inputs and earlier outputs byte-identical");
}

// ---------------------------------------------------------------- every load line read or refused

test("defect 4: a trailing space is read (a terminal copy pads lines): the span stays 9.000 s", (t) => {
  const s = setup(t, logText([...goodLines.slice(0, 3), goodLines[3] + "  \t"]));
  const r = measure(s.log, "--config", "base", "--out", s.out);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(read(s.out), "config,policy,module,boot,seconds\nbase,base,acpi_cpufreq,1,9.000\n");
});

const badLines: Array<{ name: string; line: string; what: string }> = [
  { name: "empty errno text", line: udev(10, 903, "Failed to insert module 'acpi_cpufreq': "), what: "no errno text after the colon: Failed to insert module 'acpi_cpufreq':" },
  { name: "errno text missing with its colon", line: udev(10, 903, "Failed to insert module 'acpi_cpufreq'"), what: `no errno text (systemd v245 on prints "Failed to insert module 'X': <errno text>"): Failed to insert module 'acpi_cpufreq'` },
  { name: "NUL byte", line: udev(10, 903, "Inserted module 'acpi_cpufreq'\u0000"), what: "a NUL byte in a module load message (character 31): Inserted module 'acpi_cpufreq'\\u0000" },
  { name: "NUL byte in the module name", line: udev(10, 903, "Inserted module 'acpi\u0000cpufreq'"), what: "a NUL byte in a module load message (character 22): Inserted module 'acpi\\u0000cpufreq'" },
  { name: "module name with a space", line: udev(10, 903, "Inserted module 'acpi cpufreq'"), what: "a module name with a space: 'acpi cpufreq'" },
  { name: "empty module name", line: udev(10, 903, "Inserted module ''"), what: "an empty module name: Inserted module ''" },
  { name: "text after the name", line: udev(10, 903, "Inserted module 'acpi_cpufreq' again"), what: "not a module load message udev writes: Inserted module 'acpi_cpufreq' again" },
  { name: "unreadable process name", line: `${stamp(10)} host systemd-ud\u0000vd[903]: Inserted module 'acpi_cpufreq'`, what: `a module load line without a readable process name: ${stamp(10)} host systemd-ud\\u0000vd[903]: Inserted mod...` },
  { name: "unreadable time", line: `Oct 15 10:00:1\u0000.000000 host systemd-udevd[903]: Inserted module 'acpi_cpufreq'`, what: "timestamp of a module load line: Oct 15 10:00:1\\u0000.000000" },
];
const allowedTexts = "the texts of src/2-measurements/journals/messages.ts, as udev logs them";
const allowedStamp = `"Oct 15 10:01:02.123456 host systemd-udevd[812]: ..." as journalctl -o short-precise prints it, or an ISO 8601 time as -o short-iso-precise does`;

for (const b of badLines) {
  test(`defect 4: a load line with ${b.name} is refused with FILE:LINE (never dropped); --lenient skips and reports it`, (t) => {
    const s = setup(t, logText([...goodLines.slice(0, 3), b.line]));
    const allowed = /timestamp|process name/.test(b.what) ? allowedStamp : allowedTexts;
    refused(s, [s.log, "--config", "base", "--out", s.out], `invalid ${s.log}:4: ${b.what} (allowed ${allowed})`);
    const r = measure(s.log, "--config", "base", "--out", s.out, "--lenient");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr,
      `measure: --lenient skipped 1 line that could not be read; the first: ${s.log}:4: ${b.what}\n` +
        `measure: 1 file (short-precise), 1 boot, 2 attempts -> ${s.out} (1 row), ${path.join(s.dir, "m.events.csv")}\n`,
    );
    assert.equal(read(s.out), "config,policy,module,boot,seconds\nbase,base,acpi_cpufreq,1,4.000\n", "the span without the skipped line");
  });
}

test("--lenient counts every skipped line and names the first", (t) => {
  const s = setup(t, logText([goodLines[0], goodLines[1], udev(2, 910, "Inserted module 'a b'"), goodLines[2], udev(6, 911, "Failed to insert module 'x':"), goodLines[3]]));
  const r = measure(s.log, "--config", "base", "--out", s.out, "--lenient");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^measure: --lenient skipped 2 lines that could not be read; the first: ${s.log.replace(/[.]/g, "\\.")}:3: a module name with a space: 'a b'$`, "m"));
  assert.equal(read(s.out), "config,policy,module,boot,seconds\nbase,base,acpi_cpufreq,1,9.000\n");
});

test("defect 12: a 10 MB module name is refused, quoted cut to 60 characters; a line over 16 MiB is not read at all", (t) => {
  const name = "m".repeat(10 << 20);
  const s = setup(t, logText([...goodLines, udev(11, 904, `Inserted module '${name}'`)]));
  refused(s, [s.log, "--config", "base", "--out", s.out], `invalid ${s.log}:5: a module name of ${10 << 20} characters (at most 255: a module file's name) (allowed ${allowedTexts})`);
  const long = setup(t, Buffer.concat([Buffer.from(logText(goodLines)), Buffer.alloc((16 << 20) + 1, 0x61), Buffer.from("\n")]));
  refused(long, [long.log, "--config", "base", "--out", long.out], `invalid ${long.log}:5: a line of ${(16 << 20) + 1} bytes, not read (a corrupt file, or not a log?) (allowed lines of at most ${16 << 20} bytes: journald cuts a line at 48 KiB)`);
});

test("defect 11: a UTF-8 byte-order mark is named as one and skipped; a UTF-16 file is refused naming its byte-order mark", (t) => {
  const s = setup(t, "\ufeff" + logText(goodLines));
  const r = measure(s.log, "--config", "base", "--out", s.out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^measure: note: ${s.log.replace(/[.]/g, "\\.")}:1: starts with a UTF-8 byte-order mark \\(bytes EF BB BF, an editor's\\); skipped$`, "m"));
  assert.equal(read(s.out), "config,policy,module,boot,seconds\nbase,base,acpi_cpufreq,1,9.000\n");
  const utf16 = setup(t, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(logText(goodLines), "utf16le")]));
  refused(
    utf16,
    [utf16.log, "--config", "base", "--out", utf16.out],
    `invalid ${utf16.log}:1: a UTF-16 byte-order mark (bytes FF FE): the file is UTF-16, as PowerShell's > writes it (allowed UTF-8, as journalctl writes it: iconv -f UTF-16 -t UTF-8 ${utf16.log} > udev.log)`,
  );
});

const jsonEntry = (fields: Record<string, unknown>) =>
  JSON.stringify({ __REALTIME_TIMESTAMP: "1665828062100000", _BOOT_ID: "3f2a1c0d9e8b47a6b5c4d3e2f1a0b9c8", SYSLOG_IDENTIFIER: "systemd-udevd", _PID: "901", ...fields });

test("defect 11: a JSON entry with a numeric __MONOTONIC_TIMESTAMP names that field, not __REALTIME_TIMESTAMP; one past 2^53 us is refused too", (t) => {
  const first = jsonEntry({ __MONOTONIC_TIMESTAMP: "4000000", MESSAGE: "Failed to insert module 'acpi_cpufreq': Device or resource busy" });
  const s = setup(t, [first, jsonEntry({ __MONOTONIC_TIMESTAMP: 9000000, MESSAGE: "Inserted module 'acpi_cpufreq'" })].join("\n") + "\n");
  const allowed = "decimal microseconds in a string, in every entry of a boot, as journalctl -o json prints them";
  refused(s, [s.log, "--config", "base", "--out", s.out], `invalid ${s.log}:2: __MONOTONIC_TIMESTAMP of a module load entry: 9000000 (a JSON number, not a string) (allowed ${allowed})`);
  // A time of 1e17 s (the probe's span): microseconds past 2^53 are not exact, and are refused rather than rounded.
  const big = setup(t, [first, jsonEntry({ __MONOTONIC_TIMESTAMP: "100000000000000000000000", MESSAGE: "Inserted module 'acpi_cpufreq'" })].join("\n") + "\n");
  refused(big, [big.log, "--config", "base", "--out", big.out], `invalid ${big.log}:2: __MONOTONIC_TIMESTAMP of a module load entry: "100000000000000000000000" (past 2^53 microseconds, 285 years) (allowed ${allowed})`);
});

test("defect 12: a debug stamp of 1e17 s is refused; two attempts of a module more than 180 s apart in one boot are refused, naming both lines", (t) => {
  const s = setup(t, "[    5.000000] systemd-udevd[901]: Inserted module 'a'\n[100000000000000000.000000] systemd-udevd[902]: Inserted module 'a'\n");
  refused(s, [s.log, "--config", "base", "--out", s.out], `invalid ${s.log}:2: a monotonic stamp past 2^53 microseconds: [100000000000000000.000000] (allowed "[   12.345678] systemd-udevd[812]: ..." as the kernel console and journalctl -o short-monotonic print it)`);
  const gap = setup(t, "[    5.000000] systemd-udevd[901]: Inserted module 'a'\n[    9.000000] systemd-udevd[902]: Inserted module 'a'\n[  190.000001] systemd-udevd[903]: Inserted module 'a'\n");
  refused(
    gap,
    [gap.log, "--config", "base", "--out", gap.out],
    `invalid ${gap.log}:3: a is attempted 181.000 s after its attempt on line 2, in one boot: two boots joined without a boundary, or a late hot-plug or resume that would stretch its span (allowed at most 180 s between two attempts of a module in one boot (udevd's event timeout): mark the boots apart with a "-- Boot <id> --" line, or cut the log before this line (journalctl --until))`,
  );
});

test("defect 12: a wall clock that falls back more than 1 s with no boot boundary is refused, naming the line", (t) => {
  const s = setup(t, logText([...goodLines, udev(3, 904, "Processing device (SEQNUM=9)"), udev(11, 905, "Inserted module 'acpi_cpufreq'")]));
  refused(
    s,
    [s.log, "--config", "base", "--out", s.out],
    `invalid ${s.log}:5: the wall clock falls back 7.000000 s from line 4 with no boot boundary between: a clock step inside a boot, or two captures joined without their headers (allowed a log whose clock does not fall back within a boot: a "-- Boot <id> --" or "-- Journal begins at ... --" line between boots, or a capture with -o short-monotonic or -o json, whose clocks never step)`,
  );
  // Out of order by less than the tolerance (concurrent workers' source times): one boot, sorted.
  const jitter = setup(t, logText([...goodLines, udev(9.9995, 904, "Inserted module 'acpi_cpufreq'")]));
  const r = measure(jitter.log, "--config", "base", "--out", jitter.out);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(read(jitter.out), "config,policy,module,boot,seconds\nbase,base,acpi_cpufreq,1,9.000\n");
});

// ---------------------------------------------------------------- boots without separator lines

test("defect 5: two single-boot captures joined with cat are two boots: at their headers, or at systemd starting udevd, or at the kernel's first line", (t) => {
  const dir = tmpDir(t);
  const expected = read(fixture("short-precise.csv"));
  const expectedEvents = read(fixture("short-precise.events.csv"));
  for (const name of ["two-captures", "two-captures-no-header"]) {
    const out = path.join(dir, `${name}.csv`);
    const r = measure(fixture(`${name}.log`), "--config", "base", "--out", out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /, 2 boots, 12 attempts /);
    assert.equal(read(out), expected, name);
    assert.equal(read(path.join(dir, `${name}.events.csv`)), expectedEvents, name);
  }
  // A full capture (no -u) has the kernel's lines; its first one starts the next boot.
  const full = path.join(dir, "full.log");
  fs.writeFileSync(full, read(fixture("two-captures-no-header.log")).replace(/^(Oct 15 10:12:09\.900000) host systemd\[1\]: .*$/m, "$1 host kernel: Linux version 6.0.0-rc3-base (geeko@buildhost) #1 SMP"));
  const r = measure(full, "--config", "base", "--out", path.join(dir, "full.csv"));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(read(path.join(dir, "full.csv")), expected);
});

test("defect 5: the initrd's udevd handing over to the root's (stopped, started again within 30 s) is one boot; started again later, a reboot", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "m.csv");
  const r = measure(fixture("initrd.log"), "--config", "base", "--out", out);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(read(out), "config,policy,module,boot,seconds\nbase,base,pcc_cpufreq,1,5.000\nbase,base,acpi_cpufreq,1,1.400\n");
  // The same log with the second start 45 s after the stop: two boots (boot 1's pcc_cpufreq is then a single attempt, kept).
  const later = path.join(dir, "reboot.log");
  fs.writeFileSync(later, read(fixture("initrd.log")).replace(/Oct 15 10:01:0([4-8])\./g, (_, d) => `Oct 15 10:01:${Number(d) + 45}.`));
  const r2 = measure(later, "--config", "base", "--out", out, "--single-attempts", "keep");
  assert.equal(r2.status, 0, r2.stderr);
  assert.equal(read(out), "config,policy,module,boot,seconds\nbase,base,pcc_cpufreq,1,0.000\nbase,base,pcc_cpufreq,2,0.000\nbase,base,acpi_cpufreq,2,1.400\n");
});

test("defect 5: two single-boot synthetic captures (synthesize-logs, no -- Boot line as journalctl -b prints none) joined with cat are two boots with their own spans", (t) => {
  const dir = tmpDir(t);
  const study = "data/studies/synthetic-edac-96";
  const spans: string[] = [];
  const logs = [9601, 9602].map((seed) => {
    const log = path.join(dir, `boot-${seed}.log`);
    const r = runNode("bin/modburst.js", ["synthesize-logs", "--scenario", `${study}/scenario.json`, "--params", `${study}/generating-params.json`, "--policy", "base", "--boots", "1", "--seed", String(seed), "--out", log]);
    assert.equal(r.status, 0, r.stderr);
    // journalctl -b prints no boot separator; the SYNTHETIC note stays as each capture's header.
    fs.writeFileSync(log, read(log).replace(/^-- Boot [0-9a-f]{32} --\n/m, ""));
    const m = measure(log, "--config", "base", "--out", path.join(dir, `boot-${seed}.csv`));
    assert.equal(m.status, 0, m.stderr);
    spans.push(read(path.join(dir, `boot-${seed}.csv`)).trim().split("\n")[1].split(",").at(-1)!);
    return log;
  });
  const joined = path.join(dir, "joined.log");
  fs.writeFileSync(joined, logs.map(read).join(""));
  const r = measure(joined, "--config", "base", "--out", path.join(dir, "joined.csv"));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(read(path.join(dir, "joined.csv")), `config,policy,module,boot,seconds\nbase,base,edac_synth,1,${spans[0]}\nbase,base,edac_synth,2,${spans[1]}\n`);
  for (const s of spans) assert.ok(Number(s) > 20 && Number(s) < 30, `a boot's span, not the two joined: ${s}`);
  // Without the notes as well, the two captures meet where the wall clock falls back: refused, naming the line.
  const bare = path.join(dir, "bare.log");
  fs.writeFileSync(bare, read(joined).replace(/^-- .* --\n/gm, ""));
  const b = measure(bare, "--config", "base", "--out", path.join(dir, "bare.csv"));
  assert.equal(b.status, 2);
  assert.match(b.stderr, new RegExp(`^modburst: invalid ${bare.replace(/[.]/g, "\\.")}:98: the wall clock falls back \\d+\\.\\d{6} s from line 97 with no boot boundary between`));
});

// ---------------------------------------------------------------- the same boot twice

test("defect 5: the same boot given twice is refused naming both: the same file twice, a copy, a hard link, one boot in two captures, part of a capture", (t) => {
  const s = setup(t, read(fixture("short-precise.log")));
  const copy = path.join(s.dir, "copy.log");
  fs.copyFileSync(s.log, copy);
  const link = path.join(s.dir, "link.log");
  fs.linkSync(s.log, link);
  const lines = read(s.log).split("\n");
  const second = path.join(s.dir, "second.log");
  fs.writeFileSync(second, lines.slice(9).join("\n"));
  const part = path.join(s.dir, "part.log");
  fs.writeFileSync(part, lines.slice(9, 13).join("\n") + "\n");
  const args = (...logs: string[]) => [...logs, "--config", "base", "--out", s.out];
  refused(s, args(s.log, s.log), `invalid LOG: ${s.log} is the same file as ${s.log} (allowed each log once)`);
  refused(s, args(s.log, `${s.dir}/./log.log`), `invalid LOG: ${s.dir}/./log.log is the same file as ${s.log} (allowed each log once)`);
  refused(s, args(s.log, link), `invalid LOG: ${link} is the same file as ${s.log} (allowed each log once)`);
  refused(s, args(s.log, copy), `invalid ${copy}:2: the same boot as ${s.log}:2 (boot id 3f2a1c0d9e8b47a6b5c4d3e2f1a0b9c8) (allowed each boot once: the same file or capture given twice?)`);
  // Without the boot ids (journalctl -b prints none): the same load lines to the microsecond.
  const noIds = path.join(s.dir, "noids.log");
  fs.writeFileSync(noIds, read(s.log).replace(/^-- Boot .*\n/gm, "-- Journal begins at Mon 2022-08-29 09:00:00 CEST, ends at Sat 2022-10-15 11:27:23 CEST. --\n"));
  const noIdsCopy = path.join(s.dir, "noids-copy.log");
  fs.copyFileSync(noIds, noIdsCopy);
  refused(s, args(noIds, noIdsCopy), `invalid ${noIdsCopy}:2: the same boot as ${noIds}:2 (the same 6 load lines to the microsecond) (allowed each boot once: the same file or capture given twice?)`);
  fs.writeFileSync(second, read(noIds).split("\n").slice(9).join("\n"));
  refused(s, args(noIds, second), `invalid ${second}:2: the same boot as ${noIds}:11 (the same 6 load lines to the microsecond) (allowed each boot once: the same file or capture given twice?)`);
  fs.writeFileSync(part, read(noIds).split("\n").slice(9, 13).join("\n") + "\n");
  refused(s, args(noIds, part), `invalid ${part}:2: the same boot as ${noIds}:11 (the same first udevd line and first load line, to the microsecond: one capture holds part of the other) (allowed each boot once: the same file or capture given twice?)`);
  // cat of the same capture twice in one file.
  const twice = path.join(s.dir, "twice.log");
  fs.writeFileSync(twice, read(noIds) + read(noIds));
  refused(s, args(twice), `invalid ${twice}:19: the same boot as ${twice}:2 (the same 6 load lines to the microsecond) (allowed each boot once: the same file or capture given twice?)`);
});

test("defect 5: a JSON boot id given twice is refused: in two files, or again after another boot in one file", (t) => {
  const s = setup(t, read(fixture("json.log")));
  const copy = path.join(s.dir, "copy.json");
  fs.copyFileSync(s.log, copy);
  refused(s, [s.log, copy, "--config", "base", "--out", s.out], `invalid ${copy}:1: the same boot as ${s.log}:1 (boot id 3f2a1c0d9e8b47a6b5c4d3e2f1a0b9c8) (allowed each boot once: the same file or capture given twice?)`);
  const twice = path.join(s.dir, "twice.json");
  const n = read(s.log).split("\n").length - 1;
  fs.writeFileSync(twice, read(s.log) + read(s.log));
  refused(
    s,
    [twice, "--config", "base", "--out", s.out],
    `invalid ${twice}:${n + 1}: boot 3f2a1c0d9e8b47a6b5c4d3e2f1a0b9c8 again, after other boots since its line 1: the same boot given twice? (allowed each boot's entries once, together, as journalctl prints them)`,
  );
});

// ---------------------------------------------------------------- no attempts, single attempts

test("defect 9: a log of \"already loaded\" lines only is refused (no header-only CSV)", (t) => {
  const s = setup(t, logText([goodLines[0], udev(1, 901, "Module 'acpi_cpufreq' is already loaded"), udev(2, 902, "Module 'acpi_cpufreq' is already loaded")]));
  refused(
    s,
    [s.log, "--config", "base", "--out", s.out],
    `invalid LOG: no load attempt in any boot, 2 "already loaded" lines only (allowed at least one module with two or more "Inserted module" or "Failed to insert module" lines in a boot: an "already loaded" line is no attempt, udev found the module loaded and called no finit_module)`,
  );
});

test("defect 9: a module with a single attempt is refused naming its line; --single-attempts keep writes 0.000, skip leaves it out and says so", (t) => {
  const s = setup(t, logText([...goodLines, udev(12, 904, "Inserted module 'pcc_cpufreq'")]));
  refused(
    s,
    [s.log, "--config", "base", "--out", s.out],
    `invalid ${s.log}:5: pcc_cpufreq has a single load attempt in boot 1: its span would be 0.000 s, which study loading refuses (allowed two or more attempts per module and boot; --single-attempts skip leaves such rows out, --single-attempts keep writes them as 0.000)`,
  );
  refused(s, [s.log, "--config", "base", "--out", s.out, "--single-attempts", "drop"], "invalid single-attempts: drop (allowed refuse|keep|skip)");
  const keep = measure(s.log, "--config", "base", "--out", s.out, "--single-attempts", "keep");
  assert.equal(keep.status, 0, keep.stderr);
  assert.equal(read(s.out), "config,policy,module,boot,seconds\nbase,base,acpi_cpufreq,1,9.000\nbase,base,pcc_cpufreq,1,0.000\n");
  const skip = measure(s.log, "--config", "base", "--out", s.out, "--single-attempts", "skip");
  assert.equal(skip.status, 0, skip.stderr);
  assert.equal(read(s.out), "config,policy,module,boot,seconds\nbase,base,acpi_cpufreq,1,9.000\n");
  assert.match(skip.stderr, new RegExp(`^measure: --single-attempts skip left out 1 module-boot with one attempt; the first: pcc_cpufreq in boot 1 \\(${s.log.replace(/[.]/g, "\\.")}:5\\)$`, "m"));
  // Every attempt in the events CSV either way.
  assert.match(read(path.join(s.dir, "m.events.csv")), /^1,12\.000000,pcc_cpufreq,inserted,,$/m);
});

// ---------------------------------------------------------------- RFC 4180

test("defect 9: a module name a,b\"c is quoted by RFC 4180 in both CSVs, and the kit's CSV reader reads it back", (t) => {
  const name = 'a,b"c';
  const lines = [
    "-- Boot 0123456789abcdef0123456789abcdef --",
    udev(0, 812, "Using default interface naming scheme 'v252'."),
    udev(1, 901, `Failed to insert module '${name}': Device or resource busy`),
    udev(3.5, 902, `Inserted module '${name}'`),
    "-- Boot 1123456789abcdef0123456789abcdef --",
    udev(20, 812, "Using default interface naming scheme 'v252'."),
    udev(21, 901, `Inserted module '${name}'`),
    udev(22.25, 902, `Failed to insert module '${name}': Unknown error 512, "really"`),
  ];
  const s = setup(t, logText(lines));
  const r = measure(s.log, "--config", "base", "--out", s.out);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(read(s.out), 'config,policy,module,boot,seconds\nbase,base,"a,b""c",1,2.500\nbase,base,"a,b""c",2,1.250\n');
  const events = path.join(s.dir, "m.events.csv");
  assert.match(read(events), /^2,2\.250000,"a,b""c",failed,,"Unknown error 512, ""really"""$/m);
  // Read back: the generic reader and study loading's.
  const rows = readCsv(events, eventColumns).map((row) => row.values);
  assert.deepEqual(rows[3], { boot: "2", time_seconds: "2.250000", module: name, outcome: "failed", errno: "", errno_text: 'Unknown error 512, "really"' });
  const measured = readMeasured(s.out, { configs: { base: "base" }, modules: [name] });
  assert.deepEqual(measured, [
    { config: "base", policy: "base", module: name, boot: 1, seconds: 2.5 },
    { config: "base", policy: "base", module: name, boot: 2, seconds: 1.25 },
  ]);
  // A quote where RFC 4180 allows none is still an error.
  fs.writeFileSync(s.out, 'config,policy,module,boot,seconds\nbase,base,a"b,1,2.500\n');
  assert.throws(() => readCsv(s.out, ["config", "policy", "module", "boot", "seconds"]), /:2: cell 3: a quote inside an unquoted cell/);
});

// ---------------------------------------------------------------- total input cap

test("defect 10: five 250 MB logs are refused before reading, naming the total, the memory estimate and the flag", (t) => {
  const s = setup(t, logText(goodLines));
  // In a folder of their own: the check that nothing changed reads s.dir whole.
  const bigDir = tmpDir(t);
  const logs = [1, 2, 3, 4, 5].map((i) => {
    const f = path.join(bigDir, `big${i}.log`);
    fs.closeSync(fs.openSync(f, "w"));
    fs.truncateSync(f, 250e6); // sparse: nothing is read, so nothing needs to be on disk
    return f;
  });
  refused(s, [...logs, "--config", "base", "--out", s.out], "invalid LOG: 1192.1 MiB in 5 files, up to 2.7 GiB of memory to read (allowed at most 1024 MiB in all; --max-input-mb N raises the cap)");
  refused(s, [s.log, "--config", "base", "--out", s.out, "--max-input-mb", "0"], "invalid max-input-mb: 0 (allowed integer 1..65536)");
  const small = measure(s.log, "--config", "base", "--out", s.out, "--max-input-mb", "1");
  assert.equal(small.status, 0, small.stderr);
});

// ---------------------------------------------------------------- outputs

test("defect 2/8: --out or --events naming a log, or each other under another spelling, is refused before reading; nothing is written", (t) => {
  const s = setup(t, logText(goodLines));
  const base = [s.log, "--config", "base"];
  refused(s, [...base, "--out", s.log], `invalid out: ${s.log} is the same file as LOG ${s.log} (allowed: an output that is not an input of measure)`);
  refused(s, [...base, "--out", s.out, "--events", s.log], `invalid events: ${s.log} is the same file as LOG ${s.log} (allowed: an output that is not an input of measure)`);
  const other = `${s.dir}/../${path.basename(s.dir)}/m.csv`;
  refused(s, [...base, "--out", s.out, "--events", other], `invalid events: ${other} is the same file as --out ${s.out} (allowed: a different file for each output of measure)`);
  const link = path.join(s.dir, "link.csv");
  fs.symlinkSync(s.log, link);
  refused(s, [...base, "--out", link], `invalid out: ${link} is the same file as LOG ${s.log} (allowed: an output that is not an input of measure)`);
  refused(s, [...base, "--out", "-"], "invalid events: missing (allowed: a file path for the events CSV; required with --out -, which has no file to put it beside)");
});

test("--out - writes the measured CSV to stdout, the events to their file", (t) => {
  const s = setup(t, logText(goodLines));
  const events = path.join(s.dir, "e.csv");
  const r = measure(s.log, "--config", "base", "--out", "-", "--events", events);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "config,policy,module,boot,seconds\nbase,base,acpi_cpufreq,1,9.000\n");
  assert.equal(r.stderr, `measure: 1 file (short-precise), 1 boot, 3 attempts -> stdout (1 row), ${events}\n`);
  assert.match(read(events), /^1,10\.000000,acpi_cpufreq,inserted,,$/m);
});
